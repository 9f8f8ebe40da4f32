package dev.interlock.examples.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.TestWork;
import dev.interlock.examples.cli.RootCommand;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The cleaner on a hand-made history with real backup files: the reasons, then what a real run deletes (storage and
 * row), what it keeps, and what it leaves because a writer still holds it; a backup archived after it was judged; a
 * deletion that stops part-way.
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

    private String backup(BackupFormat format, String identifier, Duration age) throws Exception {
        String id = BackupIds.newId("app", now.minus(age));
        String remote = storage.remotePathFor(BackupType.APP, identifier, id, format);
        storage.write(sample, remote, format, BackupStorage.Listener.NONE);
        p.platform().backups().insert(new Backup(id, BackupType.APP, identifier, remote, format, BackupState.NORMAL,
                null, "1.0.0", TestPlatform.config(identifier, "", List.of(), "x"), 0, "", null, now.minus(age)));
        return id;
    }

    private void setUp(TestPlatform platform) throws Exception {
        p = platform;
        storage = p.platform().storage();
        sample = home.resolve("sample");
        Files.createDirectories(sample.resolve("sub"));
        Files.writeString(sample.resolve("f.txt"), "data");
        Files.writeString(sample.resolve("sub/g.txt"), "more data");
        now = p.platform().now();
        // Nothing is kept but archived backups and the newest of an installed app.
        p.platform().settings().setRetentionPolicy(new RetentionPolicy(0, 0, 0, 0, 0, 6 * 3600, "UTC"));
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

    @Test
    void aBackupArchivedAfterTheCleanerJudgedItIsNotDeleted() throws Exception {
        try (TestPlatform platform = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ);
             LockManager archiver = platform.platform().lockManager("archiver", new LockListener() { })) {
            setUp(platform);
            String id = backup(BackupFormat.TGZ, "forum", Duration.ofDays(10));
            // The archive comes in between: once the cleaner has judged the backup from its listing, just before
            // its write that would take backup:<id>. That write then loses to the archive's and is tried again.
            String lock = LockNames.backup(id);
            AtomicReference<Archive> archived = new AtomicReference<>();
            LockStore real = p.platform().lockStore();
            LockStore racing = new LockStore() {
                @Override
                public Optional<Stored> read(String space) {
                    return real.read(space);
                }

                @Override
                public CasResult compareAndSet(String space, long expectedVersion, String newData) {
                    if (newData.contains("\"" + lock + "\"") && archived.get() == null) {
                        try {
                            archived.set(new Operations(p.platform()).archive(new TestWork(archiver), id, null));
                        } catch (Exception e) {
                            throw new AssertionError("the archive failed", e);
                        }
                    }
                    return real.compareAndSet(space, expectedVersion, newData);
                }

                @Override
                public void createSpaceIfAbsent(String space, String initialData) {
                    real.createSpaceIfAbsent(space, initialData);
                }
            };
            try (LockManager locks = LockManager.builder(racing).space(p.platform().space())
                    .holder(Holder.currentProcess("cleaner-test")).build()) {
                List<Cleaner.Outcome> outcomes = new Cleaner(p.platform(), locks).run(false);
                assertEquals(1, outcomes.size(), outcomes.toString());
                Cleaner.Outcome o = outcomes.get(0);
                assertEquals("discard expired", reasons(outcomes).get(id), "judged before the archive came");
                assertTrue(archived.get() != null, "the archive came in between");
                assertEquals("archived as " + archived.get().id() + ", kept", o.action());
                assertFalse(o.failed());
            }
            assertEquals(BackupState.NORMAL, p.platform().backups().require(id).state());
            assertTrue(stored(id), "the archived backup's storage is kept");
            assertEquals(Optional.of(id), p.platform().archives().find(archived.get().id()).map(Archive::backupId));
        }
    }

    @Test
    void aDeletionThatStopsPartWayLeavesAnErrorRowThatCannotBeRestored() throws Exception {
        try (TestPlatform platform = TestPlatform.create(home, Secret.none(), BackupFormat.RSYNC);
             LockManager locks = platform.platform().lockManager("cleaner-test", new LockListener() { })) {
            setUp(platform);
            p.seedApp("wiki", 16);
            String old = backup(BackupFormat.RSYNC, "wiki", Duration.ofDays(10));
            String latest = backup(BackupFormat.RSYNC, "wiki", Duration.ofDays(1));
            Path stuck = storage.root().resolve(p.platform().backups().require(old).remotePath()).resolve("sub");
            assumeTrue(undeletable(stuck, true), "cannot make a directory undeletable here (chattr +i as root)");
            try {
                Cleaner.Outcome o = outcomeOf(new Cleaner(p.platform(), locks).run(false), old);
                assertTrue(o.failed(), o.toString());
                assertTrue(o.action().startsWith("storage could not be deleted, row kept as error for the next run: "),
                        o.action());
                assertEquals(BackupState.ERROR, p.platform().backups().require(old).state(),
                        "marked error before its files went");
                IllegalArgumentException refused = assertThrows(IllegalArgumentException.class,
                        () -> new Operations(p.platform()).restore(new TestWork(locks), "wiki", old));
                assertTrue(refused.getMessage().contains("only a complete (normal) backup can be restored"),
                        refused.getMessage());
                assertEquals("kept", outcomeOf(new Cleaner(p.platform(), locks).run(true), latest).action());

                StringWriter printed = new StringWriter();
                assertEquals(1, cleanupCommand(printed), "the command fails when a backup could not be deleted: "
                        + printed);
                assertTrue(printed.toString().contains("error: 1 discarded backup could not be deleted; see ACTION"
                        + " above"), printed.toString());
            } finally {
                undeletable(stuck, false);
            }
            Cleaner.Outcome again = outcomeOf(new Cleaner(p.platform(), locks).run(false), old);
            assertEquals("discard error", reasons(List.of(again)).get(old));
            assertEquals("deleted", again.action(), "the next run deletes the rest");
            assertTrue(p.platform().backups().find(old).isEmpty());
            assertFalse(Files.exists(stuck.getParent()));
        }
    }

    private int cleanupCommand(StringWriter printed) {
        CommandLine cl = RootCommand.commandLine();
        cl.setOut(new PrintWriter(printed));
        cl.setErr(new PrintWriter(printed));
        List<String> args = new ArrayList<>(List.of("cleanup"));
        args.addAll(p.cliOptions(home));
        return cl.execute(args.toArray(new String[0]));
    }

    private static Cleaner.Outcome outcomeOf(List<Cleaner.Outcome> outcomes, String id) {
        return outcomes.stream().filter(o -> o.decision().backup().id().equals(id)).findFirst().orElseThrow();
    }

    /**
     * Makes a directory's entries undeletable, or deletable again: {@code chattr +i} as root (whom permissions do
     * not stop), no permissions at all otherwise.
     */
    private static boolean undeletable(Path dir, boolean on) throws Exception {
        if ("root".equals(System.getProperty("user.name"))) {
            Process chattr = new ProcessBuilder("chattr", on ? "+i" : "-i", dir.toString()).redirectErrorStream(true)
                    .start();
            chattr.getInputStream().readAllBytes();
            return chattr.waitFor() == 0;
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString(on ? "---------" : "rwxr-xr-x"));
        return true;
    }

    private static Map<String, String> reasons(List<Cleaner.Outcome> outcomes) {
        Map<String, String> out = new LinkedHashMap<>();
        outcomes.forEach(o -> out.put(o.decision().backup().id(), (o.decision().keep() ? "keep " : "discard ")
                + o.decision().reason()));
        return out;
    }
}
