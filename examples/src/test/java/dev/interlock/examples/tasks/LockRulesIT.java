package dev.interlock.examples.tasks;

import static dev.interlock.examples.TestPlatform.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.LockNames;
import dev.interlock.examples.domain.Secret;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The lock rules, with real task processes on a real database: tasks run in parallel where allowed and take turns
 * where not. The evidence is what the task processes recorded in {@code task_events} by the database's clock (see
 * {@link Holds}), not sleeps: a copy pace only makes each step last long enough for overlaps to be likely.
 */
class LockRulesIT {
    @TempDir
    Path home;

    private static Task await(TestPlatform p, Task t) throws InterruptedException {
        Task ended = p.supervisor().await(t.id(), Duration.ofMinutes(2));
        assertEquals(TaskState.DONE, ended.state(), ended.name() + " failed: " + ended.error());
        return ended;
    }

    @Test
    void tasksOnDifferentAppsRunTogetherAndTasksOnOneAppTakeTurns() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ)) {
            p.seedApp("alpha", 3072);
            p.seedApp("beta", 3072);
            Supervisor s = p.supervisor();
            Task a1 = s.submit(TaskType.APP_BACKUP, args("appId", "alpha", "paceMsPerMiB", 1500));
            Task b = s.submit(TaskType.APP_BACKUP, args("appId", "beta", "paceMsPerMiB", 1500));
            Task a2 = s.submit(TaskType.APP_BACKUP, args("appId", "alpha", "paceMsPerMiB", 1500));
            a1 = await(p, a1);
            b = await(p, b);
            a2 = await(p, a2);
            Tasks tasks = p.tasks();

            Holds.Hold alpha1 = Holds.only(tasks, a1, "app:alpha");
            Holds.Hold alpha2 = Holds.only(tasks, a2, "app:alpha");
            Holds.Hold beta = Holds.only(tasks, b, "app:beta");
            assertFalse(alpha1.overlaps(alpha2), "one task per app at a time: " + alpha1 + " / " + alpha2);
            Holds.Hold first = alpha1.from().isBefore(alpha2.from()) ? alpha1 : alpha2;
            Holds.Hold second = first == alpha1 ? alpha2 : alpha1;
            assertTrue(second.token() > first.token(), "the later grant has the greater fencing token");
            List<String> waits = Holds.messages(tasks, second.task(), TaskEvent.Kind.WAITING);
            assertEquals(1, waits.size(), second.task().name() + " waited once: " + waits);
            assertTrue(waits.get(0).contains("app:alpha is held by task " + first.task().name() + " (pid "
                    + first.task().pid()) && waits.get(0).endsWith("one operation per app at a time"), waits.get(0));

            assertTrue(beta.overlaps(alpha1) || beta.overlaps(alpha2),
                    "a task on beta runs while a task on alpha does: " + beta + " / " + alpha1 + " / " + alpha2);
            assertTrue(Holds.messages(tasks, b, TaskEvent.Kind.WAITING).isEmpty(), "the task on beta never waited");
        }
    }

    @Test
    void anAppTaskRunsDuringAFullBackupOfOtherAppsAndFullBackupsTakeTurns() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.RSYNC)) {
            p.seedApp("alpha", 1024);
            p.seedApp("beta", 1024);
            p.seedApp("gamma", 1024);
            Supervisor s = p.supervisor();
            Tasks tasks = p.tasks();
            Task f1 = s.submit(TaskType.FULL_BACKUP, args("label", "first", "paceMsPerMiB", 2500));
            awaitEvent(tasks, f1, TaskEvent.Kind.ACQUIRED, "app:alpha");
            Task g = s.submit(TaskType.APP_BACKUP, args("appId", "gamma", "paceMsPerMiB", 2500));
            Task f2 = s.submit(TaskType.FULL_BACKUP, args("label", "second", "paceMsPerMiB", 2500));
            f1 = await(p, f1);
            g = await(p, g);
            f2 = await(p, f2);

            Holds.Hold gamma = Holds.only(tasks, g, "app:gamma");
            Holds.Hold full1 = Holds.only(tasks, f1, LockNames.FULL_BACKUP);
            Holds.Hold full2 = Holds.only(tasks, f2, LockNames.FULL_BACKUP);
            assertTrue(gamma.overlaps(full1), "the app task on gamma ran during the full backup: " + gamma + " / "
                    + full1);
            List<Holds.Hold> otherAppsOfF1 = Holds.of(tasks, f1).stream()
                    .filter(h -> h.lock().equals("app:alpha") || h.lock().equals("app:beta")).collect(Collectors.toList());
            assertTrue(otherAppsOfF1.stream().anyMatch(gamma::overlaps),
                    "gamma was backed up while the full backup worked on another app: " + gamma + " / " + otherAppsOfF1);
            assertFalse(gamma.overlaps(Holds.only(tasks, f1, "app:gamma")), "but not while it worked on gamma");
            assertFalse(gamma.overlaps(Holds.only(tasks, f2, "app:gamma")));
            assertEquals(List.of("app:alpha", "app:beta", "app:gamma"), Holds.of(tasks, f1).stream().map(Holds.Hold::lock)
                    .filter(l -> l.startsWith("app:")).collect(Collectors.toList()),
                    "a full backup takes each app's lock for that app's step only, one after the other");

            assertFalse(full1.overlaps(full2), "one full backup at a time: " + full1 + " / " + full2);
            String firstName = f1.name();
            List<String> waits = Holds.messages(tasks, f2, TaskEvent.Kind.WAITING);
            assertTrue(waits.stream().anyMatch(w -> w.contains(LockNames.FULL_BACKUP + " is held by task " + firstName)
                    && w.endsWith("one full backup at a time")), waits.toString());
        }
    }

    @Test
    void theUpdateLockIsHeldOnlyAroundTheUpdateStep() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ)) {
            p.seedApp("alpha", 2048);
            Supervisor s = p.supervisor();
            Task u1 = s.submit(TaskType.UPDATE, args("toVersion", "1.1.0", "paceMsPerMiB", 1500,
                    "releaseBytes", 2 * 1024 * 1024));
            Task u2 = s.submit(TaskType.UPDATE, args("toVersion", "1.2.0", "paceMsPerMiB", 1500,
                    "releaseBytes", 2 * 1024 * 1024));
            u1 = p.supervisor().await(u1.id(), Duration.ofMinutes(2));
            u2 = await(p, u2);
            Tasks tasks = p.tasks();
            Holds.Hold update1 = Holds.only(tasks, u1, LockNames.UPDATE);
            Holds.Hold update2 = Holds.only(tasks, u2, LockNames.UPDATE);
            if (update1.from().isBefore(update2.from())) {
                assertEquals(TaskState.DONE, u1.state(), u1.name() + " failed: " + u1.error());
            } else {
                // 1.2.0 was installed first: the update to 1.1.0 finds it under the update lock and refuses.
                assertEquals(TaskState.FAILED, u1.state(), u1.toString());
                assertTrue(u1.error().startsWith("not updating to 1.1.0: platform 1.2.0 is installed"), u1.error());
            }
            Holds.Hold backup1 = Holds.only(tasks, u1, LockNames.FULL_BACKUP);
            Holds.Hold backup2 = Holds.only(tasks, u2, LockNames.FULL_BACKUP);
            assertFalse(update1.overlaps(update2), "one platform update at a time: " + update1 + " / " + update2);
            assertFalse(backup1.overlaps(backup2), "one full backup at a time");
            assertFalse(update1.from().isBefore(backup1.to()), "u1 took the update lock only after its backup");
            assertFalse(update2.from().isBefore(backup2.to()), "u2 took the update lock only after its backup");
            boolean oneUpdatedWhileTheOtherBackedUp = update1.overlaps(backup2) || update2.overlaps(backup1);
            assertTrue(oneUpdatedWhileTheOtherBackedUp, "an update step and another update's backup ran together: "
                    + update1 + " / " + backup2 + " / " + update2 + " / " + backup1);
            assertEquals("1.2.0", p.platform().settings().platformVersion(), "whichever updated first, never a downgrade");
        }
    }

    @Test
    void aTaskThatCannotGetItsLockInTimeFailsNamingTheHolder() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ);
             LockManager locks = p.platform().lockManager("operator-maintenance", new LockListener() { })) {
            p.seedApp("alpha", 16);
            try (Lease held = locks.acquire(LockRequest.exclusive("app:alpha"), Duration.ofSeconds(5))) {
                Task t = p.run(TaskType.APP_BACKUP, args("appId", "alpha", "lockWaitSecs", 1));
                assertEquals(TaskState.FAILED, t.state());
                assertEquals(TaskMain.EXIT_FAILED, t.exitCode());
                assertTrue(t.error().startsWith("could not acquire "), t.error());
                assertTrue(t.error().contains("app:alpha (EXCLUSIVE) held by ") && t.error().contains(
                        " pid " + ProcessHandle.current().pid() + " (task operator-maintenance)")
                        && t.error().contains("token " + held.token()), t.error());
                List<String> timeouts = Holds.messages(p.tasks(), t, TaskEvent.Kind.TIMEOUT);
                assertEquals(List.of(t.error()), timeouts, "the timeout is in the timeline too");
                assertTrue(p.platform().backups().listOf("alpha").isEmpty(), "no backup was started");
            }
        }
    }

    static void awaitEvent(Tasks tasks, Task task, TaskEvent.Kind kind, String lock) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (tasks.eventsOf(task.id()).stream().noneMatch(e -> e.kind() == kind && lock.equals(e.lockName()))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(task.name() + " recorded no " + kind + " of " + lock + " within a minute: "
                        + tasks.eventsOf(task.id()) + "; " + tasks.require(task.id()));
            }
            Thread.sleep(50);
        }
    }
}
