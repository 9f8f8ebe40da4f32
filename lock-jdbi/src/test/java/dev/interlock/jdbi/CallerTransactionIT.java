package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The store next to an application's own transactions on the same pool. What should happen, and does:
 * <ul>
 *   <li>The store's statements run on connections of their own and commit on their own: an application's
 *       open transaction neither sees them early nor can roll them back, and the store never commits or rolls
 *       back the application's work.</li>
 *   <li>Row locks are the one interaction: if the application locks the lock row itself ({@code SELECT ... FOR
 *       UPDATE}, or an uncommitted update of it), the store's UPDATE waits for that transaction like any other
 *       writer; it proceeds when the transaction ends, or reports a retryable CONFLICT when
 *       {@code innodb_lock_wait_timeout} runs out first. Nothing is written in between.</li>
 *   <li>A pool whose connections start with autocommit off works the same.</li>
 *   <li>A data source that hands out a connection inside an open transaction (a transaction-aware proxy) is
 *       refused instead of being joined.</li>
 * </ul>
 */
class CallerTransactionIT {

    private final TestDatabase db = TestDatabase.get();
    private HikariDataSource pool;
    private JdbiLockStore store;
    private String space;

    @BeforeEach
    void setUp() {
        db.execute("CREATE TABLE IF NOT EXISTS caller_work (id VARCHAR(64) PRIMARY KEY) ENGINE=InnoDB");
        // A short lock wait, so a blocked write gives up in 2 s rather than the default 50 s.
        pool = pool(db.jdbcUrl(Map.of("sessionVariables", "innodb_lock_wait_timeout=2")), true);
        store = JdbiLockStore.create(pool);
        store.createSchema();
        space = TestDatabase.newSpace("caller-tx");
        store.createSpaceIfAbsent(space, "{\"n\":0}");
    }

    @AfterEach
    void tearDown() {
        pool.close();
    }

    @Test
    void aCallersRowLockOnTheLockRowMakesTheWriteWaitThenConflictWithNothingWritten() throws Exception {
        try (Connection caller = pool.getConnection()) {
            caller.setAutoCommit(false);
            assertEquals(0, version(caller, space, " FOR UPDATE"));
            long t0 = System.nanoTime();
            CasResult result = store.compareAndSet(space, 0, "{\"n\":1}");
            long waitedMillis = (System.nanoTime() - t0) / 1_000_000;
            assertEquals(CasResult.CONFLICT, result, "lock wait timeout (1205) is a retryable conflict");
            assertTrue(waitedMillis >= 1_500, "the write waited for the caller's row lock: " + waitedMillis + " ms");
            assertEquals(0, directVersion(space), "nothing was written");
            caller.commit();
        }
        assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, "{\"n\":1}"));
    }

    @Test
    void anAcquireWaitingOnACallersRowLockProceedsWhenThatTransactionEnds() throws Exception {
        String lockSpace = TestDatabase.newSpace("caller-tx-engine");
        LockManager locks = LockManager.builder(store).space(lockSpace).build();
        locks.snapshot(); // creates the space's row
        try (Connection caller = pool.getConnection()) {
            caller.setAutoCommit(false);
            assertEquals(0, version(caller, lockSpace, " FOR UPDATE"));
            CompletableFuture<Long> token = CompletableFuture.supplyAsync(() -> {
                try (Lease lease = locks.acquire(LockRequest.exclusive("report"), Duration.ofSeconds(60))) {
                    return lease.token();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(e);
                }
            });
            TimeUnit.MILLISECONDS.sleep(700);
            assertFalse(token.isDone(), "the grant waits for the caller's row lock");
            caller.rollback();
            assertEquals(1, token.get(60, TimeUnit.SECONDS));
        }
        assertTrue(locks.snapshot().isEmpty(), "granted and released");
    }

    @Test
    void theCallersUncommittedWorkIsNeitherJoinedNorCommitted() throws Exception {
        String other = TestDatabase.newSpace("caller-tx-other");
        store.createSpaceIfAbsent(other, "{\"n\":0}");
        String work = UUID.randomUUID().toString();
        try (Connection caller = pool.getConnection()) {
            caller.setAutoCommit(false);
            update(caller, "INSERT INTO caller_work (id) VALUES (?)", work);
            update(caller, "UPDATE interlock_spaces SET data = '{\"n\":\"caller\"}' WHERE id = ?", other);

            assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, "{\"n\":1}"));
            LockManager locks = LockManager.builder(store).space(TestDatabase.newSpace("caller-tx-engine")).build();
            try (Lease lease = locks.tryAcquire(LockRequest.exclusive("x")).orElseThrow()) {
                assertEquals(1, lease.token());
            }

            // Committed on its own: another connection sees it while the caller's work is still pending.
            assertEquals(1, directVersion(space));
            assertEquals(0, directCount("SELECT COUNT(*) FROM caller_work WHERE id = ?", work));
            caller.rollback();
        }
        assertEquals(1, directVersion(space), "the caller's rollback does not undo the store's write");
        assertEquals(0, directCount("SELECT COUNT(*) FROM caller_work WHERE id = ?", work),
                "the store did not commit the caller's work");
        assertEquals(0, directCount("SELECT COUNT(*) FROM interlock_spaces WHERE id = ? AND data LIKE '%caller%'",
                other));
    }

    @Test
    void theCallersSnapshotDoesNotSeeTheWriteUntilItsTransactionEnds() throws Exception {
        try (Connection caller = pool.getConnection()) {
            caller.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            caller.setAutoCommit(false);
            assertEquals(0, version(caller, space, "")); // the snapshot starts here
            assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, "{\"n\":1}"));
            assertEquals(0, version(caller, space, ""), "the write is not part of the caller's transaction");
            caller.commit();
            assertEquals(1, version(caller, space, ""));
            caller.commit();
        }
    }

    @Test
    void aPoolWithAutocommitOffWorksTheSame() throws Exception {
        try (HikariDataSource manualCommit = pool(db.jdbcUrl(), false)) {
            JdbiLockStore s = JdbiLockStore.create(manualCommit);
            String fresh = TestDatabase.newSpace("autocommit-off");
            s.createSpaceIfAbsent(fresh, "{\"n\":0}");
            assertEquals(CasResult.APPLIED, s.compareAndSet(fresh, 0, "{\"n\":1}"));
            assertEquals(1, directVersion(fresh), "committed, not left in a transaction the pool rolls back");
            LockManager locks = LockManager.builder(s).space(fresh + "-engine").build();
            try (Lease lease = locks.acquire(LockRequest.exclusive("x"), Duration.ofSeconds(10))) {
                assertEquals(1, lease.token());
            }
            assertTrue(locks.snapshot().isEmpty());
            try (Connection c = manualCommit.getConnection()) {
                assertFalse(c.getAutoCommit(), "the pool's setting is left as it was");
            }
        }
    }

    @Test
    void aConnectionInsideAnOpenTransactionIsRefusedNotJoined() throws Exception {
        String work = UUID.randomUUID().toString();
        try (Connection caller = pool.getConnection()) {
            caller.setAutoCommit(false);
            update(caller, "INSERT INTO caller_work (id) VALUES (?)", work);
            DataSource transactionBound = new SingleConnectionDataSource(caller);

            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> JdbiLockStore.create(transactionBound));
            assertTrue(e.getMessage().contains("inside an open transaction"), e.getMessage());
            assertEquals(0, store.read(space).orElseThrow().version(), "the pool's other connections work on");

            assertFalse(caller.getAutoCommit(), "the caller's connection is left as it was");
            caller.rollback();
        }
        assertEquals(0, directCount("SELECT COUNT(*) FROM caller_work WHERE id = ?", work),
                "the caller's work was not committed");
    }

    // ------------------------------------------------------------------ helpers

    private HikariDataSource pool(String url, boolean autoCommit) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(4);
        config.setAutoCommit(autoCommit);
        config.setPoolName("caller-tx-it");
        return new HikariDataSource(config);
    }

    private static long version(Connection c, String id, String suffix) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT version FROM interlock_spaces WHERE id = ?" + suffix)) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "row " + id);
                return rs.getLong(1);
            }
        }
    }

    private static void update(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            ps.executeUpdate();
        }
    }

    /** Reads on a connection of its own, outside any test transaction. */
    private long directVersion(String id) throws SQLException {
        try (Connection c = db.dataSource().getConnection()) {
            return version(c, id, "");
        }
    }

    private long directCount(String sql, String arg) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * What a transaction-aware data source does: hands out the caller's own connection (closing it is a no-op),
     * inside the caller's transaction.
     */
    private static final class SingleConnectionDataSource extends TestDataSource {
        private final Connection connection;

        SingleConnectionDataSource(Connection connection) {
            this.connection = connection;
        }

        @Override
        public Connection getConnection() {
            return (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                    new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("close")) {
                            return null;
                        }
                        try {
                            return method.invoke(connection, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }
    }
}
