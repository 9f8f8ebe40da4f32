package dev.interlock.bench.impl;

import java.time.Duration;
import java.util.List;

/**
 * What every implementation under test offers the benchmarks: exclusive locks by name, held by this instance
 * (one instance per process, shared by its threads, as an application would share its lock manager).
 *
 * <p>Implementations are thread-safe. {@link #close()} frees what the instance still holds (where the
 * implementation can) and the resources it opened, not the data source it was given.
 */
public interface BenchLock extends AutoCloseable {

    /** A lock held by this instance. */
    interface Held {
        /** Frees the lock; throws if it could not be freed (a benchmark must not go on quietly). */
        void release();
    }

    /** @return the implementation */
    Impl impl();

    /**
     * Takes a lock if it is free, without waiting.
     *
     * @param name the lock name (at most 64 characters: the GET_LOCK and ShedLock limit)
     * @return the held lock, or {@code null} if another holder has it
     */
    Held tryAcquire(String name);

    /**
     * Takes a lock, waiting for it as this implementation waits (see {@link Impl}).
     *
     * @param name    the lock name
     * @param maxWait how long to wait at most
     * @return the held lock
     * @throws IllegalStateException if it is still held by another after {@code maxWait}
     * @throws InterruptedException  if interrupted while waiting
     */
    Held acquire(String name, Duration maxWait) throws InterruptedException;

    /**
     * Makes another holder (in this process, as far as the implementation has a notion of holder) hold these
     * locks, so that they are "other locks held in the same space" for scenario P5.
     *
     * @param names lock names not held yet
     * @return what frees them again
     */
    AutoCloseable holdOthers(List<String> names);

    @Override
    void close();
}
