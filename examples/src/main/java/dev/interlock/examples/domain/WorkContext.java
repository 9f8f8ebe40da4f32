package dev.interlock.examples.domain;

import dev.interlock.Lease;
import dev.interlock.LockRequest;

/**
 * What long-running domain operations ({@link Operations}) need from whoever runs them: locks, progress and a
 * place to say what happened. A task process implements it by recording everything in the database (the timeline);
 * a command in the operator's terminal by printing.
 */
public interface WorkContext {

    /**
     * Takes locks, waiting as long as the context allows, and tells who was in the way if it had to wait.
     *
     * @param request the locks
     * @return the lease; close it to release
     * @throws InterruptedException          if the process is asked to stop while waiting
     * @throws dev.interlock.LockTimeoutException if the locks were not granted in time
     */
    Lease lock(LockRequest request) throws InterruptedException;

    /**
     * Reports progress of the current step.
     *
     * @param fraction how much of the step is done, 0 to 1
     * @param message  what is being done
     * @throws InterruptedException if the process is asked to stop
     */
    void progress(double fraction, String message) throws InterruptedException;

    /**
     * Reports that {@code bytes} more bytes were copied: a context may slow copies down (the demo does, so that
     * overlaps are visible) and checks here whether it was asked to stop.
     *
     * @param bytes bytes just copied
     * @throws InterruptedException if the process is asked to stop
     */
    default void copied(long bytes) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("stopped");
        }
    }

    /**
     * Records a notable event.
     *
     * @param message what happened
     */
    void note(String message);
}
