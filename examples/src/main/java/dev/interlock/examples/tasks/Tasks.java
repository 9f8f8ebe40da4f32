package dev.interlock.examples.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.Sql;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;

/** The {@code tasks} and {@code task_events} tables. Thread-safe. */
public final class Tasks {
    private static final int MAX_MESSAGE = 1000;
    private static final int MAX_EVENT = 2000;

    private final Jdbi jdbi;

    /**
     * @param jdbi the platform's Jdbi
     */
    public Tasks(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /**
     * Creates a pending task.
     *
     * @param type what it does
     * @param args its arguments (must not hold secrets: they are shown by {@code tasks list})
     * @return the task
     */
    public Task create(TaskType type, JsonNode args) {
        if (!args.isObject()) {
            throw new IllegalArgumentException("task arguments are a JSON object, were " + args.getNodeType());
        }
        long id = jdbi.withHandle(h -> h.createUpdate("INSERT INTO tasks (type, args, state, creation_time, update_time)"
                        + " VALUES (:type, :args, 'pending', UTC_TIMESTAMP(6), UTC_TIMESTAMP(6))")
                .bind("type", type.id()).bind("args", Json.write(args))
                .executeAndReturnGeneratedKeys("id").mapTo(Long.class).one());
        return require(id);
    }

    /**
     * @param id a task id
     * @return the task, if it exists
     */
    public Optional<Task> find(long id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE id = :id").bind("id", id)
                .map((rs, ctx) -> map(rs)).findOne());
    }

    /**
     * @param id a task id
     * @return the task
     * @throws IllegalArgumentException if there is none
     */
    public Task require(long id) {
        return find(id).orElseThrow(() -> new IllegalArgumentException("no task " + id));
    }

    /**
     * @param limit the most tasks to return
     * @return the newest tasks, newest first
     */
    public List<Task> list(int limit) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks ORDER BY id DESC LIMIT :limit")
                .bind("limit", limit).map((rs, ctx) -> map(rs)).list());
    }

    /**
     * @param state a state
     * @return the tasks in it, oldest first
     */
    public List<Task> inState(TaskState state) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM tasks WHERE state = :state ORDER BY id")
                .bind("state", state.sql()).map((rs, ctx) -> map(rs)).list());
    }

    /**
     * Records that the task's process started (called by the supervisor, and again by the process itself).
     *
     * @param id  the task
     * @param pid its process id
     */
    public void markRunning(long id, long pid) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET state = 'running', pid = :pid,"
                        + " start_time = COALESCE(start_time, UTC_TIMESTAMP(6)), update_time = UTC_TIMESTAMP(6)"
                        + " WHERE id = :id AND state IN ('pending', 'running')")
                .bind("id", id).bind("pid", pid).execute());
    }

    /**
     * @param id      the task
     * @param percent 0 to 100
     * @param message what it is doing
     */
    public void progress(long id, int percent, String message) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET percent = :percent, message = :message,"
                        + " update_time = UTC_TIMESTAMP(6) WHERE id = :id AND state = 'running'")
                .bind("id", id).bind("percent", Math.max(0, Math.min(100, percent)))
                .bind("message", clip(message, MAX_MESSAGE)).execute());
    }

    /**
     * Records the outcome as the task process sees it, just before it exits.
     *
     * @param id     the task
     * @param state  done, failed or stopped
     * @param error  why it failed, or {@code null}
     * @param result what it made, or {@code null}
     */
    public void finish(long id, TaskState state, String error, JsonNode result) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET state = :state, error = :error, result = :result,"
                        + " percent = IF(:state = 'done', 100, percent), update_time = UTC_TIMESTAMP(6) WHERE id = :id")
                .bind("id", id).bind("state", state.sql()).bind("error", error)
                .bind("result", result == null ? null : Json.write(result)).execute());
    }

    /**
     * Records how the task's process ended, as the supervisor saw it. Keeps a final state (done, failed, stopped) and
     * an error the task recorded itself: what the task recorded is what happened to its work, even if its process
     * then ended another way (a signal after it recorded done).
     *
     * @param id       the task
     * @param state    the final state, unless the task recorded one
     * @param exitCode the exit code, or {@code null} if unknown
     * @param error    why it ended, if the task recorded nothing, or {@code null}
     */
    public void ended(long id, TaskState state, Integer exitCode, String error) {
        // error before state: each reads the state as the task left it, whatever the server's order of assignment
        jdbi.useHandle(h -> h.createUpdate("UPDATE tasks SET"
                        + " error = IF(state IN ('done', 'failed', 'stopped'), error, COALESCE(error, :error)),"
                        + " state = IF(state IN ('done', 'failed', 'stopped'), state, :state), exit_code = :exitCode,"
                        + " end_time = UTC_TIMESTAMP(6), update_time = UTC_TIMESTAMP(6) WHERE id = :id")
                .bind("id", id).bind("state", state.sql()).bind("exitCode", exitCode).bind("error", error).execute());
    }

    /**
     * Records an event, stamped with the database's clock.
     *
     * @param taskId   the task, or {@code null}
     * @param kind     what happened
     * @param lockName the lock concerned, or {@code null}
     * @param token    the fencing token concerned, or {@code null}
     * @param message  the details
     */
    public void event(Long taskId, TaskEvent.Kind kind, String lockName, Long token, String message) {
        jdbi.useHandle(h -> h.createUpdate("INSERT INTO task_events (task_id, time, kind, lock_name, token, message)"
                        + " VALUES (:taskId, UTC_TIMESTAMP(6), :kind, :lockName, :token, :message)")
                .bind("taskId", taskId).bind("kind", kind.name()).bind("lockName", lockName).bind("token", token)
                .bind("message", clip(message, MAX_EVENT)).execute());
    }

    /**
     * @param afterId the last event id already seen (0 for all)
     * @return the events after it, in the order they were recorded
     */
    public List<TaskEvent> eventsAfter(long afterId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM task_events WHERE id > :after ORDER BY id")
                .bind("after", afterId).map((rs, ctx) -> mapEvent(rs)).list());
    }

    /** @return the id of the newest event, 0 if none */
    public long lastEventId() {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(MAX(id), 0) FROM task_events").mapTo(Long.class).one());
    }

    /**
     * @param taskId a task
     * @return its events, in order
     */
    public List<TaskEvent> eventsOf(long taskId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM task_events WHERE task_id = :taskId ORDER BY id")
                .bind("taskId", taskId).map((rs, ctx) -> mapEvent(rs)).list());
    }

    private static String clip(String text, int max) {
        if (text == null) {
            return "";
        }
        return text.length() <= max ? text : text.substring(0, max - 3) + "...";
    }

    private static Task map(ResultSet rs) throws SQLException {
        String result = rs.getString("result");
        long pid = rs.getLong("pid");
        Long pidOrNull = rs.wasNull() ? null : pid;
        int exit = rs.getInt("exit_code");
        Integer exitOrNull = rs.wasNull() ? null : exit;
        return new Task(rs.getLong("id"), TaskType.parse(rs.getString("type")), Json.tree(rs.getString("args")),
                TaskState.parse(rs.getString("state")), rs.getInt("percent"), rs.getString("message"),
                rs.getString("error"), result == null ? null : Json.tree(result), pidOrNull, exitOrNull,
                Sql.instant(rs, "creation_time"), Sql.instant(rs, "start_time"), Sql.instant(rs, "end_time"),
                Sql.instant(rs, "update_time"));
    }

    private static TaskEvent mapEvent(ResultSet rs) throws SQLException {
        long task = rs.getLong("task_id");
        Long taskId = rs.wasNull() ? null : task;
        long token = rs.getLong("token");
        Long tokenOrNull = rs.wasNull() ? null : token;
        return new TaskEvent(rs.getLong("id"), taskId, Sql.instant(rs, "time"),
                TaskEvent.Kind.valueOf(rs.getString("kind")), rs.getString("lock_name"), tokenOrNull,
                rs.getString("message"));
    }
}
