package dev.interlock.examples.tasks;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.LockTimeoutException;
import dev.interlock.examples.domain.LockNames;
import dev.interlock.examples.domain.WorkContext;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * The {@link WorkContext} of a task process: takes locks through the process's {@link LockManager} and records in
 * {@code task_events} who it waited for and why, what it got (with fencing tokens) and when it let go; keeps the
 * task's percent and message up to date; and, when the task's arguments ask for it ({@code paceMsPerMiB}), slows
 * copies down so that a demo's overlaps can be seen.
 *
 * <p>Used by the task's one worker thread.
 */
final class TaskContext implements WorkContext {
    private static final long MIB = 1024 * 1024;
    private static final long ROW_UPDATE_NANOS = TimeUnit.MILLISECONDS.toNanos(300);

    private final Tasks tasks;
    private final Task task;
    private final LockManager locks;
    private final Duration lockWait;
    private final double paceNanosPerByte;
    private double paceDebtNanos;
    private int lastPercent = -1;
    private int lastQuarter;
    private long lastRowUpdate;

    /**
     * @param tasks        the tasks table
     * @param task         the task this process runs
     * @param locks        the process's lock manager
     * @param lockWait     how long to wait for locks at most
     * @param paceMsPerMiB milliseconds to spend per MiB copied (0: full speed)
     */
    TaskContext(Tasks tasks, Task task, LockManager locks, Duration lockWait, long paceMsPerMiB) {
        this.tasks = Objects.requireNonNull(tasks, "tasks");
        this.task = Objects.requireNonNull(task, "task");
        this.locks = Objects.requireNonNull(locks, "locks");
        this.lockWait = Objects.requireNonNull(lockWait, "lockWait");
        if (paceMsPerMiB < 0) {
            throw new IllegalArgumentException("paceMsPerMiB must be >= 0, was " + paceMsPerMiB);
        }
        this.paceNanosPerByte = TimeUnit.MILLISECONDS.toNanos(paceMsPerMiB) / (double) MIB;
    }

    @Override
    public Lease lock(LockRequest request) throws InterruptedException {
        Optional<Lease> now = locks.tryAcquire(request);
        if (now.isPresent()) {
            return acquired(now.get(), null);
        }
        List<LockSnapshot.Grant> blockers = blockers(request, locks.snapshot());
        String firstLock = blockers.isEmpty() ? request.locks().keySet().iterator().next() : blockers.get(0).lock();
        tasks.event(task.id(), TaskEvent.Kind.WAITING, firstLock, null, blockers.isEmpty()
                ? "waits for " + request + ": the space changed under it; trying again"
                : "waits: " + blockers.stream().map(TaskContext::describe).collect(Collectors.joining("; ")));
        long start = System.nanoTime();
        try {
            Lease lease = locks.acquire(request, lockWait);
            return acquired(lease, Duration.ofNanos(System.nanoTime() - start));
        } catch (LockTimeoutException e) {
            tasks.event(task.id(), TaskEvent.Kind.TIMEOUT, firstLock, null, e.getMessage());
            throw e;
        }
    }

    /** The grants that stand in the way of a request: any grant of a name asked exclusively, exclusive ones else. */
    static List<LockSnapshot.Grant> blockers(LockRequest request, LockSnapshot snapshot) {
        List<LockSnapshot.Grant> out = new ArrayList<>();
        for (Map.Entry<String, LockMode> want : request.locks().entrySet()) {
            for (LockSnapshot.Grant g : snapshot.grantsOf(want.getKey())) {
                if (want.getValue() == LockMode.EXCLUSIVE || g.mode() == LockMode.EXCLUSIVE) {
                    out.add(g);
                }
            }
        }
        return out;
    }

    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneOffset.UTC);

    /** @return e.g. {@code app:chat is held by task full-backup-3 (pid 4242 on box-1 since 10:00:03.120Z, token 42):
     *     one operation per app at a time} */
    static String describe(LockSnapshot.Grant g) {
        Holder h = g.holder();
        return g.lock() + " is held" + (g.mode() == LockMode.SHARED ? " (shared)" : "") + " by "
                + (h.task() != null ? "task " + h.task() : "holder " + g.holderId()) + " (pid " + h.pid() + " on "
                + h.host() + " since " + TIME.format(g.since()) + "Z, token " + g.token() + "): "
                + LockNames.why(g.lock());
    }

    private Lease acquired(Lease lease, Duration waited) {
        for (Map.Entry<String, LockMode> e : lease.locks().entrySet()) {
            tasks.event(task.id(), TaskEvent.Kind.ACQUIRED, e.getKey(), lease.token(), "holds " + e.getKey() + " ("
                    + e.getValue() + "), token " + lease.token()
                    + (waited == null ? "" : ", after waiting " + seconds(waited)));
        }
        return new RecordingLease(lease);
    }

    @Override
    public void progress(double fraction, String message) throws InterruptedException {
        if (Thread.interrupted()) {
            throw new InterruptedException("stopped while " + message);
        }
        int percent = (int) Math.floor(Math.max(0, Math.min(1, fraction)) * 100);
        long now = System.nanoTime();
        if (percent != lastPercent && (now - lastRowUpdate >= ROW_UPDATE_NANOS || percent == 100)) {
            tasks.progress(task.id(), percent, message);
            lastPercent = percent;
            lastRowUpdate = now;
        }
        int quarter = percent / 25;
        if (quarter > lastQuarter) {
            lastQuarter = quarter;
            tasks.event(task.id(), TaskEvent.Kind.PROGRESS, null, null, percent + "% " + message);
        }
    }

    @Override
    public void copied(long bytes) throws InterruptedException {
        if (paceNanosPerByte > 0) {
            paceDebtNanos += bytes * paceNanosPerByte;
            if (paceDebtNanos >= TimeUnit.MILLISECONDS.toNanos(20)) {
                long nanos = (long) paceDebtNanos;
                paceDebtNanos = 0;
                TimeUnit.NANOSECONDS.sleep(nanos); // throws InterruptedException when the task is asked to stop
            }
        }
        if (Thread.interrupted()) {
            throw new InterruptedException("stopped");
        }
    }

    @Override
    public void note(String message) {
        tasks.event(task.id(), TaskEvent.Kind.NOTE, null, null, message);
    }

    private static String seconds(Duration d) {
        return String.format("%.1f s", d.toMillis() / 1000.0);
    }

    /** Records the release of its locks before it happens, so recorded holding times lie inside the real ones. */
    private final class RecordingLease implements Lease {
        private final Lease lease;
        private boolean closed;

        RecordingLease(Lease lease) {
            this.lease = lease;
        }

        @Override
        public Map<String, LockMode> locks() {
            return lease.locks();
        }

        @Override
        public long token() {
            return lease.token();
        }

        @Override
        public String space() {
            return lease.space();
        }

        @Override
        public String holderId() {
            return lease.holderId();
        }

        @Override
        public Instant acquiredAt() {
            return lease.acquiredAt();
        }

        @Override
        public boolean isHeld() {
            return lease.isHeld();
        }

        @Override
        public void checkHeld() {
            lease.checkHeld();
        }

        @Override
        public void close() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                boolean interrupted = Thread.interrupted(); // a stopping task still records its releases
                try {
                    for (String name : lease.locks().keySet()) {
                        tasks.event(task.id(), TaskEvent.Kind.RELEASING, name, lease.token(), "releases " + name);
                    }
                } finally {
                    if (interrupted) {
                        Thread.currentThread().interrupt();
                    }
                }
            } catch (RuntimeException e) {
                // recording is best effort; releasing is not
            } finally {
                lease.close();
            }
        }
    }
}
