package dev.interlock.examples.cli;

import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskEvent;
import dev.interlock.examples.tasks.Tasks;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints the events of task processes and the supervisor as they are recorded, one line each, with the time since
 * a start and the task's name. The lock events of {@code backup:<id>} locks are left out unless verbose (every
 * backup takes one; the app and task-type locks tell the story).
 */
final class Timeline {
    private final Tasks tasks;
    private final Instant start;
    private final PrintWriter out;
    private final boolean verbose;
    private final Map<Long, String> names = new HashMap<>();
    private long lastId;

    Timeline(Tasks tasks, Instant start, PrintWriter out, boolean verbose, long afterEventId) {
        this.tasks = tasks;
        this.start = start;
        this.out = out;
        this.verbose = verbose;
        this.lastId = afterEventId;
    }

    /** Prints the events recorded since the last call. */
    synchronized void printNew() {
        List<TaskEvent> events = tasks.eventsAfter(lastId);
        for (TaskEvent e : events) {
            lastId = e.id();
            if (!verbose && e.lockName() != null && e.lockName().startsWith("backup:")
                    && (e.kind() == TaskEvent.Kind.ACQUIRED || e.kind() == TaskEvent.Kind.RELEASING)) {
                continue;
            }
            out.println(format(e));
        }
        out.flush();
    }

    String format(TaskEvent e) {
        double secs = Duration.between(start, e.time()).toMillis() / 1000.0;
        String who = e.taskId() == null ? "platform" : names.computeIfAbsent(e.taskId(),
                id -> tasks.find(id).map(Task::name).orElse("task-" + id));
        return String.format("+%6.1fs  %-15s %-7s %s", secs, who, label(e.kind()), e.message());
    }

    private static String label(TaskEvent.Kind kind) {
        switch (kind) {
            case STARTED:
                return "start";
            case WAITING:
                return "WAITS";
            case ACQUIRED:
                return "lock";
            case RELEASING:
                return "unlock";
            case TIMEOUT:
                return "TIMEOUT";
            case PROGRESS:
                return "..";
            case NOTE:
                return "";
            case REAPED:
                return "REAPED";
            case LOST:
                return "LOST";
            case SIGNAL:
                return "SIGNAL";
            case EXITED:
                return "exit";
            case RELEASED:
                return "freed";
            case ORPHANED:
                return "error";
            default:
                return kind.name();
        }
    }

    /** @return the id of the last event printed or skipped */
    synchronized long lastId() {
        return lastId;
    }
}
