package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@code acquire(request, maxWait)} retries transient store failures within its budget, as it retries conflicts;
 * failures that need a person, and {@code tryAcquire}, fail at once.
 */
class StoreFailureRetryTest {

    /** Fails its next {@link #failures} reads with a {@link LockStoreException} of the given kind. */
    static final class FlakyStore implements LockStore {
        final InMemoryLockStore real = new InMemoryLockStore();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger reads = new AtomicInteger();
        volatile boolean transientFailures = true;

        @Override
        public Optional<Stored> read(String space) {
            reads.incrementAndGet();
            if (failures.getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
                throw new LockStoreException("could not read (test): connection lost", null, true, transientFailures);
            }
            return real.read(space);
        }

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            return real.compareAndSet(space, expectedVersion, newData);
        }

        @Override
        public void createSpaceIfAbsent(String space, String initialData) {
            real.createSpaceIfAbsent(space, initialData);
        }
    }

    private final FlakyStore store = new FlakyStore();
    private final LockManager locks = LockManager.builder(store).holder(Holder.currentProcess("flaky"))
            .backoff(Duration.ofMillis(5), Duration.ofMillis(50)).build();

    @Test
    void aWaitingAcquireRidesOutTransientFailures() throws Exception {
        store.failures.set(3);
        try (Lease lease = locks.acquire(LockRequest.exclusive("x"), Duration.ofSeconds(10))) {
            assertTrue(lease.isHeld());
        }
        assertTrue(store.reads.get() >= 4, store.reads.get() + " reads");
        locks.close();
    }

    @Test
    void aFailureThatNeedsAPersonIsThrownAtOnce() {
        store.transientFailures = false;
        store.failures.set(1_000);
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> locks.acquire(LockRequest.exclusive("x"), Duration.ofSeconds(30)));
        assertFalse(e.isTransient());
        assertTrue(store.reads.get() == 1, "not retried: " + store.reads.get() + " reads");
        locks.close();
    }

    @Test
    void transientFailuresOutlastingTheBudgetAreThrownWhenItEnds() {
        store.failures.set(1_000_000);
        long t0 = System.nanoTime();
        LockStoreException e = assertThrows(LockStoreException.class,
                () -> locks.acquire(LockRequest.exclusive("x"), Duration.ofMillis(300)));
        long took = System.nanoTime() - t0;
        assertTrue(e.isTransient());
        assertTrue(took >= TimeUnit.MILLISECONDS.toNanos(300), "gave up early, after " + took / 1_000_000 + " ms");
        assertTrue(store.reads.get() > 1, "retried: " + store.reads.get() + " reads");
        locks.close();
    }

    @Test
    void tryAcquireDoesNotRetry() {
        store.failures.set(1);
        LockStoreException e = assertThrows(LockStoreException.class, () -> locks.tryAcquire(LockRequest.exclusive("x")));
        assertTrue(e.isTransient());
        assertTrue(locks.tryAcquire(LockRequest.exclusive("x")).isPresent(), "the next call reads again");
        locks.close();
    }
}
