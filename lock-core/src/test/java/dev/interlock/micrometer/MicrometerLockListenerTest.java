package dev.interlock.micrometer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockTimeoutException;
import dev.interlock.memory.InMemoryLockStore;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MicrometerLockListenerTest {

    private final MeterRegistry registry = new SimpleMeterRegistry();

    private double count(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void managerEventsBecomeMeters() throws Exception {
        InMemoryLockStore store = new InMemoryLockStore();
        AtomicInteger also = new AtomicInteger();
        LockListener other = new LockListener() {
            @Override
            public void acquired(Lease lease, Duration waited, int attempts) {
                also.incrementAndGet();
            }
        };
        LockManager m = LockManager.builder(store).space("s").holder(Holder.currentProcess("m"))
                .listener(LockListener.compose(new MicrometerLockListener(registry, "s"), other))
                .listenerExecutor(Runnable::run).build();
        LockManager other2 = LockManager.builder(store).space("s").build();

        Lease a = m.tryAcquire(LockRequest.exclusive("a")).orElseThrow();
        Lease b = m.acquire(LockRequest.shared("b"), Duration.ofSeconds(1));
        assertEquals(2, registry.get("interlock.leases.held").gauge().value());
        Lease blocker = other2.tryAcquire(LockRequest.exclusive("c")).orElseThrow();
        assertTrue(m.tryAcquire(LockRequest.exclusive("c")).isEmpty());
        assertThrows(LockTimeoutException.class, () -> m.acquire(LockRequest.exclusive("c"), Duration.ofMillis(30)));
        a.close();
        other2.releaseAll(m.holderId());
        b.close(); // lost

        assertEquals(2, count("interlock.acquisitions", "space", "s", "outcome", "granted"));
        assertEquals(1, count("interlock.acquisitions", "space", "s", "outcome", "refused"));
        assertEquals(1, count("interlock.acquisitions", "space", "s", "outcome", "timeout"));
        assertEquals(2, registry.get("interlock.acquire.wait").tags("outcome", "granted").timer().count());
        assertTrue(registry.get("interlock.acquire.wait").tags("outcome", "timeout").timer()
                .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS) >= 30);
        assertEquals(1, registry.get("interlock.hold").timer().count());
        assertEquals(1, count("interlock.leases.lost", "space", "s"));
        assertEquals(0, registry.get("interlock.leases.held").gauge().value());
        assertTrue(registry.get("interlock.cas.conflicts").tags("operation", "grant").counter().count() >= 1,
                "the other manager's writes outdated m's last write");
        assertEquals(3, registry.get("interlock.document.size").summary().count(), "m wrote three times");
        assertTrue(registry.get("interlock.document.size").summary().max() > 50);
        assertEquals(0, count("interlock.reaped.holders", "space", "s"));
        assertEquals(2, also.get(), "the composed listener heard the events too");
        blocker.close();
    }
}
