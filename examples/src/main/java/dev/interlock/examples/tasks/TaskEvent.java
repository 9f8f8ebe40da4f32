package dev.interlock.examples.tasks;

import java.time.Instant;

/**
 * A row of {@code task_events}: something a task process or the supervisor did, stamped by the database's clock.
 *
 * @param id       increasing in the order the events were recorded
 * @param taskId   the task, or {@code null} for events of no task
 * @param time     the database's time when it was recorded
 * @param kind     what happened
 * @param lockName the lock concerned, or {@code null}
 * @param token    the fencing token concerned, or {@code null}
 * @param message  the details, for people
 */
public record TaskEvent(long id, Long taskId, Instant time, Kind kind, String lockName, Long token, String message) {

    /** The kinds of event. */
    public enum Kind {
        /** The supervisor started the task's process. */
        STARTED,
        /** The task must wait for locks; the message names the holders in the way and the rule. */
        WAITING,
        /** The task got locks (one event per lock name, with the fencing token). */
        ACQUIRED,
        /** The task is about to release locks (one event per lock name; recorded before the release). */
        RELEASING,
        /** The task gave up waiting for locks. */
        TIMEOUT,
        /** The task's progress passed a quarter. */
        PROGRESS,
        /** Something the task did. */
        NOTE,
        /** The task's lock manager reaped the locks of a dead holder. */
        REAPED,
        /** The task found one of its leases lost. */
        LOST,
        /** Someone sent the task's process a signal (an operator's stop, the demo's SIGKILL). */
        SIGNAL,
        /** The task's process ended (recorded by the supervisor). */
        EXITED,
        /** The supervisor freed the locks the ended task still held. */
        RELEASED,
        /** A backup whose writer is gone was marked error. */
        ORPHANED
    }
}
