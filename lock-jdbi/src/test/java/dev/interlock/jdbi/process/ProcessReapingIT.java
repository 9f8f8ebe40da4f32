package dev.interlock.jdbi.process;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.jdbi.testing.TestDatabase;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Crash reaping with real processes on a real database: {@code kill -9}, {@code SIGSTOP} past a lease, and a
 * supervisor freeing the locks of task processes however they ended.
 */
class ProcessReapingIT {

    private String space;
    private LockManager here;

    @BeforeEach
    void setUp() {
        space = TestDatabase.newSpace("reaping");
        here = LockManager.builder(TestDatabase.get().store()).space(space).holder(Holder.currentProcess("test"))
                .build();
    }

    /** The grants as "lock holderId token" lines, to compare before and after. */
    private Map<String, String> grantsBy(LockSnapshot snap, String holderId) {
        return snap.grants().stream().filter(g -> g.holderId().equals(holderId))
                .collect(Collectors.toMap(g -> g.lock(), g -> g.mode() + " " + g.token()));
    }

    private String holderOf(long pid) {
        return here.snapshot().grants().stream().filter(g -> g.holder().pid() == pid).map(LockSnapshot.Grant::holderId)
                .findFirst().orElseThrow(() -> new AssertionError("pid " + pid + " holds nothing"));
    }

    @Test
    void locksOfAKilledProcessAreTakenAtOnceAndNothingElseIsTouched() throws Exception {
        try (ChildProcess victim = ChildProcess.start(space, "victim", "app:a=EXCLUSIVE,platform=SHARED");
             ChildProcess bystander = ChildProcess.start(space, "bystander", "app:b=EXCLUSIVE,platform=SHARED")) {
            victim.await("HELD", 60);
            bystander.await("HELD", 60);
            Lease mine = here.tryAcquire(LockRequest.exclusive("app:c")).orElseThrow();
            String victimId = holderOf(victim.pid());
            String bystanderId = holderOf(bystander.pid());
            LockSnapshot before = here.snapshot();

            victim.process.destroyForcibly(); // SIGKILL
            assertTrue(victim.process.waitFor(30, TimeUnit.SECONDS));
            assertEquals(137, victim.process.exitValue(), "killed by signal 9");

            long asked = System.nanoTime();
            Lease taken = here.acquire(LockRequest.exclusive("app:a"), Duration.ofSeconds(30));
            long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - asked);
            assertTrue(tookMillis < 1000, "took " + tookMillis + " ms to take a dead process's lock");

            LockSnapshot after = here.snapshot();
            assertEquals(Map.of(), grantsBy(after, victimId), "every grant of the dead process is gone");
            assertEquals(grantsBy(before, bystanderId), grantsBy(after, bystanderId), "the bystander's are untouched");
            assertEquals(grantsBy(before, here.holderId()).get("app:c"), grantsBy(after, here.holderId()).get("app:c"));
            assertTrue(taken.token() > before.version());
            taken.close();
            mine.close();
            bystander.send("release");
            bystander.await("RELEASED", 30);
        }
        assertTrue(here.snapshot().isEmpty());
    }

    @Test
    void aStoppedLeaseHolderLosesItsLockAndLearnsOfItWithoutHarmingTheNewHolder() throws Exception {
        try (ChildProcess frozen = ChildProcess.start(space, "frozen", "x=EXCLUSIVE", "--elsewhere",
                "--lease-ms", "2000", "--renew-ms", "300")) {
            long oldToken = ChildProcess.field(frozen.await("HELD", 60), "token");
            String frozenId = holderOf(frozen.pid());
            // Presented as another host: this process cannot judge it by its pid, only by its lease.
            assertNotEquals(here.holder().host(), here.snapshot().grantsOf("x").get(0).holder().host());
            Thread.sleep(1500); // several renewals: the lease alone would have run out by now
            assertEquals(List.of(frozenId), here.snapshot().grantsOf("x").stream().map(LockSnapshot.Grant::holderId)
                    .toList(), "a renewing holder keeps its lock");

            frozen.signal("STOP");
            Lease taken;
            try {
                taken = here.acquire(LockRequest.exclusive("x"), Duration.ofSeconds(30));
            } finally {
                frozen.signal("CONT");
            }
            assertTrue(taken.token() > oldToken, taken.token() + " after " + oldToken);

            String lost = frozen.await("LOST", 30);
            assertEquals(oldToken, ChildProcess.field(lost, "token"));
            assertEquals("CLOSED held=false", frozen.await("CLOSED", 30));
            assertTrue(frozen.process.waitFor(30, TimeUnit.SECONDS));

            LockSnapshot after = here.snapshot();
            assertEquals(1, after.grants().size(), "the woken holder removed nothing: " + after);
            assertEquals(here.holderId(), after.grants().get(0).holderId());
            assertEquals(taken.token(), after.grants().get(0).token());
            taken.checkHeld();
            taken.close();
        }
    }

    @Test
    void aSupervisorFreesExactlyTheLocksOfATaskThatEnded() throws Exception {
        try (ChildProcess t1 = ChildProcess.start(space, "task-1", "app:1=EXCLUSIVE,platform=SHARED");
             ChildProcess t2 = ChildProcess.start(space, "task-2", "app:2=EXCLUSIVE,platform=SHARED");
             ChildProcess t3 = ChildProcess.start(space, "task-3", "app:3=EXCLUSIVE")) {
            for (ChildProcess t : List.of(t1, t2, t3)) {
                t.await("HELD", 60);
            }
            // the supervisor: when a task process ends, however it ends, free that task's locks
            Map<String, CompletableFuture<Integer>> freed = Map.of(
                    "task-1", t1.process.onExit().thenApply(p -> here.releaseTask("task-1")),
                    "task-2", t2.process.onExit().thenApply(p -> here.releaseTask("task-2")),
                    "task-3", t3.process.onExit().thenApply(p -> here.releaseTask("task-3")));

            t1.send("exit 0"); // ends normally without releasing
            assertEquals(2, freed.get("task-1").get(30, TimeUnit.SECONDS));
            assertEquals(0, t1.process.exitValue());
            assertEquals(List.of("app:2", "app:3", "platform"), List.copyOf(here.snapshot().lockNames()));
            assertEquals(List.of("task-2"), here.snapshot().grantsOf("platform").stream()
                    .map(g -> g.holder().task()).toList());

            t2.send("exit 50"); // fails
            assertEquals(2, freed.get("task-2").get(30, TimeUnit.SECONDS));
            assertEquals(50, t2.process.exitValue());
            assertEquals(List.of("app:3"), List.copyOf(here.snapshot().lockNames()));

            t3.process.destroyForcibly(); // killed
            assertEquals(1, freed.get("task-3").get(30, TimeUnit.SECONDS));
            assertEquals(137, t3.process.exitValue());
            assertTrue(here.snapshot().isEmpty());
        }
    }
}
