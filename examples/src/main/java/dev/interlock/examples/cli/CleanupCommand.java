package dev.interlock.examples.cli;

import dev.interlock.LockManager;
import dev.interlock.examples.domain.Cleaner;
import dev.interlock.examples.domain.RetentionPolicy;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code cleanup [--dry-run]}. */
@Command(name = "cleanup", mixinStandardHelpOptions = true,
        description = {"Apply the retention policy: give every backup a keep or discard reason and delete the discarded"
                + " ones (marked error first, so they cannot be restored, then the storage, then the row). Backups in"
                + " use by a task, or changed meanwhile, are left for the next run; a backup archived meanwhile is kept for good."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every discarded backup was deleted, or left alone for the next run",
            "1:a discarded backup could not be deleted (its ACTION says why), or an error",
            "2:bad usage"})
final class CleanupCommand extends PlatformCommand {

    /** The exit code when a discarded backup could not be deleted. */
    static final int EXIT_NOT_DELETED = 1;

    @Option(names = "--dry-run", description = "only show what would be kept and deleted, and why")
    boolean dryRun;

    @Override
    int run(ConnectionOptions.Session session) {
        RetentionPolicy policy = session.platform().settings().retentionPolicy();
        PrintWriter out = out();
        out.println("retention policy: " + policy + (dryRun ? " (dry run: nothing is deleted)" : ""));
        List<Cleaner.Outcome> outcomes;
        try (LockManager locks = locks(session, "cli-cleanup")) {
            outcomes = new Cleaner(session.platform(), locks).run(dryRun);
        }
        print(outcomes, out);
        long failed = outcomes.stream().filter(Cleaner.Outcome::failed).count();
        if (failed > 0) {
            err().println("error: " + failed + " discarded backup" + (failed == 1 ? "" : "s")
                    + " could not be deleted; see ACTION above");
            err().flush();
            return EXIT_NOT_DELETED;
        }
        return 0;
    }

    static void print(List<Cleaner.Outcome> outcomes, PrintWriter out) {
        if (outcomes.isEmpty()) {
            out.println("no backups");
            out.flush();
            return;
        }
        Table table = new Table("BACKUP", "APP", "STATE", "CREATED", "VERDICT", "REASON", "DETAIL", "ACTION");
        for (Cleaner.Outcome o : outcomes) {
            table.row(o.decision().backup().id(), o.decision().backup().identifier(), o.decision().backup().state().sql(),
                    o.decision().backup().creationTime(), o.decision().keep() ? "keep" : "discard",
                    o.decision().reason(), o.decision().detail(), o.action());
        }
        table.print(out, "");
    }
}
