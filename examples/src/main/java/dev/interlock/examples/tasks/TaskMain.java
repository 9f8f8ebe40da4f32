package dev.interlock.examples.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockException;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.examples.domain.DatabaseSettings;
import dev.interlock.examples.domain.Operations;
import dev.interlock.examples.domain.Platform;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The entry point of a task process: {@code java -cp <class path> dev.interlock.examples.tasks.TaskMain <taskId>},
 * started by the {@link Supervisor} with the database settings, home directory and lock space in its environment
 * ({@value DatabaseSettings#URL_ENV}, ..., {@value #HOME_ENV}, {@value #SPACE_ENV}).
 *
 * <p>Its lock manager's holder carries the task's name ({@code app-backup-12}), so whoever sees its locks knows which
 * task holds them, and the supervisor can free them with {@code releaseTask}. Exit codes:
 * <ul>
 *   <li>{@value #EXIT_DONE}: done; the result is in the task's row.</li>
 *   <li>{@value #EXIT_FAILED}: failed; the error is in the task's row.</li>
 *   <li>{@value #EXIT_STOPPED}: stopped by SIGTERM (or SIGINT): the work was interrupted, its backup marked
 *       error, its locks released, and the task marked stopped, before the exit. A signal that comes after the task
 *       recorded its outcome (done or failed) changes nothing: the process exits with that outcome's code.</li>
 *   <li>anything else: the process died (killed by a signal: 128 + the signal's number).</li>
 * </ul>
 */
public final class TaskMain {
    /** Exit code: done. */
    public static final int EXIT_DONE = 0;
    /** Exit code: failed with an error. */
    public static final int EXIT_FAILED = 50;
    /** Exit code: stopped by SIGTERM. */
    public static final int EXIT_STOPPED = 70;
    /** Exit code: bad command line. */
    public static final int EXIT_USAGE = 64;
    /** The environment variable with the home directory. */
    public static final String HOME_ENV = "INTERLOCK_HOME";
    /** The environment variable with the lock space. */
    public static final String SPACE_ENV = "INTERLOCK_SPACE";

    private static final Logger LOG = LoggerFactory.getLogger(TaskMain.class);
    private static final int RUNNING = 0;
    private static final int EXITING = 1;
    private static final int STOPPING = 2;

    private TaskMain() {
    }

    /**
     * @param args one argument: the task id
     */
    public static void main(String[] args) {
        if (args.length != 1 || !args[0].matches("[0-9]{1,18}")) {
            System.err.println("usage: TaskMain <taskId>   (started by the supervisor, not by hand)");
            System.exit(EXIT_USAGE);
            return;
        }
        long taskId = Long.parseLong(args[0]);
        AtomicInteger phase = new AtomicInteger(RUNNING);
        AtomicInteger outcome = new AtomicInteger(EXIT_STOPPED);
        CountDownLatch cleanedUp = new CountDownLatch(1);
        Thread worker = Thread.currentThread();
        // SIGTERM runs the shutdown hooks: interrupt the work, let it clean up (mark its backup error, release its
        // locks, record the task as stopped), then end the process with the code of the outcome it recorded:
        // EXIT_STOPPED, unless the task had recorded another end (done, failed) before the signal came.
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            if (phase.compareAndSet(RUNNING, STOPPING)) {
                LOG.warn("task {} asked to stop (SIGTERM); cleaning up", taskId);
                worker.interrupt();
                try {
                    cleanedUp.await(20, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                Runtime.getRuntime().halt(outcome.get());
            }
        }, "task-stop"));
        int code;
        try {
            code = run(taskId, System.getenv(), () -> phase.get() == STOPPING);
        } catch (Throwable e) { // an Error: no outcome could be recorded; the supervisor records the exit code
            LOG.error("task {} failed: {}", taskId, e.toString(), e);
            code = EXIT_FAILED;
        }
        if (phase.compareAndSet(RUNNING, EXITING)) {
            System.exit(code);
        }
        outcome.set(code); // what run() recorded, e.g. done just before the signal: the exit code must agree
        cleanedUp.countDown(); // the stop hook ends the process
        while (true) {
            LockSupport.park();
        }
    }

    /** Tells whether the process was asked to stop. */
    interface StopFlag {
        boolean stopRequested();
    }

    static int run(long taskId, Map<String, String> env, StopFlag stop) {
        Platform platform;
        try {
            String home = env.get(HOME_ENV);
            if (home == null || home.isBlank()) {
                throw new IllegalStateException(HOME_ENV + " is not set");
            }
            platform = Platform.open(DatabaseSettings.fromEnvironment(env), Path.of(home),
                    env.getOrDefault(SPACE_ENV, Platform.DEFAULT_SPACE), 3);
        } catch (RuntimeException e) {
            LOG.error("task {} cannot start: {}", taskId, e.getMessage(), e);
            return stop.stopRequested() ? EXIT_STOPPED : EXIT_FAILED;
        }
        try (platform) {
            Tasks tasks = new Tasks(platform.jdbi());
            Task task = tasks.require(taskId);
            tasks.markRunning(taskId, ProcessHandle.current().pid());
            LOG.info("task {} ({}) runs with args {} in pid {}", task.name(), task.type().id(), task.args(),
                    ProcessHandle.current().pid());
            try (LockManager locks = platform.lockManager(task.name(), listener(tasks, taskId))) {
                try {
                    JsonNode args = task.args(); // bad arguments fail the task like any other error, recorded
                    TaskContext ctx = new TaskContext(tasks, task, locks,
                            Duration.ofSeconds(TaskHandlers.number(args, "lockWaitSecs", 600)),
                            TaskHandlers.number(args, "paceMsPerMiB", 0));
                    JsonNode result = TaskHandlers.run(task, ctx, new Operations(platform));
                    tasks.finish(taskId, TaskState.DONE, null, result);
                    LOG.info("task {} done: {}", task.name(), result);
                    return EXIT_DONE;
                } catch (Throwable e) { // Errors too: the outcome is recorded if at all possible
                    Thread.interrupted(); // record the outcome even when stopping
                    if (stop.stopRequested()) {
                        tasks.finish(taskId, TaskState.STOPPED, "stopped by SIGTERM: " + describe(e), null);
                        LOG.warn("task {} stopped: {}", task.name(), describe(e));
                        return EXIT_STOPPED;
                    }
                    tasks.finish(taskId, TaskState.FAILED, describe(e), null);
                    LOG.error("task {} failed: {}", task.name(), describe(e), e);
                    return EXIT_FAILED;
                }
            }
        } catch (RuntimeException e) {
            LOG.error("task {} could not record its outcome: {}", taskId, e.getMessage(), e);
            return stop.stopRequested() ? EXIT_STOPPED : EXIT_FAILED;
        }
    }

    private static LockListener listener(Tasks tasks, long taskId) {
        return new LockListener() {
            @Override
            public void holderReaped(String holderId, Holder holder, Collection<String> locks, String why) {
                tasks.event(taskId, TaskEvent.Kind.REAPED, locks.isEmpty() ? null : locks.iterator().next(), null,
                        "reaped dead holder " + holder.describe() + ": " + why + "; freed " + locks);
            }

            @Override
            public void leaseLost(Lease lease, String reason) {
                tasks.event(taskId, TaskEvent.Kind.LOST, lease.locks().keySet().iterator().next(), lease.token(),
                        "lost " + lease.locks().keySet() + " (token " + lease.token() + "): " + reason);
            }
        };
    }

    /**
     * @param e an exception
     * @return its message, prefixed with its kind when that is not obvious from the message
     */
    public static String describe(Throwable e) {
        Throwable t = e instanceof UncheckedIOException && e.getCause() != null ? e.getCause() : e;
        String message = t.getMessage() == null ? "" : t.getMessage();
        if (t instanceof IllegalArgumentException || t instanceof IllegalStateException || t instanceof LockException
                || t instanceof InterruptedException || t instanceof InterruptedIOException) {
            return message;
        }
        if (t instanceof IOException) {
            return "I/O error: " + message;
        }
        return t.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
    }
}
