package dev.interlock.examples.tasks;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.examples.domain.Platform;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Starts each task as a JVM process of its own and records how it ended. Running tasks as processes is what makes
 * them killable: a stuck or unwanted task is stopped with SIGTERM or SIGKILL like any process.
 *
 * <p>For each task: {@code java -cp <class path> dev.interlock.examples.tasks.TaskMain <taskId>}, with the database
 * settings in the environment (never on the command line), its output appended to {@code <home>/logs/task-<id>.log}.
 * When the process ends, for whatever reason, the supervisor
 * <ol>
 *   <li>records the exit: 0 done, 50 failed (the task recorded its error), 70 stopped by SIGTERM, 128 + n killed by
 *       signal n, any other code failed; a final state the task recorded itself is kept;</li>
 *   <li>frees every lock the task's process still holds ({@link LockManager#releaseTask}): after a SIGKILL, the
 *       process could not;</li>
 *   <li>marks {@code creating} backups that no longer have a writer as {@code error}.</li>
 * </ol>
 * If the supervisor itself dies, the task's locks stay until the next acquirer that needs them (or
 * {@code locks reap}) finds its process gone and reaps them: the backstop.
 *
 * <p>Thread-safe.
 */
public final class Supervisor implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Supervisor.class);

    /**
     * How task processes are launched.
     *
     * @param javaCommand the {@code java} executable
     * @param classPath   the class path holding this program
     * @param jvmOptions  options before the main class
     */
    public record Launch(String javaCommand, String classPath, List<String> jvmOptions) {
        /**
         * Validates and copies.
         *
         * @param javaCommand the {@code java} executable
         * @param classPath   the class path holding this program
         * @param jvmOptions  options before the main class
         */
        public Launch {
            Objects.requireNonNull(javaCommand, "javaCommand");
            Objects.requireNonNull(classPath, "classPath");
            jvmOptions = List.copyOf(jvmOptions);
        }

        /**
         * @return this JVM's {@code java} and class path; a small heap and the serial collector, since several task
         *     processes share the machine
         */
        public static Launch ofThisJvm() {
            return new Launch(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    System.getProperty("java.class.path"),
                    List.of("-Xmx256m", "-XX:+UseSerialGC", "-Dorg.slf4j.simpleLogger.defaultLogLevel=info",
                            "-Dorg.slf4j.simpleLogger.showDateTime=true",
                            "-Dorg.slf4j.simpleLogger.dateTimeFormat=HH:mm:ss.SSS"));
        }
    }

    private final Platform platform;
    private final Tasks tasks;
    private final Launch launch;
    private final LockManager locks;
    private final Map<Long, CompletableFuture<Task>> running = new ConcurrentHashMap<>();

    /**
     * @param platform the platform
     * @param launch   how to launch task processes
     */
    public Supervisor(Platform platform, Launch launch) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.tasks = new Tasks(platform.jdbi());
        this.launch = Objects.requireNonNull(launch, "launch");
        // Its own writes (releaseTask, the orphan check) may reap dead holders too: say so in the timeline.
        this.locks = platform.lockManager("supervisor", new LockListener() {
            @Override
            public void holderReaped(String holderId, Holder holder, Collection<String> names, String why) {
                tasks.event(null, TaskEvent.Kind.REAPED, names.isEmpty() ? null : names.iterator().next(), null,
                        "supervisor reaped dead holder " + holder.describe() + ": " + why + "; freed " + names);
            }
        });
    }

    /** @return the tasks table */
    public Tasks tasks() {
        return tasks;
    }

    /**
     * Creates a task and starts its process.
     *
     * @param type what it does
     * @param args its arguments
     * @return the task, running
     */
    public Task submit(TaskType type, JsonNode args) {
        Task task = tasks.create(type, args);
        start(task.id());
        return tasks.require(task.id());
    }

    /**
     * Starts the process of a pending task and watches it.
     *
     * @param taskId the task
     * @return the started process
     * @throws IllegalStateException if the task is not pending, or the process cannot be started
     */
    public Process start(long taskId) {
        Task task = tasks.require(taskId);
        if (task.state() != TaskState.PENDING) {
            throw new IllegalStateException("task " + task.name() + " is " + task.state().sql() + ", not pending");
        }
        Process process;
        try {
            process = processBuilder(task).start();
        } catch (IOException e) {
            tasks.ended(taskId, TaskState.FAILED, null, "could not start its process: " + e.getMessage());
            throw new UncheckedIOException("could not start the process of task " + task.name(), e);
        }
        tasks.markRunning(taskId, process.pid());
        tasks.event(taskId, TaskEvent.Kind.STARTED, null, null, "started " + task.name() + " as pid " + process.pid()
                + " " + task.args());
        CompletableFuture<Task> done = new CompletableFuture<>();
        running.put(taskId, done);
        process.onExit().whenComplete((p, error) -> {
            try {
                done.complete(ended(task, process.exitValue()));
            } catch (RuntimeException e) {
                LOG.error("could not record the end of task {}", task.name(), e);
                done.completeExceptionally(e);
            } finally {
                running.remove(taskId);
            }
        });
        return process;
    }

    /**
     * How a task process is started: for the supervisor, and for tests and demos that start one without it.
     *
     * @param task the task
     * @return a process builder, ready to start
     */
    public ProcessBuilder processBuilder(Task task) {
        List<String> command = new ArrayList<>();
        command.add(launch.javaCommand());
        command.add("-cp");
        command.add(launch.classPath());
        command.addAll(launch.jvmOptions());
        command.add(TaskMain.class.getName());
        command.add(Long.toString(task.id()));
        ProcessBuilder pb = new ProcessBuilder(command);
        platform.database().toEnvironment(pb.environment());
        pb.environment().put(TaskMain.HOME_ENV, platform.home().toString());
        pb.environment().put(TaskMain.SPACE_ENV, platform.space());
        pb.environment().remove("CLASSPATH");
        try {
            Files.createDirectories(platform.logsDir());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + platform.logsDir(), e);
        }
        File log = logFile(task.id()).toFile();
        pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log));
        pb.redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        return pb;
    }

    /**
     * @param taskId a task
     * @return where its process writes its log
     */
    public Path logFile(long taskId) {
        return platform.logsDir().resolve("task-" + taskId + ".log");
    }

    /**
     * Waits for a task started by this supervisor to end and be recorded.
     *
     * @param taskId  the task
     * @param timeout how long to wait
     * @return the task as recorded
     * @throws InterruptedException if interrupted
     * @throws IllegalStateException if it did not end in time
     */
    public Task await(long taskId, Duration timeout) throws InterruptedException {
        CompletableFuture<Task> f = running.get(taskId);
        if (f == null) {
            return tasks.require(taskId);
        }
        try {
            return f.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException("task " + taskId + " did not end within " + timeout);
        } catch (ExecutionException e) {
            throw new IllegalStateException("the end of task " + taskId + " could not be recorded", e.getCause());
        }
    }

    /** @return how many started tasks have not ended (and been recorded) yet */
    public int runningCount() {
        return running.size();
    }

    /**
     * What to do once a task's process has ended. Public for the same reason as {@link #processBuilder}: a test can
     * run the supervisor's cleanup for a process it started itself. A final state the task recorded itself (done,
     * failed, stopped) is kept whatever the exit code; the exit code is recorded beside it.
     *
     * @param task     the task
     * @param exitCode its process's exit code, or {@code null} if no one saw it end
     * @return the task as recorded
     */
    public Task ended(Task task, Integer exitCode) {
        TaskState state;
        String error;
        if (exitCode == null) {
            state = TaskState.KILLED;
            error = "its process " + task.pid() + " is gone, and no supervisor saw it end";
        } else if (exitCode == TaskMain.EXIT_DONE) {
            state = TaskState.DONE;
            error = null;
        } else if (exitCode == TaskMain.EXIT_FAILED) {
            state = TaskState.FAILED;
            error = "failed without recording why";
        } else if (exitCode == TaskMain.EXIT_STOPPED) {
            state = TaskState.STOPPED;
            error = "stopped by SIGTERM";
        } else if (exitCode > 128) {
            state = TaskState.KILLED;
            error = "killed by signal " + (exitCode - 128) + signalName(exitCode - 128);
        } else {
            state = TaskState.FAILED;
            error = "exited with code " + exitCode + " without recording why";
        }
        tasks.ended(task.id(), state, exitCode, error);
        Task recorded = tasks.require(task.id()); // a final state the task recorded itself is kept
        tasks.event(task.id(), TaskEvent.Kind.EXITED, null, null, task.name()
                + (exitCode == null ? " is gone" : " exited with " + exitCode) + ": " + recorded.state().sql()
                + (recorded.state() == TaskState.DONE ? "" : " (" + recorded.error() + ")"));
        int freed = locks.releaseTask(task.name());
        if (freed > 0) {
            tasks.event(task.id(), TaskEvent.Kind.RELEASED, null, null, "supervisor freed " + freed
                    + " lock grants still held by " + task.name());
        }
        for (String backupId : platform.backups().failOrphans(locks)) {
            tasks.event(task.id(), TaskEvent.Kind.ORPHANED, null, null, "backup " + backupId
                    + " was still creating and has no writer any more: marked error");
        }
        return tasks.require(task.id());
    }

    /**
     * What a supervisor does when it starts again after a crash: every task recorded as running whose process is
     * gone from this host is recorded as killed, and its locks and backups are cleaned up as if it had just ended.
     * Task processes run on the supervisor's host; one that is still alive is left alone.
     *
     * @return the tasks found dead
     */
    public List<Task> recover() {
        List<Task> dead = new ArrayList<>();
        for (Task task : tasks.inState(TaskState.RUNNING)) {
            if (running.containsKey(task.id()) || task.pid() == null) {
                continue;
            }
            boolean alive = ProcessHandle.of(task.pid()).map(ProcessHandle::isAlive).orElse(false);
            if (!alive) {
                dead.add(ended(task, null));
            }
        }
        return dead;
    }

    private static String signalName(int signal) {
        switch (signal) {
            case 1:
                return " (SIGHUP)";
            case 2:
                return " (SIGINT)";
            case 6:
                return " (SIGABRT)";
            case 9:
                return " (SIGKILL)";
            case 15:
                return " (SIGTERM)";
            default:
                return "";
        }
    }

    /**
     * Waits up to 30 seconds for the started tasks' ends to be recorded, then closes the supervisor's lock manager.
     * Task processes still running go on; their locks are freed by reaping once they end.
     */
    @Override
    public void close() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (CompletableFuture<Task> f : List.copyOf(running.values())) {
            try {
                f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException | TimeoutException e) {
                // logged where it happened, or the task still runs
            }
        }
        locks.close();
    }
}
