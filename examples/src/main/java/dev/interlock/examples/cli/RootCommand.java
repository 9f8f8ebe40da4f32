package dev.interlock.examples.cli;

import dev.interlock.LockException;
import dev.interlock.examples.tasks.TaskMain;
import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The command line of the examples jar. */
@Command(name = "interlock-examples", mixinStandardHelpOptions = true, versionProvider = RootCommand.Version.class,
        description = {"A backup-and-archive server whose task processes use Interlock's inter-process locks.",
            "Without --jdbc-url (or $INTERLOCK_JDBC_URL) every command uses an embedded MariaDB kept in the home"
                + " directory."},
        subcommands = {DemoCommand.class, LocksCommand.class, TasksCommand.class, BackupsCommand.class,
            ArchivesCommand.class, ArchiveCommand.class, CloneCommand.class, CleanupCommand.class, ServeCommand.class,
            CommandLine.HelpCommand.class})
public final class RootCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. demo; see --help");
    }

    /**
     * @return the command line, with errors reported as {@code error: <message>} (exit 1) and bad usage as the
     *     message plus the usage (exit 2)
     */
    public static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new RootCommand());
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            PrintWriter err = commandLine.getErr();
            err.println("error: " + TaskMain.describe(e));
            if (!(e instanceof IllegalArgumentException || e instanceof IllegalStateException
                    || e instanceof LockException)) {
                e.printStackTrace(err);
            }
            err.flush();
            return 1;
        });
        return cl;
    }

    /** The version from the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = RootCommand.class.getPackage().getImplementationVersion();
            return new String[] {"interlock-examples " + (v == null ? "(development build)" : v)};
        }
    }
}
