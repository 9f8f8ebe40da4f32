package dev.interlock.examples.tasks;

import static dev.interlock.examples.TestPlatform.args;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.interlock.examples.TestPlatform;
import dev.interlock.examples.cli.RootCommand;
import dev.interlock.examples.domain.Backup;
import dev.interlock.examples.domain.BackupFormat;
import dev.interlock.examples.domain.Secret;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * Task arguments, from the command line to the task process: values arrive as they were typed, and arguments the
 * task cannot use fail it with the reason recorded.
 */
class TaskArgumentsIT {
    @TempDir
    Path home;

    private int cli(TestPlatform p, StringWriter out, String... command) {
        CommandLine cl = RootCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(out));
        List<String> args = new ArrayList<>(List.of(command));
        args.addAll(p.cliOptions(home));
        return cl.execute(args.toArray(new String[0]));
    }

    @Test
    void commandLineValuesReachTheTaskAsTheyWereTyped() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ)) {
            p.seedApp("007", 16);
            StringWriter out = new StringWriter();
            assertEquals(0, cli(p, out, "tasks", "run", "app-backup", "appId=007", "label=0123", "preserveSecs=60"),
                    out.toString());
            JsonNode args = p.tasks().list(1).get(0).args();
            assertTrue(args.get("appId").isTextual(), args.toString());
            assertEquals("007", args.get("appId").asText());
            List<Backup> backups = p.platform().backups().listOf("007");
            assertEquals(1, backups.size(), backups.toString());
            assertEquals("0123", backups.get(0).label());
            assertEquals(60, backups.get(0).preserveSecs(), "a number given as text is read as a number");
        }
    }

    @Test
    void argumentsTheTaskCannotUseFailItWithTheReasonRecorded() throws Exception {
        try (TestPlatform p = TestPlatform.create(home, Secret.none(), BackupFormat.TGZ)) {
            p.seedApp("wiki", 16);
            Task negative = p.run(TaskType.APP_BACKUP, args("appId", "wiki", "paceMsPerMiB", -1));
            assertEquals(TaskState.FAILED, negative.state());
            assertEquals(TaskMain.EXIT_FAILED, negative.exitCode());
            assertEquals("paceMsPerMiB must be >= 0, was -1", negative.error());
            Task notANumber = p.run(TaskType.APP_BACKUP, args("appId", "wiki", "lockWaitSecs", "soon"));
            assertEquals(TaskState.FAILED, notANumber.state());
            assertEquals("the task's argument 'lockWaitSecs' must be a whole number, was \"soon\"", notANumber.error());
            assertTrue(p.platform().backups().listOf("wiki").isEmpty(), "no backup was started");
        }
    }
}
