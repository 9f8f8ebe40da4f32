package dev.interlock.examples.tasks;

import static dev.interlock.examples.TestPlatform.args;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.TestWork;
import dev.interlock.examples.domain.App;
import dev.interlock.examples.domain.AppConfig;
import dev.interlock.examples.domain.Archive;
import dev.interlock.examples.domain.Backup;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.BackupIds;
import dev.interlock.examples.domain.BackupState;
import dev.interlock.examples.domain.BackupType;
import dev.interlock.examples.domain.Operations;
import dev.interlock.examples.domain.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backup, archive, clone and restore through real task processes, on encrypted backups of both formats: the clone
 * and the restore bring back the data and the notes, operators and checklist of backup time, not the current ones.
 */
class CloneFromArchiveIT {
    @TempDir
    Path home;

    private static Map<String, String> contents(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path f : (Iterable<Path>) walk.filter(Files::isRegularFile)::iterator) {
                out.put(dir.relativize(f).toString(), java.util.Arrays.toString(
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(f))));
            }
        }
        return out;
    }

    @ParameterizedTest
    @EnumSource(BackupFormat.class)
    void cloneAndRestoreBringBackTheConfigurationOfBackupTime(BackupFormat format) throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.of("pw-" + format), format);
             LockManager locks = p.platform().lockManager("test", new LockListener() { })) {
            App wiki = p.seedApp("wiki", 512);
            AppConfig atBackup = wiki.config();
            Map<String, String> dataAtBackup = contents(wiki.dataDir());

            Task backup = p.run(TaskType.APP_BACKUP, args("appId", "wiki"));
            assertEquals(TaskState.DONE, backup.state(), backup.error());
            Backup b = p.platform().backups().require(backup.result().path("backupId").asText());
            assertEquals(BackupState.NORMAL, b.state());
            assertEquals(format, b.format());
            assertEquals(1, b.encryptionVersion());
            assertEquals(atBackup, b.appConfig(), "the backup remembers the configuration");
            assertEquals("1.0.0", b.packageVersion());

            Operations ops = new Operations(p.platform());
            TestWork work = new TestWork(locks);
            byte[] storeIcon = {9, 8, 7};
            Archive archive = ops.archive(work, b.id(), storeIcon);
            assertEquals(atBackup, archive.appConfig());
            assertArrayEquals(Files.readAllBytes(wiki.dataDir().resolve(Operations.ICON_FILE)), archive.icon(),
                    "the icon is read out of the backup");
            assertArrayEquals(storeIcon, archive.appStoreIcon());
            IllegalArgumentException twice = assertThrows(IllegalArgumentException.class,
                    () -> ops.archive(work, b.id(), null));
            assertEquals("backup " + b.id() + " is archived already, as " + archive.id(), twice.getMessage());

            // Since the backup: new notes, operators and checklist, and changed data.
            AppConfig now = TestPlatform.config("wiki", "notes of today", List.of("mallory"), "today");
            ops.editConfig(work, "wiki", now);
            Files.writeString(wiki.dataDir().resolve("data/nested/settings.json"), "{\"changed\":true}");
            Files.writeString(wiki.dataDir().resolve("new-file.txt"), "made after the backup");

            Task clone = p.run(TaskType.CLONE, args("archiveId", archive.id(), "appId", "wiki-copy"));
            assertEquals(TaskState.DONE, clone.state(), clone.error());
            App copy = p.platform().apps().require("wiki-copy");
            assertEquals(atBackup, copy.config(), "the clone has the configuration of backup time");
            assertNotEquals(now, copy.config());
            assertEquals(dataAtBackup, contents(copy.dataDir()), "and the data of backup time");
            assertEquals(now, p.platform().apps().require("wiki").config(), "the original app is untouched");
            assertTrue(copy.fence() > 0, "the new row carries the clone's fencing token");

            Task restore = p.run(TaskType.RESTORE, args("appId", "wiki", "backupId", b.id()));
            assertEquals(TaskState.DONE, restore.state(), restore.error());
            App restored = p.platform().apps().require("wiki");
            assertEquals(atBackup, restored.config(), "the restore brings back the configuration of backup time");
            assertEquals(dataAtBackup, contents(restored.dataDir()), "and exactly the data of backup time");
            assertTrue(restored.fence() >= copy.fence(), "written under a newer token");

            Task again = p.run(TaskType.CLONE, args("archiveId", archive.id(), "appId", "wiki-copy"));
            assertEquals(TaskState.FAILED, again.state());
            assertEquals("an app 'wiki-copy' is installed already; pick another id", again.error());
        }
    }

    @Test
    void onlyCompleteAppBackupsWithAnAppConfigCanBeArchived() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ);
             LockManager locks = p.platform().lockManager("test", new LockListener() { })) {
            Operations ops = new Operations(p.platform());
            TestWork work = new TestWork(locks);
            Instant t = p.platform().now();
            String oldStyle = insert(p, BackupType.APP, "wiki", BackupState.NORMAL, null, t);
            String box = insert(p, BackupType.BOX, "box", BackupState.NORMAL, null, t);
            String failed = insert(p, BackupType.APP, "wiki", BackupState.ERROR,
                    TestPlatform.config("wiki", "n", List.of(), "x"), t);

            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> ops.archive(work, oldStyle, null));
            assertEquals("backup " + oldStyle + " has no app_config (an old-style backup), so it cannot be archived: an"
                    + " archive must be able to recreate the app's configuration", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ops.archive(work, box, null));
            assertEquals("backup " + box + " is a box backup; only app backups can be archived", e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ops.archive(work, failed, null));
            assertEquals("backup " + failed + " is error; only a complete (normal) backup can be archived",
                    e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> ops.archive(work, "app/wiki/2026", null));
            assertTrue(e.getMessage().startsWith("a backup id is 2 to 64 of a-z"), e.getMessage());
            assertTrue(p.platform().archives().list().isEmpty());
        }
    }

    private static String insert(TestPlatform p, BackupType type, String identifier, BackupState state,
                                 AppConfig config, Instant t) {
        String id = BackupIds.newId(type.sql(), t);
        p.platform().backups().insert(new Backup(id, type, identifier, type.sql() + "/" + identifier + "/" + id,
                BackupFormat.TGZ, state, null, "0.9.0", config, 0, "", null, t));
        return id;
    }
}
