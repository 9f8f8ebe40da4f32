package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.LockTimeoutException;
import dev.interlock.spi.CasResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Threads of one manager share compare-and-sets: concurrent changes are combined into one write, and a release
 * hands its lock to a thread of the same manager waiting for it in the same write.
 */
class CombiningTest {

    /** Counts like {@link FastPathTest.CountingStore}, and makes every compare-and-set take a while. */
    static final class SlowStore extends FastPathTest.CountingStore {
        volatile long casMillis;

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            if (casMillis > 0) {
                try {
                    Thread.sleep(casMillis);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            return super.compareAndSet(space, expectedVersion, newData);
        }
    }

    private final SlowStore store = new SlowStore();
    private final LockManager manager = LockManager.builder(store).holder(Holder.currentProcess("combining"))
            .backoff(Duration.ofMillis(5), Duration.ofSeconds(5)).build();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        manager.close();
    }

    /** A thread of the pool waiting in {@code acquire}. */
    private record Waiter(Thread thread, Future<Lease> lease) {
        Lease get(long timeout, TimeUnit unit) throws Exception {
            return lease.get(timeout, unit);
        }
    }

    /** Starts a thread that acquires {@code name}, and returns once it waits (parked). */
    private Waiter startWaiter(String name) throws Exception {
        CompletableFuture<Thread> started = new CompletableFuture<>();
        Future<Lease> lease = pool.submit(() -> {
            started.complete(Thread.currentThread());
            return manager.acquire(LockRequest.exclusive(name), Duration.ofSeconds(30));
        });
        Thread thread = started.get(10, TimeUnit.SECONDS);
        awaitParked(thread);
        return new Waiter(thread, lease);
    }

    /** Waits until {@code thread} is parked (waiting for a hand-over, in this test's use). */
    private static void awaitParked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "thread never parked: " + thread.getState());
            Thread.sleep(1);
        }
    }

    @Test
    void concurrentChangesShareCompareAndSets() throws Exception {
        store.casMillis = 2; // while one write is in flight, the others queue behind it
        int threads = 8;
        int pairs = 25;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String name = "own-" + t;
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < pairs; i++) {
                    manager.tryAcquire(LockRequest.exclusive(name)).orElseThrow().close();
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        int changes = threads * pairs * 2;
        int writes = store.writes.get();
        assertTrue(writes < changes / 2, changes + " changes took " + writes + " writes: they were not combined");
        assertEquals(0, store.conflicts.get(), "one manager alone never loses a compare-and-set");
        assertTrue(manager.snapshot().grants().isEmpty());
    }

    @Test
    void aReleaseHandsTheLockToAWaitingThreadInTheSameWrite() throws Exception {
        Lease first = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Waiter second = startWaiter("x");
        int reads = store.reads.get();
        int writes = store.writes.get();
        first.close();
        Lease lease = second.get(10, TimeUnit.SECONDS);
        assertEquals(writes + 1, store.writes.get(), "the release and the grant share one compare-and-set");
        assertEquals(reads, store.reads.get(), "and need no read");
        LockSnapshot snapshot = manager.snapshot();
        assertEquals(lease.token(), snapshot.version(), "granted in the write that released the first lease");
        assertEquals(1, snapshot.grantsOf("x").size());
        assertFalse(first.isHeld());
        assertTrue(lease.isHeld());
        lease.close();
    }

    @Test
    void aRequestBlockedByTheManagersOwnLeaseIsDecidedWithoutTheStore() {
        Lease held = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        int reads = store.reads.get();
        int writes = store.writes.get();
        assertTrue(manager.tryAcquire(LockRequest.exclusive("x")).isEmpty(), "locks are not reentrant");
        assertTrue(manager.tryAcquire(LockRequest.shared("x")).isEmpty());
        assertEquals(reads, store.reads.get());
        assertEquals(writes, store.writes.get());
        held.close();
        manager.tryAcquire(LockRequest.shared("x")).orElseThrow().close();
    }

    @Test
    void manyWaitersEachGetTheLockInTurn() throws Exception {
        store.casMillis = 1; // the threads overlap: while one holds the lock, the others wait for it
        int threads = 6;
        int rounds = 20;
        AtomicInteger inside = new AtomicInteger();
        AtomicInteger overlaps = new AtomicInteger();
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(pool.submit(() -> {
                start.await();
                for (int i = 0; i < rounds; i++) {
                    try (Lease lease = manager.acquire(LockRequest.exclusive("shared-x"), Duration.ofSeconds(30))) {
                        if (inside.incrementAndGet() != 1) {
                            overlaps.incrementAndGet();
                        }
                        Thread.onSpinWait();
                        inside.decrementAndGet();
                    }
                }
                return null;
            }));
        }
        start.countDown();
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS);
        }
        assertEquals(0, overlaps.get());
        int grants = threads * rounds;
        assertTrue(store.writes.get() < 2 * grants,
                grants + " grants took " + store.writes.get() + " writes: no release handed its lock over");
        assertTrue(manager.snapshot().grants().isEmpty());
    }

    @Test
    void aWaiterTimesOutNamingTheManagersOwnLease() {
        Lease held = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        LockTimeoutException e = assertThrows(LockTimeoutException.class,
                () -> manager.acquire(LockRequest.exclusive("x"), Duration.ofMillis(100)));
        assertTrue(e.getMessage().contains("this manager's own lease"), e.getMessage());
        assertTrue(held.isHeld());
        held.close();
        assertTrue(manager.snapshot().grants().isEmpty());
    }

    @Test
    void closingTheManagerFailsItsWaitersInsteadOfHandingThemItsLocks() throws Exception {
        manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Waiter second = startWaiter("x");
        manager.close();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> second.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof IllegalStateException, String.valueOf(e.getCause()));
        assertTrue(manager.snapshot().grants().isEmpty(), "close released the lease and granted nothing");
        assertThrows(IllegalStateException.class, () -> manager.tryAcquire(LockRequest.exclusive("y")));
    }

    @Test
    void aWaiterInterruptedWhileItsHandOverIsWrittenStillGetsTheLease() throws Exception {
        Lease first = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Waiter second = startWaiter("x");
        store.casMillis = 300; // the release's write, which takes the waiter along, is in flight a while
        Future<?> release = pool.submit(first::close);
        Thread.sleep(100);
        second.thread.interrupt(); // claimed by then: its grant is being written
        Lease lease = second.get(10, TimeUnit.SECONDS);
        release.get(10, TimeUnit.SECONDS);
        assertTrue(lease.isHeld(), "the lease written for it is returned, not dropped");
        assertEquals(1, manager.snapshot().grantsOf("x").size());
        store.casMillis = 0;
        lease.close();
        assertTrue(manager.snapshot().grants().isEmpty(), "nothing left held");
    }

    @Test
    void aRefusalByTheManagersOwnLeaseIsCheckedOnTheStoreOnceItIsOld() throws Exception {
        LockManager operator = LockManager.builder(store).holder(Holder.currentProcess("operator")).build();
        Lease held = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertEquals(1, operator.forceRelease("x"));
        assertTrue(manager.tryAcquire(LockRequest.exclusive("x")).isEmpty(), "at first: decided on its own write");
        Thread.sleep(1_100);
        Lease again = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow(); // a fresh read finds x free
        assertTrue(again.isHeld());
        again.close();
        held.close(); // finds its grant gone
        assertFalse(held.isHeld());
        operator.close();
    }

    @Test
    void anInterruptedWaiterLeavesNothingBehind() throws Exception {
        Lease held = manager.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Waiter second = startWaiter("x");
        second.thread.interrupt();
        java.util.concurrent.ExecutionException e = assertThrows(java.util.concurrent.ExecutionException.class,
                () -> second.get(10, TimeUnit.SECONDS));
        assertTrue(e.getCause() instanceof InterruptedException, String.valueOf(e.getCause()));
        int writes = store.writes.get();
        held.close();
        assertEquals(writes + 1, store.writes.get(), "the release took no interrupted waiter along");
        assertTrue(manager.snapshot().grants().isEmpty());
    }
}
