package dev.interlock.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.LockListener;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Events wait for a slow listener in a bounded queue: past it they are dropped and counted, never hoarded. */
class EventsTest {

    @Test
    void aStuckListenerFillsNoMoreThanTheQueue() throws Exception {
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch first = new CountDownLatch(1);
        AtomicInteger delivered = new AtomicInteger();
        LockListener listener = new LockListener() {
            @Override
            public void written(long version, int size) {
                first.countDown();
                try {
                    assertTrue(stuck.await(10, TimeUnit.SECONDS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                delivered.incrementAndGet();
            }
        };
        Events events = new Events(listener, null, "test", 10);
        events.emit(l -> l.written(1, 1));
        assertTrue(first.await(10, TimeUnit.SECONDS)); // the one thread is stuck in the listener now
        for (int i = 0; i < 100; i++) {
            events.emit(l -> l.written(2, 2));
        }
        assertEquals(90, events.dropped(), "ten wait, the rest are dropped");
        stuck.countDown();
        events.close();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (delivered.get() < 11) {
            assertTrue(System.nanoTime() < deadline, "delivered " + delivered.get());
            Thread.sleep(5);
        }
        Thread.sleep(50);
        assertEquals(11, delivered.get(), "the first and the ten queued");
    }
}
