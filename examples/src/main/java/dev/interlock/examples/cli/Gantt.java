package dev.interlock.examples.cli;

import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskEvent;
import dev.interlock.examples.tasks.Tasks;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the task events say about time: when each task ran, waited and held app locks, drawn as one text line per
 * task, plus the waits and overlaps in words. Built from {@code task_events}, stamped by the database's clock, so
 * the events of different processes compare. A hold runs from the ACQUIRED event (recorded after the grant) to the
 * RELEASING event (recorded before the release), so recorded holds lie inside the real ones: two recorded holds of
 * one lock that overlap would prove that the lock was held twice at once.
 */
final class Gantt {
    private static final int WIDTH = 64;

    /** One interval of one task. */
    record Span(Task task, String lock, Instant from, Instant to, String detail) {
        Duration length() {
            return Duration.between(from, to);
        }

        boolean overlaps(Span o) {
            return from.isBefore(o.to) && o.from.isBefore(to);
        }
    }

    private final List<Task> list;
    private final Map<Long, List<TaskEvent>> events = new LinkedHashMap<>();
    private final Map<Long, Span> runs = new LinkedHashMap<>();
    private final Map<Long, Instant> kills = new LinkedHashMap<>();
    private final List<Span> waits = new ArrayList<>();
    private final List<Span> holds = new ArrayList<>();
    private Instant start;
    private Instant end;

    Gantt(Tasks tasks, Collection<Task> list) {
        this.list = List.copyOf(list);
        for (Task t : this.list) {
            events.put(t.id(), tasks.eventsOf(t.id()));
        }
        build();
    }

    private void build() {
        for (Task t : list) {
            List<TaskEvent> es = events.get(t.id());
            if (es.isEmpty()) {
                continue;
            }
            Instant from = es.get(0).time();
            Instant to = es.get(es.size() - 1).time();
            for (TaskEvent e : es) {
                if (e.kind() == TaskEvent.Kind.SIGNAL && e.message().contains("SIGKILL")) {
                    kills.put(t.id(), e.time());
                }
                if (e.kind() == TaskEvent.Kind.EXITED) {
                    to = e.time();
                    break;
                }
            }
            if (kills.containsKey(t.id()) && kills.get(t.id()).isBefore(to)) {
                to = kills.get(t.id());
            }
            runs.put(t.id(), new Span(t, null, from, to, null));
            start = start == null || from.isBefore(start) ? from : start;
            end = end == null || to.isAfter(end) ? to : end;
            TaskEvent waiting = null;
            Map<String, TaskEvent> held = new LinkedHashMap<>();
            for (TaskEvent e : es) {
                if (e.kind() == TaskEvent.Kind.WAITING) {
                    waiting = e;
                } else if (e.kind() == TaskEvent.Kind.ACQUIRED) {
                    if (waiting != null) {
                        waits.add(new Span(t, waiting.lockName(), waiting.time(), e.time(), waiting.message()));
                        waiting = null;
                    }
                    if (e.lockName().startsWith("app:")) {
                        held.put(e.lockName() + "#" + e.token(), e);
                    }
                } else if (e.kind() == TaskEvent.Kind.RELEASING && e.lockName().startsWith("app:")) {
                    TaskEvent acquired = held.remove(e.lockName() + "#" + e.token());
                    if (acquired != null) {
                        holds.add(new Span(t, e.lockName(), acquired.time(), e.time(), null));
                    }
                }
            }
            Instant taskEnd = to;
            if (waiting != null) {
                waits.add(new Span(t, waiting.lockName(), waiting.time(), taskEnd, waiting.message()));
            }
            // Locks of a killed task are held until it died, as far as its own events can tell.
            held.values().forEach(e -> holds.add(new Span(t, e.lockName(), e.time(), taskEnd, "until it died")));
        }
    }

    void print(PrintWriter out) {
        if (start == null) {
            out.println("no events");
            return;
        }
        double total = Math.max(1, Duration.between(start, end).toMillis());
        double step = total / WIDTH;
        out.printf("Each column is %.2f s; # holds an app lock, - runs, . waits for a lock, X killed by SIGKILL:%n",
                step / 1000);
        int nameWidth = list.stream().mapToInt(t -> t.name().length()).max().orElse(4);
        for (Task t : list) {
            Span run = runs.get(t.id());
            StringBuilder line = new StringBuilder();
            for (int c = 0; c < WIDTH; c++) {
                Instant at = start.plusMillis((long) ((c + 0.5) * step));
                char ch = ' ';
                if (run != null && !at.isBefore(run.from()) && !at.isAfter(run.to())) {
                    ch = '-';
                    if (holds.stream().anyMatch(h -> h.task() == t && within(at, h))) {
                        ch = '#';
                    } else if (waits.stream().anyMatch(w -> w.task() == t && within(at, w))) {
                        ch = '.';
                    }
                }
                line.append(ch);
            }
            Instant kill = kills.get(t.id());
            if (kill != null) {
                int c = (int) Math.min(WIDTH - 1, Duration.between(start, kill).toMillis() / step);
                line.setCharAt(c, 'X');
            }
            out.printf("  %-" + nameWidth + "s |%s|%n", t.name(), line);
        }
        out.flush();
    }

    private static boolean within(Instant at, Span s) {
        return !at.isBefore(s.from()) && !at.isAfter(s.to());
    }

    /** @return each wait, in words */
    List<String> waits() {
        List<String> out = new ArrayList<>();
        for (Span w : waits) {
            out.add(String.format("%s waited %.1f s: %s", w.task().name(), w.length().toMillis() / 1000.0,
                    w.detail().replaceFirst("^waits: ", "")));
        }
        if (out.isEmpty()) {
            out.add("nobody waited");
        }
        return out;
    }

    /** @return pairs of holds of different app locks by different tasks that overlap: they ran in parallel */
    List<String> overlaps() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < holds.size(); i++) {
            for (int j = i + 1; j < holds.size(); j++) {
                Span a = holds.get(i);
                Span b = holds.get(j);
                if (a.task() != b.task() && !a.lock().equals(b.lock()) && a.overlaps(b)) {
                    Instant from = a.from().isAfter(b.from()) ? a.from() : b.from();
                    Instant to = a.to().isBefore(b.to()) ? a.to() : b.to();
                    out.add(String.format("%s held %s while %s held %s (%.1f s together)", a.task().name(), a.lock(),
                            b.task().name(), b.lock(), Duration.between(from, to).toMillis() / 1000.0));
                }
            }
        }
        if (out.isEmpty()) {
            out.add("none");
        }
        return out;
    }

    /** @return holds of the same lock by different tasks that overlap: each one is a broken lock */
    List<String> violations() {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < holds.size(); i++) {
            for (int j = i + 1; j < holds.size(); j++) {
                Span a = holds.get(i);
                Span b = holds.get(j);
                if (a.task() != b.task() && a.lock().equals(b.lock()) && a.overlaps(b) && a.detail() == null
                        && b.detail() == null) {
                    out.add(a.task().name() + " and " + b.task().name() + " both held " + a.lock() + " at "
                            + (a.from().isAfter(b.from()) ? a.from() : b.from()));
                }
            }
        }
        return out;
    }
}
