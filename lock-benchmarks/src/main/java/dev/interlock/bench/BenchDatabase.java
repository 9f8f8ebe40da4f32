package dev.interlock.bench;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.jdbi.testing.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The database the benchmarks run against: {@value #URL_ENV} (with {@value #USER_ENV} and
 * {@value #PASSWORD_ENV}) if set, as an environment variable or a system property; otherwise lock-jdbi's
 * {@link TestDatabase} (its own environment variables, else Testcontainers, else an embedded MariaDB 11.4), in a
 * database of its own. The runner resolves it once and hands it to every benchmark JVM through
 * {@link #jvmArgs()}, so all of them (JMH forks, P3 workers) use the same server.
 *
 * @param url      the {@code jdbc:mysql:} URL
 * @param user     the user, or null
 * @param password the password, or null
 * @param backend  where it came from, for the results
 */
public record BenchDatabase(String url, String user, String password, String backend) {

    /** The JDBC URL of a server to benchmark on instead of an embedded one. */
    public static final String URL_ENV = "INTERLOCK_BENCH_JDBC_URL";
    /** The user for {@value #URL_ENV}. */
    public static final String USER_ENV = "INTERLOCK_BENCH_JDBC_USER";
    /** The password for {@value #URL_ENV}. */
    public static final String PASSWORD_ENV = "INTERLOCK_BENCH_JDBC_PASSWORD";

    /** Validates. */
    public BenchDatabase {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(backend, "backend");
    }

    /**
     * The configured server, or else a new database on the test database (started if need be).
     *
     * @return the database
     */
    public static BenchDatabase resolve() {
        String url = setting(URL_ENV);
        if (url != null) {
            return new BenchDatabase(url, setting(USER_ENV), setting(PASSWORD_ENV),
                    System.getProperty("interlock.bench.backend", "external (" + URL_ENV + ")"));
        }
        TestDatabase db = TestDatabase.get();
        String name = db.createDatabase("interlock_bench");
        return new BenchDatabase(db.jdbcUrlFor(name, Map.of()), db.user(), db.password(),
                db.backend().name().toLowerCase(java.util.Locale.ROOT));
    }

    /**
     * The database of a benchmark JVM (a JMH fork, a P3 worker): the one the runner handed over. A benchmark JVM
     * never starts a server of its own: JMH ends its forks without running shutdown hooks, so the server would
     * outlive it.
     *
     * @return the database named by {@value #URL_ENV}
     * @throws IllegalStateException if none is named
     */
    public static BenchDatabase handedOver() {
        if (setting(URL_ENV) == null) {
            throw new IllegalStateException("no benchmark database: run the benchmarks through dev.interlock.bench.Compare,"
                    + " or set " + URL_ENV + " (with " + USER_ENV + " and " + PASSWORD_ENV + ") to a server of yours");
        }
        return resolve();
    }

    /**
     * @return system properties that make {@link #resolve()} in a child JVM pick this same database (the
     *     password only if the child would not find it in the environment it inherits)
     */
    public List<String> jvmArgs() {
        List<String> args = new ArrayList<>();
        args.add("-D" + URL_ENV + "=" + url);
        args.add("-Dinterlock.bench.backend=" + backend);
        if (user != null) {
            args.add("-D" + USER_ENV + "=" + user);
        }
        if (password != null && !password.isEmpty() && !password.equals(System.getenv(PASSWORD_ENV))) {
            args.add("-D" + PASSWORD_ENV + "=" + password);
        }
        return args;
    }

    /**
     * @param properties driver properties to set on the URL ({@code useLocalSessionState=true}), replacing ones of
     *                   the same name
     * @return this database with them
     */
    public BenchDatabase withProperties(Map<String, String> properties) {
        return new BenchDatabase(TestDatabase.withParameters(url, properties), user, password, backend);
    }

    /**
     * A connection pool of fixed size; every implementation gets the same kind.
     *
     * @param size the number of connections
     * @param name the pool's name, for its threads
     * @return the pool; close it when done
     */
    public HikariDataSource pool(int size, String name) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(size);
        config.setPoolName(name);
        config.setConnectionTimeout(30_000);
        return new HikariDataSource(config);
    }

    /**
     * @return the server's version and the settings that decide the cost of a commit
     */
    public Map<String, String> serverInfo() {
        Map<String, String> info = new LinkedHashMap<>();
        try (HikariDataSource ds = pool(1, "bench-info"); Connection c = ds.getConnection();
             Statement s = c.createStatement()) {
            try (ResultSet rs = s.executeQuery("SELECT VERSION()")) {
                rs.next();
                info.put("version", rs.getString(1));
            }
            try (ResultSet rs = s.executeQuery("SHOW VARIABLES WHERE Variable_name IN ('innodb_flush_log_at_trx_commit',"
                    + " 'sync_binlog', 'log_bin', 'innodb_buffer_pool_size', 'max_connections', 'innodb_flush_method')")) {
                while (rs.next()) {
                    info.put(rs.getString(1), rs.getString(2));
                }
            }
        } catch (SQLException e) {
            info.put("error", e.getMessage());
        }
        return info;
    }

    private static String setting(String name) {
        String value = System.getenv(name);
        if (value == null || value.isBlank()) {
            value = System.getProperty(name);
        }
        return value == null || value.isBlank() ? null : value;
    }
}
