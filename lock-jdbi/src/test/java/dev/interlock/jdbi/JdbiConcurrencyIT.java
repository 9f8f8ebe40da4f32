package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.ConcurrencyCheck;
import dev.interlock.Holder;
import dev.interlock.LockManager;
import dev.interlock.jdbi.testing.TestDatabase;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * lock-core's concurrency check (threads, several managers, witnesses per name) on the database, through one
 * pool; some managers share a store instance, others have their own.
 */
class JdbiConcurrencyIT {

    private static final Duration RUN = Duration.ofSeconds(Long.getLong("interlock.concurrency.seconds", 6));

    @Test
    void mutualExclusionAndFencingHoldOnTheDatabase() throws Exception {
        TestDatabase db = TestDatabase.get();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(8);
        config.setPoolName("concurrency-it");
        try (HikariDataSource pool = new HikariDataSource(config)) {
            JdbiLockStore.create(pool).createSchema();
            long seed = System.nanoTime();
            String space = TestDatabase.newSpace("concurrency");
            ConcurrencyCheck check = new ConcurrencyCheck();
            // 4 managers x 3 threads over 5 names: much overlap, on 2 cores
            // managers 0 and 2 share one store (as threads of one process would), 1 and 3 have their own
            JdbiLockStore shared = JdbiLockStore.create(pool);
            ConcurrencyCheck.Result result = check.go(i -> LockManager.builder(i % 2 == 0 ? shared
                            : JdbiLockStore.create(pool))
                    .space(space).holder(Holder.currentProcess("worker-" + i))
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(20)).build(), 4, 3, 5, RUN, seed, false);
            System.out.println("concurrency check (" + db.backend() + ", seed " + seed + "): " + result);
            assertEquals(0, result.violations(), () -> "first violations: " + result.examples());
            assertEquals(0, result.errors(), "no store errors without fault injection");
            assertTrue(result.grants() > 50, "too few grants to mean anything: " + result.grants());
            LockManager any = check.managers().get(0);
            assertTrue(any.snapshot().isEmpty(), "nothing may be held at the end: " + any.snapshot());
        }
    }
}
