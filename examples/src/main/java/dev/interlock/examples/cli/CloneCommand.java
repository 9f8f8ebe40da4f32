package dev.interlock.examples.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.interlock.examples.domain.Archive;
import dev.interlock.examples.domain.BackupIds;
import dev.interlock.examples.domain.Json;
import dev.interlock.examples.tasks.Task;
import dev.interlock.examples.tasks.TaskState;
import dev.interlock.examples.tasks.TaskType;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code clone <archiveId>}. */
@Command(name = "clone", mixinStandardHelpOptions = true,
        description = {"Create a new app from an archive, in a task process: the archived backup's data, with the"
                + " manifest, notes, operators and checklist as they were when the backup was made."})
final class CloneCommand extends PlatformCommand {

    @Parameters(paramLabel = "<archiveId>", description = "the archive")
    String archiveId;

    @Option(names = "--app-id", paramLabel = "ID",
            description = "the new app's id (default: <old app id>-clone-<4 random characters>)")
    String appId;

    @Override
    int run(ConnectionOptions.Session session) throws InterruptedException {
        Archive archive = session.platform().archives().require(archiveId);
        String newId = appId;
        if (newId == null) {
            String from = session.platform().backups().find(archive.backupId()).map(b -> b.identifier()).orElse("app");
            String random = BackupIds.newId("x", session.platform().now());
            newId = from + "-clone-" + random.substring(random.length() - 4);
        }
        ObjectNode args = Json.MAPPER.createObjectNode().put("archiveId", archiveId).put("appId", newId);
        Task task = TasksCommand.supervise(session.platform(), TaskType.CLONE, args, out());
        return task.state() == TaskState.DONE ? 0 : 1;
    }
}
