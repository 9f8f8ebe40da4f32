package dev.interlock.jdbi.testing;

import org.testcontainers.DockerClientFactory;
import org.testcontainers.mysql.MySQLContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * The Testcontainers backend of {@link TestDatabase}: a {@code mysql:8.4} container. Kept in a class of its
 * own so that {@link TestDatabase} loads without Testcontainers on the class path.
 */
final class MysqlContainer {

    /** The image; MySQL 8.4 is the current long-term release. */
    static final String IMAGE = "mysql:8.4";

    private MysqlContainer() {
    }

    /** What a started container offers. */
    record Started(String jdbcUrl, String user, String password) {
    }

    /** @return whether a Docker engine answers */
    static boolean dockerAvailable() {
        try {
            return DockerClientFactory.instance().isDockerAvailable();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }

    /**
     * Starts the container (Ryuk removes it when the JVM exits; a shutdown hook stops it sooner).
     *
     * @return its URL and credentials
     */
    @SuppressWarnings("resource") // lives as long as the JVM
    static Started start() {
        // root, so tests may change server variables (e.g. read_only) as they can on the embedded server.
        MySQLContainer container = new MySQLContainer(DockerImageName.parse(IMAGE))
                .withUsername("root")
                .withPassword("interlock")
                .withDatabaseName("test");
        container.start();
        Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "interlock-mysql-container-shutdown"));
        // The image's default authentication (caching_sha2_password) needs the server's public key over a
        // connection without TLS, which tests that sit a proxy in between use.
        String url = TestDatabase.withParameters(container.getJdbcUrl(),
                java.util.Map.of("allowPublicKeyRetrieval", "true"));
        return new Started(url, container.getUsername(), container.getPassword());
    }
}
