package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.mysql.cj.jdbc.MysqlDataSource;
import dev.interlock.LockStoreException;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.Stored;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TimeZone;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The MySQL/MariaDB store on the real test database: schema, ids, clock, guards and error reporting. */
class JdbiLockStoreIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase db = TestDatabase.get();

    @BeforeEach
    void schema() {
        db.store(); // creates the lock table
    }

    private static String space(String prefix) {
        return TestDatabase.newSpace(prefix);
    }

    @Test
    void createSchemaIsIdempotentAndHonoursTheTableName() {
        String database = db.createDatabase("schema");
        Jdbi raw = Jdbi.create(db.dataSource(db.jdbcUrlFor(database, Map.of())));
        JdbiLockStore store = JdbiLockStore.builder(raw).tableName("custom_locks").build();
        assertEquals("custom_locks", store.tableName());
        store.createSchema();
        store.createSchema(); // IF NOT EXISTS

        List<String> tables = raw.withHandle(h -> h.createQuery("SHOW TABLES").mapTo(String.class).list());
        assertEquals(List.of("custom_locks"), tables, "only the named table is created");
        String ddl = raw.withHandle(h -> h.createQuery("SHOW CREATE TABLE custom_locks")
                .map((rs, ctx) -> rs.getString(2)).one());
        assertTrue(ddl.contains("PRIMARY KEY (`id`)"), ddl);
        assertTrue(ddl.contains("utf8mb4"), ddl);

        store.createSpaceIfAbsent("s", "{\"n\":0}");
        assertEquals(CasResult.APPLIED, store.compareAndSet("s", 0, "{\"n\":1}"));
        long version = raw.withHandle(h -> h.createQuery("SELECT version FROM custom_locks WHERE id = 's'")
                .mapTo(Long.class).one());
        assertEquals(1, version);
    }

    @Test
    void spaceIdsAreComparedExactly() throws Exception {
        JdbiLockStore store = db.store();
        String base = space("Exact");
        List<String> ids = List.of(base, base.toLowerCase(), base + "é", base + "e", base + "\uD83D\uDD12");
        for (int i = 0; i < ids.size(); i++) {
            store.createSpaceIfAbsent(ids.get(i), "{\"i\":" + i + "}");
        }
        for (int i = 0; i < ids.size(); i++) {
            Stored s = store.read(ids.get(i)).orElseThrow();
            assertEquals(i, JSON.readTree(s.data()).get("i").asInt(), "space " + ids.get(i));
        }
        String longest = "x".repeat(191);
        store.createSpaceIfAbsent(longest, "{}");
        assertTrue(store.read(longest).isPresent());

        IllegalArgumentException tooLong = assertThrows(IllegalArgumentException.class,
                () -> store.read("x".repeat(192)));
        assertTrue(tooLong.getMessage().contains("1 to 191 characters, was 192"), tooLong.getMessage());
        IllegalArgumentException trailing = assertThrows(IllegalArgumentException.class,
                () -> store.createSpaceIfAbsent(base + " ", "{}"));
        assertTrue(trailing.getMessage().contains("must not end with a space"), trailing.getMessage());
        assertThrows(IllegalArgumentException.class, () -> store.read(""));
        assertThrows(IllegalArgumentException.class, () -> store.read("a\uD800b"));
        assertThrows(NullPointerException.class, () -> store.compareAndSet(base, 0, null));
    }

    @Test
    void nowIsTheDatabaseClockInUtcWhateverTheTimeZones() {
        // A session five hours east of UTC: NOW() would be five hours off, UTC_TIMESTAMP() is not.
        // (%2B: a '+' in a URL reads as a space)
        String url = db.jdbcUrl(Map.of("sessionVariables", "time_zone='%2B05:00'"));
        assertEquals("+05:00", Jdbi.create(db.dataSource(url)).withHandle(h ->
                h.createQuery("SELECT @@session.time_zone").mapTo(String.class).one()));
        String space = space("clock");
        db.store().createSpaceIfAbsent(space, "{}");
        TimeZone jvmZone = TimeZone.getDefault();
        // And whatever this JVM's default zone is (the driver converts some temporal types with it).
        for (String zone : new String[] {jvmZone.getID(), "Pacific/Chatham", "America/St_Johns"}) {
            TimeZone.setDefault(TimeZone.getTimeZone(zone));
            try {
                JdbiLockStore store = JdbiLockStore.create(db.dataSource(url));
                Jdbi raw = db.jdbi();
                // UNIX_TIMESTAMP() without argument is the server's epoch seconds, free of any time zone.
                long before = raw.withHandle(h -> h.createQuery("SELECT UNIX_TIMESTAMP()").mapTo(Long.class).one());
                Instant now = store.read(space).orElseThrow().now();
                long after = raw.withHandle(h -> h.createQuery("SELECT UNIX_TIMESTAMP()").mapTo(Long.class).one());
                assertTrue(now.getEpochSecond() >= before && now.getEpochSecond() <= after,
                        "JVM zone " + zone + ": store clock " + now + " is not between "
                                + Instant.ofEpochSecond(before) + " and " + Instant.ofEpochSecond(after));
            } finally {
                TimeZone.setDefault(jvmZone);
            }
        }
    }

    @Test
    void largeAndNonLatinDocumentsAreStoredFaithfully() throws Exception {
        JdbiLockStore store = db.store();
        String space = space("unicode");
        ObjectNode doc = JSON.createObjectNode();
        doc.put("name", "Grüße, 日本語, Ελληνικά, emoji \uD83D\uDD12\uD83D\uDE80, quote \" backslash \\ tick `");
        ObjectNode holders = doc.putObject("holders");
        for (int i = 0; i < 30_000; i++) { // about 1.4 MB
            holders.putObject("holder-" + i).put("host", "hôte-" + i).put("pid", 1000 + i);
        }
        String text = JSON.writeValueAsString(doc);
        assertTrue(text.length() > 1_000_000, "document of " + text.length() + " characters");
        store.createSpaceIfAbsent(space, "{}");
        assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, text));
        assertEquals(JSON.readTree(text), JSON.readTree(store.read(space).orElseThrow().data()));
        // and the server itself holds the characters as UTF-8, not '?' (a latin1 column would lose them)
        String column = db.jdbi().withHandle(h -> h.createQuery("SELECT COALESCE(CHARACTER_SET_NAME, 'binary')"
                        + " FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()"
                        + " AND TABLE_NAME = 'interlock_spaces' AND COLUMN_NAME = 'data'")
                .mapTo(String.class).one());
        assertTrue(column.equals("utf8mb4") || column.equals("binary"), column); // MariaDB LONGTEXT / MySQL JSON
        for (String probe : new String[] {"Grüße", "日本語", "\uD83D\uDD12\uD83D\uDE80"}) {
            String hex = HexFormat.of().formatHex(probe.getBytes(StandardCharsets.UTF_8));
            long found = db.jdbi().withHandle(h -> h.createQuery("SELECT LOCATE(UNHEX(:hex), CAST(data AS BINARY))"
                            + " FROM interlock_spaces WHERE id = :id")
                    .bind("hex", hex).bind("id", space).mapTo(Long.class).one());
            assertTrue(found > 0, "the stored bytes hold " + probe + " as UTF-8");
        }
    }

    @Test
    void aVersionLowerThanOneSeenIsRefused() {
        JdbiLockStore store = JdbiLockStore.create(db.dataSource());
        String space = space("backwards");
        db.store().createSpaceIfAbsent(space, "{\"v\":0}");
        assertEquals(CasResult.APPLIED, store.compareAndSet(space, 0, "{\"v\":1}"));
        assertEquals(CasResult.APPLIED, store.compareAndSet(space, 1, "{\"v\":2}"));
        assertEquals(2, store.read(space).orElseThrow().version());

        // A failover to a replica that had not received the last write: the row is back at version 1.
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE interlock_spaces SET version = 1, data = '{\"v\":1}'"
                + " WHERE id = :id").bind("id", space).execute());

        LockStoreException e = assertThrows(LockStoreException.class, () -> store.read(space));
        assertTrue(e.getMessage().contains("lock space '" + space + "'"), e.getMessage());
        assertTrue(e.getMessage().contains("has seen version 2, the database now has version 1"), e.getMessage());
        assertTrue(e.getMessage().contains("went backwards"), e.getMessage());
        // A write based on the old version is not even sent: it would re-issue token 2.
        assertEquals(CasResult.CONFLICT, store.compareAndSet(space, 1, "{\"v\":\"again\"}"));
        long version = db.jdbi().withHandle(h -> h.createQuery("SELECT version FROM interlock_spaces WHERE id = :id")
                .bind("id", space).mapTo(Long.class).one());
        assertEquals(1, version, "nothing was written");

        // A row that disappeared altogether is refused too.
        db.jdbi().useHandle(h -> h.createUpdate("DELETE FROM interlock_spaces WHERE id = :id").bind("id", space)
                .execute());
        LockStoreException gone = assertThrows(LockStoreException.class, () -> store.read(space));
        assertTrue(gone.getMessage().contains("has seen version 2, the database now has no row"), gone.getMessage());

        // Another store (another process) has seen nothing and carries on.
        assertEquals(Optional.empty(), JdbiLockStore.create(db.dataSource()).read(space));
    }

    @Test
    void aReadOnlySessionIsRefusedAtBuild() {
        String variable = db.jdbi().withHandle(h -> h.createQuery(
                        "SHOW VARIABLES WHERE Variable_name IN ('transaction_read_only', 'tx_read_only')")
                .map((rs, ctx) -> rs.getString(1)).list()).get(0);
        String url = db.jdbcUrl(Map.of("sessionVariables", variable + "=1"));
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> JdbiLockStore.create(db.dataSource(url)));
        assertTrue(e.getMessage().startsWith("refusing a read-only server for lock table `interlock_spaces`: "
                + variable + "=ON"), e.getMessage());
        assertTrue(e.outcomeKnown());
    }

    @Test
    void aReadOnlyServerIsRefusedAtBuild() {
        // Changes a global variable: only on a server this JVM started for itself.
        assumeTrue(db.backend() != TestDatabase.Backend.EXTERNAL, "needs a server of our own");
        db.execute("SET GLOBAL read_only = 1");
        try {
            LockStoreException e = assertThrows(LockStoreException.class, () -> JdbiLockStore.create(db.dataSource()));
            assertTrue(e.getMessage().contains("read_only=ON"), e.getMessage());
            assertTrue(e.getMessage().contains("point the store at the primary"), e.getMessage());
        } finally {
            db.execute("SET GLOBAL read_only = 0");
        }
        JdbiLockStore.create(db.dataSource()).verify(); // writable again
    }

    @Test
    void errorsNameTheSqlStateAndCodeButNeverTheDocument() {
        JdbiLockStore missing = JdbiLockStore.builder(db.dataSource()).tableName("no_such_table").build();
        LockStoreException read = assertThrows(LockStoreException.class, () -> missing.read("s"));
        assertTrue(read.getMessage().contains("could not read lock space 's' from `no_such_table`"), read.getMessage());
        assertTrue(read.getMessage().contains("SQLState 42S02, error 1146"), read.getMessage());
        assertTrue(read.outcomeKnown());
        LockStoreException cas = assertThrows(LockStoreException.class,
                () -> missing.compareAndSet("s", 0, "{\"secret\":\"SECRET-DOCUMENT-7f3a\"}"));
        assertTrue(cas.getMessage().contains("SQLState 42S02, error 1146"), cas.getMessage());
        assertTrue(cas.outcomeKnown(), "the server refused it: nothing was written");
        assertNoMention(cas, "SECRET-DOCUMENT-7f3a");

        // A document the column rejects (not JSON): MariaDB's JSON_VALID check or MySQL's JSON parser.
        JdbiLockStore store = db.store();
        String space = space("invalid");
        store.createSpaceIfAbsent(space, "{}");
        LockStoreException invalid = assertThrows(LockStoreException.class,
                () -> store.compareAndSet(space, 0, "not json SECRET-DOCUMENT-7f3a " + "x".repeat(5000)));
        assertTrue(invalid.getMessage().matches("could not compare-and-set lock space '" + space
                + "' at version 0: SQLState \\w+, error \\d+: .*"), invalid.getMessage());
        assertNoMention(invalid, "SECRET-DOCUMENT-7f3a");
        assertEquals(0, store.read(space).orElseThrow().version());
    }

    @Test
    void anUnreachableServerFailsTheBuildWithoutThePassword() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        MysqlDataSource ds = new MysqlDataSource();
        ds.setURL("jdbc:mysql://127.0.0.1:" + closedPort + "/test?connectTimeout=2000");
        ds.setUser("someone");
        ds.setPassword("PASSWORD-hunter2-9c1e");
        LockStoreException e = assertThrows(LockStoreException.class, () -> JdbiLockStore.create(ds));
        assertTrue(e.getMessage().contains("could not check the server of lock table `interlock_spaces`: no connection"),
                e.getMessage());
        assertTrue(e.getMessage().contains("SQLState 08"), e.getMessage());
        assertTrue(e.outcomeKnown());
        assertNoMention(e, "PASSWORD-hunter2-9c1e");
    }

    @Test
    void createSpaceIfAbsentFromManyThreadsCreatesOneRow() throws Exception {
        String space = space("create-race");
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                JdbiLockStore store = JdbiLockStore.create(db.dataSource()); // one per "process"
                String doc = "{\"creator\":" + i + "}";
                done.add(pool.submit(() -> {
                    go.await();
                    store.createSpaceIfAbsent(space, doc);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        long rows = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM interlock_spaces WHERE id = :id")
                .bind("id", space).mapTo(Long.class).one());
        assertEquals(1, rows);
        Stored s = db.store().read(space).orElseThrow();
        assertEquals(0, s.version());
        assertTrue(JSON.readTree(s.data()).has("creator"));
    }

    private static void assertNoMention(Throwable e, String secret) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(secret), "leaked by " + t.getClass().getName()
                    + ": " + t.getMessage());
            assertFalse(t.toString().contains(secret));
        }
    }
}
