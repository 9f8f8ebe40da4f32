package dev.interlock.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.examples.domain.App;
import dev.interlock.examples.domain.AppConfig;
import dev.interlock.examples.domain.Archive;
import dev.interlock.examples.domain.Backup;
import dev.interlock.examples.domain.BackupConfig;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.BackupIds;
import dev.interlock.examples.domain.BackupState;
import dev.interlock.examples.domain.BackupStorage;
import dev.interlock.examples.domain.BackupType;
import dev.interlock.examples.domain.Cleaner;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.LockNames;
import dev.interlock.examples.domain.Operations;
import dev.interlock.examples.domain.Platform;
import dev.interlock.examples.domain.RetentionPolicy;
import dev.interlock.examples.domain.Secret;
import dev.interlock.examples.tasks.Supervisor;
import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskEvent;
import dev.interlock.examples.tasks.TaskState;
import dev.interlock.examples.tasks.TaskType;
import dev.interlock.examples.tasks.Tasks;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;

/**
 * The demo: seeds a few apps and a backup history, then runs several task processes at once (app backups, a full
 * backup, an update, a clone from an archive), kills two of them with SIGKILL part-way (one watched by the
 * supervisor, one as if its supervisor had died), and prints what happened: the timeline, who waited for which
 * lock and why, what ran in parallel, what was reaped, the resulting backups and archives, and the cleaner's
 * verdicts. It checks its own outcome and returns non-zero if anything is off; it leaves no lock held.
 */
final class Demo {
    private static final long MIB = 1024 * 1024;

    /**
     * @param paceMsPerMiB how slowly the tasks copy (so that overlaps last long enough to be seen)
     * @param verbose      also show the {@code backup:<id>} lock events
     */
    record Options(long paceMsPerMiB, boolean verbose) {
    }

    private record Seed(String id, String title, String version, int mib, Color color, String notes,
                        List<String> operators, Map<String, AppConfig.ChecklistItem> checklist) {
    }

    private static final List<Seed> SEEDS = List.of(
            new Seed("blog", "Blog", "2.3.1", 3, new Color(0xE0, 0x6C, 0x3C), "Public blog; Carol moderates comments.",
                    List.of("carol"), Map.of("dns", new AppConfig.ChecklistItem("Point blog.example.org here", true))),
            new Seed("chat", "Team chat", "5.0.2", 5, new Color(0x3C, 0x8C, 0xE0), "Team chat; history kept 90 days.",
                    List.of("alice", "dave"), Map.of("sso", new AppConfig.ChecklistItem("Turn on single sign-on", false))),
            new Seed("wiki", "Wiki", "1.8.0", 4, new Color(0x4C, 0xB0, 0x50), "Team wiki. Ask Bob before changing the theme.",
                    List.of("alice", "bob"), Map.of(
                            "admin", new AppConfig.ChecklistItem("Change the admin password", true),
                            "restore", new AppConfig.ChecklistItem("Test a restore", false))));

    private final Platform platform;
    private final PrintWriter out;
    private final Options options;
    private final Tasks tasks;
    private final List<String> problems = new ArrayList<>();
    private final long startNanos = System.nanoTime();
    private Instant t0;
    private String stuckBackup;
    private long firstEventId;
    /** The hung writer on another host; never closed: an operator takes its lock away. */
    private LockManager stuckWriter;

    Demo(Platform platform, PrintWriter out, Options options) {
        this.platform = platform;
        this.out = out;
        this.options = options;
        this.tasks = new Tasks(platform.jdbi());
        if (options.paceMsPerMiB() < 0 || options.paceMsPerMiB() > 10_000) {
            throw new IllegalArgumentException("--pace-ms-per-mib must be between 0 and 10000, was "
                    + options.paceMsPerMiB());
        }
    }

    int run() throws Exception {
        t0 = platform.now();
        heading("1. Set-up: " + platform.database().redactedUrl() + ", lock space '" + platform.space() + "', home "
                + platform.home());
        setUp();
        heading("2. A backup of wiki, archived, so it can be cloned later; then wiki's notes change");
        String archiveId = prepareArchive();
        heading("3. Six task processes at once, each a JVM of its own");
        Map<String, Task> started = runTasks(archiveId);
        heading("4. What ran in parallel, and who waited for whom");
        Gantt gantt = new Gantt(tasks, started.values());
        summarize(started, gantt);
        heading("5. Backups and archives now");
        listBackups();
        heading("6. The cleaner, with its keep or discard reason for every backup");
        clean();
        heading("7. Checks");
        check(started, archiveId, gantt);
        double secs = (System.nanoTime() - startNanos) / 1e9;
        if (problems.isEmpty()) {
            out.printf("OK: the demo finished in %.1f s, and no lock is held.%n", secs);
            out.flush();
            return 0;
        }
        problems.forEach(p -> out.println("PROBLEM: " + p));
        out.printf("the demo finished in %.1f s with %d problems%n", secs, problems.size());
        out.flush();
        return 1;
    }

    // ------------------------------------------------------------------------------------------------ 1. set-up

    private void setUp() throws IOException {
        platform.resetTables();
        for (String dir : List.of("apps", "demo-mount", "logs", "platform", "tmp")) {
            BackupStorage.deleteTree(platform.home().resolve(dir));
        }
        Files.createDirectories(platform.tmpDir());
        try (LockManager locks = platform.lockManager("demo", new LockListener() { })) {
            locks.reap();
            LockSnapshot left = locks.snapshot();
            if (!left.isEmpty()) {
                say("the space still holds locks of live holders from an earlier run; the demo releases them:");
                left.grants().forEach(g -> say("  " + g.describe()));
                left.grants().stream().map(LockSnapshot.Grant::holderId).distinct().forEach(locks::releaseAll);
            }
        }
        String password = randomPassword();
        BackupConfig config = new BackupConfig(BackupFormat.TGZ, platform.home().resolve("demo-mount"),
                Secret.of(password));
        platform.settings().setBackupConfig(config);
        say("backup config: format " + config.format().sql() + ", mount " + config.mount() + " (root "
                + config.rootPath() + ", derived, not stored), password " + config.password()
                + " (random, stored apart in settings, never shown or logged)");
        RetentionPolicy policy = new RetentionPolicy(3600, 1, 1, 1, 0, 24 * 3600, "UTC");
        platform.settings().setRetentionPolicy(policy);
        say("retention policy: keepWithinSecs 3600, keepDaily 1, keepWeekly 1, keepMonthly 1, creating timeout 1 day");
        for (Seed s : SEEDS) {
            Path dir = platform.appsDir().resolve(s.id());
            writeAppData(dir, s);
            platform.apps().insert(s.id(), new AppConfig(AppConfig.manifest("org.example." + s.id(), s.title(),
                    s.version()), s.notes(), s.operators(), s.checklist()), dir, 0);
            say("app " + s.id() + ": " + s.mib() + " MiB of data in " + dir + ", operators " + s.operators());
        }
        seedHistory();
    }

    private void writeAppData(Path dir, Seed s) throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.createDirectories(dir.resolve("uploads"));
        Random random = new Random(s.id().hashCode());
        byte[] chunk = new byte[(int) MIB];
        for (int i = 0; i < s.mib(); i++) {
            random.nextBytes(chunk);
            Files.write(dir.resolve("data").resolve("part-" + i + ".bin"), chunk);
        }
        Files.writeString(dir.resolve("config.json"), Json.write(Json.MAPPER.createObjectNode().put("title", s.title())));
        Files.writeString(dir.resolve("uploads").resolve("readme.txt"), "uploads of " + s.title() + "\n");
        Files.write(dir.resolve(Operations.ICON_FILE), png(s.color(), 32));
    }

    /** @return a square PNG of one colour: the apps' icons */
    private static byte[] png(Color color, int size) throws IOException {
        BufferedImage image = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(color);
        g.fillRect(0, 0, size, size);
        g.dispose();
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageIO.write(image, "png", png);
        return png.toByteArray();
    }

    /** Old backups, made before the password was set (plain), some of them in odd states, for the cleaner. */
    private void seedHistory() throws IOException {
        BackupStorage plain = new BackupStorage(platform.settings().backupConfig().rootPath(), Secret.none());
        Path sample = Files.createTempDirectory(platform.tmpDir(), "history-");
        Files.writeString(sample.resolve("data.txt"), "an old backup\n");
        Map<String, App> apps = new LinkedHashMap<>();
        platform.apps().list().forEach(a -> apps.put(a.id(), a));
        String box35 = history(plain, sample, null, 35, BackupState.NORMAL, 0, null, null);
        history(plain, sample, "wiki", 35, BackupState.NORMAL, 0, box35, apps.get("wiki").config());
        history(plain, sample, "chat", 35, BackupState.NORMAL, 0, box35, apps.get("chat").config());
        String box8 = history(plain, sample, null, 8, BackupState.NORMAL, 0, null, null);
        history(plain, sample, "wiki", 8, BackupState.NORMAL, 0, box8, apps.get("wiki").config());
        history(plain, sample, "chat", 8, BackupState.NORMAL, 0, box8, apps.get("chat").config());
        stuckBackup = history(plain, sample, "wiki", 3, BackupState.CREATING, 0, null, apps.get("wiki").config());
        // Its writer runs on another host and hangs: alive as far as this host can tell, so nobody reaps it.
        stuckWriter = LockManager.builder(platform.lockStore()).space(platform.space())
                .holder(new Holder("backup-node-2", "0b5e55ed-0000-4000-8000-000000000002", null, 4242, null, null,
                        "app-backup-old", null))
                .build();
        stuckWriter.tryAcquire(LockRequest.exclusive(LockNames.backup(stuckBackup))).orElseThrow(
                () -> new IllegalStateException("could not take the lock of " + stuckBackup));
        history(plain, sample, "wiki", 2, BackupState.ERROR, 0, null, apps.get("wiki").config());
        history(plain, sample, "wiki", 2, BackupState.NORMAL, 30 * 86_400, null, apps.get("wiki").config());
        history(plain, sample, "blog", 100, BackupState.NORMAL, 0, null, null); // old-style: no app config
        AppConfig forum = new AppConfig(AppConfig.manifest("org.example.forum", "Forum", "3.1.0"), "Old forum",
                List.of("erin"), Map.of());
        for (int daysAgo : new int[] {20, 50, 400}) {
            history(plain, sample, "forum", daysAgo, BackupState.NORMAL, 0, null, forum); // forum is uninstalled
        }
        BackupStorage.deleteTree(sample);
        say("seeded 13 older backups: 2 box backups with their app backups, an 'error' one, one with preserve_secs, an"
                + " old-style one without app config, three of an uninstalled app, and one still 'creating' after 3"
                + " days, whose writer on host backup-node-2 hangs and still holds backup:" + stuckBackup);
    }

    private String history(BackupStorage storage, Path sample, String appId, int daysAgo, BackupState state,
                           long preserveSecs, String parent, AppConfig config) throws IOException {
        Instant time = t0.minus(Duration.ofDays(daysAgo)).minusSeconds(600);
        BackupType type = appId == null ? BackupType.BOX : BackupType.APP;
        String identifier = appId == null ? Backup.BOX : appId;
        String id = BackupIds.newId(type.sql(), time);
        String remotePath = storage.remotePathFor(type, identifier, id, BackupFormat.TGZ);
        storage.write(sample, remotePath, BackupFormat.TGZ, BackupStorage.Listener.NONE);
        platform.backups().insert(new Backup(id, type, identifier, remotePath, BackupFormat.TGZ, state, null,
                config == null ? "0.9.0" : config.packageVersion(), config, preserveSecs, "history", parent, time));
        return id;
    }

    // ------------------------------------------------------------------------------------------------ 2. archive

    private String prepareArchive() throws Exception {
        ObjectNode args = Json.MAPPER.createObjectNode().put("appId", "wiki").put("label", "before the theme change");
        Task backup = TasksCommand.supervise(platform, TaskType.APP_BACKUP, args, out);
        if (backup.state() != TaskState.DONE) {
            throw new IllegalStateException("the first backup of wiki failed: " + backup.error());
        }
        String backupId = backup.result().path("backupId").asText();
        Archive archive;
        AppConfig now;
        try (LockManager locks = platform.lockManager("demo", new LockListener() { })) {
            ConsoleContext ctx = new ConsoleContext(locks, out, Duration.ofMinutes(1));
            Operations ops = new Operations(platform);
            archive = ops.archive(ctx, backupId, png(new Color(0x30, 0x30, 0x30), 64));
            App wiki = platform.apps().require("wiki");
            now = ops.editConfig(ctx, "wiki", new AppConfig(wiki.config().manifest(),
                    "Team wiki, new theme since today. Ask Eve, not Bob.", List.of("eve"),
                    Map.of("theme", new AppConfig.ChecklistItem("Review the new theme", false)))).config();
        }
        say("archive " + archive.id() + " keeps backup " + backupId + " with icon ("
                + (archive.icon() == null ? "none" : archive.icon().length + " bytes") + ") and app config: notes \""
                + archive.appConfig().notes() + "\", operators " + archive.appConfig().operators());
        say("wiki's config changed since: notes \"" + now.notes() + "\", operators " + now.operators()
                + ", checklist " + now.checklist().keySet());
        return archive.id();
    }

    // ------------------------------------------------------------------------------------------------ 3. tasks

    private Map<String, Task> runTasks(String archiveId) throws Exception {
        long pace = options.paceMsPerMiB();
        say("tasks copy at " + pace + " ms per MiB (--pace-ms-per-mib) so that their overlaps last long enough to see."
                + " Locks: app:<id> per app, task-type:full-backup, task-type:update (update step only).");
        say("lines: +time since the demo started (database clock), task, event. " + (options.verbose() ? ""
                : "The backup:<id> locks every backup takes are not shown (--verbose shows them)."));
        Map<String, Task> started = new LinkedHashMap<>();
        try (Supervisor supervisor = new Supervisor(platform, Supervisor.Launch.ofThisJvm())) {
            firstEventId = tasks.lastEventId();
            Timeline timeline = new Timeline(tasks, t0, out, options.verbose(), firstEventId);

            // A task whose supervisor is gone: started by hand here, and nobody frees its locks when it dies.
            Task orphan = tasks.create(TaskType.APP_BACKUP, args("appId", "blog", pace));
            Process orphanProcess = supervisor.processBuilder(orphan).start();
            tasks.markRunning(orphan.id(), orphanProcess.pid());
            tasks.event(orphan.id(), TaskEvent.Kind.STARTED, null, null, "started " + orphan.name() + " as pid "
                    + orphanProcess.pid() + ", with no supervisor watching it (as if the supervisor had crashed)");
            started.put("orphan", orphan);
            awaitEvent(timeline, orphan.id(), "app:blog");

            started.put("full", supervisor.submit(TaskType.FULL_BACKUP, args("label", "nightly", pace)));
            awaitEvent(timeline, started.get("full").id(), LockNames.FULL_BACKUP);
            started.put("chat", supervisor.submit(TaskType.APP_BACKUP, args("appId", "chat", pace)));
            started.put("victim", supervisor.submit(TaskType.APP_BACKUP, args("appId", "wiki", pace)));
            ObjectNode update = args("toVersion", "1.1.0", pace);
            update.put("releaseBytes", 2 * MIB);
            started.put("update", supervisor.submit(TaskType.UPDATE, update));
            ObjectNode clone = args("archiveId", archiveId, pace);
            clone.put("appId", "wiki-copy");
            started.put("clone", supervisor.submit(TaskType.CLONE, clone));

            boolean orphanKilled = false;
            boolean victimKilled = false;
            long deadline = System.nanoTime() + Duration.ofMinutes(3).toNanos();
            while (supervisor.runningCount() > 0 || orphanProcess.isAlive()) {
                timeline.printNew();
                if (!orphanKilled && percent(orphan) >= 30) {
                    orphanKilled = kill(orphanProcess.toHandle(), orphan, "nobody will free its locks: the next task"
                            + " that needs app:blog must find out that it is dead and reap them");
                }
                Task victim = started.get("victim");
                if (!victimKilled && percent(victim) >= 40) {
                    victimKilled = ProcessHandle.of(victim.pid()).map(p -> kill(p, victim,
                            "its supervisor will record the kill and free its locks")).orElse(true);
                }
                if (System.nanoTime() > deadline) {
                    problems.add("the tasks did not end within 3 minutes; killing them");
                    orphanProcess.destroyForcibly();
                    started.values().forEach(t -> ProcessHandle.of(tasks.require(t.id()).pid() == null ? -1
                            : tasks.require(t.id()).pid()).ifPresent(ProcessHandle::destroyForcibly));
                    break;
                }
                Thread.sleep(100);
            }
            for (Task t : started.values()) {
                if (t != orphan) {
                    supervisor.await(t.id(), Duration.ofSeconds(30));
                }
            }
            // A supervisor that starts again finds the task it never saw end.
            for (Task dead : supervisor.recover()) {
                say("supervisor (restarted): " + dead.name() + " was recorded as running, but pid " + dead.pid()
                        + " is gone: recorded as killed");
            }
            timeline.printNew();
        }
        Map<String, Task> ended = new LinkedHashMap<>();
        started.forEach((k, t) -> ended.put(k, tasks.require(t.id())));
        return ended;
    }

    private ObjectNode args(String key, String value, long pace) {
        return Json.MAPPER.createObjectNode().put(key, value).put("paceMsPerMiB", pace);
    }

    private int percent(Task task) {
        return tasks.require(task.id()).percent();
    }

    private boolean kill(ProcessHandle process, Task task, String consequence) {
        Task now = tasks.require(task.id());
        tasks.event(task.id(), TaskEvent.Kind.SIGNAL, null, null, "the demo sends SIGKILL to pid " + process.pid()
                + " at " + now.percent() + "%: " + consequence);
        process.destroyForcibly();
        return true;
    }

    private void awaitEvent(Timeline timeline, long taskId, String lock) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        BooleanSupplier holds = () -> tasks.eventsOf(taskId).stream()
                .anyMatch(e -> e.kind() == TaskEvent.Kind.ACQUIRED && lock.equals(e.lockName()));
        while (!holds.getAsBoolean()) {
            timeline.printNew();
            if (System.nanoTime() > deadline || tasks.require(taskId).state().isFinal()) {
                throw new IllegalStateException("task " + taskId + " did not take " + lock + "; see its log in "
                        + platform.logsDir());
            }
            Thread.sleep(50);
        }
        timeline.printNew();
    }

    // ------------------------------------------------------------------------------------------------ 4. summary

    private void summarize(Map<String, Task> started, Gantt gantt) {
        gantt.print(out);
        out.println();
        out.println("Who waited for whom:");
        gantt.waits().forEach(w -> out.println("  " + w));
        out.println("App locks held at the same time by different tasks (these ran in parallel):");
        List<String> overlaps = gantt.overlaps();
        overlaps.stream().limit(12).forEach(o -> out.println("  " + o));
        if (overlaps.size() > 12) {
            out.println("  ... and " + (overlaps.size() - 12) + " more");
        }
        out.println("Reaped by the backstop:");
        List<String> reaped = tasks.eventsAfter(firstEventId).stream().filter(e -> e.kind() == TaskEvent.Kind.REAPED)
                .map(e -> (e.taskId() == null ? "platform" : tasks.require(e.taskId()).name()) + ": " + e.message())
                .collect(Collectors.toList());
        if (reaped.isEmpty()) {
            out.println("  nothing");
        }
        reaped.forEach(r -> out.println("  " + r));
        out.println("Tasks:");
        Table table = new Table("TASK", "STATE", "EXIT", "PID", "RESULT / ERROR");
        for (Task t : started.values()) {
            String what = t.error() != null ? t.error() : String.valueOf(t.result());
            table.row(t.name(), t.state().sql(), t.exitCode(), t.pid(), what.length() > 90 ? what.substring(0, 87) + "..."
                    : what);
        }
        table.print(out, "  ");
    }

    // ------------------------------------------------------------------------------------------------ 5. lists

    private void listBackups() {
        Table backups = new Table("BACKUP", "APP", "STATE", "ENC", "CREATED", "PARENT", "LABEL");
        for (Backup b : platform.backups().list()) {
            backups.row(b.id(), b.identifier(), b.state().sql(), b.encryptionVersion() == null ? "no" : "yes",
                    b.creationTime().toString().substring(0, 19) + "Z", b.parentId(), b.label());
        }
        backups.print(out, "  ");
        Table archives = new Table("ARCHIVE", "BACKUP", "PACKAGE", "ICON", "NOTES AT BACKUP TIME");
        for (Archive a : platform.archives().list()) {
            archives.row(a.id(), a.backupId(), a.appConfig().manifest().path("id").asText(),
                    a.icon() == null ? "-" : a.icon().length + " B", a.appConfig().notes());
        }
        out.println();
        archives.print(out, "  ");
    }

    // ------------------------------------------------------------------------------------------------ 6. cleaner

    private void clean() {
        try (LockManager locks = platform.lockManager("demo-cleanup", new LockListener() { })) {
            printOutcomes(new Cleaner(platform, locks).run(false), false);
            out.println();
            say("backup " + stuckBackup + " stays: its writer on backup-node-2 still holds its lock, and this host"
                    + " cannot tell whether it is alive (no lease). The operator knows the node is gone and frees it,"
                    + " as `locks release " + LockNames.backup(stuckBackup) + " --force --reason ...` does:");
            LocksCommand.forceRelease(locks, tasks, LockNames.backup(stuckBackup), "backup-node-2 was decommissioned",
                    out);
            say("the cleaner again:");
            printOutcomes(new Cleaner(platform, locks).run(false), true);
        }
    }

    private void printOutcomes(List<Cleaner.Outcome> outcomes, boolean onlyDeleted) {
        Table table = new Table("BACKUP", "APP", "STATE", "AGE", "VERDICT", "REASON", "DETAIL", "ACTION");
        Instant now = platform.now();
        for (Cleaner.Outcome o : outcomes) {
            Backup b = o.decision().backup();
            if (onlyDeleted && o.decision().keep()) {
                continue;
            }
            table.row(b.id(), b.identifier(), b.state().sql(), LocksCommand.age(Duration.between(b.creationTime(), now)),
                    o.decision().keep() ? "keep" : "discard", o.decision().reason(), o.decision().detail(),
                    o.action().length() > 100 ? o.action().substring(0, 97) + "..." : o.action());
        }
        table.print(out, "  ");
    }

    // ------------------------------------------------------------------------------------------------ 7. checks

    private void check(Map<String, Task> started, String archiveId, Gantt gantt) {
        gantt.violations().forEach(v -> problems.add("lock held twice at once: " + v));
        expect(started, "full", TaskState.DONE);
        expect(started, "chat", TaskState.DONE);
        expect(started, "update", TaskState.DONE);
        expect(started, "clone", TaskState.DONE);
        expect(started, "victim", TaskState.KILLED);
        expect(started, "orphan", TaskState.KILLED);
        for (String key : List.of("victim", "orphan")) {
            for (TaskEvent e : tasks.eventsOf(started.get(key).id())) {
                if (e.kind() == TaskEvent.Kind.ACQUIRED && e.lockName().startsWith("backup:")) {
                    String backupId = e.lockName().substring("backup:".length());
                    platform.backups().find(backupId).ifPresent(b -> {
                        if (b.state() != BackupState.ERROR) {
                            problems.add("backup " + backupId + " of killed task " + started.get(key).name() + " is "
                                    + b.state().sql() + ", not error");
                        }
                    });
                }
            }
        }
        Archive archive = platform.archives().require(archiveId);
        platform.apps().find("wiki-copy").ifPresentOrElse(copy -> {
            if (!copy.config().equals(archive.appConfig())) {
                problems.add("the clone's config " + copy.config() + " is not the archived one " + archive.appConfig());
            }
            say("wiki-copy has the notes of backup time: \"" + copy.config().notes() + "\", operators "
                    + copy.config().operators() + "; wiki has \"" + platform.apps().require("wiki").config().notes()
                    + "\"");
        }, () -> problems.add("the clone wiki-copy was not created"));
        if (!platform.settings().platformVersion().equals("1.1.0")) {
            problems.add("the platform version is " + platform.settings().platformVersion() + ", not 1.1.0");
        }
        try (LockManager locks = platform.lockManager("demo-check", new LockListener() { })) {
            LockSnapshot snapshot = locks.snapshot();
            if (snapshot.isEmpty()) {
                say("locks held now: none");
            } else {
                snapshot.grants().forEach(g -> problems.add("still held: " + g.describe()));
            }
        }
    }

    private void expect(Map<String, Task> started, String key, TaskState state) {
        Task t = started.get(key);
        if (t.state() != state) {
            problems.add(t.name() + " ended " + t.state().sql() + ", expected " + state.sql()
                    + (t.error() != null ? " (" + t.error() + ")" : "") + "; log: " + platform.logsDir());
        }
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void heading(String title) {
        out.println();
        out.println("== " + title);
        out.flush();
    }

    private void say(String line) {
        out.println(line);
        out.flush();
    }

    private static String randomPassword() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }
}
