package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.testing.FaultProxy;
import dev.interlock.jdbi.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Documents the engine must not act on: every operation of a lock manager fails with
 * {@link CorruptLockStateException}, the row stays byte for byte as it was, and no write is sent (the store talks
 * through a {@link FaultProxy} that counts the statements).
 *
 * <p>The real schema ({@code data JSON NOT NULL}) already refuses text that is not JSON and NULL; a row can still
 * hold such a thing after a manual edit, a restore into another schema, or a migration that loosened the column.
 * So the documents are stored in a table of the same shape without that check ({@code data LONGTEXT NULL}), which
 * the store reaches through its configurable table name; {@link #theRealSchemaRefusesTextThatIsNotJson} shows
 * which of them the real table refuses by itself.
 */
class CorruptDocumentIT {

    private static final String LOOSE = "loose_spaces";
    /** A text that must never appear in a message or a log: the documents carry it. */
    private static final String MARKER = "DOCUMENT-BODY-7d41";
    private static final String VALID_HOLDER = "\"h1\":{\"host\":\"box\",\"pid\":1}";

    private static TestDatabase db;
    private static String database;
    private static DataSource direct;
    private static FaultProxy proxy;
    private static JdbiLockStore store;

    @BeforeAll
    static void setUp() throws SQLException {
        db = TestDatabase.get();
        database = db.createDatabase("corrupt");
        direct = db.dataSource(db.jdbcUrlFor(database, Map.of()));
        try (Connection c = direct.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE " + LOOSE + " (id VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL"
                    + " PRIMARY KEY, version BIGINT UNSIGNED NOT NULL, data LONGTEXT NULL)"
                    + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin");
        }
        JdbiLockStore.create(direct).createSchema(); // the real table, beside it
        proxy = db.startProxy();
        store = JdbiLockStore.builder(db.dataSource(proxy.jdbcUrl(db.jdbcUrlFor(database, Map.of()))))
                .tableName(LOOSE).build();
    }

    @AfterAll
    static void tearDown() {
        proxy.close();
    }

    /** name, the stored text (null for SQL NULL), what the message must say */
    static Stream<Arguments> documents() {
        Map<String, String[]> cases = new LinkedHashMap<>();
        cases.put("invalid JSON", new String[] {"{\"format\":1,\"holders\":{},\"locks\":{\"" + MARKER + "\":",
            "not valid JSON: "});
        cases.put("trailing garbage", new String[] {"{\"format\":1,\"holders\":{},\"locks\":{}} " + MARKER,
            "not valid JSON: "});
        cases.put("JSON null", new String[] {"null", "the document must be a JSON object, was null"});
        cases.put("an array", new String[] {"[\"" + MARKER + "\"]", "the document must be a JSON object, was array"});
        cases.put("a number", new String[] {"42", "the document must be a JSON object, was number"});
        cases.put("a string", new String[] {"\"" + MARKER + "\"", "the document must be a JSON object, was string"});
        cases.put("format as a string", new String[] {"{\"format\":\"1\",\"holders\":{},\"locks\":{}}",
            "'format' must be a positive integer, was string"});
        cases.put("holders as an array", new String[] {"{\"format\":1,\"holders\":[],\"locks\":{}}", "'holders'"});
        cases.put("a lock with an unknown mode", new String[] {"{\"format\":1,\"holders\":{" + VALID_HOLDER
                + "},\"locks\":{\"a\":{\"mode\":\"BOTH\",\"holders\":[{\"holder\":\"h1\",\"token\":1,"
                + "\"since\":\"2026-01-01T00:00:00Z\"}]}}}", "mode"});
        cases.put("a token as a string", new String[] {"{\"format\":1,\"holders\":{" + VALID_HOLDER
                + "},\"locks\":{\"a\":{\"mode\":\"EXCLUSIVE\",\"holders\":[{\"holder\":\"h1\",\"token\":\"1\","
                + "\"since\":\"2026-01-01T00:00:00Z\"}]}}}", "token"});
        cases.put("duplicate keys", new String[] {"{\"format\":1,\"holders\":{},\"locks\":{},\"locks\":{\"" + MARKER
                + "\":{}}}", "Duplicate field 'locks'"});
        cases.put("nested 1,000 deep", new String[] {"{\"format\":1,\"holders\":{},\"locks\":{},\"x\":"
                + "[".repeat(1000) + "\"" + MARKER + "\"" + "]".repeat(1000) + "}", "nesting depth"});
        cases.put("an exclusive lock granted twice", new String[] {"{\"format\":2,\"holders\":{" + VALID_HOLDER
                + ",\"h2\":{\"host\":\"box\",\"pid\":2}},\"grants\":[{\"holder\":\"h1\",\"token\":1,\"since\":0,"
                + "\"x\":[\"a\"]},{\"holder\":\"h2\",\"token\":2,\"since\":0,\"x\":[\"a\"],\"" + MARKER + "\":1}]}",
            "an exclusive lock has exactly one grant"});
        cases.put("a newer format", new String[] {"{\"format\":3,\"holders\":{},\"grants\":[],\"" + MARKER + "\":1}",
            "format 3 is newer than this library understands (up to 2); upgrade Interlock"});
        cases.put("NULL", new String[] {null, "the document is NULL"});
        return cases.entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()[0], e.getValue()[1]));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("documents")
    void aCorruptDocumentIsRefusedByEveryOperationAndNeverWritten(String what, String text, String reason)
            throws Exception {
        String space = TestDatabase.newSpace("corrupt");
        store(space, text);
        refusedEverywhere(space, reason, true, LockManager.builder(store));
    }

    @Test
    void aDocumentHoldingA50MegabyteStringIsRefusedWhateverTheSizeLimit() throws Exception {
        long limit = packetLimit();
        if (limit < 64L << 20) {
            assumeTrue(db.backend() != TestDatabase.Backend.EXTERNAL, "max_allowed_packet is below 64 MiB on this"
                    + " server, and this test changes global variables only on a server of its own");
            db.execute("SET GLOBAL max_allowed_packet = " + (128L << 20));
        }
        try {
            hugeString();
        } finally {
            if (limit < 64L << 20) {
                db.execute("SET GLOBAL max_allowed_packet = " + limit);
            }
        }
    }

    private void hugeString() throws Exception {
        String space = TestDatabase.newSpace("huge");
        int chunk = 5 << 20;
        store(space, "{\"format\":1,\"holders\":{\"h1\":{\"pid\":1,\"host\":\"" + MARKER);
        DataSource big = db.dataSource(db.jdbcUrlFor(database, Map.of("maxAllowedPacket", String.valueOf(128 << 20))));
        try (Connection c = big.getConnection();
             PreparedStatement ps = c.prepareStatement("UPDATE " + LOOSE
                     + " SET data = CONCAT(data, ?) WHERE id = ?")) {
            String x = "x".repeat(chunk);
            for (int i = 0; i < 10; i++) {
                ps.setString(1, x);
                ps.setString(2, space);
                assertEquals(1, ps.executeUpdate());
            }
            ps.setString(1, "\"}},\"locks\":{}}");
            ps.setString(2, space);
            assertEquals(1, ps.executeUpdate());
        }
        try (Connection c = big.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT LENGTH(data), JSON_VALID(data) FROM " + LOOSE
                     + " WHERE id = '" + space + "'")) {
            assertTrue(rs.next());
            assertTrue(rs.getLong(1) > 50_000_000L, "stored " + rs.getLong(1) + " bytes");
            assertEquals(1, rs.getInt(2), "valid JSON: only its size and content are wrong");
        }
        JdbiLockStore bigStore = JdbiLockStore.builder(db.dataSource(proxy.jdbcUrl(db.jdbcUrlFor(database,
                Map.of("maxAllowedPacket", String.valueOf(128 << 20)))))).tableName(LOOSE).build();
        // the default limit (8 MiB; a stored text up to twice that is read) refuses it by its size, before parsing
        refusedEverywhere(space, "characters long, over the limit of 16777216 (twice maxDocumentSize)", false,
                LockManager.builder(bigStore));
        // a limit large enough to parse it: the 50 MB host name breaks an invariant
        refusedEverywhere(space, "host", false, LockManager.builder(bigStore).maxDocumentSize(256 << 20));
    }

    @Test
    void theRealSchemaRefusesTextThatIsNotJson() throws Exception {
        String space = TestDatabase.newSpace("real");
        JdbiLockStore real = JdbiLockStore.create(direct);
        real.createSpaceIfAbsent(space, "{\"format\":1,\"holders\":{},\"locks\":{}}");
        List<String> refused = new java.util.ArrayList<>();
        List<String> stored = new java.util.ArrayList<>();
        for (Arguments a : documents().toList()) {
            String what = (String) a.get()[0];
            String text = (String) a.get()[1];
            try (Connection c = direct.getConnection();
                 PreparedStatement ps = c.prepareStatement("UPDATE interlock_spaces SET data = ? WHERE id = ?")) {
                ps.setString(1, text);
                ps.setString(2, space);
                ps.executeUpdate();
                stored.add(what);
            } catch (SQLException e) {
                refused.add(what);
            }
        }
        assertEquals(List.of("invalid JSON", "trailing garbage", "nested 1,000 deep", "NULL"), refused);
        assertTrue(stored.contains("duplicate keys") && stored.contains("a newer format"), stored::toString);
    }

    private static void store(String space, String text) throws SQLException {
        try (Connection c = direct.getConnection();
             PreparedStatement ps = c.prepareStatement("INSERT INTO " + LOOSE
                     + " (id, version, data) VALUES (?, 7, ?)")) {
            ps.setString(1, space);
            ps.setString(2, text);
            ps.executeUpdate();
        }
    }

    private static long packetLimit() throws SQLException {
        try (Connection c = direct.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT @@global.max_allowed_packet")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    /** Every operation of a manager on the space fails the same way; nothing is written; the row is untouched. */
    private static void refusedEverywhere(String space, String reason, boolean bytes, LockManager.Builder builder)
            throws Exception {
        RawRow before = RawRow.read(direct, LOOSE, space, bytes);
        proxy.countPackets("UPDATE `");
        proxy.countPackets("INSERT INTO `");
        LockManager locks = builder.space(space).holder(Holder.currentProcess("corrupt")).build();
        Map<String, Function<LockManager, Object>> operations = new LinkedHashMap<>();
        operations.put("tryAcquire", m -> m.tryAcquire(LockRequest.exclusive("app:1")));
        operations.put("acquire", m -> {
            try {
                return m.acquire(LockRequest.shared("app:1"), Duration.ofMillis(200));
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        });
        operations.put("snapshot", LockManager::snapshot);
        operations.put("reap", LockManager::reap);
        operations.put("releaseAll", m -> m.releaseAll("h1"));
        operations.put("releaseTask", m -> m.releaseTask("backup-1"));
        for (Map.Entry<String, Function<LockManager, Object>> op : operations.entrySet()) {
            CorruptLockStateException e = assertThrows(CorruptLockStateException.class,
                    () -> op.getValue().apply(locks), op.getKey());
            String message = e.getMessage();
            assertTrue(message.startsWith("lock space '" + space + "' at version 7 is unreadable: "), message);
            assertTrue(message.contains(reason), op.getKey() + ": '" + reason + "' not in: " + message);
            assertFalse(message.contains(MARKER), "the document leaks into the message: " + message);
            assertTrue(message.length() < 600, "a long message: " + message.length() + " characters");
            assertEquals(space, e.space());
            assertEquals(7, e.version());
        }
        locks.close();
        assertEquals(0, proxy.packetsCounted("UPDATE `"), "an UPDATE was sent");
        assertEquals(0, proxy.packetsCounted("INSERT INTO `"), "an INSERT was sent");
        assertEquals(before, RawRow.read(direct, LOOSE, space, bytes), "the row changed");
    }
}
