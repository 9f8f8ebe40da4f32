package dev.interlock.examples.cli;

import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.LockManager;
import dev.interlock.LockSnapshot;
import dev.interlock.examples.tasks.TaskEvent;
import dev.interlock.examples.tasks.Tasks;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code locks list | release | reap}. */
@Command(name = "locks", mixinStandardHelpOptions = true, description = "Show, release and reap the platform's locks.",
        subcommands = {LocksCommand.ListLocks.class, LocksCommand.Release.class, LocksCommand.Reap.class})
final class LocksCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: list, release or reap");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List the locks held: lock, mode, holder, host, pid, task, age and fencing token.")
    static final class ListLocks extends PlatformCommand {
        @Override
        int run(ConnectionOptions.Session session) {
            try (LockManager locks = locks(session, "cli-locks-list")) {
                LockSnapshot snapshot = locks.snapshot();
                PrintWriter out = out();
                if (snapshot.isEmpty()) {
                    out.println("no locks are held in space '" + snapshot.space() + "'");
                    out.flush();
                    return 0;
                }
                Table table = new Table("LOCK", "MODE", "HOLDER", "HOST", "PID", "TASK", "AGE", "TOKEN", "LEASE UNTIL");
                for (LockSnapshot.Grant g : snapshot.grants()) {
                    table.row(g.lock(), g.mode(), g.holderId(), g.holder().host(), g.holder().pid(), g.holder().task(),
                            age(Duration.between(g.since(), snapshot.readAt())), g.token(), g.leaseUntil());
                }
                table.print(out, "");
                return 0;
            }
        }
    }

    @Command(name = "release", mixinStandardHelpOptions = true,
            description = {"Force a lock free: removes every grant of <name>, whoever holds it; the holders keep"
                    + " their other locks. A holder learns it on its next renewal or release (LockLostException); its"
                    + " fencing token is then stale.",
                "Only for a holder that is stuck or gone and cannot be reaped (e.g. on another host without a lease)."})
    static final class Release extends PlatformCommand {
        @Parameters(paramLabel = "<name>", description = "the lock name, e.g. app:wiki")
        String name;

        @Option(names = "--force", description = "required: this takes a lock away from a holder that may be alive")
        boolean force;

        @Option(names = "--reason", paramLabel = "TEXT", description = "required with --force: why; it is recorded")
        String reason;

        @Override
        public Integer call() throws Exception {
            if (!force) {
                throw new CommandLine.ParameterException(spec.commandLine(), "refusing to release " + name
                        + " without --force: its holder may still be working under it");
            }
            if (reason == null || reason.isBlank()) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--reason is required with --force: say"
                        + " why the lock must be taken away; it is recorded in the task events");
            }
            return super.call();
        }

        @Override
        int run(ConnectionOptions.Session session) {
            try (LockManager locks = locks(session, "cli-locks-release")) {
                if (!forceRelease(locks, new Tasks(session.platform().jdbi()), name, reason, out())) {
                    err().println("error: lock " + name + " is not held in space '" + locks.space() + "'");
                    err().flush();
                    return 1;
                }
                return 0;
            }
        }
    }

    /**
     * Removes every grant of a lock (the holders keep their other locks), prints what went and records it as a task
     * event.
     *
     * @return whether the lock was held
     */
    static boolean forceRelease(LockManager locks, Tasks tasks, String name, String reason, PrintWriter out) {
        List<LockSnapshot.Grant> grants = locks.snapshot().grantsOf(name);
        if (grants.isEmpty()) {
            return false;
        }
        int removed = locks.forceRelease(name);
        for (LockSnapshot.Grant g : grants) {
            String line = "released " + name + " held by " + g.holder().describe() + " (holder " + g.holderId()
                    + ", token " + g.token() + "); reason: " + reason;
            out.println(line);
            tasks.event(null, TaskEvent.Kind.RELEASED, name, g.token(), "operator " + line);
        }
        if (removed != grants.size()) {
            out.println("(the lock changed meanwhile: " + removed + " grants removed)");
        }
        out.flush();
        return true;
    }

    @Command(name = "reap", mixinStandardHelpOptions = true,
            description = "Free the locks of holders that are provably dead (their process is gone, their host"
                    + " rebooted, or their lease ran out). Acquirers do this for the locks they need; this sweeps all.")
    static final class Reap extends PlatformCommand {
        @Override
        int run(ConnectionOptions.Session session) {
            PrintWriter out = out();
            LockListener report = new LockListener() {
                @Override
                public void holderReaped(String holderId, Holder holder, Collection<String> locks, String why) {
                    out.println("reaped " + holder.describe() + " (holder " + holderId + "): " + why + "; freed " + locks);
                }
            };
            try (LockManager locks = session.platform().lockManager("cli-locks-reap", report)) {
                int removed = locks.reap();
                out.println(removed == 0 ? "no dead holders: nothing to reap" : "removed " + removed + " grants");
                out.flush();
                return 0;
            }
        }
    }

    static String age(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return String.format("%.1fs", Math.max(0, d.toMillis()) / 1000.0);
        }
        if (s < 3600) {
            return s / 60 + "m" + s % 60 + "s";
        }
        return s / 3600 + "h" + s % 3600 / 60 + "m";
    }
}
