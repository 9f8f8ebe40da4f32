package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockStoreException;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.Stored;
import org.junit.jupiter.api.Test;

/**
 * What an account short of a privilege, a wrong password, or a read-only server looks like to the caller: a
 * {@link LockStoreException} that names what was denied (or which switch is on), with nothing changed. On the
 * MariaDB with its grant tables in force ({@link LeastPrivilege}).
 */
class PrivilegeErrorsIT {

    private static final String PRIVILEGE_HINT = "(the account lacks a privilege; the store needs SELECT, INSERT and"
            + " UPDATE on its table, createSchema() also CREATE)";

    private final LeastPrivilege lp = LeastPrivilege.get();

    private JdbiLockStore storeAs(String account) {
        return JdbiLockStore.create(lp.server.dataSource(lp.database, account, lp.password));
    }

    private static LockManager manager(JdbiLockStore store, String space) {
        return LockManager.builder(store).space(space).holder(Holder.currentProcess("privileges")).build();
    }

    /** The row as the administrator sees it. */
    private Stored row(String space) {
        return JdbiLockStore.create(lp.server.adminDataSource(lp.database)).read(space).orElseThrow();
    }

    private void assertClean(LockStoreException e) {
        assertFalse(e.getMessage().contains(lp.password), "no password in: " + e.getMessage());
        assertFalse(e.getMessage().contains(lp.server.adminPassword()), e.getMessage());
    }

    @Test
    void aRevokedUpdateIsNamedAndNothingChanges() throws Exception {
        String account = lp.createUser("revoked", LeastPrivilege.NEEDED);
        JdbiLockStore store = storeAs(account);
        String space = TestDatabase.newSpace("revoked");
        LockManager locks = manager(store, space);
        try (Lease lease = locks.tryAcquire(LockRequest.exclusive("app:1")).orElseThrow()) {
            assertTrue(lease.isHeld(), "works with the three privileges");
        }
        long version = row(space).version();

        lp.server.execute("REVOKE UPDATE ON `" + lp.database + "`.`interlock_spaces` FROM '" + account + "'@'%'");
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> locks.tryAcquire(LockRequest.exclusive("app:1")));
        // MariaDB names the table with its database, MySQL names the table alone
        String table = lp.server.isMariaDb() ? "`" + lp.database + "`.`interlock_spaces`" : "'interlock_spaces'";
        assertTrue(e.getMessage().startsWith("could not compare-and-set lock space '" + space + "' at version "
                + version + ": SQLState 42000, error 1142: UPDATE command denied to user '" + account
                + "'@'localhost' for table " + table), e.getMessage());
        assertTrue(e.getMessage().endsWith(PRIVILEGE_HINT), e.getMessage());
        assertTrue(e.outcomeKnown(), "the server refused the statement: nothing was written");
        assertClean(e);
        assertEquals(version, row(space).version());
        // the raw store says the same
        LockStoreException raw = assertThrows(LockStoreException.class,
                () -> store.compareAndSet(space, version, "{}"));
        assertTrue(raw.getMessage().contains("UPDATE command denied"), raw.getMessage());
        assertEquals(version, row(space).version());
    }

    @Test
    void anAccountWithoutSelectIsToldSelectWasDenied() {
        JdbiLockStore store = storeAs(lp.createUser("noselect", "INSERT, UPDATE"));
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> manager(store, TestDatabase.newSpace("noselect")).snapshot());
        assertTrue(e.getMessage().contains("could not read lock space"), e.getMessage());
        assertTrue(e.getMessage().contains("error 1142: SELECT command denied to user"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PRIVILEGE_HINT), e.getMessage());
        assertTrue(e.outcomeKnown());
        assertClean(e);
    }

    @Test
    void anAccountWithoutInsertCannotCreateASpaceAndIsToldInsertWasDenied() {
        JdbiLockStore store = storeAs(lp.createUser("noinsert", "SELECT, UPDATE"));
        String space = TestDatabase.newSpace("noinsert");
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> manager(store, space).tryAcquire(LockRequest.exclusive("job")));
        assertTrue(e.getMessage().startsWith("could not create lock space '" + space + "' in `interlock_spaces` after 1"
                + " attempt(s): SQLState 42000, error 1142: INSERT command denied to user"), e.getMessage());
        assertTrue(e.outcomeKnown());
        assertClean(e);
        assertTrue(lp.store().read(space).isEmpty(), "no row was created");

        // a space that exists already works without INSERT
        String existing = TestDatabase.newSpace("noinsert-existing");
        lp.store().createSpaceIfAbsent(existing, "{\"format\":1,\"holders\":{},\"locks\":{}}");
        assertTrue(manager(store, existing).tryAcquire(LockRequest.exclusive("job")).isPresent());
    }

    @Test
    void theLeastPrivilegedAccountCannotCreateTheTableAndIsToldSo() {
        LockStoreException e = assertThrows(LockStoreException.class, () -> lp.store().createSchema());
        assertTrue(e.getMessage().startsWith("could not create lock table `interlock_spaces`: SQLState 42000, error"
                + " 1142: CREATE command denied to user '" + lp.user + "'@'localhost'"), e.getMessage());
        assertClean(e);
    }

    @Test
    void anAccountWithoutAccessToTheDatabaseIsRefusedAtBuild() {
        String account = lp.server.createUser("nothing", lp.password);
        LockStoreException e = assertThrows(LockStoreException.class, () -> storeAs(account));
        assertTrue(e.getMessage().startsWith("could not check the server of lock table `interlock_spaces`: no"
                + " connection: SQLState 42000, error 1044: Access denied for user '" + account + "'@'%' to database '"
                + lp.database + "'"), e.getMessage());
        assertTrue(e.getMessage().endsWith("(check the account and its privileges: the store needs SELECT, INSERT and"
                + " UPDATE on its table)"), e.getMessage());
        assertClean(e);
    }

    @Test
    void aWrongPasswordIsRefusedAtBuildWithoutEchoingIt() {
        String wrong = "wrong-" + lp.password;
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> JdbiLockStore.create(lp.server.dataSource(lp.database, lp.user, wrong)));
        assertEquals("could not check the server of lock table `interlock_spaces`: no connection: SQLState 28000,"
                + " error 1045: Access denied for user '" + lp.user + "'@'localhost' (using password: YES) (check the"
                + " account and its password)", e.getMessage());
        assertTrue(e.outcomeKnown());
        assertFalse(e.getMessage().contains(wrong));
        assertClean(e);
    }

    @Test
    void aReadOnlyServerIsRefusedAtBuildAndItsWritesAreNamedReadOnly() {
        JdbiLockStore before = lp.store();
        String space = TestDatabase.newSpace("read-only");
        before.createSpaceIfAbsent(space, "{\"format\":1,\"holders\":{},\"locks\":{}}");
        lp.server.execute("SET GLOBAL read_only = 1");
        try {
            LockStoreException refused = assertThrows(LockStoreException.class, () -> storeAs(lp.user));
            assertEquals("refusing a read-only server for lock table `interlock_spaces`: read_only=ON (a replica, or a"
                    + " primary demoted by a failover?); point the store at the primary", refused.getMessage());
            assertTrue(refused.outcomeKnown());

            // a store built before the switch: its write is refused, and the message says why
            LockStoreException write = assertThrows(LockStoreException.class,
                    () -> before.compareAndSet(space, 0, "{\"format\":1,\"holders\":{},\"locks\":{}}"));
            assertTrue(write.getMessage().contains("error 1290"), write.getMessage());
            assertTrue(write.getMessage().endsWith("(the server is read-only: a replica, or a failover?)"),
                    write.getMessage());
            assertTrue(write.outcomeKnown());
        } finally {
            lp.server.execute("SET GLOBAL read_only = 0");
        }
        assertEquals(CasResult.APPLIED, before.compareAndSet(space, 0, "{\"format\":1,\"holders\":{},\"locks\":{}}"));
    }
}
