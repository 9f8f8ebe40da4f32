package dev.interlock.examples.domain;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.jdbi.JdbiLockStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * One process's handle on the platform: the connection pool, the tables, the lock store and the local directories.
 * Every process (a command, the server, each task process) opens its own and closes it when done.
 *
 * <p>The home directory holds what is local to this machine: {@code apps/} (the apps' data directories),
 * {@code logs/} (one log per task process), {@code platform/} (installed releases) and {@code tmp/}.
 *
 * <p>Thread-safe.
 */
public final class Platform implements AutoCloseable {
    /** The lock space used unless another is given. */
    public static final String DEFAULT_SPACE = LockManager.DEFAULT_SPACE;

    private final DatabaseSettings database;
    private final HikariDataSource dataSource;
    private final Jdbi jdbi;
    private final JdbiLockStore lockStore;
    private final String space;
    private final Path home;
    private final Apps apps;
    private final Backups backups;
    private final Archives archives;
    private final Settings settings;

    private Platform(DatabaseSettings database, HikariDataSource dataSource, String space, Path home) {
        this.database = database;
        this.dataSource = dataSource;
        this.jdbi = Jdbi.create(dataSource);
        this.lockStore = JdbiLockStore.create(jdbi);
        this.space = space;
        this.home = home;
        this.apps = new Apps(jdbi);
        this.backups = new Backups(jdbi);
        this.archives = new Archives(jdbi);
        this.settings = new Settings(jdbi);
    }

    /**
     * Connects to the database (one small pool) and prepares the home directory.
     *
     * @param database where the database is
     * @param home     the local home directory (created if missing)
     * @param space    the lock space
     * @param poolSize the most connections to hold open
     * @return the platform
     * @throws IllegalStateException if the database cannot be reached, saying where and why
     */
    public static Platform open(DatabaseSettings database, Path home, String space, int poolSize) {
        Objects.requireNonNull(database, "database");
        Objects.requireNonNull(space, "space");
        Path dir = home.toAbsolutePath().normalize();
        try {
            Files.createDirectories(dir.resolve("tmp"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the home directory " + dir, e);
        }
        HikariConfig config = new HikariConfig();
        config.setPoolName("interlock-examples");
        config.setJdbcUrl(database.jdbcUrl());
        config.setUsername(database.user());
        config.setPassword(database.password().revealOrNull());
        config.setMaximumPoolSize(poolSize);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(10_000);
        // A lost reply is noticed (and reconciled by the lock engine) instead of hanging forever.
        config.addDataSourceProperty("socketTimeout", "60000");
        config.addDataSourceProperty("connectTimeout", "10000");
        HikariDataSource ds;
        try {
            ds = new HikariDataSource(config);
        } catch (RuntimeException e) {
            Throwable cause = e.getCause() != null ? e.getCause() : e;
            throw new IllegalStateException("cannot connect to " + database.redactedUrl() + " as user "
                    + database.user() + ": " + cause.getMessage(), e);
        }
        try {
            return new Platform(database, ds, space, dir);
        } catch (RuntimeException e) {
            ds.close();
            throw e;
        }
    }

    /**
     * Creates the domain tables and the lock table if they do not exist. Idempotent.
     */
    public void createSchema() {
        jdbi.useHandle(h -> Schema.DDL.forEach(h::execute));
        lockStore.createSchema();
    }

    /**
     * Drops and creates the domain tables again, empty (the demo's fresh start). The lock table is left alone.
     */
    public void resetTables() {
        jdbi.useHandle(h -> Schema.TABLES.forEach(t -> h.execute("DROP TABLE IF EXISTS " + t)));
        createSchema();
    }

    /**
     * A lock manager of this process in the platform's space. Close it when done; it releases what it still holds.
     *
     * @param task     the task id to record beside each grant (for {@code releaseTask} and for operators), or
     *                 {@code null}
     * @param listener hears about reaped holders and lost leases
     * @return the manager
     */
    public LockManager lockManager(String task, LockListener listener) {
        return LockManager.builder(lockStore).space(space).holder(Holder.currentProcess(task)).listener(listener).build();
    }

    /** @return the database's current time (one clock for every process) */
    public Instant now() {
        LocalDateTime t = jdbi.withHandle(h -> h.createQuery("SELECT UTC_TIMESTAMP(6)").mapTo(LocalDateTime.class).one());
        return t.toInstant(ZoneOffset.UTC);
    }

    /** @return the backup storage of the configured backup config */
    public BackupStorage storage() {
        return storage(settings.backupConfig());
    }

    /**
     * @param config a backup config
     * @return the storage it describes
     */
    public BackupStorage storage(BackupConfig config) {
        return new BackupStorage(config.rootPath(), config.password());
    }

    /** @return where the database is */
    public DatabaseSettings database() {
        return database;
    }

    /** @return the pooled data source */
    public DataSource dataSource() {
        return dataSource;
    }

    /** @return the Jdbi on the pool */
    public Jdbi jdbi() {
        return jdbi;
    }

    /** @return the lock store */
    public JdbiLockStore lockStore() {
        return lockStore;
    }

    /** @return the lock space */
    public String space() {
        return space;
    }

    /** @return the home directory */
    public Path home() {
        return home;
    }

    /** @return where apps' data directories are created */
    public Path appsDir() {
        return home.resolve("apps");
    }

    /** @return where task processes write their logs */
    public Path logsDir() {
        return home.resolve("logs");
    }

    /** @return scratch space, on the same file system as the home directory */
    public Path tmpDir() {
        return home.resolve("tmp");
    }

    /** @return the {@code apps} table */
    public Apps apps() {
        return apps;
    }

    /** @return the {@code backups} table */
    public Backups backups() {
        return backups;
    }

    /** @return the {@code archives} table */
    public Archives archives() {
        return archives;
    }

    /** @return the {@code settings} table */
    public Settings settings() {
        return settings;
    }

    /** Closes the pool. */
    @Override
    public void close() {
        dataSource.close();
    }

    @Override
    public String toString() {
        return "Platform[" + database.redactedUrl() + ", space " + space + ", home " + home + "]";
    }
}
