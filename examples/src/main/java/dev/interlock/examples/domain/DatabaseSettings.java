package dev.interlock.examples.domain;

import java.util.Map;
import java.util.Objects;

/**
 * Where the database is: a {@code jdbc:mysql:} URL (mysql-connector-j; MySQL 8.0+ or MariaDB 10.6+), a user and a
 * password. Task processes receive these through the environment ({@value #URL_ENV}, {@value #USER_ENV},
 * {@value #PASSWORD_ENV}), never on their command line, where {@code ps} would show the password.
 *
 * @param jdbcUrl  the JDBC URL, starting with {@code jdbc:mysql:}
 * @param user     the user, or {@code null}
 * @param password the password (printed as {@code ****})
 */
public record DatabaseSettings(String jdbcUrl, String user, Secret password) {

    /** The environment variable with the JDBC URL. */
    public static final String URL_ENV = "INTERLOCK_JDBC_URL";
    /** The environment variable with the database user. */
    public static final String USER_ENV = "INTERLOCK_JDBC_USER";
    /** The environment variable with the database password. */
    public static final String PASSWORD_ENV = "INTERLOCK_JDBC_PASSWORD";

    /**
     * Validates.
     *
     * @throws IllegalArgumentException if the URL is not a {@code jdbc:mysql:} URL
     *
     * @param jdbcUrl  the JDBC URL, starting with {@code jdbc:mysql:}
     * @param user     the user, or {@code null}
     * @param password the password (printed as {@code ****})
     */
    public DatabaseSettings {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        if (!jdbcUrl.startsWith("jdbc:mysql:")) {
            throw new IllegalArgumentException("the JDBC URL must start with jdbc:mysql: (MySQL Connector/J talks to"
                    + " MySQL and MariaDB alike), was " + redact(jdbcUrl));
        }
        password = password == null ? Secret.none() : password;
        user = user == null || user.isEmpty() ? null : user;
    }

    /**
     * Reads the settings a supervisor passed to a task process.
     *
     * @param env the environment
     * @return the settings
     * @throws IllegalStateException if {@value #URL_ENV} is missing
     */
    public static DatabaseSettings fromEnvironment(Map<String, String> env) {
        String url = env.get(URL_ENV);
        if (url == null || url.isBlank()) {
            throw new IllegalStateException(URL_ENV + " is not set: task processes are started by the supervisor,"
                    + " which passes the database settings through the environment");
        }
        return new DatabaseSettings(url, env.get(USER_ENV), Secret.of(env.get(PASSWORD_ENV)));
    }

    /**
     * Puts these settings into a child process's environment.
     *
     * @param env the child's environment, changed in place
     */
    public void toEnvironment(Map<String, String> env) {
        env.put(URL_ENV, jdbcUrl);
        if (user != null) {
            env.put(USER_ENV, user);
        } else {
            env.remove(USER_ENV);
        }
        if (password.isPresent()) {
            env.put(PASSWORD_ENV, password.reveal());
        } else {
            env.remove(PASSWORD_ENV);
        }
    }

    /**
     * @return the URL with the value of any {@code password=} parameter, and the password of any user info
     *     ({@code //user:password@host}), replaced by {@code ****}
     */
    public String redactedUrl() {
        return redact(jdbcUrl);
    }

    static String redact(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1****")
                .replaceAll("((?://|,)[^/?#@,:]*):[^/?#,]*@", "$1:****@");
    }

    @Override
    public String toString() {
        return "DatabaseSettings[" + redactedUrl() + ", user " + user + ", password " + password + "]";
    }
}
