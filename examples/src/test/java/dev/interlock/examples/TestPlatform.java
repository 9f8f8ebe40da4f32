package dev.interlock.examples;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.examples.domain.App;
import dev.interlock.examples.domain.AppConfig;
import dev.interlock.examples.domain.BackupConfig;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.DatabaseSettings;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.Platform;
import dev.interlock.examples.domain.Secret;
import dev.interlock.examples.tasks.Supervisor;
import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskType;
import dev.interlock.examples.tasks.Tasks;
import dev.interlock.jdbi.testing.TestDatabase;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * A platform on a database of its own on the test server ({@link TestDatabase}), with a home directory and a backup
 * mount under a test's temporary directory, and a supervisor whose task processes are JVMs on this test's class path.
 */
public final class TestPlatform implements AutoCloseable {
    private final String database;
    private final DatabaseSettings settings;
    private final Platform platform;
    private Supervisor supervisor;

    private TestPlatform(String database, DatabaseSettings settings, Platform platform) {
        this.database = database;
        this.settings = settings;
        this.platform = platform;
    }

    /**
     * @param home     the home directory (a test's temporary directory)
     * @param password the backup password, or {@link Secret#none()}
     * @param format   the backup format
     * @return a platform with its schema and backup configuration
     */
    public static TestPlatform create(Path home, Secret password, BackupFormat format) {
        TestDatabase db = TestDatabase.get();
        String name = db.createDatabase("examples");
        DatabaseSettings settings = new DatabaseSettings(db.jdbcUrlFor(name, Map.of()), db.user(),
                Secret.of(db.password()));
        Platform platform = Platform.open(settings, home, Platform.DEFAULT_SPACE, 4);
        platform.createSchema();
        platform.settings().setBackupConfig(new BackupConfig(format, home.resolve("mount").toAbsolutePath(), password));
        return new TestPlatform(name, settings, platform);
    }

    /** @return the platform */
    public Platform platform() {
        return platform;
    }

    /** @return the database settings */
    public DatabaseSettings settings() {
        return settings;
    }

    /**
     * @param home the CLI's {@code --home}
     * @return the CLI options that point a command at this platform's database and home
     */
    public List<String> cliOptions(Path home) {
        List<String> args = new java.util.ArrayList<>(List.of("--jdbc-url", settings.jdbcUrl(), "--home",
                home.toString()));
        if (settings.user() != null) {
            args.addAll(List.of("--user", settings.user()));
        }
        if (settings.password().isPresent()) {
            args.addAll(List.of("--password", settings.password().reveal()));
        }
        return args;
    }

    /** @return the tasks table */
    public Tasks tasks() {
        return new Tasks(platform.jdbi());
    }

    /** @return a supervisor of this platform (one per test platform, closed with it) */
    public synchronized Supervisor supervisor() {
        if (supervisor == null) {
            supervisor = new Supervisor(platform, Supervisor.Launch.ofThisJvm());
        }
        return supervisor;
    }

    /**
     * Installs an app with random data.
     *
     * @param id   the app id
     * @param kib  how much data, in KiB
     * @return the app
     */
    public App seedApp(String id, int kib) {
        Path dir = platform.appsDir().resolve(id);
        try {
            Files.createDirectories(dir.resolve("data/nested"));
            Random random = new Random(id.hashCode());
            byte[] bytes = new byte[kib * 1024];
            random.nextBytes(bytes);
            Files.write(dir.resolve("data/blob.bin"), bytes);
            Files.writeString(dir.resolve("data/nested/settings.json"), "{\"app\":\"" + id + "\"}");
            Files.write(dir.resolve("icon.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return platform.apps().insert(id, config(id, "notes of " + id, List.of("alice"), "install"), dir, 0);
    }

    /**
     * @param id        the app id (the manifest's package id is derived from it)
     * @param notes     notes
     * @param operators operators
     * @param item      the key of the one checklist item
     * @return a configuration
     */
    public static AppConfig config(String id, String notes, List<String> operators, String item) {
        return new AppConfig(AppConfig.manifest("org.example." + id, id, "1.0.0"), notes, operators,
                Map.of(item, new AppConfig.ChecklistItem("check " + item, false)));
    }

    /**
     * @param keysAndValues key, value, key, value...: strings or numbers
     * @return task arguments
     */
    public static ObjectNode args(Object... keysAndValues) {
        ObjectNode args = Json.MAPPER.createObjectNode();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            Object v = keysAndValues[i + 1];
            if (v instanceof Number) {
                args.put((String) keysAndValues[i], ((Number) v).longValue());
            } else {
                args.put((String) keysAndValues[i], String.valueOf(v));
            }
        }
        return args;
    }

    /**
     * Runs a task in a process of its own under the supervisor and waits for its end.
     *
     * @param type the task type
     * @param args its arguments
     * @return the task as it ended
     * @throws InterruptedException if interrupted
     */
    public Task run(TaskType type, ObjectNode args) throws InterruptedException {
        Task task = supervisor().submit(type, args);
        return supervisor().await(task.id(), Duration.ofMinutes(2));
    }

    /** Closes the supervisor and the platform, and drops the database. */
    @Override
    public void close() {
        if (supervisor != null) {
            supervisor.close();
        }
        platform.close();
        TestDatabase.get().execute("DROP DATABASE IF EXISTS `" + database + "`");
    }
}
