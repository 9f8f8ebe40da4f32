package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour of {@link LockManager} on a store: the same for every store. A store's test extends this class
 * and implements {@link #store()}; each test works in a space of its own.
 */
public abstract class LockManagerContract {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration LONG = Duration.ofSeconds(30);

    /** @return the store under test (may be shared between tests) */
    protected abstract LockStore store();

    private String space;

    @BeforeEach
    void freshSpace() {
        space = "manager-contract-" + UUID.randomUUID();
    }

    /** @return a manager in this test's space, holder task {@code task} */
    protected LockManager manager(String task) {
        return LockManager.builder(store()).space(space).holder(Holder.currentProcess(task)).build();
    }

    private Stored raw() {
        return store().read(space).orElseThrow();
    }

    private void rawWrite(String data) {
        store().createSpaceIfAbsent(space, "{\"format\":1,\"holders\":{},\"locks\":{}}");
        Stored s = raw();
        assertEquals(CasResult.APPLIED, store().compareAndSet(space, s.version(), data));
    }

    private static ObjectNode json(String text) throws IOException {
        return (ObjectNode) JSON.readTree(text);
    }

    @Test
    void exclusiveExcludesEveryOtherGrant() {
        LockManager a = manager("a");
        LockManager b = manager("b");
        try (Lease lease = a.tryAcquire(LockRequest.exclusive("app:1")).orElseThrow()) {
            assertTrue(lease.isHeld());
            assertEquals(Optional.empty(), b.tryAcquire(LockRequest.exclusive("app:1")));
            assertEquals(Optional.empty(), b.tryAcquire(LockRequest.shared("app:1")));
            assertEquals(Optional.empty(), a.tryAcquire(LockRequest.exclusive("app:1")),
                    "locks are not reentrant: a second request of the same holder waits like any other");
            try (Lease other = b.tryAcquire(LockRequest.exclusive("app:2")).orElseThrow()) {
                assertTrue(other.isHeld());
            }
        }
        try (Lease lease = b.tryAcquire(LockRequest.exclusive("app:1")).orElseThrow()) {
            assertTrue(lease.isHeld());
        }
    }

    @Test
    void sharedGrantsCoexistAndExcludeExclusive() {
        LockManager a = manager("a");
        LockManager b = manager("b");
        LockManager c = manager("c");
        Lease s1 = a.tryAcquire(LockRequest.shared("platform")).orElseThrow();
        Lease s2 = b.tryAcquire(LockRequest.shared("platform")).orElseThrow();
        assertEquals(Optional.empty(), c.tryAcquire(LockRequest.exclusive("platform")));
        s1.close();
        assertEquals(Optional.empty(), c.tryAcquire(LockRequest.exclusive("platform")));
        s2.close();
        Lease x = c.tryAcquire(LockRequest.exclusive("platform")).orElseThrow();
        assertEquals(Optional.empty(), a.tryAcquire(LockRequest.shared("platform")));
        x.close();
        assertTrue(a.snapshot().isEmpty());
    }

    @Test
    void multiLockRequestsAreAllOrNothing() {
        LockManager a = manager("a");
        LockManager b = manager("b");
        LockManager c = manager("c");
        try (Lease held = a.tryAcquire(LockRequest.exclusive("b")).orElseThrow()) {
            long before = raw().version();
            assertEquals(Optional.empty(), b.tryAcquire(LockRequest.exclusive("a").andExclusive("b").andShared("c")));
            assertEquals(before, raw().version(), "a refused request writes nothing");
            assertEquals(List.of("b"), List.copyOf(a.snapshot().lockNames()));
            try (Lease free = c.tryAcquire(LockRequest.exclusive("a").andExclusive("c")).orElseThrow()) {
                assertEquals(2, free.locks().size());
            }
            assertTrue(held.isHeld());
        }
        try (Lease all = b.tryAcquire(LockRequest.exclusive("a").andExclusive("b").andShared("c")).orElseThrow()) {
            LockSnapshot snap = a.snapshot();
            assertEquals(List.of("a", "b", "c"), List.copyOf(snap.lockNames()));
            for (LockSnapshot.Grant g : snap.grants()) {
                assertEquals(all.token(), g.token(), "one compare-and-set grants every name with one token");
            }
        }
    }

    @Test
    void releaseIsIdempotentAndQuiet() {
        LockManager a = manager("a");
        Lease lease = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        lease.close();
        assertFalse(lease.isHeld());
        long version = raw().version();
        lease.close();
        lease.close();
        assertEquals(version, raw().version(), "a second close writes nothing");
        assertTrue(a.snapshot().isEmpty());
        assertThrows(IllegalStateException.class, lease::checkHeld);
    }

    @Test
    void tokensStrictlyIncreaseAcrossGrantsAndManagers() {
        LockManager a = manager("a");
        LockManager b = manager("b");
        long last = 0;
        for (int i = 0; i < 10; i++) {
            LockManager m = i % 2 == 0 ? a : b;
            try (Lease lease = m.tryAcquire(LockRequest.exclusive("t" + (i % 3))).orElseThrow()) {
                assertTrue(lease.token() > last, "token " + lease.token() + " after " + last);
                last = lease.token();
                assertEquals(lease.token(), raw().version(), "the token is the version the grant wrote");
            }
        }
        Lease s1 = a.tryAcquire(LockRequest.shared("s")).orElseThrow();
        Lease s2 = b.tryAcquire(LockRequest.shared("s")).orElseThrow();
        assertTrue(s2.token() > s1.token() && s1.token() > last);
        s1.close();
        s2.close();
    }

    @Test
    void timeoutNamesTheHolder() throws Exception {
        LockManager a = manager("backup-17");
        LockManager b = manager("update-3");
        try (Lease held = a.acquire(LockRequest.exclusive("app:3f2a"), LONG)) {
            long start = System.nanoTime();
            LockTimeoutException e = assertThrows(LockTimeoutException.class,
                    () -> b.acquire(LockRequest.exclusive("app:3f2a").andShared("platform"), Duration.ofMillis(300)));
            assertTrue(System.nanoTime() - start >= TimeUnit.MILLISECONDS.toNanos(300), "gave up early");
            String m = e.getMessage();
            assertTrue(m.startsWith("could not acquire app:3f2a (EXCLUSIVE), platform (SHARED) in space '" + space
                    + "' within PT0.3S: app:3f2a (EXCLUSIVE) held by "), m);
            assertTrue(m.contains(a.holder().host() + " pid " + a.holder().pid() + " (task backup-17) since "), m);
            assertTrue(m.endsWith(", token " + held.token()), m);
            assertEquals(1, e.blockers().size());
            assertEquals(a.holderId(), e.blockers().get(0).holderId());
            assertTrue(e.waited().compareTo(Duration.ofMillis(300)) >= 0);
            assertThrows(LockTimeoutException.class, () -> b.acquire(LockRequest.exclusive("app:3f2a"), Duration.ZERO));
        }
        assertThrows(IllegalArgumentException.class, () -> b.acquire(LockRequest.exclusive("y"), Duration.ofMillis(-1)));
    }

    @Test
    void waitingIsInterruptibleAndLeavesNothingHeld() throws Exception {
        LockManager a = manager("a");
        LockManager b = manager("b");
        try (Lease held = a.acquire(LockRequest.exclusive("busy"), LONG)) {
            AtomicReference<Throwable> outcome = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            Thread waiter = new Thread(() -> {
                started.countDown();
                try {
                    b.acquire(LockRequest.exclusive("busy").andExclusive("free"), LONG).close();
                    outcome.set(new AssertionError("acquired a held lock"));
                } catch (Throwable t) {
                    outcome.set(t);
                }
            });
            waiter.start();
            started.await();
            Thread.sleep(200);
            waiter.interrupt();
            waiter.join(10_000);
            assertFalse(waiter.isAlive());
            assertTrue(outcome.get() instanceof InterruptedException, "got " + outcome.get());
            assertEquals(List.of("busy"), List.copyOf(a.snapshot().lockNames()));
            assertTrue(held.isHeld());
        }
    }

    @Test
    void waiterWakesAtOnceWhenThisManagerReleases() throws Exception {
        // Backoff of at least 10 s: without the wake-up the waiter could not get the lock in under 5 s.
        LockManager m = LockManager.builder(store()).space(space).holder(Holder.currentProcess("w"))
                .backoff(Duration.ofSeconds(20), Duration.ofSeconds(20)).build();
        Lease held = m.acquire(LockRequest.exclusive("x"), LONG);
        CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
            long start = System.nanoTime();
            try (Lease lease = m.acquire(LockRequest.exclusive("x"), Duration.ofSeconds(60))) {
                assertTrue(lease.isHeld());
                return System.nanoTime() - start;
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Thread.sleep(300);
        held.close();
        long nanos = waited.get(60, TimeUnit.SECONDS);
        assertTrue(nanos < TimeUnit.SECONDS.toNanos(5), "woke after " + nanos / 1_000_000 + " ms");
    }

    @Test
    void ownershipBelongsToTheLeaseNotTheThread() throws Exception {
        LockManager a = manager("a");
        Lease lease = CompletableFuture.supplyAsync(() -> a.tryAcquire(LockRequest.exclusive("x")).orElseThrow())
                .get(30, TimeUnit.SECONDS);
        assertTrue(lease.isHeld());
        lease.close(); // closed on another thread than the one that acquired it
        assertTrue(a.snapshot().isEmpty());
    }

    @Test
    void releaseAllFreesOneHoldersGrantsAndItsLeasesLearnOfIt() {
        LockManager supervisor = manager("supervisor");
        LockManager victim = manager("victim");
        LockManager bystander = manager("bystander");
        Lease v1 = victim.tryAcquire(LockRequest.exclusive("v1").andShared("p")).orElseThrow();
        Lease v2 = victim.tryAcquire(LockRequest.exclusive("v2")).orElseThrow();
        Lease keep = bystander.tryAcquire(LockRequest.shared("p")).orElseThrow();

        assertEquals(3, supervisor.releaseAll(victim.holderId()));
        LockSnapshot snap = supervisor.snapshot();
        assertEquals(List.of("p"), List.copyOf(snap.lockNames()));
        assertEquals(bystander.holderId(), snap.grants().get(0).holderId());

        LockLostException lost = assertThrows(LockLostException.class, v1::checkHeld);
        assertEquals(v1.token(), lost.token());
        assertFalse(v1.isHeld());
        long version = raw().version();
        v2.close(); // quiet, writes nothing: the grants are already gone
        assertFalse(v2.isHeld());
        assertEquals(version, raw().version());
        keep.checkHeld();
        assertEquals(0, supervisor.releaseAll(victim.holderId()));
        keep.close();
    }

    @Test
    void forceReleaseFreesOneLockAndLeavesTheHoldersOtherGrants() {
        LockManager operator = manager("operator");
        LockManager stuck = manager("stuck");
        LockManager reader = manager("reader");
        Lease both = stuck.tryAcquire(LockRequest.exclusive("app:1").andShared("platform")).orElseThrow();
        Lease other = stuck.tryAcquire(LockRequest.exclusive("app:2")).orElseThrow();
        Lease shared = reader.tryAcquire(LockRequest.shared("platform")).orElseThrow();

        assertEquals(2, operator.forceRelease("platform"));
        LockSnapshot snap = operator.snapshot();
        assertEquals(List.of("app:1", "app:2"), List.copyOf(snap.lockNames()));
        assertThrows(LockLostException.class, both::checkHeld, "a lease that held the lock has lost it");
        assertThrows(LockLostException.class, shared::checkHeld);
        other.checkHeld();
        assertEquals(0, operator.forceRelease("platform"));
        assertThrows(IllegalArgumentException.class, () -> operator.forceRelease(""));
        both.close(); // releases what is left of it (app:1), quietly
        assertEquals(List.of("app:2"), List.copyOf(operator.snapshot().lockNames()));
        other.close();
        assertTrue(operator.snapshot().isEmpty());
    }

    @Test
    void releaseTaskFreesExactlyThatTasksGrants() {
        LockManager t1 = manager("task-1");
        LockManager t1b = manager("task-1");
        LockManager t2 = manager("task-2");
        t1.tryAcquire(LockRequest.exclusive("app:a")).orElseThrow();
        t1b.tryAcquire(LockRequest.exclusive("app:b")).orElseThrow();
        Lease other = t2.tryAcquire(LockRequest.exclusive("app:c")).orElseThrow();
        assertEquals(2, t2.releaseTask("task-1"));
        LockSnapshot snap = t2.snapshot();
        assertEquals(List.of("app:c"), List.copyOf(snap.lockNames()));
        assertEquals(1, snap.grantsOfTask("task-2").size());
        assertTrue(snap.grantsOfTask("task-1").isEmpty());
        assertEquals(0, t2.releaseTask("task-1"));
        other.checkHeld();
        other.close();
    }

    @Test
    void snapshotShowsWhoHoldsWhat() {
        LockManager a = manager("backup-17");
        LockManager b = manager("app-task-4");
        Lease x = a.tryAcquire(LockRequest.exclusive("app:1").andShared("platform")).orElseThrow();
        Lease s = b.tryAcquire(LockRequest.shared("platform")).orElseThrow();
        LockSnapshot snap = b.snapshot();
        assertEquals(space, snap.space());
        assertEquals(s.token(), snap.version());
        assertEquals(3, snap.grants().size());
        LockSnapshot.Grant app = snap.grantsOf("app:1").get(0);
        assertEquals(LockMode.EXCLUSIVE, app.mode());
        assertEquals(a.holderId(), app.holderId());
        assertEquals(a.holder(), app.holder());
        assertEquals("backup-17", app.holder().task());
        assertEquals(ProcessHandle.current().pid(), app.holder().pid());
        assertEquals(x.token(), app.token());
        assertEquals(x.acquiredAt(), app.since());
        assertNotNull(app.since());
        List<LockSnapshot.Grant> platform = snap.grantsOf("platform");
        assertEquals(2, platform.size());
        assertEquals(List.of(x.token(), s.token()), platform.stream().map(LockSnapshot.Grant::token).toList());
        assertTrue(platform.stream().allMatch(g -> g.mode() == LockMode.SHARED));
        x.close();
        s.close();
    }

    @Test
    void withLockPassesResultsAndCheckedExceptionsThrough() throws Exception {
        LockManager a = manager("a");
        String result = a.withLock(LockRequest.exclusive("x"), LONG, lease -> {
            assertTrue(a.snapshot().grantsOf("x").size() == 1);
            return "done " + lease.locks().keySet();
        });
        assertEquals("done [x]", result);
        assertTrue(a.snapshot().isEmpty());
        IOException thrown = new IOException("disk full");
        IOException caught = assertThrows(IOException.class, () -> a.useLock(LockRequest.exclusive("x"), LONG, lease -> {
            throw thrown;
        }));
        assertSame(thrown, caught);
        assertTrue(a.snapshot().isEmpty(), "released after the callback threw");
    }

    @Test
    void corruptDocumentIsNeverOverwritten() {
        String bad = "{\"format\":1,\"holders\":{},\"locks\":{\"x\":{\"mode\":\"BOGUS\",\"holders\":[]}}}";
        rawWrite(bad);
        Stored before = raw();
        LockManager a = manager("a");
        CorruptLockStateException e = assertThrows(CorruptLockStateException.class,
                () -> a.tryAcquire(LockRequest.exclusive("y")));
        assertTrue(e.getMessage().contains("lock 'x' has unknown mode 'BOGUS'"), e.getMessage());
        assertEquals(space, e.space());
        assertThrows(CorruptLockStateException.class, a::snapshot);
        assertThrows(CorruptLockStateException.class, () -> a.releaseTask("a"));
        assertThrows(CorruptLockStateException.class, a::reap);
        Stored after = raw();
        assertEquals(before.version(), after.version());
        assertEquals(before.data(), after.data());
    }

    @Test
    void newerFormatIsRefused() {
        rawWrite("{\"format\":3,\"holders\":{},\"grants\":[],\"queue\":[]}");
        long version = raw().version();
        CorruptLockStateException e = assertThrows(CorruptLockStateException.class,
                () -> manager("a").tryAcquire(LockRequest.exclusive("y")));
        assertTrue(e.getMessage().contains("format 3 is newer than this library understands (up to 2)"),
                e.getMessage());
        assertEquals(version, raw().version());
    }

    @Test
    void unknownFieldsSurviveRewrites() throws Exception {
        LockManager other = manager("other");
        try (Lease seed = other.tryAcquire(LockRequest.exclusive("kept")).orElseThrow()) {
            ObjectNode doc = json(raw().data());
            doc.put("future", "top");
            ((ObjectNode) doc.get("holders").get(other.holderId())).put("cgroup", "/tasks/7");
            ObjectNode group = (ObjectNode) doc.get("grants").get(0);
            assertEquals("kept", group.get("x").get(0).asText());
            group.putArray("w").add("w1");
            Stored s = raw();
            assertEquals(CasResult.APPLIED, store().compareAndSet(space, s.version(), JSON.writeValueAsString(doc)));

            LockManager a = manager("a");
            a.tryAcquire(LockRequest.exclusive("new")).orElseThrow().close();
            JsonNode after = json(raw().data());
            assertEquals("top", after.get("future").asText());
            assertEquals("/tasks/7", after.get("holders").get(other.holderId()).get("cgroup").asText());
            assertEquals(1, after.get("grants").size());
            assertEquals("kept", after.get("grants").get(0).get("x").get(0).asText());
            assertEquals("w1", after.get("grants").get(0).get("w").get(0).asText());
            seed.checkHeld();
        }
    }

    @Test
    void aFormatOneSpaceKeepsWorkingAndIsRewrittenInFormatTwo() throws Exception {
        rawWrite("{\"format\":1,\"holders\":{\"live\":{\"host\":\"far-away\",\"pid\":98,\"cgroup\":\"/t\","
                + "\"leaseUntil\":\"2999-01-01T00:00:00Z\"}},\"locks\":{\"x\":{\"mode\":\"EXCLUSIVE\",\"holders\":["
                + "{\"holder\":\"live\",\"token\":1,\"since\":\"2000-01-01T00:00:00.123456Z\",\"note\":\"n\"}]},"
                + "\"p\":{\"mode\":\"SHARED\",\"holders\":[{\"holder\":\"live\",\"token\":1,"
                + "\"since\":\"2000-01-01T00:00:00.123456Z\",\"note\":\"n\"}]}},\"future\":7}");
        LockManager a = manager("a");
        assertEquals(Optional.empty(), a.tryAcquire(LockRequest.exclusive("x")), "the format 1 grant counts");
        try (Lease lease = a.tryAcquire(LockRequest.exclusive("y").andShared("p")).orElseThrow()) {
            JsonNode doc = json(raw().data());
            assertEquals(2, doc.get("format").asInt());
            assertFalse(doc.has("locks"));
            assertEquals(7, doc.get("future").asInt());
            assertEquals("/t", doc.get("holders").get("live").get("cgroup").asText());
            JsonNode old = doc.get("grants").get(0);
            assertEquals("live", old.get("holder").asText());
            assertEquals("[\"x\"]", old.get("x").toString());
            assertEquals("[\"p\"]", old.get("s").toString());
            assertEquals("n", old.get("note").asText());
            JsonNode mine = doc.get("grants").get(1);
            assertEquals(a.holderId(), mine.get("holder").asText());
            assertEquals(lease.token(), mine.get("token").asLong());
            LockSnapshot snap = a.snapshot();
            assertEquals(java.time.Instant.parse("2000-01-01T00:00:00.123456Z"), snap.grantsOf("x").get(0).since());
            assertEquals(lease.acquiredAt(), snap.grantsOf("y").get(0).since());
            assertEquals(2, snap.grantsOf("p").size());
        }
    }

    @Test
    void expiredLeaseHolderIsReapedInTheGrantingWrite() throws Exception {
        rawWrite("{\"format\":1,\"holders\":{\"ghost\":{\"host\":\"far-away\",\"pid\":99,\"task\":\"old\","
                + "\"leaseUntil\":\"2000-01-01T00:00:00Z\"},\"live\":{\"host\":\"far-away\",\"pid\":98,"
                + "\"leaseUntil\":\"2999-01-01T00:00:00Z\"}},\"locks\":{\"x\":{\"mode\":\"EXCLUSIVE\",\"holders\":["
                + "{\"holder\":\"ghost\",\"token\":1,\"since\":\"2000-01-01T00:00:00Z\"}]},\"y\":{\"mode\":\"EXCLUSIVE\","
                + "\"holders\":[{\"holder\":\"ghost\",\"token\":1,\"since\":\"2000-01-01T00:00:00Z\"}]},"
                + "\"z\":{\"mode\":\"EXCLUSIVE\",\"holders\":[{\"holder\":\"live\",\"token\":1,"
                + "\"since\":\"2000-01-01T00:00:00Z\"}]}}}");
        List<String> reaped = new ArrayList<>();
        LockManager a = LockManager.builder(store()).space(space).holder(Holder.currentProcess("a"))
                .listenerExecutor(Runnable::run).listener(new LockListener() {
                    @Override
                    public void holderReaped(String holderId, Holder holder, java.util.Collection<String> locks,
                                             String why) {
                        reaped.add(holderId + " " + locks + " " + why);
                    }
                }).build();
        long version = raw().version();
        assertEquals(Optional.empty(), a.tryAcquire(LockRequest.exclusive("z")), "a live lease is respected");
        try (Lease lease = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow()) {
            assertEquals(version + 1, lease.token(), "reaped and granted in one compare-and-set");
            LockSnapshot snap = a.snapshot();
            assertEquals(List.of("x", "z"), List.copyOf(snap.lockNames()), "all of the dead holder's grants go");
            assertEquals(1, reaped.size());
            assertTrue(reaped.get(0).startsWith("ghost [x, y] its lease ran out at 2000-01-01T00:00:00Z"),
                    reaped.get(0));
            assertFalse(json(raw().data()).get("holders").has("ghost"));
        }
    }

    @Test
    void reapSweepsDeadHoldersNobodyAskedFor() throws Exception {
        rawWrite("{\"format\":1,\"holders\":{\"ghost\":{\"host\":\"far-away\",\"pid\":99,"
                + "\"leaseUntil\":\"2000-01-01T00:00:00Z\"}},\"locks\":{\"y\":{\"mode\":\"SHARED\",\"holders\":["
                + "{\"holder\":\"ghost\",\"token\":1,\"since\":\"2000-01-01T00:00:00Z\"}]}}}");
        LockManager a = manager("a");
        assertEquals(1, a.reap());
        assertTrue(a.snapshot().isEmpty());
        long version = raw().version();
        assertEquals(0, a.reap());
        assertEquals(version, raw().version(), "nothing to reap writes nothing");
    }

    @Test
    void checkHeldConfirmsAHeldLease() throws ExecutionException, InterruptedException {
        LockManager a = manager("a");
        try (Lease lease = a.acquire(LockRequest.exclusive("x"), LONG)) {
            lease.checkHeld();
            assertTrue(lease.isHeld());
            assertEquals(space, lease.space());
            assertEquals(a.holderId(), lease.holderId());
        }
    }
}
