package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.jdbi.testing.FaultProxy;
import dev.interlock.jdbi.testing.TestDatabase;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Bad input from the caller: each is refused with an exception that says what is wrong, before anything is sent
 * to the database. The store talks through a {@link FaultProxy} that counts what goes over the wire, and the
 * space's row (which holds a grant of another manager) is compared byte for byte before and after.
 */
class BadInputIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> STATEMENTS = List.of("UPDATE `", "INSERT INTO `", "SELECT `version`", "CREATE ");

    private final TestDatabase db = TestDatabase.get();
    private FaultProxy proxy;
    private JdbiLockStore store;
    private LockManager locks;
    private String space;
    private Lease other;

    @BeforeEach
    void setUp() {
        db.store();
        proxy = db.startProxy();
        store = JdbiLockStore.create(db.dataSource(proxy.jdbcUrl(db.jdbcUrl())));
        space = TestDatabase.newSpace("bad-input");
        locks = LockManager.builder(store).space(space).holder(Holder.currentProcess("bad-input")).build();
        // the row holds something worth keeping
        other = LockManager.builder(db.store()).space(space).holder(Holder.currentProcess("other")).build()
                .tryAcquire(LockRequest.exclusive("app:kept").andShared("platform")).orElseThrow();
    }

    @AfterEach
    void tearDown() {
        other.close();
        proxy.close();
    }

    private RawRow row() throws SQLException {
        return RawRow.read(db.dataSource(), "interlock_spaces", space, true);
    }

    /** Runs each call, expecting the exception, and checks that nothing reached the database. */
    private <T extends Throwable> void refusedLocally(Class<T> type, Map<String, Executable> calls,
                                                      Map<String, String> messages) throws SQLException {
        RawRow before = row();
        STATEMENTS.forEach(proxy::countPackets);
        for (Map.Entry<String, Executable> call : calls.entrySet()) {
            T e = assertThrows(type, call.getValue()::execute, call.getKey());
            String expected = messages.get(call.getKey());
            if (expected != null) {
                assertEquals(expected, e.getMessage(), call.getKey());
            } else {
                assertTrue(e.getMessage() != null && !e.getMessage().isBlank(), call.getKey() + " says nothing");
            }
        }
        for (String statement : STATEMENTS) {
            assertEquals(0, proxy.packetsCounted(statement), "'" + statement + "' sent to the database");
        }
        assertEquals(before, row(), "the row is unchanged");
    }

    @FunctionalInterface
    private interface Executable {
        void execute() throws Throwable;
    }

    @Test
    void badLockNamesAreRefusedBeforeTheDatabaseIsTouched() throws Exception {
        String long201 = "n".repeat(201);
        Map<String, Executable> calls = new LinkedHashMap<>();
        Map<String, String> messages = new HashMap<>();
        calls.put("empty", () -> locks.tryAcquire(LockRequest.exclusive("")));
        messages.put("empty", "lock name must not be empty");
        calls.put("empty shared", () -> locks.acquire(LockRequest.shared(""), Duration.ofSeconds(1)));
        calls.put("empty in a map", () -> locks.tryAcquire(new LockRequest(Map.of("", LockMode.SHARED))));
        calls.put("201 characters", () -> locks.tryAcquire(LockRequest.exclusive(long201)));
        messages.put("201 characters", "lock name must be at most 200 characters, was 201: '"
                + "n".repeat(40) + "...'");
        calls.put("201 code points", () -> locks.tryAcquire(LockRequest.exclusive("\uD83D\uDD12".repeat(201))));
        calls.put("newline", () -> locks.tryAcquire(LockRequest.exclusive("app:1\nDROP")));
        messages.put("newline", "lock name must not contain control characters, found U+000A at index 5 in"
                + " 'app:1\\u000aDROP'");
        calls.put("NUL", () -> locks.tryAcquire(LockRequest.exclusive("app\u0000")));
        calls.put("tab", () -> locks.tryAcquire(LockRequest.shared("a\tb")));
        calls.put("DEL", () -> locks.tryAcquire(LockRequest.exclusive("a\u007f")));
        calls.put("C1 control", () -> locks.tryAcquire(LockRequest.exclusive("a\u0085")));
        calls.put("unpaired surrogate", () -> locks.tryAcquire(LockRequest.exclusive("a\uD800b")));
        calls.put("in a combined request", () -> locks.tryAcquire(LockRequest.exclusive("ok").andShared("bad\r")));
        calls.put("mode clash", () -> locks.tryAcquire(LockRequest.exclusive("x").andShared("x")));
        messages.put("mode clash", "lock 'x' is requested both EXCLUSIVE and SHARED; request it once, in the mode you"
                + " need");
        calls.put("space with a control character", () -> LockManager.builder(store).space("a\u001bb"));
        calls.put("space over 191 characters", () -> LockManager.builder(store).space("s".repeat(192)));
        calls.put("space with trailing blank", () -> LockManager.builder(store).space("platform "));
        calls.put("task with a control character", () -> Holder.currentProcess("task\n2"));
        calls.put("negative wait", () -> locks.acquire(LockRequest.exclusive("ok"), Duration.ofSeconds(-1)));
        messages.put("negative wait", "maxWait must not be negative, was PT-1S");
        refusedLocally(IllegalArgumentException.class, calls, messages);

        // the limits themselves are fine: 200 characters, 200 code points outside the BMP
        for (String name : List.of("n".repeat(200), "\uD83D\uDD12".repeat(200))) {
            try (Lease lease = locks.tryAcquire(LockRequest.exclusive(name)).orElseThrow()) {
                assertEquals(List.of(name), lease.locks().keySet().stream().toList());
                assertEquals(name, truth().grantsOf(name).get(0).lock());
            }
        }
    }

    @Test
    void sqlInjectionStringsAreStoredVerbatimAndHarmless() throws Exception {
        List<String> names = List.of(
                "'; DROP TABLE interlock_spaces; --",
                "\" OR \"1\"=\"1",
                "` OR 1=1; -- ",
                "app:1' OR '1'='1",
                "Robert'); DELETE FROM interlock_spaces WHERE ('1'='1",
                "\\'; UPDATE interlock_spaces SET version = 0; #",
                "x\\",
                "%' AND SLEEP(5) AND '%'='",
                "\"}, \"locks\": {}, \"format\": 99, \"x\": {\"",
                "${jndi:ldap://example.invalid/a}",
                "<script>alert(1)</script>",
                "' UNION SELECT version, data, NOW() FROM interlock_spaces -- ");
        long rowsBefore = count("SELECT COUNT(*) FROM interlock_spaces");
        String injectedSpace = "'; DROP TABLE interlock_spaces; -- " + space;
        LockManager hostile = LockManager.builder(store).space(injectedSpace)
                .holder(Holder.currentProcess("' OR 1=1; --")).build();
        TreeMap<String, LockMode> request = new TreeMap<>();
        for (int i = 0; i < names.size(); i++) {
            request.put(names.get(i), i % 2 == 0 ? LockMode.EXCLUSIVE : LockMode.SHARED);
        }
        try (Lease lease = hostile.tryAcquire(new LockRequest(request)).orElseThrow();
             Lease here = locks.tryAcquire(new LockRequest(request)).orElseThrow()) {
            // exactly these names, in each space
            for (LockManager m : List.of(hostile, locks)) {
                LockSnapshot snap = m.snapshot();
                assertEquals(new TreeMap<>(request).keySet(), snap.lockNames().stream()
                        .filter(request::containsKey).collect(java.util.stream.Collectors.toCollection(
                                java.util.TreeSet::new)));
            }
            assertEquals("' OR 1=1; --", hostile.snapshot().grantsOf(names.get(0)).get(0).holder().task());
            // the row's id is the space id verbatim, and its document holds the names as JSON strings
            String text = Jdbi.create(db.dataSource()).withHandle(h -> h.createQuery(
                    "SELECT data FROM interlock_spaces WHERE id = :id").bind("id", injectedSpace)
                    .mapTo(String.class).one());
            JsonNode doc = JSON.readTree(text);
            assertEquals(2, doc.get("format").asInt());
            assertEquals(1, doc.get("grants").size(), "one lease, one grant group");
            java.util.Set<String> stored = new java.util.HashSet<>();
            for (String field : List.of("x", "s")) {
                doc.get("grants").get(0).path(field).forEach(n -> stored.add(n.textValue()));
            }
            assertEquals(new java.util.HashSet<>(names), stored);
            assertTrue(lease.token() > 0 && here.token() > 0);
        }
        // nothing was dropped, deleted or rewound: the table is there, with one row more
        assertEquals(rowsBefore + 1, count("SELECT COUNT(*) FROM interlock_spaces"));
        assertEquals(List.of("app:kept", "platform"), List.copyOf(truth().lockNames()), "the other grants are intact");
        assertTrue(hostile.snapshot().isEmpty());
    }

    @Test
    void tenThousandNamesInOneRequestAreRefusedAndAThousandAreGranted() throws Exception {
        Map<String, LockMode> tenThousand = new HashMap<>();
        Map<String, LockMode> thousand = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            tenThousand.put("name-" + i, LockMode.EXCLUSIVE);
            if (i < 1000) {
                thousand.put("name-" + i, LockMode.SHARED);
            }
        }
        Map<String, Executable> calls = new LinkedHashMap<>();
        Map<String, String> messages = new HashMap<>();
        calls.put("10,000 names", () -> locks.tryAcquire(new LockRequest(tenThousand)));
        messages.put("10,000 names", "a lock request may hold at most 1000 names, had 10000");
        calls.put("1,001 names by and()", () -> new LockRequest(thousand).andExclusive("one-more"));
        messages.put("1,001 names by and()", "a lock request may hold at most 1000 names, had 1001");
        refusedLocally(IllegalArgumentException.class, calls, messages);

        try (Lease lease = locks.acquire(new LockRequest(thousand), Duration.ofSeconds(30))) {
            assertEquals(1000, lease.locks().size());
            assertEquals(1000, truth().grants().stream().filter(g -> g.lock().startsWith("name-")).count());
        }
        assertEquals(List.of("app:kept", "platform"), List.copyOf(truth().lockNames()));
    }

    @Test
    void nullArgumentsAreRefusedByName() throws Exception {
        Map<String, Executable> calls = new LinkedHashMap<>();
        Map<String, String> messages = new HashMap<>();
        LockRequest ok = LockRequest.exclusive("ok");
        calls.put("exclusive(null)", () -> LockRequest.exclusive(null));
        messages.put("exclusive(null)", "lock name must not be null");
        calls.put("shared(null)", () -> LockRequest.shared(null));
        calls.put("new LockRequest(null)", () -> new LockRequest(null));
        messages.put("new LockRequest(null)", "locks");
        Map<String, LockMode> nullMode = new HashMap<>();
        nullMode.put("x", null);
        calls.put("null mode", () -> new LockRequest(nullMode));
        messages.put("null mode", "mode of lock 'x'");
        calls.put("and(null)", () -> ok.and(null));
        calls.put("builder(null)", () -> LockManager.builder(null));
        messages.put("builder(null)", "store");
        calls.put("space(null)", () -> LockManager.builder(store).space(null));
        calls.put("holder(null)", () -> LockManager.builder(store).holder(null));
        calls.put("listener(null)", () -> LockManager.builder(store).listener(null));
        calls.put("lease(null)", () -> LockManager.builder(store).lease(null));
        calls.put("tryAcquire(null)", () -> locks.tryAcquire(null));
        messages.put("tryAcquire(null)", "request");
        calls.put("acquire(null, wait)", () -> locks.acquire(null, Duration.ofSeconds(1)));
        messages.put("acquire(null, wait)", "request");
        calls.put("acquire(request, null)", () -> locks.acquire(ok, null));
        messages.put("acquire(request, null)", "maxWait");
        calls.put("withLock(.., null)", () -> locks.withLock(ok, Duration.ofSeconds(1), null));
        messages.put("withLock(.., null)", "work");
        calls.put("releaseAll(null)", () -> locks.releaseAll(null));
        messages.put("releaseAll(null)", "holderId");
        calls.put("releaseTask(null)", () -> locks.releaseTask(null));
        messages.put("releaseTask(null)", "taskId");
        calls.put("JdbiLockStore.builder((DataSource) null)", () -> JdbiLockStore.builder((DataSource) null));
        messages.put("JdbiLockStore.builder((DataSource) null)", "dataSource");
        calls.put("JdbiLockStore.builder((Jdbi) null)", () -> JdbiLockStore.builder((Jdbi) null));
        messages.put("JdbiLockStore.builder((Jdbi) null)", "jdbi");
        calls.put("tableName(null)", () -> JdbiLockStore.builder(db.dataSource()).tableName(null));
        messages.put("tableName(null)", "tableName");
        calls.put("read(null)", () -> store.read(null));
        messages.put("read(null)", "space");
        calls.put("compareAndSet(null, ..)", () -> store.compareAndSet(null, 0, "{}"));
        calls.put("compareAndSet(.., null)", () -> store.compareAndSet(space, 0, null));
        messages.put("compareAndSet(.., null)", "newData");
        calls.put("createSpaceIfAbsent(.., null)", () -> store.createSpaceIfAbsent(space, null));
        messages.put("createSpaceIfAbsent(.., null)", "initialData");
        refusedLocally(NullPointerException.class, calls, messages);
    }

    @Test
    void tableNamesThatAreNotIdentifiersAreRefusedAndNothingIsCreated() throws Exception {
        String database = db.createDatabase("bad_tables");
        DataSource through = db.dataSource(proxy.jdbcUrl(db.jdbcUrlFor(database, Map.of())));
        proxy.countPackets("CREATE ");
        List<String> bad = List.of("", " ", "1locks", "locks-2", "lock table", "locks;DROP TABLE x", "`locks`",
                "locks`; DROP TABLE interlock_spaces; --", "db.locks", "täble", "l".repeat(65), "locks\n",
                "interlock_spaces'", "\"locks\"");
        for (String name : bad) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> JdbiLockStore.builder(through).tableName(name).build(), name);
            assertEquals("tableName must match [A-Za-z_][A-Za-z0-9_]{0,63}, was '" + name + "'", e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> JdbiLockStore.schemaSql(name), name);
        }
        assertEquals(0, proxy.packetsCounted("CREATE "));
        assertEquals(List.of(), Jdbi.create(db.dataSource(db.jdbcUrlFor(database, Map.of()))).withHandle(h ->
                h.createQuery("SHOW TABLES").mapTo(String.class).list()));
        // the longest and oddest accepted names work
        for (String good : List.of("l".repeat(64), "_", "_9Locks")) {
            JdbiLockStore.builder(through).tableName(good).build().createSchema();
        }
        assertEquals(3, Jdbi.create(db.dataSource(db.jdbcUrlFor(database, Map.of()))).withHandle(h ->
                h.createQuery("SHOW TABLES").mapTo(String.class).list()).size());
        assertNotEquals(0, proxy.packetsCounted("CREATE "));
    }

    private LockSnapshot truth() {
        return LockManager.builder(db.store()).space(space).build().snapshot();
    }

    private long count(String sql) throws SQLException {
        try (Connection c = db.dataSource().getConnection(); Statement s = c.createStatement();
             var rs = s.executeQuery(sql)) {
            rs.next();
            return rs.getLong(1);
        }
    }
}
