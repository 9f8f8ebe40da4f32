package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.examples.TestPlatform;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cleaner on a hand-made history with real backup files: the reasons, then what a real run deletes (storage and
 * row), what it keeps, and what it leaves because a writer still holds it.
 */
class CleanerIT {
    @TempDir
    Path home;

    private TestPlatform p;
    private BackupStorage storage;
    private Path sample;
    private Instant now;

    private String backup(BackupType type, String identifier, Duration age, BackupState state, long preserveSecs,
                          String parent, boolean withConfig) throws Exception {
        String id = BackupIds.newId(type.sql(), now.minus(age));
        String remote = storage.remotePathFor(type, identifier, id, BackupFormat.TGZ);
        storage.write(sample, remote, BackupFormat.TGZ, BackupStorage.Listener.NONE);
        p.platform().backups().insert(new Backup(id, type, identifier, remote, BackupFormat.TGZ, state, null, "1.0.0",
                withConfig ? TestPlatform.config(identifier, "", List.of(), "x") : null, preserveSecs, "", parent,
                now.minus(age)));
        return id;
    }

    private boolean stored(String id) {
        return p.platform().backups().find(id).map(b -> storage.exists(b.remotePath(), b.format())).orElse(false);
    }

    @Test
    void theCleanerGivesReasonsAndDeletesStorageThenRows() throws Exception {
        try (TestPlatform platform = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ);
             LockManager locks = platform.platform().lockManager("cleaner-test", new LockListener() { })) {
            p = platform;
            storage = p.platform().storage();
            sample = Files.createDirectories(home.resolve("sample"));
            Files.writeString(sample.resolve("f.txt"), "data");
            now = p.platform().now();
            p.seedApp("wiki", 16);
            p.platform().settings().setRetentionPolicy(new RetentionPolicy(3600, 2, 0, 0, 0, 6 * 3600, "UTC"));

            Map<String, String> expected = new LinkedHashMap<>();
            String box = backup(BackupType.BOX, "box", Duration.ofMinutes(10), BackupState.NORMAL, 0, null, false);
            expected.put(box, "keep keepWithinSecs");
            expected.put(backup(BackupType.APP, "wiki", Duration.ofMinutes(10), BackupState.NORMAL, 0, box, true),
                    "keep referenced");
            String oldBox = backup(BackupType.BOX, "box", Duration.ofDays(30), BackupState.NORMAL, 0, null, false);
            expected.put(oldBox, "keep keepDaily");
            String oldBox2 = backup(BackupType.BOX, "box", Duration.ofDays(31), BackupState.NORMAL, 0, null, false);
            expected.put(oldBox2, "discard expired");
            // Its box backup is discarded, so it is not 'referenced'; it is the newest of its day, the second day.
            expected.put(backup(BackupType.APP, "wiki", Duration.ofDays(31), BackupState.NORMAL, 0, oldBox2, true),
                    "keep keepDaily");
            expected.put(backup(BackupType.APP, "wiki", Duration.ofMinutes(5), BackupState.ERROR, 0, null, true),
                    "discard error");
            String archived = backup(BackupType.APP, "wiki", Duration.ofDays(100), BackupState.NORMAL, 0, null, true);
            expected.put(archived, "keep archived");
            p.platform().archives().insert(new Archive(BackupIds.newId("archive", now), archived,
                    TestPlatform.config("wiki", "", List.of(), "x"), null, null, null));
            expected.put(backup(BackupType.APP, "wiki", Duration.ofDays(50), BackupState.NORMAL, 60 * 86_400, null, true),
                    "keep preserveSecs");
            expected.put(backup(BackupType.APP, "wiki", Duration.ofDays(60), BackupState.NORMAL, 0, null, false),
                    "discard expired");
            expected.put(backup(BackupType.APP, "forum", Duration.ofDays(3), BackupState.NORMAL, 0, null, true),
                    "keep keepDaily");
            expected.put(backup(BackupType.APP, "forum", Duration.ofDays(4), BackupState.NORMAL, 0, null, true),
                    "keep keepDaily");
            expected.put(backup(BackupType.APP, "forum", Duration.ofDays(5), BackupState.NORMAL, 0, null, true),
                    "discard expired");
            // Two backups still 'creating' after 8 hours: one whose writer died (no lock held), one whose writer
            // runs on another host and still holds its lock.
            String deadWriter = backup(BackupType.APP, "wiki", Duration.ofHours(8), BackupState.CREATING, 0, null, true);
            expected.put(deadWriter, "discard error");
            String remoteWriter = backup(BackupType.APP, "wiki", Duration.ofHours(9), BackupState.CREATING, 0, null,
                    true);
            expected.put(remoteWriter, "discard creating-too-long");
            LockManager remote = LockManager.builder(p.platform().lockStore()).space(p.platform().space())
                    .holder(new Holder("backup-node-2", "another-boot", null, 4242, null, null, "app-backup-9", null))
                    .build();
            assertTrue(remote.tryAcquire(LockRequest.exclusive(LockNames.backup(remoteWriter))).isPresent());

            Cleaner cleaner = new Cleaner(p.platform(), locks);
            List<Cleaner.Outcome> dry = cleaner.run(true);
            Map<String, String> dryReasons = reasons(dry);
            expected.forEach((id, verdict) -> {
                if (id.equals(deadWriter)) {
                    assertEquals("discard creating-too-long", dryReasons.get(id), "a dry run changes nothing");
                } else {
                    assertEquals(verdict, dryReasons.get(id), id);
                }
            });
            assertEquals(expected.size(), dry.size());
            dry.forEach(o -> assertEquals(o.decision().keep() ? "kept" : "would delete", o.action()));
            expected.keySet().forEach(id -> assertTrue(stored(id), "a dry run deletes nothing: " + id));

            List<Cleaner.Outcome> real = cleaner.run(false);
            assertEquals(expected, reasons(real));
            for (Cleaner.Outcome o : real) {
                String id = o.decision().backup().id();
                if (o.decision().keep()) {
                    assertEquals("kept", o.action());
                    assertTrue(stored(id), "kept: " + id);
                } else if (id.equals(remoteWriter)) {
                    assertTrue(o.action().startsWith("in use, left for the next run: " + LockNames.backup(id)
                            + " (EXCLUSIVE) held by backup-node-2 pid 4242 (task app-backup-9)"), o.action());
                    assertTrue(stored(id), "a backup in use is not deleted");
                } else {
                    assertEquals("deleted", o.action(), id);
                    assertTrue(p.platform().backups().find(id).isEmpty(), "row deleted: " + id);
                    assertFalse(Files.exists(storage.root().resolve(o.decision().backup().remotePath())),
                            "storage deleted: " + id);
                }
            }
            assertEquals(List.of(), p.platform().backups().listOf("forum").stream()
                    .filter(b -> b.creationTime().isBefore(now.minus(Duration.ofDays(4)).minusSeconds(1)))
                    .map(Backup::id).toList(), "the oldest forum backup is gone");
        }
    }

    private static Map<String, String> reasons(List<Cleaner.Outcome> outcomes) {
        Map<String, String> out = new LinkedHashMap<>();
        outcomes.forEach(o -> out.put(o.decision().backup().id(), (o.decision().keep() ? "keep " : "discard ")
                + o.decision().reason()));
        return out;
    }
}
