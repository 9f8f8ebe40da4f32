package dev.interlock.internal;

import dev.interlock.LockListener;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands events to a {@link LockListener} off the hot path: on the given executor, or by default on one thread
 * of its own that exists only while there are events to deliver (so events keep their order, and an idle
 * manager holds no thread). Without a listener, nothing is done at all.
 */
final class Events {

    private static final Logger log = LoggerFactory.getLogger(dev.interlock.LockManager.class);

    /** The most events waiting for the own thread; past that, events are dropped (and counted), not queued. */
    static final int MAX_QUEUED = 100_000;

    private final LockListener listener;
    private final Executor executor;
    private final ThreadPoolExecutor own;
    private final AtomicLong dropped = new AtomicLong();

    Events(LockListener listener, Executor executor, String name) {
        this(listener, executor, name, MAX_QUEUED);
    }

    /** @param capacity the most events waiting for the own thread (a slow listener must not fill the heap) */
    Events(LockListener listener, Executor executor, String name, int capacity) {
        this.listener = listener;
        if (listener == null || executor != null) {
            this.own = null;
            this.executor = executor;
        } else {
            this.own = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(capacity), r -> {
                Thread t = new Thread(r, "interlock-events-" + name);
                t.setDaemon(true);
                return t;
            });
            this.executor = own;
        }
    }

    /** @return whether anyone listens: callers skip building events otherwise */
    boolean active() {
        return listener != null;
    }

    void emit(Consumer<LockListener> event) {
        if (listener == null) {
            return;
        }
        try {
            executor.execute(() -> {
                try {
                    event.accept(listener);
                } catch (RuntimeException e) {
                    log.warn("interlock listener failed: {}", e.toString(), e);
                }
            });
        } catch (RuntimeException rejected) {
            long n = dropped.incrementAndGet();
            if (n == 1 || n % 10_000 == 0) { // said once in a while, not once per event: the log must not flood
                log.warn("interlock listener events dropped: {} so far (the listener is slower than the events, or"
                        + " closed): {}", n, rejected.toString());
            }
        }
    }

    /** @return how many events were dropped because the queue was full or the executor refused them */
    long dropped() {
        return dropped.get();
    }

    /** Lets queued events finish; delivers no new ones on the own thread. */
    void close() {
        if (own != null) {
            own.shutdown();
        }
    }
}
