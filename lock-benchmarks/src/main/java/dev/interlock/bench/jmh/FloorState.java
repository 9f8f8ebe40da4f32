package dev.interlock.bench.jmh;

import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.bench.BenchDatabase;
import dev.interlock.bench.impl.BenchEnv;
import dev.interlock.bench.impl.BenchSchema;
import dev.interlock.bench.impl.StatementFloor;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/** One {@link StatementFloor} per trial, on a pool of its own sized as {@link LockState}'s for one thread. */
@State(Scope.Benchmark)
public class FloorState {

    /** Which statements, by {@link StatementFloor.Kind#id()}. */
    @Param({"space-row", "row-per-lock"})
    public String floor;

    /** The statements. */
    public StatementFloor statements;

    private HikariDataSource pool;

    /** Opens the pool and prepares the row. */
    @Setup(Level.Trial)
    public void open() {
        pool = BenchDatabase.handedOver().pool(3, "floor-" + floor);
        BenchSchema.create(pool);
        statements = new StatementFloor(new BenchEnv(pool, BenchEnv.randomPrefix()), StatementFloor.Kind.parse(floor));
    }

    /** Deletes the trial's rows and closes the pool. */
    @TearDown(Level.Trial)
    public void close() {
        try {
            statements.close();
        } finally {
            pool.close();
        }
    }
}
