package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A lease's validity is its own, and its renewals go on whatever happens to one of them: what {@code isHeld()} says
 * must never outlast the lease by the store's clock, and renewals must never stop while leases are held.
 */
class LeaseValidityTest {

    private static final FakeProcessProbe ELSEWHERE = new FakeProcessProbe("other-host", "boot-Z", "ns-Z");

    /** A store that this manager's background threads cannot reach while {@link #cutOff} is set. */
    static final class CutOffStore implements LockStore {
        final LockStore real;
        final AtomicBoolean cutOff = new AtomicBoolean();
        /** Set to throw this once from the next compare-and-set of a background thread. */
        volatile Error errorOnce;
        final CountDownLatch errorThrown = new CountDownLatch(1);
        final AtomicInteger backgroundWrites = new AtomicInteger();

        CutOffStore(LockStore real) {
            this.real = real;
        }

        private static boolean background() {
            return Thread.currentThread().getName().startsWith("interlock-");
        }

        private void check() {
            if (cutOff.get() && background()) {
                throw new LockStoreException("cut off (test)", null, true);
            }
        }

        @Override
        public Optional<Stored> read(String space) {
            check();
            return real.read(space);
        }

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            check();
            if (background()) {
                Error e = errorOnce;
                if (e != null) {
                    errorOnce = null;
                    errorThrown.countDown();
                    throw e;
                }
                backgroundWrites.incrementAndGet();
            }
            return real.compareAndSet(space, expectedVersion, newData);
        }

        @Override
        public void createSpaceIfAbsent(String space, String initialData) {
            check();
            real.createSpaceIfAbsent(space, initialData);
        }
    }

    @Test
    void aReapedLeaseIsNotRevivedByTheManagersOtherWrites() throws Exception {
        MutableClock clock = new MutableClock(Instant.now());
        InMemoryLockStore shared = new InMemoryLockStore(clock);
        CutOffStore cut = new CutOffStore(shared);
        LockManager a = LockManager.builder(cut).probe(ELSEWHERE).lease(Duration.ofSeconds(1))
                .renewEvery(Duration.ofMillis(200)).holder(Holder.currentProcess("a")).build();
        LockManager b = LockManager.builder(shared).probe(ELSEWHERE).holder(Holder.currentProcess("b")).build();

        Lease reaped = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertTrue(reaped.isHeld());
        cut.cutOff.set(true); // a's renewals fail from now on: it is cut off, as by a network partition
        clock.advance(Duration.ofSeconds(2)); // past a's lease by the store's clock
        Lease taken = b.tryAcquire(LockRequest.exclusive("x")).orElseThrow(); // b reaps a
        awaitFalse(reaped::isHeld, "the lease's own validity ran out");

        // a's application threads reach the store again (its renewer does not yet): another acquire is written
        Lease other = a.tryAcquire(LockRequest.exclusive("y")).orElseThrow();
        assertTrue(other.isHeld());
        assertFalse(reaped.isHeld(), "a write that did not find the lease's grant must not make it valid again");
        assertTrue(taken.isHeld());
        other.close();
        taken.close();
        a.close();
        b.close();
    }

    @Test
    void renewalsGoOnAfterAnErrorInOne() throws Exception {
        CutOffStore store = new CutOffStore(new InMemoryLockStore());
        LockManager a = LockManager.builder(store).probe(ELSEWHERE).lease(Duration.ofSeconds(1))
                .renewEvery(Duration.ofMillis(100)).holder(Holder.currentProcess("a")).build();
        try (Lease held = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow()) {
            store.errorOnce = new StackOverflowError("thrown by the test's store");
            assertTrue(store.errorThrown.await(10, TimeUnit.SECONDS), "no renewal ran");
            int after = store.backgroundWrites.get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (store.backgroundWrites.get() < after + 3) {
                assertTrue(System.nanoTime() < deadline, "renewals stopped after the error: "
                        + (store.backgroundWrites.get() - after) + " since");
                Thread.sleep(20);
            }
            assertTrue(held.isHeld());
        }
        a.close();
    }

    private static void awaitFalse(java.util.function.BooleanSupplier condition, String what) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (condition.getAsBoolean()) {
            assertTrue(System.nanoTime() < deadline, what + ": still true after 10 s");
            Thread.sleep(20);
        }
    }
}
