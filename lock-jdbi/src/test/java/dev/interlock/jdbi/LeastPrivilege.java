package dev.interlock.jdbi;

import dev.interlock.jdbi.testing.SecuredServer;
import java.util.List;
import java.util.UUID;
import org.jdbi.v3.core.Jdbi;

/**
 * A lock table on the {@link SecuredServer} and accounts that hold exactly the privileges the tests give them:
 * the least a store needs is SELECT, INSERT and UPDATE on its table, nothing on any other table, no DDL, no
 * DELETE. Created once per JVM; shared by the least-privilege suites.
 */
final class LeastPrivilege {

    /** The privileges a store needs, as the server lists them in {@code SHOW GRANTS}. */
    static final String NEEDED = "SELECT, INSERT, UPDATE";

    private static LeastPrivilege instance;

    final SecuredServer server;
    /** The database holding the lock table. */
    final String database;
    /** An account with only {@link #NEEDED} on the lock table. */
    final String user;
    final String password;
    private final JdbiLockStore store;

    private LeastPrivilege(SecuredServer server) {
        this.server = server;
        this.database = server.createDatabase("locks");
        // the administrator creates the table, as a migration would
        JdbiLockStore.create(server.adminDataSource(database)).createSchema();
        this.password = "pw-" + UUID.randomUUID();
        this.user = createUser("locker", NEEDED);
        this.store = JdbiLockStore.create(server.dataSource(database, user, password));
    }

    static synchronized LeastPrivilege get() {
        if (instance == null) {
            instance = new LeastPrivilege(SecuredServer.get());
        }
        return instance;
    }

    /** @return a store on the lock table that logs in as {@link #user} */
    JdbiLockStore store() {
        return store;
    }

    /**
     * @param prefix     the account's name prefix
     * @param privileges e.g. {@code "SELECT, INSERT"}: granted on the lock table only
     * @return a new account with {@link #password} and those privileges
     */
    String createUser(String prefix, String privileges) {
        String name = server.createUser(prefix, password);
        server.execute("GRANT " + privileges + " ON `" + database + "`.`" + JdbiLockStore.DEFAULT_TABLE + "` TO '"
                + name + "'@'%'");
        return name;
    }

    /** Fails unless {@link #user} holds {@link #NEEDED} on the lock table and nothing else at all. */
    void assertOnlyNeeded() {
        List<String> grants = grantsOf(user).stream().map(g -> g.replaceAll(" IDENTIFIED BY PASSWORD '[^']*'$", ""))
                .toList();
        List<String> expected = List.of("GRANT USAGE ON *.* TO `" + user + "`@`%`",
                "GRANT " + NEEDED + " ON `" + database + "`.`" + JdbiLockStore.DEFAULT_TABLE + "` TO `" + user
                        + "`@`%`");
        if (!grants.equals(expected)) {
            throw new AssertionError("the least-privileged account holds " + grants + ", not just " + expected);
        }
    }

    /** @return the account's grants, as it sees them itself */
    List<String> grantsOf(String account) {
        return Jdbi.create(server.dataSource(database, account, password)).withHandle(h ->
                h.createQuery("SHOW GRANTS").mapTo(String.class).list());
    }
}
