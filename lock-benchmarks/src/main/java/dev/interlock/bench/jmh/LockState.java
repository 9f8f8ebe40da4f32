package dev.interlock.bench.jmh;

import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.bench.BenchDatabase;
import dev.interlock.bench.impl.BenchEnv;
import dev.interlock.bench.impl.BenchLock;
import dev.interlock.bench.impl.BenchSchema;
import dev.interlock.bench.impl.Impl;
import dev.interlock.bench.profile.SqlCounter;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.BenchmarkParams;

/**
 * One implementation, opened once per trial (per fork) on a pool of its own: {@code threads + 2} connections, the
 * same for every implementation. Lock names and spaces carry a random prefix of this trial, and are deleted again at
 * the end.
 */
@State(Scope.Benchmark)
public class LockState {

    /** The implementation, by {@link Impl#id()}. */
    @Param({"interlock", "get-lock", "row-per-lock", "shedlock", "naive-blob"})
    public String impl;

    /** The lock under test. */
    public BenchLock lock;
    /** The data source and names of this trial. */
    public BenchEnv env;
    /** The lock name of a one-thread scenario, and the shared lock of P4. */
    public String name;

    private HikariDataSource pool;
    private final List<AutoCloseable> closeFirst = new ArrayList<>();

    /**
     * Registers something to close at the end of the trial, before the implementation and the pool.
     *
     * @param resource e.g. the other locks of {@link HeldLocks}
     */
    public synchronized void closeFirst(AutoCloseable resource) {
        closeFirst.add(resource);
    }

    /**
     * Opens the implementation.
     *
     * @param params JMH's parameters (for the thread count)
     */
    @Setup(Level.Trial)
    public void open(BenchmarkParams params) {
        BenchDatabase db = BenchDatabase.handedOver();
        pool = db.pool(params.getThreads() + 2, "bench-" + impl);
        BenchSchema.create(pool);
        DataSource ds = SqlCounter.enabled() ? SqlCounter.wrap(pool) : pool;
        env = new BenchEnv(ds, BenchEnv.randomPrefix());
        name = env.lockName("x");
        System.setProperty(dev.interlock.bench.profile.WallClockProfiler.SPACE, env.space());
        lock = Impl.parse(impl).open(env);
    }

    /**
     * Frees what others hold, closes the implementation and deletes this trial's data.
     *
     * @throws Exception if freeing fails
     */
    @TearDown(Level.Trial)
    public synchronized void close() throws Exception {
        try {
            for (AutoCloseable c : closeFirst) {
                c.close();
            }
            lock.close();
            BenchSchema.cleanUp(new BenchEnv(pool, env.prefix()));
        } finally {
            pool.close();
        }
    }
}
