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
import dev.interlock.LockStoreException;
import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Lost replies, one at a time and deterministically: what the API reports matches what the store holds. */
class ReconcileTest {

    enum Fault { APPLIED_LOST, NOT_APPLIED, LANDS_AFTER_REREAD, STORE_DOWN }

    /** A store that meets the next compare-and-sets with scripted faults. */
    static final class ScriptedStore implements LockStore {
        final InMemoryLockStore real = new InMemoryLockStore();
        final Deque<Fault> script = new ArrayDeque<>();
        Runnable pendingLateWrite;
        int readsDown;
        int cas;

        @Override
        public Optional<Stored> read(String space) {
            if (readsDown > 0) {
                readsDown--;
                throw new LockStoreException("injected: store down", null, true);
            }
            Optional<Stored> result = real.read(space);
            if (pendingLateWrite != null) { // the delayed UPDATE lands right after the re-read
                Runnable late = pendingLateWrite;
                pendingLateWrite = null;
                late.run();
            }
            return result;
        }

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            cas++;
            Fault fault = script.poll();
            if (fault == null) {
                return real.compareAndSet(space, expectedVersion, newData);
            }
            switch (fault) {
                case APPLIED_LOST -> real.compareAndSet(space, expectedVersion, newData);
                case NOT_APPLIED -> { }
                case LANDS_AFTER_REREAD -> pendingLateWrite = () -> real.compareAndSet(space, expectedVersion, newData);
                case STORE_DOWN -> readsDown = 100;
            }
            return CasResult.UNKNOWN;
        }

        @Override
        public void createSpaceIfAbsent(String space, String initialData) {
            real.createSpaceIfAbsent(space, initialData);
        }
    }

    private final ScriptedStore store = new ScriptedStore();
    private final LockManager a = LockManager.builder(store).holder(Holder.currentProcess("a")).build();
    private final LockManager b = LockManager.builder(store).holder(Holder.currentProcess("b")).build();

    private LockSnapshot state() {
        return b.snapshot();
    }

    @Test
    void grantWhoseReplyWasLostIsRecognisedAsApplied() {
        store.script.add(Fault.APPLIED_LOST);
        Lease lease = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertEquals(1, store.cas, "no second write: the first was found applied");
        assertEquals(1, state().grants().size());
        assertEquals(lease.token(), state().grants().get(0).token());
        lease.close();
        assertTrue(state().isEmpty());
    }

    @Test
    void grantThatWasNotAppliedIsRetried() {
        store.script.add(Fault.NOT_APPLIED);
        Lease lease = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertEquals(2, store.cas);
        assertEquals(1, state().grants().size());
        assertEquals(lease.token(), state().grants().get(0).token());
        lease.close();
        assertTrue(state().isEmpty());
    }

    @Test
    void grantThatLandsAfterTheRereadBecomesAnOrphanAndIsRemoved() {
        store.script.add(Fault.LANDS_AFTER_REREAD);
        Lease lease = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        // write 1 was judged not applied, then landed before the retry read the space; write 2 saw write 1's grant
        // as an orphan of this holder (a token no lease owns), removed it and granted anew
        assertEquals(2, store.cas);
        LockSnapshot s = state();
        assertEquals(1, s.grants().size(), "the orphan grant is gone: " + s);
        assertEquals(lease.token(), s.grants().get(0).token());
        assertEquals(s.version(), lease.token());
        lease.close();
        assertTrue(state().isEmpty());
    }

    @Test
    void orphanLeftByALateWriteIsSweptByReap() {
        store.script.add(Fault.LANDS_AFTER_REREAD);
        store.script.add(Fault.NOT_APPLIED); // the retry is lost too; its re-read sees the landed orphan
        Lease lease = a.tryAcquire(LockRequest.shared("s")).orElseThrow();
        lease.close();
        assertTrue(state().isEmpty(), "release removes the orphan with its own grant: " + state());
        assertEquals(0, a.reap());
    }

    @Test
    void anOrphanSharedGrantNeverWeakensALaterExclusiveOne() {
        LockManager impatient = LockManager.builder(store).holder(Holder.currentProcess("i")).maxCasAttempts(1).build();
        store.script.add(Fault.LANDS_AFTER_REREAD);
        // judged not applied, so the caller is told to try again (here: gives up at once), then it lands: an
        // orphan shared grant of x
        assertThrows(dev.interlock.LockConflictException.class, () -> impatient.tryAcquire(LockRequest.shared("x")));
        assertEquals(dev.interlock.LockMode.SHARED, state().grantsOf("x").get(0).mode());

        Lease exclusive = impatient.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        LockSnapshot s = state();
        assertEquals(1, s.grantsOf("x").size(), "the orphan went before the new grant: " + s);
        assertEquals(dev.interlock.LockMode.EXCLUSIVE, s.grantsOf("x").get(0).mode());
        assertEquals(Optional.empty(), b.tryAcquire(LockRequest.shared("x")), "x is held exclusively");
        exclusive.close();
        assertTrue(state().isEmpty());
    }

    @Test
    void releaseWhoseReplyWasLostIsSettled() {
        Lease lease = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        store.script.add(Fault.APPLIED_LOST);
        lease.close();
        assertFalse(lease.isHeld());
        assertTrue(state().isEmpty());

        Lease again = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        store.script.add(Fault.NOT_APPLIED);
        int before = store.cas;
        again.close();
        assertEquals(before + 2, store.cas, "the release was written again");
        assertTrue(state().isEmpty());
    }

    @Test
    void unreachableStoreAfterALostReplyIsReportedAsUnknownAndLeavesNoLeaseBehind() {
        store.script.add(Fault.STORE_DOWN);
        LockStoreException e = assertThrows(LockStoreException.class, () -> a.tryAcquire(LockRequest.exclusive("x")));
        assertFalse(e.outcomeKnown());
        assertTrue(e.getMessage().contains("is unknown"), e.getMessage());
        store.readsDown = 0;
        assertTrue(state().isEmpty(), "the write was not applied, nothing is held");
    }
}
