package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.FakeProcessProbe;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** A manager whose last write is still current changes the space without reading it first. */
class FastPathTest {

    /** Counts reads and compare-and-sets (and their outcomes). */
    static class CountingStore implements LockStore {
        final InMemoryLockStore real = new InMemoryLockStore();
        final AtomicInteger reads = new AtomicInteger();
        final AtomicInteger writes = new AtomicInteger();
        final AtomicInteger conflicts = new AtomicInteger();

        @Override
        public Optional<Stored> read(String space) {
            reads.incrementAndGet();
            return real.read(space);
        }

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            writes.incrementAndGet();
            CasResult r = real.compareAndSet(space, expectedVersion, newData);
            if (r == CasResult.CONFLICT) {
                conflicts.incrementAndGet();
            }
            return r;
        }

        @Override
        public void createSpaceIfAbsent(String space, String initialData) {
            real.createSpaceIfAbsent(space, initialData);
        }
    }

    private final CountingStore store = new CountingStore();
    private final LockManager a = LockManager.builder(store).holder(Holder.currentProcess("a")).build();
    private final LockManager b = LockManager.builder(store).holder(Holder.currentProcess("b")).build();

    @Test
    void uncontendedPairsCostOneWriteEachAndNoRead() {
        a.tryAcquire(LockRequest.exclusive("x")).orElseThrow().close();
        int reads = store.reads.get();
        for (int i = 0; i < 10; i++) {
            Lease lease = a.tryAcquire(LockRequest.exclusive("x").andShared("y")).orElseThrow();
            lease.close();
        }
        assertEquals(reads, store.reads.get(), "no reads while this manager's last write is current");
        assertEquals(22, store.writes.get());
        assertEquals(0, store.conflicts.get());
    }

    @Test
    void anotherWriterTurnsTheFastPathIntoOneConflictAndARead() {
        Lease mine = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Lease theirs = b.tryAcquire(LockRequest.exclusive("other")).orElseThrow(); // a's last write is outdated
        int reads = store.reads.get();
        int conflicts = store.conflicts.get();
        mine.close();
        assertEquals(conflicts + 1, store.conflicts.get());
        assertEquals(reads + 1, store.reads.get());
        assertTrue(b.snapshot().grantsOf("x").isEmpty(), "released all the same");
        assertEquals(1, b.snapshot().grants().size());
        theirs.close();
    }

    @Test
    void aBlockerSeenInTheLastWriteIsCheckedOnAFreshRead() throws Exception {
        Lease first = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        // b writes last, so a's last write is outdated; a's second request for x (which it holds) is refused
        // without a read all the same: a's own live lease blocks it whatever others wrote since
        b.tryAcquire(LockRequest.exclusive("y")).orElseThrow().close();
        int reads = store.reads.get();
        assertEquals(Optional.empty(), a.tryAcquire(LockRequest.exclusive("x")));
        assertEquals(reads, store.reads.get(), "blocked by its own lease: decided without the store");
        first.close();
        // a blocker of another holder seen in a's own, current write is checked on a fresh read
        Lease held = b.tryAcquire(LockRequest.exclusive("z")).orElseThrow();
        Lease other = a.tryAcquire(LockRequest.exclusive("w")).orElseThrow();
        reads = store.reads.get();
        held.close(); // b frees z: a's last write still shows z held
        assertTrue(a.acquire(LockRequest.exclusive("z"), Duration.ofSeconds(5)).isHeld());
        assertTrue(store.reads.get() > reads);
        other.close();
    }

    @Test
    void leasesAreRenewedThroughTheFastPath() {
        LockManager leased = LockManager.builder(store).holder(Holder.currentProcess("l"))
                .probe(new FakeProcessProbe("h", "b", "n")).lease(Duration.ofSeconds(30))
                .renewEvery(Duration.ofSeconds(29)).build();
        Lease lease = leased.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        int reads = store.reads.get();
        ((LockEngine) leased).renew();
        assertEquals(reads, store.reads.get());
        assertTrue(lease.isHeld());
        leased.close();
    }
}
