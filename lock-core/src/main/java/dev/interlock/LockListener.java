package dev.interlock;

import java.time.Duration;
import java.util.Collection;
import java.util.List;

/**
 * Hears about the events of one {@link LockManager}: for metrics, audit logs and alerts. Every method has an
 * empty default; override what you need.
 *
 * <p>Events are delivered off the hot path: on the manager's {@linkplain LockManager.Builder#listenerExecutor
 * listener executor} (by default one daemon thread per manager), in the order they happened, after the store
 * operation that caused them. A slow listener delays other events, never a lock operation. An exception thrown by
 * a method is logged and ignored.
 */
public interface LockListener {

    /**
     * Combines listeners: each event goes to each of them in order; one that throws does not keep the event
     * from the others (the first exception is rethrown after all were called, and logged by the manager).
     *
     * @param listeners the listeners
     * @return a listener that calls them all
     */
    static LockListener compose(LockListener... listeners) {
        List<LockListener> all = List.of(listeners);
        return new LockListener() {
            private void each(java.util.function.Consumer<LockListener> event) {
                RuntimeException first = null;
                for (LockListener l : all) {
                    try {
                        event.accept(l);
                    } catch (RuntimeException e) {
                        if (first == null) {
                            first = e;
                        }
                    }
                }
                if (first != null) {
                    throw first;
                }
            }

            @Override
            public void acquired(Lease lease, Duration waited, int attempts) {
                each(l -> l.acquired(lease, waited, attempts));
            }

            @Override
            public void refused(LockRequest request, Duration waited, List<LockSnapshot.Grant> blockers) {
                each(l -> l.refused(request, waited, blockers));
            }

            @Override
            public void released(Lease lease, Duration held) {
                each(l -> l.released(lease, held));
            }

            @Override
            public void conflict(String operation) {
                each(l -> l.conflict(operation));
            }

            @Override
            public void written(long version, int size) {
                each(l -> l.written(version, size));
            }

            @Override
            public void leaseLost(Lease lease, String reason) {
                each(l -> l.leaseLost(lease, reason));
            }

            @Override
            public void holderReaped(String holderId, Holder holder, Collection<String> locks, String why) {
                each(l -> l.holderReaped(holderId, holder, locks, why));
            }
        };
    }

    /**
     * A request was granted.
     *
     * @param lease    the new lease
     * @param waited   how long the caller waited, from the call to the grant
     * @param attempts grant attempts made (1 = granted at once)
     */
    default void acquired(Lease lease, Duration waited, int attempts) {
    }

    /**
     * A {@link LockManager#tryAcquire} found the request blocked, or an {@link LockManager#acquire} gave up.
     *
     * @param request  the request
     * @param waited   how long the caller waited (zero for tryAcquire)
     * @param blockers the grants in the way at the last attempt
     */
    default void refused(LockRequest request, Duration waited, List<LockSnapshot.Grant> blockers) {
    }

    /**
     * A lease was released by its owner.
     *
     * @param lease the lease
     * @param held  how long it was held, by this process's clock
     */
    default void released(Lease lease, Duration held) {
    }

    /**
     * A compare-and-set lost to another writer and is retried: a measure of contention on the space (it counts
     * the misses of the fast path too, where the manager tried its own last write and someone had written since).
     *
     * @param operation what was being written, e.g. {@code grant} or {@code release}
     */
    default void conflict(String operation) {
    }

    /**
     * The manager wrote the space's document.
     *
     * @param version the version written
     * @param size    its size in characters
     */
    default void written(long version, int size) {
    }

    /**
     * A lease of this manager was found lost: its grants were removed by someone else.
     *
     * @param lease  the lost lease
     * @param reason how it was noticed, e.g. {@code "release found its grants gone"}
     */
    default void leaseLost(Lease lease, String reason) {
    }

    /**
     * This manager removed the grants of a holder it judged dead.
     *
     * @param holderId the reaped holder
     * @param holder   its identity
     * @param locks    the names it held
     * @param why      the rule that judged it dead
     */
    default void holderReaped(String holderId, Holder holder, Collection<String> locks, String why) {
    }
}
