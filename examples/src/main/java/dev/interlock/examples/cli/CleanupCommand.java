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
                + " ones (storage first, then the row). Backups in use by a task are left for the next run."})
final class CleanupCommand extends PlatformCommand {

    @Option(names = "--dry-run", description = "only show what would be kept and deleted, and why")
    boolean dryRun;

    @Override
    int run(ConnectionOptions.Session session) {
        RetentionPolicy policy = session.platform().settings().retentionPolicy();
        PrintWriter out = out();
        out.println("retention policy: " + policy + (dryRun ? " (dry run: nothing is deleted)" : ""));
        try (LockManager locks = locks(session, "cli-cleanup")) {
            print(new Cleaner(session.platform(), locks).run(dryRun), out);
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
