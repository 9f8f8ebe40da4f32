package dev.interlock.examples.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Run the demo: seed apps and a backup history, run six task processes at once (app backups, a"
                + " full backup, an update, a clone from an archive), SIGKILL two of them part-way, and show the"
                + " timeline, who waited for which lock and why, what ran in parallel, what was reaped, the backups and"
                + " archives, and the cleaner's reasons.",
            "It empties the demo's tables (apps, backups, archives, tasks, task_events, settings) first: point it at a"
                + " database of its own. Exits 0 when every check passes; leaves no lock held."})
final class DemoCommand extends PlatformCommand {

    @Option(names = "--pace-ms-per-mib", paramLabel = "MS", defaultValue = "500",
            description = "how long tasks take per MiB they copy, so overlaps can be seen (default: ${DEFAULT-VALUE})")
    long paceMsPerMiB;

    @Option(names = "--verbose", description = "also show the backup:<id> lock events")
    boolean verbose;

    @Override
    int run(ConnectionOptions.Session session) throws Exception {
        return new Demo(session.platform(), out(), new Demo.Options(paceMsPerMiB, verbose)).run();
    }
}
