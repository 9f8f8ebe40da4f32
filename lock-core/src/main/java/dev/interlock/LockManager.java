package dev.interlock;

import dev.interlock.internal.EngineConfig;
import dev.interlock.internal.LockEngine;
import dev.interlock.spi.LockStore;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * Takes and releases inter-process locks in one lock space.
 *
 * <pre>{@code
 * LockManager locks = LockManager.builder(store).space("platform").holder(Holder.currentProcess("backup-17")).build();
 * try (Lease lease = locks.acquire(LockRequest.exclusive("app:3f2a").andShared("platform"), Duration.ofMinutes(5))) {
 *     long token = lease.token(); // fencing token for protected writes
 * }
 * }</pre>
 *
 * <p>All locks of a space live in one versioned document in the store, changed only by compare-and-set, so
 * any number of managers, in any number of processes on any number of hosts, may share a space. Each manager
 * is one holder (a random holder id plus the process identity of its {@link Holder}); create one per process
 * and space and share it between threads. Thread-safe.
 *
 * <p>Holders on this host are judged by their process ({@link ProcessProbe}); holders that other hosts must be
 * able to reap take their locks under a {@linkplain Builder#lease(Duration) lease}, renewed in the background
 * by one compare-and-set per interval. {@link #close()} stops that background work and releases what is still
 * held.
 */
public interface LockManager extends AutoCloseable {

    /** The space used when none is given. */
    String DEFAULT_SPACE = "platform";

    /**
     * Starts configuring a manager.
     *
     * @param store where the lock state lives
     * @return a builder with sane defaults for everything but the store
     */
    static Builder builder(LockStore store) {
        return new Builder(store);
    }

    /** @return the space this manager works in */
    String space();

    /** @return this manager's holder id, recorded beside each of its grants */
    String holderId();

    /** @return the process identity recorded beside each of its grants */
    Holder holder();

    /**
     * Grants the request if no live holder conflicts with it, without waiting.
     *
     * @param request the locks to take, all or nothing
     * @return the lease, or empty if a live holder holds a conflicting lock
     * @throws LockConflictException      if the space kept changing for {@code maxCasAttempts} tries in a row
     * @throws CorruptLockStateException  if the stored document is unreadable (nothing is written)
     * @throws LockStoreException         if the store cannot be reached
     */
    Optional<Lease> tryAcquire(LockRequest request);

    /**
     * Grants the request, waiting up to {@code maxWait} for conflicting holders to let go. Waiting polls with
     * capped exponential backoff and jitter, and wakes at once when this manager releases a lock.
     *
     * @param request the locks to take, all or nothing
     * @param maxWait how long to wait at most; zero means one try
     * @return the lease
     * @throws LockTimeoutException      if not granted in time; names the holders in the way
     * @throws InterruptedException      if the thread is interrupted while waiting (nothing is held then)
     * @throws CorruptLockStateException if the stored document is unreadable (nothing is written)
     * @throws LockStoreException        if the store cannot be reached
     */
    Lease acquire(LockRequest request, Duration maxWait) throws InterruptedException;

    /**
     * Runs {@code work} while holding the request; releases afterwards, whatever happens.
     *
     * @param <T>     the result type
     * @param <X>     the checked exception of the work, passed through unwrapped
     * @param request the locks to take
     * @param maxWait how long to wait at most
     * @param work    the work
     * @return what the work returned
     * @throws X                    what the work threw
     * @throws InterruptedException if interrupted while waiting for the locks
     * @throws LockTimeoutException if not granted in time
     */
    default <T, X extends Exception> T withLock(LockRequest request, Duration maxWait, LockCallback<T, X> work)
            throws X, InterruptedException {
        Objects.requireNonNull(work, "work");
        try (Lease lease = acquire(request, maxWait)) {
            return work.withLock(lease);
        }
    }

    /**
     * Runs {@code work} while holding the request; releases afterwards, whatever happens.
     *
     * @param <X>     the checked exception of the work, passed through unwrapped
     * @param request the locks to take
     * @param maxWait how long to wait at most
     * @param work    the work
     * @throws X                    what the work threw
     * @throws InterruptedException if interrupted while waiting for the locks
     * @throws LockTimeoutException if not granted in time
     */
    default <X extends Exception> void useLock(LockRequest request, Duration maxWait, LockConsumer<X> work)
            throws X, InterruptedException {
        Objects.requireNonNull(work, "work");
        try (Lease lease = acquire(request, maxWait)) {
            work.useLock(lease);
        }
    }

    /**
     * Reads the space.
     *
     * @return every lock held, with holders, modes, since and tokens
     * @throws CorruptLockStateException if the stored document is unreadable
     * @throws LockStoreException        if the store cannot be reached
     */
    LockSnapshot snapshot();

    /**
     * Removes every grant of one holder, whoever it is: what a supervisor or an operator calls once the
     * holder's process is known to be gone. Leases of that holder learn of it as a loss.
     *
     * @param holderId the holder id (see {@link LockSnapshot.Grant#holderId()})
     * @return how many grants were removed
     */
    int releaseAll(String holderId);

    /**
     * Removes every grant of every holder whose {@link Holder#task()} is {@code taskId}: what a task supervisor
     * calls after a task process exits, however it exited.
     *
     * @param taskId the task id
     * @return how many grants were removed
     */
    int releaseTask(String taskId);

    /**
     * Removes every grant of one lock, whoever holds it: what an operator does about a holder that is stuck, or
     * gone in a way no reaper can prove (a host that vanished, a holder without a lease). The holders keep their
     * other grants; a lease that held the lock learns of the loss on its next renewal, release or
     * {@link Lease#checkHeld()}. Prefer {@link #releaseAll} when the whole holder is gone.
     *
     * @param lockName the lock
     * @return how many grants were removed (0 if it was free)
     * @throws IllegalArgumentException if the name is not a valid lock name
     */
    int forceRelease(String lockName);

    /**
     * Sweeps the space: removes every grant of holders that are provably dead, and this manager's own orphan
     * grants (left by a write whose reply was lost and which was applied after it had been judged not applied).
     * Acquirers reap dead holders that block them anyway; this sweeps the rest.
     *
     * @return how many grants were removed
     * @throws CorruptLockStateException if the stored document is unreadable (nothing is written)
     * @throws LockStoreException        if the store cannot be reached
     */
    int reap();

    /**
     * Releases every lease of this manager that is still held and stops its background work (lease renewal,
     * sweeping). Idempotent and quiet, like {@link Lease#close()}. The manager must not be used afterwards: a
     * request made then, or still waiting for a lock, fails with {@link IllegalStateException}.
     */
    @Override
    void close();

    /**
     * Configures a {@link LockManager}. Each setter checks its own argument; {@link #build()} checks the
     * combination. Not thread-safe; build once and share the manager.
     */
    final class Builder {
        private final LockStore store;
        private String space = DEFAULT_SPACE;
        private Holder holder;
        private Duration minBackoff = Duration.ofMillis(5);
        private Duration maxBackoff = Duration.ofMillis(500);
        private int maxCasAttempts = 200;
        private int maxDocumentSize = 8 * 1024 * 1024;
        private LockListener listener;
        private java.util.concurrent.Executor listenerExecutor;
        private ProcessProbe probe = ProcessProbe.system();
        private Duration lease;
        private Duration renewEvery;
        private Duration sweepEvery;
        private boolean fair;

        private Builder(LockStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /**
         * @param space the space id: 1 to 191 characters, no control characters, no leading or trailing white
         *              space; default {@value #DEFAULT_SPACE}
         * @return this
         */
        public Builder space(String space) {
            Names.check("space", space, 191);
            if (!space.strip().equals(space)) {
                // databases compare keys ignoring trailing spaces: "a" and "a " would be one row
                throw new IllegalArgumentException("space must not start or end with white space: "
                        + Names.quoteShort(space));
            }
            this.space = space;
            return this;
        }

        /**
         * @param holder the process identity to record; default {@link Holder#currentProcess(String)
         *               Holder.currentProcess(null)}
         * @return this
         */
        public Builder holder(Holder holder) {
            this.holder = Objects.requireNonNull(holder, "holder");
            return this;
        }

        /**
         * The bounds of the waiting loop's backoff: the first wait is about {@code min}, each next one doubles,
         * up to {@code max}, each with random jitter. Defaults 5 ms and 500 ms.
         *
         * @param min the first backoff, at least 1 ms
         * @param max the largest backoff, at least {@code min}, at most 1 minute
         * @return this
         */
        public Builder backoff(Duration min, Duration max) {
            Objects.requireNonNull(min, "min");
            Objects.requireNonNull(max, "max");
            if (min.compareTo(Duration.ofMillis(1)) < 0) {
                throw new IllegalArgumentException("backoff min must be at least 1ms, was " + min);
            }
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("backoff max must be at least min (" + min + "), was " + max);
            }
            if (max.compareTo(Duration.ofMinutes(1)) > 0) {
                throw new IllegalArgumentException("backoff max must be at most PT1M, was " + max);
            }
            this.minBackoff = min;
            this.maxBackoff = max;
            return this;
        }

        /**
         * How many compare-and-sets in a row {@link LockManager#tryAcquire} and the release and admin calls may
         * lose to other writers before giving up with {@link LockConflictException}. Default 200.
         *
         * @param attempts 1 to 100,000
         * @return this
         */
        public Builder maxCasAttempts(int attempts) {
            if (attempts < 1 || attempts > 100_000) {
                throw new IllegalArgumentException("maxCasAttempts must be between 1 and 100000, was " + attempts);
            }
            this.maxCasAttempts = attempts;
            return this;
        }

        /**
         * The largest document, in characters, this manager reads or writes. A larger stored document is
         * reported as {@link CorruptLockStateException}; a grant that would make it larger is refused with a
         * {@link LockException}. Default 8 MiB (8,388,608).
         *
         * @param chars 1,024 to 256 MiB
         * @return this
         */
        public Builder maxDocumentSize(int chars) {
            if (chars < 1024 || chars > 256 * 1024 * 1024) {
                throw new IllegalArgumentException("maxDocumentSize must be between 1024 and 268435456, was " + chars);
            }
            this.maxDocumentSize = chars;
            return this;
        }

        /**
         * @param listener hears about grants, refusals, releases, conflicts, writes, lost leases and reaped
         *                 holders; default none
         * @return this
         */
        public Builder listener(LockListener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Where listener events are delivered. Default: one daemon thread of the manager's own, started when
         * there are events and stopped when idle, so events arrive in order and never slow a lock operation.
         * {@code Runnable::run} delivers them on the thread that caused them (useful in tests); such a listener
         * runs while the manager is writing, so it must not call the manager or its leases (that fails with
         * {@link IllegalStateException}).
         *
         * @param executor the executor
         * @return this
         */
        public Builder listenerExecutor(java.util.concurrent.Executor executor) {
            this.listenerExecutor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * @param probe what this host can tell about processes; default {@link ProcessProbe#system()}
         * @return this
         */
        public Builder probe(ProcessProbe probe) {
            this.probe = Objects.requireNonNull(probe, "probe");
            return this;
        }

        /**
         * Holds this manager's locks under a lease: its holder record carries {@code leaseUntil}, the database's
         * time of the last write plus {@code ttl}, renewed in the background (see {@link #renewEvery}). A holder
         * whose lease ran out is dead to every other process, on any host, which is what lets processes on
         * other hosts reap it. Default: no lease (only processes on this host can tell it died).
         *
         * @param ttl 1 second to 1 day
         * @return this
         */
        public Builder lease(Duration ttl) {
            Objects.requireNonNull(ttl, "ttl");
            if (ttl.compareTo(Duration.ofSeconds(1)) < 0 || ttl.compareTo(Duration.ofDays(1)) > 0) {
                throw new IllegalArgumentException("lease must be between PT1S and PT24H, was " + ttl);
            }
            this.lease = ttl;
            return this;
        }

        /**
         * How often the background renewer extends the lease: one compare-and-set for all of this manager's
         * locks. Default a third of the lease.
         *
         * @param interval at least 100 ms and less than the lease
         * @return this
         */
        public Builder renewEvery(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("renewEvery must be at least PT0.1S, was " + interval);
            }
            this.renewEvery = interval;
            return this;
        }

        /**
         * Sweeps the space for dead holders ({@link LockManager#reap()}) in the background at this interval.
         * Default: no sweeping (acquirers still reap the dead holders that block them).
         *
         * @param interval at least 100 ms
         * @return this
         */
        public Builder sweepEvery(Duration interval) {
            Objects.requireNonNull(interval, "interval");
            if (interval.compareTo(Duration.ofMillis(100)) < 0) {
                throw new IllegalArgumentException("sweepEvery must be at least PT0.1S, was " + interval);
            }
            this.sweepEvery = interval;
            return this;
        }

        /**
         * Fair waiting: an {@link LockManager#acquire} of this manager that finds its request blocked queues it in
         * the space (with this holder's identity, so a dead waiter is reaped like a dead holder). Every manager,
         * fair or not, then refuses later requests that conflict with a queued one, so a stream of small requests
         * cannot starve a request that needs many locks, or an exclusive lock on a busy shared one. A request that
         * gives up leaves the queue. Default off: waiting requests poll, and the first to find its locks free
         * takes them. {@link LockManager#tryAcquire} never queues (but respects the queue).
         *
         * @param fair whether blocked acquire calls queue
         * @return this
         */
        public Builder fair(boolean fair) {
            this.fair = fair;
            return this;
        }

        /**
         * @return a new manager
         * @throws IllegalArgumentException if {@code renewEvery} is set without a lease, or is not shorter than it
         */
        public LockManager build() {
            Duration renew = renewEvery;
            if (renew != null && lease == null) {
                throw new IllegalArgumentException("renewEvery (" + renew + ") needs a lease; set lease(ttl) too");
            }
            if (lease != null) {
                if (renew == null) {
                    renew = lease.dividedBy(3);
                } else if (renew.compareTo(lease) >= 0) {
                    throw new IllegalArgumentException("renewEvery must be shorter than the lease (" + lease
                            + "), was " + renew);
                }
            }
            Holder h = holder != null ? holder : Holder.currentProcess(null);
            return new LockEngine(new EngineConfig(store, space, h, minBackoff, maxBackoff, maxCasAttempts,
                    maxDocumentSize, listener, listenerExecutor, probe, lease, renew, sweepEvery, fair));
        }
    }
}
