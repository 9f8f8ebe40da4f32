package dev.interlock.bench.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class StackClassifierTest {

    /** Frames innermost first, each "class#method". */
    private static StackTraceElement[] stack(String... frames) {
        return Arrays.stream(frames).map(f -> {
            String[] p = f.split("#");
            return new StackTraceElement(p[0], p[1], null, -1);
        }).toArray(StackTraceElement[]::new);
    }

    private static final String[] BENCH = {
        "dev.interlock.bench.impl.InterlockLock#tryAcquire",
        "dev.interlock.bench.jmh.LockBenchmarks#pair",
        "dev.interlock.bench.jmh.jmh_generated.LockBenchmarks_ownLocks_jmhTest#ownLocks_thrpt_jmhStub",
    };

    private static StackTraceElement[] engine(String... inner) {
        String[] all = new String[inner.length + BENCH.length];
        System.arraycopy(inner, 0, all, 0, inner.length);
        System.arraycopy(BENCH, 0, all, inner.length, BENCH.length);
        return stack(all);
    }

    @Test
    void aSocketReadInsideTheStoresReadIsTheServersTime() {
        assertEquals("SELECT · server round trip", StackClassifier.classify(engine(
                "sun.nio.ch.Net#poll",
                "sun.nio.ch.NioSocketImpl#park",
                "com.mysql.cj.protocol.ReadAheadInputStream#fill",
                "com.mysql.cj.jdbc.ClientPreparedStatement#executeQuery",
                "org.jdbi.v3.core.result.ResultIterable#findOne",
                "dev.interlock.jdbi.JdbiLockStore#read",
                "dev.interlock.internal.LockEngine#read")));
    }

    @Test
    void storeHelpersCountForTheOperationAroundThem() {
        assertEquals("UPDATE · pool checkout", StackClassifier.classify(engine(
                "com.zaxxer.hikari.pool.HikariPool#getConnection",
                "org.jdbi.v3.core.Jdbi#open",
                "dev.interlock.jdbi.JdbiLockStore#open",
                "dev.interlock.jdbi.JdbiLockStore#compareAndSet",
                "dev.interlock.internal.LockEngine#write")));
        assertEquals("UPDATE · client CPU (Jdbi, driver, socket write)", StackClassifier.classify(engine(
                "java.lang.String#codePointCount",
                "dev.interlock.jdbi.JdbiLockStore#checkSpace",
                "dev.interlock.jdbi.JdbiLockStore#compareAndSet",
                "dev.interlock.internal.LockEngine#write")));
    }

    @Test
    void theDriversReadOnlyCheckIsItsOwnPart() {
        assertEquals("UPDATE · driver's read-only check (extra round trip)", StackClassifier.classify(engine(
                "sun.nio.ch.Net#poll",
                "com.mysql.cj.NativeSession#queryServerVariable",
                "com.mysql.cj.jdbc.ConnectionImpl#isReadOnly",
                "com.mysql.cj.jdbc.ClientPreparedStatement#checkReadOnlySafeStatement",
                "com.mysql.cj.jdbc.ClientPreparedStatement#execute",
                "dev.interlock.jdbi.JdbiLockStore#compareAndSet",
                "dev.interlock.internal.LockEngine#write")));
    }

    @Test
    void codecHelpersCountAsDecodeOrEncode() {
        assertEquals("JSON decode", StackClassifier.classify(engine(
                "java.util.HashMap#hash",
                "dev.interlock.internal.BlobCodec#instant",
                "dev.interlock.internal.BlobCodec#holder",
                "dev.interlock.internal.BlobCodec#decode",
                "dev.interlock.internal.LockEngine#read")));
        assertEquals("JSON encode", StackClassifier.classify(engine(
                "com.fasterxml.jackson.core.json.WriterBasedJsonGenerator#writeString",
                "dev.interlock.internal.BlobCodec#encode",
                "dev.interlock.internal.LockEngine#write")));
    }

    @Test
    void waitsAndQueues() {
        assertEquals("queue: manager write lock (LockEngine.submit)", StackClassifier.classify(engine(
                "jdk.internal.misc.Unsafe#park",
                "java.util.concurrent.locks.LockSupport#park",
                "java.util.concurrent.locks.AbstractQueuedSynchronizer#acquire",
                "java.util.concurrent.locks.ReentrantLock#lock",
                "dev.interlock.internal.LockEngine#submit")));
        assertEquals("wait: acquire backoff or CAS pause (awaitRelease)", StackClassifier.classify(engine(
                "java.lang.Object#wait",
                "java.util.concurrent.TimeUnit#timedWait",
                "dev.interlock.internal.LockEngine#awaitRelease",
                "dev.interlock.internal.LockEngine#acquire")));
        assertEquals("engine: LockEngine.combine (waiting)", StackClassifier.classify(engine(
                "jdk.internal.misc.Unsafe#park",
                "java.util.concurrent.locks.LockSupport#park",
                "dev.interlock.internal.LockEngine#combine")));
        assertEquals("engine: LockEngine.decide", StackClassifier.classify(engine(
                "java.util.TreeMap#get",
                "dev.interlock.internal.LockEngine#decide")));
    }

    @Test
    void baselines() {
        assertEquals("JSON (Jackson)", StackClassifier.classify(stack(
                "com.fasterxml.jackson.databind.ObjectMapper#readTree",
                "dev.interlock.bench.impl.NaiveBlobLock#decode",
                "dev.interlock.bench.jmh.LockBenchmarks#pair")));
        assertEquals("SQL · server round trip", StackClassifier.classify(stack(
                "sun.nio.ch.Net#poll",
                "com.mysql.cj.jdbc.ClientPreparedStatement#executeUpdate",
                "org.springframework.jdbc.core.JdbcTemplate#update",
                "net.javacrumbs.shedlock.support.StorageBasedLockProvider#lock",
                "dev.interlock.bench.impl.ShedLockLock#tryAcquire")));
        assertEquals("backoff", StackClassifier.classify(stack(
                "java.lang.Thread#sleep",
                "java.util.concurrent.TimeUnit#sleep",
                "dev.interlock.bench.impl.Backoff#poll",
                "dev.interlock.bench.impl.RowPerLock#acquire")));
        assertEquals(StackClassifier.OTHER, StackClassifier.classify(stack(
                "java.lang.Thread#sleep", "org.openjdk.jmh.runner.BenchmarkHandler#run")));
    }
}
