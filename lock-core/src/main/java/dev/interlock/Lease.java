package dev.interlock;

import java.time.Instant;
import java.util.Map;

/**
 * A granted {@link LockRequest}: the locks are held until {@link #close()}.
 *
 * <p>Ownership belongs to this object, not to a thread: any thread may close it, which makes leases usable
 * from executors, virtual threads and asynchronous code. Thread-safe.
 *
 * <p>Loss (an operator forced the lock free, a supervisor released the task, a reaper judged this holder
 * dead) is reported through {@link #isHeld()}, {@link #checkHeld()} and the manager's {@link LockListener},
 * never by {@link #close()}.
 */
public interface Lease extends AutoCloseable {

    /** @return the locks held, sorted by name */
    Map<String, LockMode> locks();

    /**
     * The fencing token: the version of the space at which this lease was granted. Any later grant that
     * conflicts with this one has a greater token (leases of one process granted by the same combined write
     * share a token, but never a lock name). Pass it to writes the lock protects, and have them refuse a token
     * lower than one they have already seen: a holder that lost its lock without knowing it is then harmless.
     *
     * @return the fencing token
     */
    long token();

    /** @return the space the locks live in */
    String space();

    /** @return the holder id of the manager that was granted the lease */
    String holderId();

    /** @return when the lease was granted, by the store's clock */
    Instant acquiredAt();

    /**
     * What this process knows without asking the store.
     *
     * @return {@code false} once the lease was closed or found lost, or while the manager's
     *     {@linkplain LockManager.Builder#lease lease} could not be renewed in time (others may have reaped
     *     it); {@code true} otherwise
     */
    boolean isHeld();

    /**
     * Asks the store whether every grant of this lease is still in place.
     *
     * @throws LockLostException  if a grant is gone (the lease is then marked lost)
     * @throws IllegalStateException if the lease was already closed
     * @throws LockStoreException if the store cannot be reached
     */
    void checkHeld();

    /**
     * Releases the locks. Idempotent and quiet: a second call does nothing, and a failure to reach the store
     * is logged and retried later by the manager (a lease that cannot be released stays visible as an orphan
     * of this holder, removed by the manager's next write or, after the process ends, by a reaper) rather than
     * thrown, so it never hides the exception that ended a try-with-resources block.
     */
    @Override
    void close();
}
