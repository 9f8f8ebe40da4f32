package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The store behaves the same whatever the connection settings an application may have: the driver's
 * {@code useAffectedRows} (MySQL's "found rows" semantics by default), the session isolation level, and a
 * HikariCP pool or plain connections.
 */
class ConnectionSettingsIT {

    private final TestDatabase db = TestDatabase.get();

    @BeforeEach
    void schema() {
        db.store(); // creates the lock table
    }

    static Stream<Arguments> settings() {
        List<Arguments> all = new ArrayList<>();
        for (boolean affectedRows : new boolean[] {false, true}) {
            for (String isolation : new String[] {"READ-COMMITTED", "REPEATABLE-READ"}) {
                for (boolean pooled : new boolean[] {false, true}) {
                    all.add(Arguments.of(affectedRows, isolation, pooled));
                }
            }
        }
        return all.stream();
    }

    @ParameterizedTest(name = "useAffectedRows={0}, isolation={1}, pooled={2}")
    @MethodSource("settings")
    void compareAndSetMeansTheSame(boolean useAffectedRows, String isolation, boolean pooled) throws Exception {
        String variable = isolationVariable();
        String url = db.jdbcUrl(Map.of("useAffectedRows", String.valueOf(useAffectedRows),
                "sessionVariables", variable + "='" + isolation + "'"));
        HikariDataSource pool = pooled ? pool(url) : null;
        DataSource ds = pooled ? pool : db.dataSource(url);
        try {
            assertEquals(isolation, sessionValue(ds, variable), "the session really runs at " + isolation);
            JdbiLockStore store = JdbiLockStore.create(ds);
            String space = TestDatabase.newSpace("settings");
            store.createSpaceIfAbsent(space, "{\"n\":0}");
            assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, "{\"n\":1}"));
            assertEquals(CasResult.CONFLICT, store.compareAndSet(space, 0, "{\"n\":\"stale\"}"));
            // The same document again: with useAffectedRows=true MySQL counts only rows whose values changed;
            // the version always changes, so this is still one row, APPLIED.
            assertEquals(CasResult.APPLIED, store.compareAndSet(space, 1, "{\"n\":1}"));
            assertEquals(CasResult.CONFLICT, store.compareAndSet(space, 7, "{\"n\":7}"));
            assertEquals(2, store.read(space).orElseThrow().version());

            // Racing writers through these settings: exactly one wins each version.
            int writers = 4;
            ExecutorService threads = Executors.newFixedThreadPool(writers);
            try {
                for (long version = 2; version < 5; version++) {
                    CountDownLatch go = new CountDownLatch(1);
                    List<Future<CasResult>> results = new ArrayList<>();
                    for (int w = 0; w < writers; w++) {
                        JdbiLockStore own = JdbiLockStore.create(ds); // separate stores: no shared version floor
                        long v = version;
                        String doc = "{\"writer\":" + w + "}";
                        results.add(threads.submit(() -> {
                            go.await();
                            return own.compareAndSet(space, v, doc);
                        }));
                    }
                    go.countDown();
                    int applied = 0;
                    for (Future<CasResult> f : results) {
                        CasResult r = f.get(60, TimeUnit.SECONDS);
                        assertTrue(r == CasResult.APPLIED || r == CasResult.CONFLICT, r::toString);
                        applied += r == CasResult.APPLIED ? 1 : 0;
                    }
                    assertEquals(1, applied, "one winner at version " + version);
                }
            } finally {
                threads.shutdownNow();
            }
            assertEquals(5, store.read(space).orElseThrow().version());

            // And the engine on top: a grant and a release, with the token being the version.
            String lockSpace = TestDatabase.newSpace("settings-engine");
            LockManager locks = LockManager.builder(store).space(lockSpace).build();
            try (Lease lease = locks.acquire(LockRequest.exclusive("job"), Duration.ofSeconds(10))) {
                assertEquals(1, lease.token());
                assertEquals(1, locks.snapshot().grants().size());
            }
            assertTrue(locks.snapshot().isEmpty());
            assertEquals(2, store.read(lockSpace).orElseThrow().version());
        } finally {
            if (pool != null) {
                pool.close();
            }
        }
    }

    private HikariDataSource pool(String url) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(4);
        config.setPoolName("settings-it");
        return new HikariDataSource(config);
    }

    /** MySQL 8 and MariaDB 11.1+ call it transaction_isolation; older MariaDB only tx_isolation. */
    private String isolationVariable() throws SQLException {
        List<String> names = new ArrayList<>();
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SHOW VARIABLES WHERE Variable_name IN ('transaction_isolation', 'tx_isolation')")) {
            while (rs.next()) {
                names.add(rs.getString(1));
            }
        }
        assertTrue(!names.isEmpty(), "the server has an isolation variable");
        return names.contains("transaction_isolation") ? "transaction_isolation" : names.get(0);
    }

    private static String sessionValue(DataSource ds, String variable) throws SQLException {
        try (Connection c = ds.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@SESSION." + variable)) {
            assertTrue(rs.next());
            return rs.getString(1);
        }
    }
}
