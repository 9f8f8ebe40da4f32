package dev.interlock.jdbi.testing;

import java.nio.file.Path;

/**
 * A database server that a test JVM started itself ({@link EmbeddedMariaDb}, {@link EmbeddedMysql}): its own port
 * and data directory on this machine, stopped and deleted when the JVM exits. It can be stopped and started again
 * on the same data, for tests of a database restart. Implementations are thread-safe.
 */
public interface EmbeddedServer {

    /** @return which server it is, e.g. {@code MariaDB 11.4.5} or {@code MySQL 8.0.15} */
    String product();

    /** @return the TCP port on the loopback interface */
    int port();

    /** @return the data directory (it survives {@link #stop()}) */
    Path dataDir();

    /**
     * @param database a database name, or the empty string for none
     * @return a {@code jdbc:mysql:} URL (mysql-connector-j) on it, without TLS (tests may sit a proxy in between)
     */
    String jdbcUrl(String database);

    /** @return whether the server is running */
    boolean isRunning();

    /**
     * Stops the server (a normal shutdown; committed data are kept). Connections to it break.
     *
     * @throws IllegalStateException if it fails
     */
    void stop();

    /**
     * Starts the server again on the same port and data directory, and waits until it answers.
     *
     * @throws IllegalStateException if it fails
     */
    void start();
}
