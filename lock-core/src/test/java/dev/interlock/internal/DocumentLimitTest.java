package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockException;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.spi.CasResult;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code maxDocumentSize} refuses what would grow the space past it, alone: a release combined into the same write
 * still lands, and writes that add nothing are never refused for size.
 */
class DocumentLimitTest {

    /** Holds every compare-and-set at a gate while {@link #gate} is closed. */
    static final class GateStore extends FastPathTest.CountingStore {
        volatile CountDownLatch gate = new CountDownLatch(0);

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            try {
                assertTrue(gate.await(10, TimeUnit.SECONDS), "the gate never opened");
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.compareAndSet(space, expectedVersion, newData);
        }
    }

    private static final int LIMIT = 4096;

    private final GateStore store = new GateStore();
    private final LockManager manager = LockManager.builder(store).holder(Holder.currentProcess("limit"))
            .maxDocumentSize(LIMIT).build();
    private final ExecutorService pool = Executors.newCachedThreadPool();

    @AfterEach
    void tearDown() throws InterruptedException {
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        manager.close();
    }

    /** A request of 30 names of 150 characters: about 4,500 characters, more than the whole limit. */
    private static LockRequest tooLarge() {
        LockRequest r = LockRequest.exclusive("big-0-" + "x".repeat(144));
        for (int i = 1; i < 30; i++) {
            r = r.andExclusive("big-" + i + (i < 10 ? "-" : "") + "x".repeat(144));
        }
        return r;
    }

    @Test
    void aGrantThatWouldOverflowIsRefusedAloneAndNothingIsWritten() {
        try (Lease kept = manager.tryAcquire(LockRequest.exclusive("keep")).orElseThrow()) {
            int writes = store.writes.get();
            LockException e = assertThrows(LockException.class, () -> manager.tryAcquire(tooLarge()));
            assertTrue(e.getMessage().contains("over its limit of 4096 (maxDocumentSize); nothing was written"),
                    e.getMessage());
            assertEquals(writes, store.writes.get(), "nothing was sent");
            assertTrue(kept.isHeld());
            assertEquals(1, manager.snapshot().grants().size());
        }
        assertTrue(manager.snapshot().isEmpty());
    }

    @Test
    void aReleaseCombinedWithARefusedGrantStillLands() throws Exception {
        Lease kept = manager.tryAcquire(LockRequest.exclusive("keep")).orElseThrow();
        // a write in flight, held at the gate: the next two changes queue behind it and are combined
        store.gate = new CountDownLatch(1);
        Future<Lease> first = pool.submit(() -> manager.tryAcquire(LockRequest.exclusive("first")).orElseThrow());
        awaitAtGate();
        CompletableFuture<Thread> releaser = new CompletableFuture<>();
        Future<?> release = pool.submit(() -> {
            releaser.complete(Thread.currentThread());
            kept.close();
        });
        CompletableFuture<Thread> granter = new CompletableFuture<>();
        Future<Lease> big = pool.submit(() -> {
            granter.complete(Thread.currentThread());
            return manager.tryAcquire(tooLarge()).orElseThrow();
        });
        awaitParked(releaser.get(10, TimeUnit.SECONDS));
        awaitParked(granter.get(10, TimeUnit.SECONDS));
        store.gate.countDown();

        assertTrue(first.get(10, TimeUnit.SECONDS).isHeld());
        release.get(10, TimeUnit.SECONDS);
        ExecutionException refused = assertThrows(ExecutionException.class, () -> big.get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause() instanceof LockException, refused.getCause().toString());
        assertTrue(refused.getCause().getMessage().contains("(maxDocumentSize); nothing was written"),
                refused.getCause().getMessage());
        assertFalse(kept.isHeld());
        assertEquals(0, manager.snapshot().grantsOf("keep").size(), "the release was written: " + manager.snapshot());
        assertEquals(1, manager.snapshot().grants().size());
    }

    @Test
    void aGrantThatFitsIsNotRefusedWithOneThatDoesNot() throws Exception {
        // a write in flight, held at the gate: a small and an oversized request queue behind it and are combined
        store.gate = new CountDownLatch(1);
        Future<Lease> first = pool.submit(() -> manager.tryAcquire(LockRequest.exclusive("first")).orElseThrow());
        awaitAtGate();
        CompletableFuture<Thread> smallThread = new CompletableFuture<>();
        Future<Lease> small = pool.submit(() -> {
            smallThread.complete(Thread.currentThread());
            return manager.tryAcquire(LockRequest.exclusive("small")).orElseThrow();
        });
        CompletableFuture<Thread> bigThread = new CompletableFuture<>();
        Future<Lease> big = pool.submit(() -> {
            bigThread.complete(Thread.currentThread());
            return manager.tryAcquire(tooLarge()).orElseThrow();
        });
        awaitParked(smallThread.get(10, TimeUnit.SECONDS));
        awaitParked(bigThread.get(10, TimeUnit.SECONDS));
        store.gate.countDown();

        assertTrue(first.get(10, TimeUnit.SECONDS).isHeld());
        assertTrue(small.get(10, TimeUnit.SECONDS).isHeld(), "the request that fits is granted");
        ExecutionException refused = assertThrows(ExecutionException.class, () -> big.get(10, TimeUnit.SECONDS));
        assertTrue(refused.getCause().getMessage().contains("(maxDocumentSize); nothing was written"),
                refused.getCause().getMessage());
        assertEquals(2, manager.snapshot().grants().size());
    }

    /** Waits until a thread's compare-and-set waits at the closed gate. */
    private void awaitAtGate() throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!atGate()) {
            assertTrue(System.nanoTime() < deadline, "no write reached the gate");
            Thread.sleep(1);
        }
    }

    private boolean atGate() {
        return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getState() == Thread.State.TIMED_WAITING
                && java.util.Arrays.stream(t.getStackTrace()).anyMatch(f -> f.getMethodName().equals("compareAndSet")
                && f.getClassName().endsWith("GateStore")));
    }

    private static void awaitParked(Thread thread) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.TIMED_WAITING && thread.getState() != Thread.State.WAITING) {
            assertTrue(System.nanoTime() < deadline, "thread never parked: " + thread.getState());
            Thread.sleep(1);
        }
    }
}
