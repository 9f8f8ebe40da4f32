package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import java.time.Duration;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * 8 managers x 4 threads on random overlapping lock sets, checked by witnesses; then the same through a store
 * that injects conflicts and lost replies.
 */
class ConcurrencyTest {

    private static final Duration RUN = Duration.ofSeconds(Long.getLong("interlock.concurrency.seconds", 4));

    @Test
    void mutualExclusionHoldsUnderContention() throws Exception {
        InMemoryLockStore store = new InMemoryLockStore();
        long seed = System.nanoTime();
        ConcurrencyCheck check = new ConcurrencyCheck();
        ConcurrencyCheck.Result result = check.run(store, "concurrency", 8, 4, 6, RUN, seed, false);
        System.out.println("concurrency check (in-memory, seed " + seed + "): " + result);
        assertEquals(0, result.violations(), () -> "first violations: " + result.examples());
        assertTrue(result.grants() > 100, "too few grants to mean anything: " + result.grants());
        assertTrue(check.managers().get(0).snapshot().isEmpty(), "nothing may be held at the end");
    }

    @Test
    void mutualExclusionHoldsWithFairWaiters() throws Exception {
        InMemoryLockStore store = new InMemoryLockStore();
        long seed = System.nanoTime();
        ConcurrencyCheck check = new ConcurrencyCheck();
        ConcurrencyCheck.Result result = check.go(i -> LockManager.builder(store).space("fair")
                .holder(Holder.currentProcess("worker-" + i)).fair(i % 2 == 0)
                .backoff(Duration.ofMillis(1), Duration.ofMillis(20)).build(), 8, 4, 6, RUN, seed, false);
        System.out.println("concurrency check (in-memory, half the managers fair, seed " + seed + "): " + result);
        assertEquals(0, result.violations(), () -> "first violations: " + result.examples());
        assertTrue(result.grants() > 100, "too few grants to mean anything: " + result.grants());
        LockSnapshot end = check.managers().get(0).snapshot();
        assertTrue(end.isEmpty(), "nothing held and nobody queued at the end: " + end);
    }

    @Test
    void mutualExclusionHoldsWithInjectedFaults() throws Exception {
        long seed = System.nanoTime();
        FaultInjectingStore store = new FaultInjectingStore(new InMemoryLockStore(), FaultInjectingStore.Faults.heavy(),
                seed);
        ConcurrencyCheck check = new ConcurrencyCheck();
        ConcurrencyCheck.Result result = check.run(store, "faulty", 8, 4, 6, RUN, seed, true);
        store.flush();
        System.out.println("concurrency check with faults (in-memory, seed " + seed + "): " + result + "; "
                + store.summary());
        assertEquals(0, result.violations(), () -> "first violations: " + result.examples());
        assertTrue(result.grants() > 100, "too few grants to mean anything: " + result.grants());
        assertTrue(store.unknownApplied.get() > 0 && store.unknownNotApplied.get() > 0 && store.unknownLate.get() > 0,
                "every kind of lost reply was injected: " + store.summary());

        // What may be left: grants of writes that landed after their writer had judged them not applied, i.e.
        // orphans with tokens no lease was ever given. A leftover with a granted token would be a leaked lease.
        LockManager any = check.managers().get(0);
        Set<Long> granted = check.grantedTokens();
        LockSnapshot leftover = any.snapshot();
        for (LockSnapshot.Grant g : leftover.grants()) {
            assertTrue(!granted.contains(g.token()), "a released lease left its grant behind: " + g.describe());
        }
        int orphans = 0;
        for (LockManager m : check.managers()) {
            orphans += m.reap();
        }
        assertEquals(leftover.grants().size(), orphans, "each holder's reap removes exactly its orphans");
        assertTrue(any.snapshot().isEmpty(), "nothing may be held once the orphans are swept: " + any.snapshot());
        System.out.println("orphans from late writes swept at the end: " + orphans);
    }
}
