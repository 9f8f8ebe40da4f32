package dev.interlock.examples.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A row of {@code tasks}.
 *
 * @param id           the task id
 * @param type         what it does
 * @param args         its arguments (a JSON object; never holds a password)
 * @param state        where it is
 * @param percent      its progress, 0 to 100
 * @param message      what it is doing
 * @param error        why it failed, or {@code null}
 * @param result       what it made (JSON), or {@code null}
 * @param pid          its process id, once started
 * @param exitCode     its process's exit code (128 + n when killed by signal n), once ended
 * @param creationTime when it was created
 * @param startTime    when its process started, or {@code null}
 * @param endTime      when its process ended, or {@code null}
 * @param updateTime   when the row last changed
 */
public record Task(long id, TaskType type, JsonNode args, TaskState state, int percent, String message, String error,
                   JsonNode result, Long pid, Integer exitCode, Instant creationTime, Instant startTime,
                   Instant endTime, Instant updateTime) {

    /**
     * Validates.
     *
     * @param id           the task id
     * @param type         what it does
     * @param args         its arguments (a JSON object; never holds a password)
     * @param state        where it is
     * @param percent      its progress, 0 to 100
     * @param message      what it is doing
     * @param error        why it failed, or {@code null}
     * @param result       what it made (JSON), or {@code null}
     * @param pid          its process id, once started
     * @param exitCode     its process's exit code (128 + n when killed by signal n), once ended
     * @param creationTime when it was created
     * @param startTime    when its process started, or {@code null}
     * @param endTime      when its process ended, or {@code null}
     * @param updateTime   when the row last changed
     */
    public Task {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(args, "args");
        Objects.requireNonNull(state, "state");
    }

    /**
     * @return the task's name, e.g. {@code app-backup-12}: the task id recorded beside its process's locks, so
     *     {@code releaseTask(name)} frees them
     */
    public String name() {
        return name(type, id);
    }

    /**
     * @param type a task type
     * @param id   a task id
     * @return the task's name
     */
    public static String name(TaskType type, long id) {
        return type.id() + "-" + id;
    }
}
