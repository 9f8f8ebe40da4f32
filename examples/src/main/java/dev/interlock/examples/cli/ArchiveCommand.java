package dev.interlock.examples.cli;

import dev.interlock.LockManager;
import dev.interlock.examples.domain.Archive;
import dev.interlock.examples.domain.Operations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code archive <backupId>}. */
@Command(name = "archive", mixinStandardHelpOptions = true,
        description = {"Archive an app backup: keep it for good with its app config and icon, so the app can be cloned"
                + " from it even after it is uninstalled. Only a complete backup with an app config can be archived."})
final class ArchiveCommand extends PlatformCommand {
    private static final long MAX_ICON = 1024 * 1024;

    @Parameters(paramLabel = "<backupId>", description = "the app backup")
    String backupId;

    @Option(names = "--app-store-icon", paramLabel = "FILE", description = "a PNG to store as the app store's icon")
    Path appStoreIcon;

    @Override
    int run(ConnectionOptions.Session session) throws Exception {
        byte[] storeIcon = null;
        if (appStoreIcon != null) {
            if (!Files.isRegularFile(appStoreIcon) || Files.size(appStoreIcon) > MAX_ICON) {
                throw new IllegalArgumentException("--app-store-icon must be a file of at most 1 MiB: " + appStoreIcon);
            }
            storeIcon = Files.readAllBytes(appStoreIcon);
        }
        try (LockManager locks = locks(session, "cli-archive")) {
            Archive archive = new Operations(session.platform()).archive(
                    new ConsoleContext(locks, out(), Duration.ofMinutes(1)), backupId, storeIcon);
            out().println(archive.id());
            out().flush();
            return 0;
        }
    }
}
