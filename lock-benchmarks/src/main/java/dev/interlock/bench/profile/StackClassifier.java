package dev.interlock.bench.profile;

/**
 * Says where a benchmark thread's time goes, from one sample of its stack: the innermost frame that names an
 * operation decides (a store statement, the blob codec, the manager's write lock, a wait), and for statements the
 * frames inside it tell the server's time (the thread reads its socket) from the client's (driver, Jdbi, pool) and
 * from waiting for a pooled connection.
 *
 * <p>Categories of Interlock start with {@code SELECT}, {@code UPDATE}, {@code INSERT} (the store's statements),
 * {@code JSON}, {@code queue}, {@code wait} or {@code engine}; the baselines' with {@code SQL}, {@code JSON} or
 * {@code backoff}. Unknown engine methods are named ({@code engine: LockEngine.foo}) so that new code shows up.
 * Stateless and thread-safe.
 */
public final class StackClassifier {

    static final String ENGINE_PACKAGE = "dev.interlock.internal.";
    static final String STORE_PACKAGE = "dev.interlock.jdbi.";
    static final String BASELINE_PACKAGE = "dev.interlock.bench.impl.";
    static final String INTERLOCK_ADAPTER = "dev.interlock.bench.impl.InterlockLock";

    /** Where the thread was, when not in any known operation. */
    public static final String OTHER = "harness / other";

    private StackClassifier() {
    }

    /**
     * @param frames a thread's stack, innermost first
     * @return the category of this sample
     */
    public static String classify(StackTraceElement[] frames) {
        for (int i = 0; i < frames.length; i++) {
            StackTraceElement f = frames[i];
            String cls = f.getClassName();
            String method = f.getMethodName();
            if (store(cls)) {
                // helpers (open, checkSpace, ...) run inside the store's operation: name the outermost one
                int op = i;
                while (op + 1 < frames.length && store(frames[op + 1].getClassName())) {
                    op++;
                }
                return statement(storeOperation(frames[op].getMethodName()), frames, i);
            }
            if (cls.startsWith(ENGINE_PACKAGE)) {
                String simple = simpleName(cls);
                if (simple.contains("Codec")) {
                    // the codec's helpers run inside decode or encode: look for them outwards
                    for (int j = i; j < frames.length && simpleName(frames[j].getClassName()).contains("Codec"); j++) {
                        String m = frames[j].getMethodName().toLowerCase(java.util.Locale.ROOT);
                        if (m.contains("decode") || m.contains("parse")) {
                            return "JSON decode";
                        }
                        if (m.contains("encode") || m.contains("empty")) {
                            return "JSON encode";
                        }
                    }
                    return "JSON (codec)";
                }
                if (method.equals("awaitRelease")) {
                    return "wait: acquire backoff or CAS pause (awaitRelease)";
                }
                if (method.startsWith("casPause")) {
                    return "wait: CAS-conflict pause (tryAcquire)";
                }
                if (i > 0 && lockingFrame(frames, i)) {
                    return "queue: manager write lock (" + simple + "." + method + ")";
                }
                return "engine: " + simple + "." + method + (blocked(frames, i) ? " (waiting)" : "");
            }
            if (cls.startsWith("dev.interlock.") && !cls.startsWith("dev.interlock.bench.")
                    && !cls.startsWith("dev.interlock.jdbi.")) {
                return "engine: " + simpleName(cls) + "." + method + (blocked(frames, i) ? " (waiting)" : "");
            }
            if (cls.startsWith(BASELINE_PACKAGE) && !cls.startsWith(INTERLOCK_ADAPTER)) {
                return baseline(frames, i);
            }
        }
        return OTHER;
    }

    private static boolean store(String cls) {
        return cls.startsWith(STORE_PACKAGE) && !cls.startsWith("dev.interlock.jdbi.testing.");
    }

    private static String storeOperation(String method) {
        return switch (method) {
            case "read" -> "SELECT";
            case "compareAndSet" -> "UPDATE";
            case "createSpaceIfAbsent" -> "INSERT";
            default -> "store." + method;
        };
    }

    /** Inside a statement issued at frame {@code at}: pool, server or client. */
    private static String statement(String op, StackTraceElement[] frames, int at) {
        return op + " · " + part(frames, at);
    }

    /** The part of a statement's time: {@value #POOL}, {@value #READ_ONLY}, {@value #SERVER} or {@value #CLIENT}. */
    private static String part(StackTraceElement[] frames, int at) {
        for (int j = 0; j < at; j++) {
            String cls = frames[j].getClassName();
            if (cls.equals("com.zaxxer.hikari.pool.HikariPool") && frames[j].getMethodName().equals("getConnection")) {
                return POOL;
            }
        }
        for (int j = 0; j < at; j++) {
            // Connector/J's execute() asks the server for @@session.transaction_read_only before a write
            if (frames[j].getClassName().equals("com.mysql.cj.jdbc.ConnectionImpl")
                    && frames[j].getMethodName().equals("isReadOnly")) {
                return READ_ONLY;
            }
        }
        for (int j = 0; j < at; j++) {
            if (socketRead(frames[j])) {
                return SERVER;
            }
        }
        return CLIENT;
    }

    /** Taking a connection from the pool. */
    static final String POOL = "pool checkout";
    /** The driver's extra round trip for {@code SELECT @@session.transaction_read_only}. */
    static final String READ_ONLY = "driver's read-only check (extra round trip)";
    /** Waiting for the server's answer on the socket. */
    static final String SERVER = "server round trip";
    /** The client's own work: Jdbi, the driver, the socket writes. */
    static final String CLIENT = "client CPU (Jdbi, driver, socket write)";

    static boolean socketRead(StackTraceElement f) {
        String cls = f.getClassName();
        String m = f.getMethodName();
        return (cls.equals("sun.nio.ch.NioSocketImpl") && (m.equals("read") || m.equals("timedRead")
                || m.equals("park") || m.equals("implRead")))
                || (cls.equals("sun.nio.ch.Net") && m.equals("poll"))
                || (cls.equals("java.net.SocketInputStream") && m.startsWith("socketRead"));
    }

    /** Whether frame {@code at} is waiting for a lock it calls directly (ReentrantLock.lock and below). */
    private static boolean lockingFrame(StackTraceElement[] frames, int at) {
        StackTraceElement callee = frames[at - 1];
        return callee.getClassName().startsWith("java.util.concurrent.locks.")
                && (callee.getMethodName().equals("lock") || callee.getMethodName().startsWith("acquire")
                || callee.getMethodName().equals("lockInterruptibly") || callee.getMethodName().equals("tryLock"));
    }

    /** Whether the frames inside {@code at} show a wait (park, wait, sleep) rather than work. */
    private static boolean blocked(StackTraceElement[] frames, int at) {
        if (at == 0) {
            return false;
        }
        StackTraceElement top = frames[0];
        String cls = top.getClassName();
        String m = top.getMethodName();
        return (cls.equals("jdk.internal.misc.Unsafe") && m.equals("park"))
                || (cls.equals("java.lang.Object") && m.startsWith("wait"))
                || (cls.equals("java.lang.Thread") && m.startsWith("sleep"));
    }

    private static String baseline(StackTraceElement[] frames, int at) {
        if (simpleName(frames[at].getClassName()).equals("Backoff")) {
            return "backoff";
        }
        for (int j = 0; j < at; j++) {
            String cls = frames[j].getClassName();
            if (cls.startsWith("com.fasterxml.jackson.")) {
                return "JSON (Jackson)";
            }
            if (cls.startsWith(BASELINE_PACKAGE) && simpleName(cls).equals("Backoff")) {
                return "backoff";
            }
        }
        for (int j = 0; j < at; j++) {
            String cls = frames[j].getClassName();
            if (cls.startsWith("com.mysql.") || cls.startsWith("com.zaxxer.") || cls.startsWith("org.springframework.")
                    || cls.startsWith("java.sql.") || cls.startsWith("sun.nio.ch.") || cls.startsWith("net.javacrumbs.")) {
                return "SQL · " + part(frames, at);
            }
        }
        return "baseline code";
    }

    private static String simpleName(String cls) {
        int dot = cls.lastIndexOf('.');
        String s = dot < 0 ? cls : cls.substring(dot + 1);
        int dollar = s.indexOf('$');
        return dollar < 0 ? s : s.substring(0, dollar);
    }
}
