package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.ConcurrencyCheck;
import dev.interlock.Holder;
import dev.interlock.LockManager;
import dev.interlock.LockSnapshot;
import dev.interlock.jdbi.testing.FaultProxy;
import dev.interlock.jdbi.testing.TestDatabase;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The concurrency check with real lost replies: every manager talks to the database through a
 * {@link FaultProxy} that drops the request or the reply of a random share of the UPDATEs. Mutual exclusion
 * and fencing must hold throughout; afterwards the only grants left may be orphans of writes their writer
 * could not settle (never a grant of a lease that was handed out), and each manager's reap sweeps its own.
 */
class LostReplyConcurrencyIT {

    private static final Duration RUN = Duration.ofSeconds(Long.getLong("interlock.concurrency.seconds", 6));

    @Test
    void mutualExclusionHoldsWhileRepliesAreLost() throws Exception {
        TestDatabase db = TestDatabase.get();
        JdbiLockStore direct = db.store();
        long seed = System.nanoTime();
        String space = TestDatabase.newSpace("lost-reply-concurrency");
        try (FaultProxy proxy = db.startProxy();
             HikariDataSource pool = pool(db, proxy.jdbcUrl(db.jdbcUrl(Map.of("socketTimeout", "20000"))))) {
            proxy.armRandomly("UPDATE `interlock_spaces`", 0.05, seed);
            ConcurrencyCheck check = new ConcurrencyCheck();
            ConcurrencyCheck.Result result = check.go(i -> LockManager.builder(JdbiLockStore.create(pool))
                    .space(space).holder(Holder.currentProcess("chaos-" + i))
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(20)).build(), 3, 2, 4, RUN, seed, true);
            proxy.disarm();
            System.out.println("concurrency check with lost replies (" + db.backend() + ", seed " + seed + "): "
                    + result + "; faults injected: " + proxy.faultsInjected());
            assertEquals(0, result.violations(), () -> "first violations: " + result.examples());
            assertTrue(result.grants() > 30, "too few grants to mean anything: " + result.grants());
            assertTrue(proxy.faultsInjected() >= 3, "too few faults to mean anything: " + proxy.faultsInjected());

            // What the database holds now agrees with what the API reported.
            Set<Long> granted = check.grantedTokens();
            LockManager inspector = LockManager.builder(direct).space(space).build();
            LockSnapshot leftover = inspector.snapshot();
            for (LockSnapshot.Grant g : leftover.grants()) {
                assertFalse(granted.contains(g.token()), "a released lease left its grant behind: " + g.describe());
            }
            int swept = 0;
            for (LockManager m : check.managers()) {
                swept += m.reap();
            }
            assertEquals(leftover.grants().size(), swept, "each manager's reap removes exactly its orphans");
            assertTrue(inspector.snapshot().isEmpty(), "nothing left: " + inspector.snapshot());
        }
    }

    private static HikariDataSource pool(TestDatabase db, String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(6);
        config.setPoolName("lost-reply-concurrency-it");
        return new HikariDataSource(config);
    }
}
