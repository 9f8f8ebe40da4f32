package dev.interlock.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.domain.Platform;
import dev.interlock.examples.tasks.Supervisor;
import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskState;
import dev.interlock.examples.tasks.TaskType;
import dev.interlock.examples.tasks.Tasks;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code tasks list | run | stop}. */
@Command(name = "tasks", mixinStandardHelpOptions = true, description = "List, run and stop task processes.",
        subcommands = {TasksCommand.ListTasks.class, TasksCommand.Run.class, TasksCommand.Stop.class})
final class TasksCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: list, run or stop");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the newest tasks: type, state, progress, pid, exit code, times, error or message.")
    static final class ListTasks extends PlatformCommand {
        @Option(names = "--limit", paramLabel = "N", defaultValue = "30", description = "how many (default: ${DEFAULT-VALUE})")
        int limit;

        @Override
        int run(ConnectionOptions.Session session) {
            if (limit < 1 || limit > 10_000) {
                throw new IllegalArgumentException("--limit must be between 1 and 10000, was " + limit);
            }
            List<Task> list = new Tasks(session.platform().jdbi()).list(limit);
            if (list.isEmpty()) {
                out().println("no tasks");
                out().flush();
                return 0;
            }
            Table table = new Table("ID", "TYPE", "STATE", "%", "PID", "EXIT", "STARTED", "ENDED", "ARGS", "ERROR/MESSAGE");
            for (Task t : list) {
                table.row(t.id(), t.type().id(), t.state().sql(), t.percent(), t.pid(), t.exitCode(), t.startTime(),
                        t.endTime(), t.args(), t.error() != null ? t.error() : t.message());
            }
            table.print(out(), "");
            return 0;
        }
    }

    @Command(name = "run", mixinStandardHelpOptions = true,
            description = {"Start a task as a process of its own, supervise it and print its timeline until it ends.",
                "Types and their arguments: app-backup appId=ID [label=TEXT] [preserveSecs=N]; full-backup [label=TEXT];"
                    + " update toVersion=X.Y.Z [releaseBytes=N]; restore appId=ID backupId=ID;"
                    + " clone archiveId=ID appId=NEW-ID. Any task: paceMsPerMiB=N (slow copies down),"
                    + " lockWaitSecs=N (default 600)."})
    static final class Run extends PlatformCommand {
        @Parameters(index = "0", paramLabel = "<type>", description = "the task type")
        String type;

        @Parameters(index = "1..*", paramLabel = "KEY=VALUE", description = "the task's arguments")
        List<String> args = new ArrayList<>();

        @Override
        int run(ConnectionOptions.Session session) throws InterruptedException {
            TaskType taskType = TaskType.parse(type);
            Task task = supervise(session.platform(), taskType, arguments(args), out());
            return task.state() == TaskState.DONE ? 0 : 1;
        }

        /**
         * Turns {@code KEY=VALUE} words into task arguments. Every value stays the text it was, character for
         * character ({@code appId=007} is the app {@code 007}); the task reads numbers out of text itself.
         */
        static ObjectNode arguments(List<String> words) {
            ObjectNode json = Json.MAPPER.createObjectNode();
            for (String kv : words) {
                int eq = kv.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("task arguments are KEY=VALUE, got '" + kv + "'");
                }
                json.put(kv.substring(0, eq), kv.substring(eq + 1));
            }
            return json;
        }
    }

    @Command(name = "stop", mixinStandardHelpOptions = true,
            description = "Ask a running task to stop (SIGTERM to its process, on this host): it marks its backup"
                    + " error, releases its locks and exits with 70.")
    static final class Stop extends PlatformCommand {
        @Parameters(paramLabel = "<id>", description = "the task id")
        long id;

        @Override
        int run(ConnectionOptions.Session session) {
            Task task = new Tasks(session.platform().jdbi()).require(id);
            if (task.state() != TaskState.RUNNING || task.pid() == null) {
                throw new IllegalStateException("task " + task.name() + " is " + task.state().sql() + ", not running");
            }
            Optional<ProcessHandle> process = ProcessHandle.of(task.pid());
            if (process.isEmpty()) {
                throw new IllegalStateException("task " + task.name() + " has no process " + task.pid()
                        + " on this host (gone, or running on another host)");
            }
            if (!process.get().destroy()) {
                throw new IllegalStateException("could not signal pid " + task.pid() + " of task " + task.name());
            }
            new Tasks(session.platform().jdbi()).event(task.id(), dev.interlock.examples.tasks.TaskEvent.Kind.SIGNAL,
                    null, null, "operator sent SIGTERM to pid " + task.pid());
            out().println("sent SIGTERM to pid " + task.pid() + " of task " + task.name());
            out().flush();
            return 0;
        }
    }

    /**
     * Starts a task under a supervisor in this process and prints its timeline until it ends.
     *
     * @return the task as it ended
     */
    static Task supervise(Platform platform, TaskType type, ObjectNode args, PrintWriter out)
            throws InterruptedException {
        try (Supervisor supervisor = new Supervisor(platform, Supervisor.Launch.ofThisJvm())) {
            Tasks tasks = supervisor.tasks();
            Timeline timeline = new Timeline(tasks, platform.now(), out, false, tasks.lastEventId());
            Task task = supervisor.submit(type, args);
            out.println("task " + task.name() + " started as pid " + task.pid() + "; log: "
                    + supervisor.logFile(task.id()));
            while (supervisor.runningCount() > 0) {
                timeline.printNew();
                Thread.sleep(200);
            }
            Task ended = supervisor.await(task.id(), Duration.ofSeconds(30));
            timeline.printNew();
            out.println("task " + ended.name() + " " + ended.state().sql()
                    + (ended.result() != null ? ": " + ended.result() : "")
                    + (ended.error() != null ? ": " + ended.error() : ""));
            out.flush();
            return ended;
        }
    }
}
