package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Leases: expiry by the store's clock, renewal, and how a holder learns it lost its locks. */
class LeaseTest {

    /** Another host: the acquirer's probe can tell nothing about the lease holder's process. */
    private static final FakeProcessProbe ELSEWHERE = new FakeProcessProbe("other-host", "boot-Z", "ns-Z");

    @Test
    void expiredLeaseIsReapedAndItsHolderLearnsOfTheLoss() {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryLockStore store = new InMemoryLockStore(clock);
        List<String> lost = new CopyOnWriteArrayList<>();
        LockManager a = LockManager.builder(store).probe(ELSEWHERE).lease(Duration.ofSeconds(30))
                .renewEvery(Duration.ofSeconds(29)) // no renewal within this quick test: the clock is moved by hand
                .holder(Holder.currentProcess("a"))
                .listenerExecutor(Runnable::run).listener(new LockListener() {
                    @Override
                    public void leaseLost(Lease lease, String reason) {
                        lost.add(lease.token() + ": " + reason);
                    }
                }).build();
        LockManager b = LockManager.builder(store).probe(ELSEWHERE).holder(Holder.currentProcess("b")).build();

        Lease held = a.tryAcquire(LockRequest.exclusive("x").andShared("p")).orElseThrow();
        assertEquals(Instant.parse("2026-01-01T00:00:30Z"), b.snapshot().grants().get(0).leaseUntil());
        clock.advance(Duration.ofSeconds(29));
        assertEquals(Optional.empty(), b.tryAcquire(LockRequest.exclusive("x")), "lease still running");
        clock.advance(Duration.ofSeconds(1));
        Lease taken = b.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertTrue(taken.token() > held.token());
        assertTrue(b.snapshot().grantsOf("p").isEmpty(), "all grants of the dead holder go");

        LockLostException e = assertThrows(LockLostException.class, held::checkHeld);
        assertEquals(held.token(), e.token());
        assertFalse(held.isHeld());
        assertEquals(1, lost.size());
        held.close(); // quiet, and must not touch b's grant
        assertEquals(List.of("x"), List.copyOf(b.snapshot().lockNames()));
        assertEquals(b.holderId(), b.snapshot().grants().get(0).holderId());
        taken.close();
        a.close();
        b.close();
    }

    @Test
    void renewalKeepsTheLeaseAliveAndNoticesLoss() throws Exception {
        InMemoryLockStore store = new InMemoryLockStore(); // real time
        CountDownLatch lost = new CountDownLatch(1);
        LockManager a = LockManager.builder(store).probe(ELSEWHERE).lease(Duration.ofSeconds(1))
                .renewEvery(Duration.ofMillis(150)).holder(Holder.currentProcess("a"))
                .listener(new LockListener() {
                    @Override
                    public void leaseLost(Lease lease, String reason) {
                        lost.countDown();
                    }
                }).build();
        LockManager b = LockManager.builder(store).probe(ELSEWHERE).holder(Holder.currentProcess("b")).build();
        Lease held = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Instant firstLease = b.snapshot().grants().get(0).leaseUntil();
        // three lease lengths: without renewal b would reap a
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
        while (System.nanoTime() < end) {
            assertEquals(Optional.empty(), b.tryAcquire(LockRequest.exclusive("x")));
            Thread.sleep(100);
        }
        assertTrue(held.isHeld());
        assertTrue(b.snapshot().grants().get(0).leaseUntil().isAfter(firstLease), "renewed");

        assertEquals(1, b.releaseAll(a.holderId()));
        assertTrue(lost.await(30, TimeUnit.SECONDS), "the renewer reports the loss");
        assertFalse(held.isHeld());
        assertThrows(LockLostException.class, held::checkHeld);
        a.close();
        b.close();
    }

    @Test
    void backgroundSweeperReapsDeadHoldersNobodyAsksFor() throws Exception {
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        InMemoryLockStore store = new InMemoryLockStore(clock);
        LockManager dead = LockManager.builder(store).probe(ELSEWHERE).lease(Duration.ofSeconds(10))
                .renewEvery(Duration.ofSeconds(9)).holder(Holder.currentProcess("dead")).build();
        dead.tryAcquire(LockRequest.exclusive("x").andShared("y")).orElseThrow();
        CountDownLatch reaped = new CountDownLatch(1);
        LockManager sweeper = LockManager.builder(store).probe(ELSEWHERE).sweepEvery(Duration.ofMillis(100))
                .holder(Holder.currentProcess("sweeper")).listener(new LockListener() {
                    @Override
                    public void holderReaped(String holderId, Holder holder, java.util.Collection<String> locks,
                                             String why) {
                        reaped.countDown();
                    }
                }).build();
        Thread.sleep(300);
        assertEquals(2, sweeper.snapshot().grants().size(), "a running lease is left alone");
        clock.advance(Duration.ofSeconds(11));
        assertTrue(reaped.await(30, TimeUnit.SECONDS), "the sweeper reaped the expired holder");
        assertTrue(sweeper.snapshot().isEmpty());
        sweeper.close();
        dead.close();
    }

    @Test
    void closingTheManagerReleasesItsLeases() {
        InMemoryLockStore store = new InMemoryLockStore();
        LockManager a = LockManager.builder(store).lease(Duration.ofSeconds(10)).build();
        Lease one = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Lease two = a.tryAcquire(LockRequest.shared("y")).orElseThrow();
        a.close();
        assertFalse(one.isHeld());
        assertFalse(two.isHeld());
        LockManager b = LockManager.builder(store).build();
        assertTrue(b.snapshot().isEmpty());
        a.close();
    }

    @Test
    void leaseSettingsAreChecked() {
        LockManager.Builder builder = LockManager.builder(new InMemoryLockStore());
        assertEquals("lease must be between PT1S and PT24H, was PT0.5S",
                assertThrows(IllegalArgumentException.class, () -> builder.lease(Duration.ofMillis(500))).getMessage());
        assertEquals("renewEvery (PT1S) needs a lease; set lease(ttl) too",
                assertThrows(IllegalArgumentException.class, () -> LockManager.builder(new InMemoryLockStore())
                        .renewEvery(Duration.ofSeconds(1)).build()).getMessage());
        assertEquals("renewEvery must be shorter than the lease (PT5S), was PT5S",
                assertThrows(IllegalArgumentException.class, () -> LockManager.builder(new InMemoryLockStore())
                        .lease(Duration.ofSeconds(5)).renewEvery(Duration.ofSeconds(5)).build()).getMessage());
    }
}
