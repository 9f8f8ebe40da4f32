package dev.interlock.examples.tasks;

import static dev.interlock.examples.TestPlatform.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.domain.Backup;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.BackupState;
import dev.interlock.examples.domain.Secret;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Task processes that die part-way through a backup: killed (SIGKILL), stopped (SIGTERM), and killed with no
 * supervisor watching. In every case the backup ends in state error and no lock stays held. And a process that ends
 * by a signal after its task recorded its end leaves that end as it was.
 */
class KilledTaskIT {
    @TempDir
    Path home;

    /** Starts a slow backup of a 4 MiB app and waits until it is a fifth done. */
    private static Task slowBackupPartWay(TestPlatform p, boolean supervised) throws Exception {
        p.seedApp("wiki", 4096);
        Task task = p.tasks().create(TaskType.APP_BACKUP, args("appId", "wiki", "paceMsPerMiB", 2000));
        if (supervised) {
            p.supervisor().start(task.id());
        } else {
            Process process = p.supervisor().processBuilder(task).start();
            p.tasks().markRunning(task.id(), process.pid());
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (p.tasks().require(task.id()).percent() < 20) {
            assertFalse(p.tasks().require(task.id()).state().isFinal(), "ended early: " + p.tasks().require(task.id()));
            assertTrue(System.nanoTime() < deadline, "no progress within a minute: " + p.tasks().require(task.id()));
            Thread.sleep(20);
        }
        Task running = p.tasks().require(task.id());
        assertTrue(running.percent() < 100, "part-way: " + running);
        return running;
    }

    private static Backup onlyBackup(TestPlatform p) {
        List<Backup> backups = p.platform().backups().listOf("wiki");
        assertEquals(1, backups.size(), backups.toString());
        return backups.get(0);
    }

    private static List<Path> filesUnder(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            return walk.filter(Files::isRegularFile).collect(Collectors.toList());
        }
    }

    @Test
    void aTaskKilledPartWayLeavesItsBackupInErrorAndNoLockHeld() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.of("pw"), BackupFormat.TGZ)) {
            Task task = slowBackupPartWay(p, true);
            assertEquals(BackupState.CREATING, onlyBackup(p).state());
            try (LockManager locks = p.platform().lockManager("test", new LockListener() { })) {
                List<String> held = locks.snapshot().grantsOfTask(task.name()).stream()
                        .map(LockSnapshot.Grant::lock).collect(Collectors.toList());
                assertEquals(2, held.size(), "the app's lock and the backup's: " + held);

                ProcessHandle.of(task.pid()).orElseThrow().destroyForcibly();
                Task ended = p.supervisor().await(task.id(), Duration.ofSeconds(30));

                assertEquals(TaskState.KILLED, ended.state());
                assertEquals(137, ended.exitCode(), "128 + SIGKILL");
                assertEquals("killed by signal 9 (SIGKILL)", ended.error());
                assertEquals(BackupState.ERROR, onlyBackup(p).state());
                assertTrue(locks.snapshot().isEmpty(), "the supervisor freed its locks: " + locks.snapshot());
                List<String> events = Holds.messages(p.tasks(), ended, TaskEvent.Kind.RELEASED);
                assertEquals(List.of("supervisor freed 2 lock grants still held by " + ended.name()), events);
                Optional<Lease> app = locks.tryAcquire(LockRequest.exclusive("app:wiki"));
                assertTrue(app.isPresent(), "the app's lock is free to take");
                app.get().close();
            }
        }
    }

    @Test
    void aTaskStoppedBySigtermCleansUpAndExitsWith70() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.RSYNC)) {
            Task task = slowBackupPartWay(p, true);
            ProcessHandle.of(task.pid()).orElseThrow().destroy();
            Task ended = p.supervisor().await(task.id(), Duration.ofSeconds(30));

            assertEquals(TaskState.STOPPED, ended.state(), ended.toString());
            assertEquals(70, ended.exitCode());
            assertEquals("stopped by SIGTERM: stopped while backing up wiki", ended.error());
            assertEquals(BackupState.ERROR, onlyBackup(p).state(), "the task marked its own backup error");
            assertTrue(Holds.messages(p.tasks(), ended, TaskEvent.Kind.RELEASED).isEmpty(),
                    "the task released its locks itself; the supervisor had none to free");
            assertEquals(List.of(), filesUnder(p.platform().settings().backupConfig().rootPath()),
                    "the partial copy was removed");
            try (LockManager locks = p.platform().lockManager("test", new LockListener() { })) {
                assertTrue(locks.snapshot().isEmpty(), locks.snapshot().toString());
            }
        }
    }

    @Test
    void anEndTheTaskRecordedIsKeptWhateverItsProcessExitedWith() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ)) {
            Tasks tasks = p.tasks();
            // Done, then a SIGTERM before the process could exit; failed, then a SIGKILL.
            Task done = tasks.create(TaskType.APP_BACKUP, args("appId", "wiki"));
            tasks.markRunning(done.id(), ProcessHandle.current().pid());
            tasks.finish(done.id(), TaskState.DONE, null, args("backupId", "app-1"));
            Task ended = p.supervisor().ended(tasks.require(done.id()), TaskMain.EXIT_STOPPED);
            assertEquals(TaskState.DONE, ended.state(), ended.toString());
            assertEquals(null, ended.error());
            assertEquals(TaskMain.EXIT_STOPPED, ended.exitCode(), "the exit code is recorded as it was");
            assertEquals(List.of(done.name() + " exited with 70: done"),
                    Holds.messages(tasks, ended, TaskEvent.Kind.EXITED));

            Task failed = tasks.create(TaskType.APP_BACKUP, args("appId", "wiki"));
            tasks.markRunning(failed.id(), ProcessHandle.current().pid());
            tasks.finish(failed.id(), TaskState.FAILED, "no app 'wiki'", null);
            Task killed = p.supervisor().ended(tasks.require(failed.id()), 137);
            assertEquals(TaskState.FAILED, killed.state());
            assertEquals("no app 'wiki'", killed.error());
            assertEquals(137, killed.exitCode());
        }
    }

    @Test
    void withoutASupervisorTheReaperFreesTheLocksOfAKilledTask() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ)) {
            Task task = slowBackupPartWay(p, false);
            ProcessHandle process = ProcessHandle.of(task.pid()).orElseThrow();
            process.destroyForcibly();
            process.onExit().get();
            try (LockManager locks = p.platform().lockManager("test", new LockListener() { })) {
                assertEquals(2, locks.snapshot().grantsOfTask(task.name()).size(),
                        "nobody freed the dead task's locks yet");
                assertEquals(2, locks.reap(), "the reaper finds the pid gone and frees both grants");
                assertTrue(locks.snapshot().isEmpty());
                assertEquals(List.of(onlyBackup(p).id()), p.platform().backups().failOrphans(locks),
                        "its creating backup has no writer: marked error");
                assertEquals(BackupState.ERROR, onlyBackup(p).state());
            }
            List<Task> recovered = p.supervisor().recover();
            assertEquals(List.of(task.id()), recovered.stream().map(Task::id).collect(Collectors.toList()));
            assertEquals(TaskState.KILLED, recovered.get(0).state());
            assertTrue(recovered.get(0).error().contains("no supervisor saw it end"), recovered.get(0).error());
        }
    }
}
