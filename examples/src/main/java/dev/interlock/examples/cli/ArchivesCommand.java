package dev.interlock.examples.cli;

import dev.interlock.examples.domain.Archive;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code archives list}. */
@Command(name = "archives", mixinStandardHelpOptions = true, description = "List archives.",
        subcommands = ArchivesCommand.ListArchives.class)
final class ArchivesCommand implements Runnable {

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a subcommand: list");
    }

    @Command(name = "list", mixinStandardHelpOptions = true,
            description = "List archives, newest first: id, backup, package, version, icons, time.")
    static final class ListArchives extends PlatformCommand {
        @Override
        int run(ConnectionOptions.Session session) {
            List<Archive> list = session.platform().archives().list();
            if (list.isEmpty()) {
                out().println("no archives");
                out().flush();
                return 0;
            }
            Table table = new Table("ID", "BACKUP", "PACKAGE", "VERSION", "ICON", "APP STORE ICON", "CREATED", "NOTES");
            for (Archive a : list) {
                table.row(a.id(), a.backupId(), a.appConfig().manifest().path("id").asText("?"),
                        a.appConfig().packageVersion(), a.icon() == null ? null : a.icon().length + " B",
                        a.appStoreIcon() == null ? null : a.appStoreIcon().length + " B", a.creationTime(),
                        a.appConfig().notes());
            }
            table.print(out(), "");
            return 0;
        }
    }
}
