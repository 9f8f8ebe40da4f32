package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockStoreException;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The database goes away and comes back (the embedded server is stopped and started on the same data): calls
 * made while it is down fail with a known outcome, committed state survives, and the store and the lock manager
 * carry on afterwards, through a plain data source and through a pool holding dead connections.
 */
class DatabaseRestartIT {

    private final TestDatabase db = TestDatabase.get();

    @Test
    void callsWhileTheDatabaseIsDownFailCleanlyAndStateSurvivesTheRestart() throws Exception {
        assumeTrue(db.canRestart(), "needs the embedded server, which this JVM may restart");
        JdbiLockStore store = JdbiLockStore.create(db.dataSource(db.jdbcUrl(Map.of("connectTimeout", "2000"))));
        store.createSchema();
        String space = TestDatabase.newSpace("restart");
        store.createSpaceIfAbsent(space, "{\"n\":0}");
        assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, "{\"n\":1}"));

        HikariDataSource pool = pool();
        try {
            String lockSpace = TestDatabase.newSpace("restart-engine");
            LockManager locks = LockManager.builder(JdbiLockStore.create(pool)).space(lockSpace)
                    .holder(Holder.currentProcess("restart")).backoff(Duration.ofMillis(5), Duration.ofMillis(100))
                    .build();
            Lease before = locks.acquire(LockRequest.exclusive("job"), Duration.ofSeconds(10));

            db.stopServer();
            try {
                LockStoreException read = assertThrows(LockStoreException.class, () -> store.read(space));
                assertTrue(read.outcomeKnown());
                assertTrue(read.getMessage().contains("no connection"), read.getMessage());
                LockStoreException cas = assertThrows(LockStoreException.class,
                        () -> store.compareAndSet(space, 1, "{\"n\":2}"));
                assertTrue(cas.outcomeKnown(), "no connection, so nothing was sent");
                assertThrows(LockStoreException.class, () -> store.createSpaceIfAbsent(space + "-x", "{}"));
            } finally {
                db.startServer();
            }

            // Committed state survived; the store carries on.
            assertEquals(1, store.read(space).orElseThrow().version());
            assertEquals(CasResult.APPLIED, store.compareAndSet(space, 1, "{\"n\":2}"));

            // The pool held connections the restart killed (it notices and replaces them): the manager still
            // releases and grants.
            assertTrue(before.isHeld());
            before.close();
            assertFalse(before.isHeld());
            assertTrue(locks.snapshot().isEmpty(), "the release reached the database: " + locks.snapshot());
            try (Lease after = locks.acquire(LockRequest.exclusive("job"), Duration.ofSeconds(10))) {
                assertTrue(after.token() > before.token(), "tokens keep growing across the restart");
            }
            assertTrue(locks.snapshot().isEmpty());
        } finally {
            pool.close();
        }
    }

    private HikariDataSource pool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl(Map.of("connectTimeout", "2000")));
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);
        config.setMinimumIdle(2);
        config.setPoolName("restart-it");
        return new HikariDataSource(config);
    }
}
