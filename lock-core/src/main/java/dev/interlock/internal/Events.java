package dev.interlock.internal;

import dev.interlock.LockListener;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
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

    private final LockListener listener;
    private final Executor executor;
    private final ThreadPoolExecutor own;

    Events(LockListener listener, Executor executor, String name) {
        this.listener = listener;
        if (listener == null || executor != null) {
            this.own = null;
            this.executor = executor;
        } else {
            this.own = new ThreadPoolExecutor(0, 1, 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), r -> {
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
            log.warn("interlock listener event dropped: {}", rejected.toString());
        }
    }

    /** Lets queued events finish; delivers no new ones on the own thread. */
    void close() {
        if (own != null) {
            own.shutdown();
        }
    }
}
