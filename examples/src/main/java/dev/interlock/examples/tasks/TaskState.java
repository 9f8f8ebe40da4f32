package dev.interlock.examples.tasks;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a task is in its life. */
public enum TaskState {
    /** Created, its process not started yet. */
    PENDING,
    /** Its process runs. */
    RUNNING,
    /**
     * Its work was done: its process recorded so and exited with 0. A task that had recorded this end keeps it
     * whatever its process exited with afterwards (a SIGTERM or SIGKILL that came after the work was done).
     */
    DONE,
    /**
     * Its process exited with 50 after recording the error, or with another unexpected code. A recorded failure is
     * kept whatever the process exited with afterwards.
     */
    FAILED,
    /** Its process was asked to stop (SIGTERM) before its work was done, cleaned up and exited with 70. */
    STOPPED,
    /** Its process was killed by a signal (SIGKILL, or a crash) and could not clean up. */
    KILLED;

    /** @return the name stored in the database */
    @JsonValue
    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return whether the task's process has ended */
    public boolean isFinal() {
        return this != PENDING && this != RUNNING;
    }

    /**
     * @param text a state name
     * @return the state
     * @throws IllegalArgumentException if unknown
     */
    @JsonCreator
    public static TaskState parse(String text) {
        for (TaskState s : values()) {
            if (s.sql().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("unknown task state '" + text + "'");
    }
}
