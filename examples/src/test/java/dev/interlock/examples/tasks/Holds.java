package dev.interlock.examples.tasks;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The lock holds that task processes recorded in {@code task_events}, by the database's clock: from the ACQUIRED
 * event (written after the grant) to the RELEASING event (written before the release). A recorded hold therefore
 * lies inside the real one: recorded holds that overlap prove real ones did, and real holds that did not overlap
 * cannot be recorded as overlapping.
 */
final class Holds {

    /** One recorded hold. */
    record Hold(Task task, String lock, long token, Instant from, Instant to) {
        boolean overlaps(Hold o) {
            return from.isBefore(o.to) && o.from.isBefore(to);
        }

        @Override
        public String toString() {
            return task.name() + " held " + lock + " (token " + token + ") " + from + " .. " + to;
        }
    }

    private Holds() {
    }

    /** @return every completed hold of the task, in order */
    static List<Hold> of(Tasks tasks, Task task) {
        Map<String, TaskEvent> open = new HashMap<>();
        List<Hold> out = new ArrayList<>();
        for (TaskEvent e : tasks.eventsOf(task.id())) {
            if (e.kind() == TaskEvent.Kind.ACQUIRED) {
                open.put(e.lockName() + "#" + e.token(), e);
            } else if (e.kind() == TaskEvent.Kind.RELEASING) {
                TaskEvent a = open.remove(e.lockName() + "#" + e.token());
                if (a != null) {
                    out.add(new Hold(task, e.lockName(), e.token(), a.time(), e.time()));
                }
            }
        }
        return out;
    }

    /** @return the task's holds of one lock */
    static List<Hold> of(Tasks tasks, Task task, String lock) {
        return of(tasks, task).stream().filter(h -> h.lock().equals(lock)).collect(Collectors.toList());
    }

    /** @return the task's one hold of a lock; fails if there is not exactly one */
    static Hold only(Tasks tasks, Task task, String lock) {
        List<Hold> holds = of(tasks, task, lock);
        if (holds.size() != 1) {
            throw new AssertionError(task.name() + " should have held " + lock + " once, held it " + holds.size()
                    + " times; events: " + tasks.eventsOf(task.id()));
        }
        return holds.get(0);
    }

    /** @return the messages of the task's events of one kind */
    static List<String> messages(Tasks tasks, Task task, TaskEvent.Kind kind) {
        return tasks.eventsOf(task.id()).stream().filter(e -> e.kind() == kind).map(TaskEvent::message)
                .collect(Collectors.toList());
    }
}
