package dev.interlock.examples.cli;

import static dev.interlock.examples.TestPlatform.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.domain.BackupConfig;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.Secret;
import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskState;
import dev.interlock.examples.tasks.TaskType;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The backup password is in the settings table and nowhere else: not in the task processes' logs, not in what the
 * commands print, not in the backups table (or any other), not in the backup files, even when a task fails because
 * of it.
 */
class PasswordSecrecyIT {
    @TempDir
    Path home;

    private final List<String> printed = new ArrayList<>();

    private int cli(TestPlatform p, String... command) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RootCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(p.cliOptions(home));
        int code = cl.execute(args.toArray(new String[0]));
        printed.add(out.toString());
        printed.add(err.toString());
        return code;
    }

    @Test
    void theBackupPasswordAppearsNowhereButInItsSetting() throws Exception {
        String password = "Pw-" + UUID.randomUUID();
        try (TestPlatform p = TestPlatform.create(home, Secret.of(password), BackupFormat.TGZ)) {
            p.seedApp("wiki", 256);
            Files.writeString(p.platform().apps().require("wiki").dataDir().resolve("data/plain.txt"),
                    "PLAINTEXT-" + password);
            Task backup = p.run(TaskType.APP_BACKUP, args("appId", "wiki"));
            assertEquals(TaskState.DONE, backup.state(), backup.error());
            Task full = p.run(TaskType.FULL_BACKUP, args("label", "nightly"));
            assertEquals(TaskState.DONE, full.state(), full.error());
            String backupId = backup.result().path("backupId").asText();

            // A task that fails because of the password: a restore after the password was changed.
            BackupConfig config = p.platform().settings().backupConfig();
            String other = "Other-" + UUID.randomUUID();
            p.platform().settings().setBackupConfig(config.withPassword(Secret.of(other)));
            Task restore = p.run(TaskType.RESTORE, args("appId", "wiki", "backupId", backupId));
            assertEquals(TaskState.FAILED, restore.state());
            assertTrue(restore.error().contains("wrong backup password"), restore.error());
            p.platform().settings().setBackupConfig(config);

            assertEquals(0, cli(p, "backups", "list"));
            assertEquals(0, cli(p, "tasks", "list"));
            assertEquals(0, cli(p, "archive", backupId));
            assertEquals(0, cli(p, "archives", "list"));
            assertEquals(0, cli(p, "locks", "list"));
            assertEquals(0, cli(p, "cleanup", "--dry-run"));
            assertTrue(printed.stream().anyMatch(s -> s.contains(backupId)), "the commands did print: " + printed);

            List<String> places = new ArrayList<>();
            try (Stream<Path> logs = Files.list(p.platform().logsDir())) {
                for (Path log : (Iterable<Path>) logs::iterator) {
                    places.add(log + ": " + Files.readString(log, StandardCharsets.UTF_8));
                }
            }
            assertTrue(places.size() >= 3, "every task process wrote a log: " + places.size());
            for (int i = 0; i < printed.size(); i++) {
                places.add("command output " + i + ": " + printed.get(i));
            }
            for (String table : new String[] {"backups", "archives", "apps", "tasks", "task_events", "interlock_spaces"}) {
                places.add("table " + table + ": " + p.platform().jdbi().withHandle(h -> h.createQuery(
                        "SELECT * FROM " + table).mapToMap().list()).toString());
            }
            try (Stream<Path> files = Files.walk(p.platform().settings().backupConfig().rootPath())) {
                for (Path f : (Iterable<Path>) files.filter(Files::isRegularFile)::iterator) {
                    places.add("backup file " + f + ": " + new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1));
                }
            }
            for (String place : places) {
                assertFalse(place.contains(password), "the password leaks in " + place.substring(0,
                        Math.min(200, place.length())));
                assertFalse(place.contains(other), "the other password leaks in " + place.substring(0,
                        Math.min(200, place.length())));
            }
            Map<String, Object> setting = p.platform().jdbi().withHandle(h -> h.createQuery(
                    "SELECT * FROM settings WHERE name = 'backup_password'").mapToMap().one());
            assertEquals(password, setting.get("value"), "it is stored apart, in its own setting");
            assertFalse(p.platform().settings().get("backup_config").orElseThrow().contains(password));
        }
    }
}
