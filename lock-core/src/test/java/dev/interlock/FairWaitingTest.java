package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Fair waiting: queued requests cannot be starved by a stream of conflicting small ones. */
class FairWaitingTest {

    private final InMemoryLockStore store = new InMemoryLockStore();

    private LockManager manager(String task, boolean fair) {
        return LockManager.builder(store).holder(Holder.currentProcess(task)).fair(fair)
                .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();
    }

    /**
     * Small app tasks of two managers hand the shared platform lock over to each other, so that it is never
     * free: each takes its next task (its app lock and platform, shared) before it lets the current one go.
     * When a request is refused (a queued exclusive request is in the way), the relay lets go and waits.
     */
    private CompletableFuture<Integer> relay(AtomicBoolean stop) {
        LockManager[] apps = {manager("app-task-a", false), manager("app-task-b", false)};
        return CompletableFuture.supplyAsync(() -> {
            int tasks = 0;
            try {
                Lease current = apps[0].acquire(LockRequest.exclusive("app:0").andShared("platform"),
                        Duration.ofSeconds(30));
                for (int i = 1; !stop.get(); i++) {
                    LockRequest next = LockRequest.exclusive("app:" + (i % 2)).andShared("platform");
                    Optional<Lease> taken = apps[i % 2].tryAcquire(next);
                    current.close();
                    current = taken.isPresent() ? taken.get() : apps[i % 2].acquire(next, Duration.ofSeconds(30));
                    tasks++;
                    Thread.sleep(2);
                }
                current.close();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return tasks;
        });
    }

    @Test
    void aStreamOfSmallTasksStarvesAnUpdateWithoutFairModeButNotWithIt() throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        CompletableFuture<Integer> tasks = relay(stop);
        while (manager("probe", false).snapshot().grantsOf("platform").isEmpty()) {
            Thread.sleep(5);
        }

        LockManager unfair = manager("update-unfair", false);
        LockTimeoutException starved = assertThrows(LockTimeoutException.class,
                () -> unfair.acquire(LockRequest.exclusive("platform"), Duration.ofSeconds(2)));
        assertTrue(starved.getMessage().contains("platform (SHARED) held by"), starved.getMessage());

        LockManager fair = manager("update-fair", true);
        long start = System.nanoTime();
        try (Lease update = fair.acquire(LockRequest.exclusive("platform"), Duration.ofSeconds(30))) {
            LockSnapshot during = fair.snapshot();
            assertEquals(List.of(fair.holderId()), during.grantsOf("platform").stream()
                    .map(LockSnapshot.Grant::holderId).toList(), "the update holds platform alone");
            assertTrue(during.queue().isEmpty(), "granted requests leave the queue: " + during.queue());
            System.out.println("fair update got platform after "
                    + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start) + " ms; the unfair one waited 2 s in vain");
        }
        stop.set(true);
        assertTrue(tasks.get(60, TimeUnit.SECONDS) > 10, "the app tasks kept running");
        assertTrue(manager("probe", false).snapshot().isEmpty());
    }

    @Test
    void queuedRequestsAreServedInOrderAndBlockLaterConflictingOnes() throws Exception {
        LockManager holder = manager("holder", false);
        Lease x = holder.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        LockManager first = manager("first", true);
        LockManager second = manager("second", true);
        List<String> order = new CopyOnWriteArrayList<>();
        CompletableFuture<Void> one = CompletableFuture.runAsync(() -> take(first, "x", order));
        awaitQueue(1);
        CompletableFuture<Void> two = CompletableFuture.runAsync(() -> take(second, "x", order));
        awaitQueue(2);
        LockSnapshot.Waiter head = holder.snapshot().queue().get(0);
        assertEquals(first.holderId(), head.holderId());
        assertEquals(java.util.Map.of("x", LockMode.EXCLUSIVE), head.locks());
        assertTrue(holder.snapshot().queue().get(1).ticket() > head.ticket());

        // a non-fair request for x is behind the queue too, even once x is free
        LockManager late = manager("late", false);
        LockTimeoutException behind = assertThrows(LockTimeoutException.class,
                () -> late.acquire(LockRequest.shared("x"), Duration.ofMillis(100)));
        assertTrue(behind.getMessage().contains("(task first) queued for x (EXCLUSIVE) since"), behind.getMessage());
        // and an unrelated one is not
        late.tryAcquire(LockRequest.exclusive("y")).orElseThrow().close();

        x.close();
        one.get(30, TimeUnit.SECONDS);
        two.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("first", "second"), order);
        assertTrue(holder.snapshot().isEmpty());
    }

    private static void take(LockManager m, String name, List<String> order) {
        try (Lease lease = m.acquire(LockRequest.exclusive(name), Duration.ofSeconds(30))) {
            order.add(m.holder().task());
            Thread.sleep(20);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitQueue(int size) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (manager("probe", false).snapshot().queue().size() < size) {
            assertTrue(System.nanoTime() < deadline, "queue never reached " + size);
            Thread.sleep(5);
        }
    }

    @Test
    void aRequestThatGivesUpLeavesTheQueue() throws Exception {
        LockManager holder = manager("holder", false);
        Lease x = holder.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        LockManager fair = manager("fair", true);
        AtomicReference<Throwable> outcome = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                fair.acquire(LockRequest.exclusive("x"), Duration.ofSeconds(60));
            } catch (Throwable t) {
                outcome.set(t);
            }
        });
        waiter.start();
        awaitQueue(1);
        waiter.interrupt();
        waiter.join(30_000);
        assertTrue(outcome.get() instanceof InterruptedException, "got " + outcome.get());
        assertTrue(holder.snapshot().queue().isEmpty(), "interrupted: dequeued");

        assertThrows(LockTimeoutException.class, () -> fair.acquire(LockRequest.exclusive("x"), Duration.ofMillis(100)));
        assertTrue(holder.snapshot().queue().isEmpty(), "timed out: dequeued");
        assertEquals(1, holder.snapshot().grants().size());
        x.close();
    }

    @Test
    void aDeadWaiterIsReapedLikeADeadHolder() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:10Z"));
        InMemoryLockStore timed = new InMemoryLockStore(clock);
        timed.createSpaceIfAbsent("s", "{}");
        assertEquals(CasResult.APPLIED, timed.compareAndSet("s", 0, "{\"format\":1,\"holders\":{\"ghost\":{\"host\":"
                + "\"far\",\"pid\":1,\"leaseUntil\":\"2026-01-01T00:00:00Z\"}},\"locks\":{},\"queue\":[{\"holder\":"
                + "\"ghost\",\"ticket\":1,\"locks\":{\"x\":\"EXCLUSIVE\"},\"since\":\"2026-01-01T00:00:00Z\"}]}"));
        LockManager m = LockManager.builder(timed).space("s").probe(new FakeProcessProbe("h", "b", "n")).build();
        Lease lease = m.tryAcquire(LockRequest.shared("x")).orElseThrow();
        LockSnapshot s = m.snapshot();
        assertTrue(s.queue().isEmpty());
        assertEquals(1, s.grants().size());
        lease.close();
        assertFalse(m.snapshot().grants().iterator().hasNext());
    }
}
