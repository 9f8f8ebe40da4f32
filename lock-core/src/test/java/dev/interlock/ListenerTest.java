package dev.interlock;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.memory.InMemoryLockStore;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** The events a manager reports to its listener, and how they are delivered. */
class ListenerTest {

    /** Writes every event as a line. */
    static final class Recorder implements LockListener {
        final List<String> lines = new CopyOnWriteArrayList<>();
        final List<String> threads = new CopyOnWriteArrayList<>();

        private void add(String line) {
            lines.add(line);
            threads.add(Thread.currentThread().getName());
        }

        @Override
        public void acquired(Lease lease, Duration waited, int attempts) {
            add("acquired " + lease.locks().keySet() + " token=" + lease.token() + " attempts=" + attempts);
        }

        @Override
        public void refused(LockRequest request, Duration waited, List<LockSnapshot.Grant> blockers) {
            add("refused " + request.locks().keySet() + " blockers=" + blockers.size() + " waited="
                    + (waited.isZero() ? "0" : ">0"));
        }

        @Override
        public void released(Lease lease, Duration held) {
            add("released token=" + lease.token());
        }

        @Override
        public void conflict(String operation) {
            add("conflict " + operation);
        }

        @Override
        public void written(long version, int size) {
            add("written v" + version);
        }

        @Override
        public void leaseLost(Lease lease, String reason) {
            add("lost token=" + lease.token());
        }

        @Override
        public void holderReaped(String holderId, Holder holder, Collection<String> locks, String why) {
            add("reaped " + locks);
        }
    }

    /** Loses the next compare-and-set to a phantom writer once. */
    static final class OneConflictStore implements LockStore {
        final InMemoryLockStore real = new InMemoryLockStore();
        final AtomicInteger conflictsLeft = new AtomicInteger();

        @Override
        public Optional<Stored> read(String space) {
            return real.read(space);
        }

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            if (conflictsLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return CasResult.CONFLICT;
            }
            return real.compareAndSet(space, expectedVersion, newData);
        }

        @Override
        public void createSpaceIfAbsent(String space, String initialData) {
            real.createSpaceIfAbsent(space, initialData);
        }
    }

    @Test
    void everyOperationReportsWhatHappened() throws Exception {
        OneConflictStore store = new OneConflictStore();
        Recorder events = new Recorder();
        LockManager a = LockManager.builder(store).holder(Holder.currentProcess("a")).listener(events)
                .listenerExecutor(Runnable::run).build();
        LockManager b = LockManager.builder(store).holder(Holder.currentProcess("b")).build();

        Lease x = a.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        Lease held = b.tryAcquire(LockRequest.exclusive("y")).orElseThrow();
        assertEquals(Optional.empty(), a.tryAcquire(LockRequest.exclusive("y")));
        assertThrows(LockTimeoutException.class, () -> a.acquire(LockRequest.exclusive("y"), Duration.ofMillis(50)));
        store.conflictsLeft.set(1);
        x.close();
        b.releaseAll(b.holderId()); // b's own lease: b has no listener
        assertTrue(!held.isHeld());
        Lease z = a.tryAcquire(LockRequest.shared("z")).orElseThrow();
        b.releaseAll(a.holderId());
        z.close(); // finds its grant gone

        // "conflict grant": a's last write was outdated by b's (the fast path's miss, then a fresh read)
        assertEquals(List.of(
                "written v1", "acquired [x] token=1 attempts=1",
                "conflict grant", "refused [y] blockers=1 waited=0",
                "refused [y] blockers=1 waited=>0",
                "conflict release", "written v3", "released token=1",
                "conflict grant", "written v5", "acquired [z] token=5 attempts=1",
                "conflict release", "lost token=5"), events.lines);
    }

    @Test
    void eventsArriveInOrderOffTheCallersThread() throws Exception {
        Recorder events = new Recorder();
        CountDownLatch done = new CountDownLatch(1);
        LockListener slowAndLast = new LockListener() {
            @Override
            public void released(Lease lease, Duration held) {
                events.released(lease, held);
                done.countDown();
            }

            @Override
            public void acquired(Lease lease, Duration waited, int attempts) {
                try {
                    Thread.sleep(50); // a slow listener delays events, not locks
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                events.acquired(lease, waited, attempts);
            }
        };
        LockManager m = LockManager.builder(new InMemoryLockStore()).listener(slowAndLast).build();
        List<Long> tokens = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Lease lease = m.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
            tokens.add(lease.token());
            if (i < 4) {
                lease.close();
            } else {
                assertTrue(events.lines.size() < 9, "the caller did not wait for the slow listener");
                lease.close();
            }
        }
        assertTrue(done.await(30, TimeUnit.SECONDS));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (events.lines.size() < 10 && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }
        List<String> expected = new ArrayList<>();
        for (long t : tokens) {
            expected.add("acquired [x] token=" + t + " attempts=1");
            expected.add("released token=" + t);
        }
        assertEquals(expected, events.lines);
        for (String thread : events.threads) {
            assertNotEquals(Thread.currentThread().getName(), thread);
            assertTrue(thread.startsWith("interlock-events-"), thread);
        }
        m.close();
    }

    @Test
    void aDirectListenerThatCallsBackIntoTheManagerIsRefusedClearly() {
        AtomicReference<RuntimeException> refused = new AtomicReference<>();
        LockManager[] self = new LockManager[1];
        self[0] = LockManager.builder(new InMemoryLockStore()).listenerExecutor(Runnable::run)
                .listener(new LockListener() {
                    @Override
                    public void written(long version, int size) {
                        try {
                            self[0].tryAcquire(LockRequest.exclusive("other"));
                        } catch (RuntimeException e) {
                            refused.set(e);
                        }
                    }
                }).build();
        Lease lease = self[0].tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertTrue(refused.get() instanceof IllegalStateException, "got " + refused.get());
        assertTrue(refused.get().getMessage().contains("must not call the manager"), refused.get().getMessage());
        assertTrue(lease.isHeld());
        lease.close();
        assertTrue(self[0].snapshot().isEmpty());
    }

    @Test
    void aThrowingListenerNeverBreaksALockOperation() {
        LockListener broken = new LockListener() {
            @Override
            public void acquired(Lease lease, Duration waited, int attempts) {
                throw new IllegalStateException("listener bug");
            }
        };
        LockManager m = LockManager.builder(new InMemoryLockStore()).listener(broken)
                .listenerExecutor(Runnable::run).build();
        Lease lease = m.tryAcquire(LockRequest.exclusive("x")).orElseThrow();
        assertTrue(lease.isHeld());
        lease.close();
        assertTrue(m.snapshot().isEmpty());
    }
}
