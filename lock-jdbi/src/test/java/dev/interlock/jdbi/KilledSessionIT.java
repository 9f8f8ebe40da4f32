package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockStoreException;
import dev.interlock.jdbi.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * A pooled connection that the server killed ({@code KILL}, a restart, an idle timeout): the next statement on it
 * fails at once. A waiting {@code acquire} rides that out within its budget; {@code tryAcquire} reports it, transient.
 */
class KilledSessionIT {

    private final TestDatabase db = TestDatabase.get();

    /** Hands out, once when asked, a connection the server has killed; new connections otherwise. */
    private final class KilledOnce extends TestDataSource {
        final DataSource real = db.dataSource();
        final AtomicBoolean killNext = new AtomicBoolean();

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = real.getConnection();
            if (killNext.getAndSet(false)) {
                long id;
                try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT CONNECTION_ID()")) {
                    rs.next();
                    id = rs.getLong(1);
                }
                db.execute("KILL CONNECTION " + id);
            }
            return c;
        }
    }

    @Test
    void aWaitingAcquireRidesOutAKilledPooledConnection() throws Exception {
        KilledOnce source = new KilledOnce();
        JdbiLockStore store = JdbiLockStore.create(source);
        store.createSchema();
        LockManager locks = LockManager.builder(store).space(TestDatabase.newSpace("killed"))
                .holder(Holder.currentProcess("killed")).build();

        source.killNext.set(true);
        LockStoreException refused = assertThrows(LockStoreException.class,
                () -> locks.tryAcquire(LockRequest.exclusive("app:1")));
        assertFalse(source.killNext.get(), "the killed connection was used");
        assertTrue(refused.isTransient(), refused.getMessage());
        assertTrue(refused.outcomeKnown(), refused.getMessage());

        source.killNext.set(true);
        try (Lease lease = locks.acquire(LockRequest.exclusive("app:1"), Duration.ofSeconds(10))) {
            assertFalse(source.killNext.get(), "the killed connection was used");
            assertTrue(lease.isHeld());
        }
        assertTrue(locks.snapshot().isEmpty());
        locks.close();
    }
}
