package dev.interlock.examples.cli;

import dev.interlock.examples.domain.Backup;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code backups list}. */
@Command(name = "backups", mixinStandardHelpOptions = true, description = "List backups.",
        subcommands = BackupsCommand.ListBackups.class)
final class BackupsCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: list");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List backups, newest first: id, type, app, state, format, encryption, version, time,"
                    + " parent and remote path.")
    static final class ListBackups extends PlatformCommand {
        @Option(names = "--app", paramLabel = "ID", description = "only the backups of this app (or 'box')")
        String app;

        @Override
        int run(ConnectionOptions.Session session) {
            List<Backup> list = app == null ? session.platform().backups().list()
                    : session.platform().backups().listOf(app);
            if (list.isEmpty()) {
                out().println("no backups");
                out().flush();
                return 0;
            }
            Table table = new Table("ID", "TYPE", "APP", "STATE", "FORMAT", "ENC", "VERSION", "CREATED", "PARENT",
                    "LABEL", "REMOTE PATH");
            for (Backup b : list) {
                table.row(b.id(), b.type().sql(), b.identifier(), b.state().sql(), b.format().sql(),
                        b.encryptionVersion() == null ? "no" : "v" + b.encryptionVersion(), b.packageVersion(),
                        b.creationTime(), b.parentId(), b.label().isEmpty() ? null : b.label(), b.remotePath());
            }
            table.print(out(), "");
            return 0;
        }
    }
}
