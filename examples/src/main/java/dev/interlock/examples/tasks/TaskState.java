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
    /** Its process exited with 0. */
    DONE,
    /** Its process exited with 50 after recording the error, or with another unexpected code. */
    FAILED,
    /** Its process was asked to stop (SIGTERM), cleaned up and exited with 70. */
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
