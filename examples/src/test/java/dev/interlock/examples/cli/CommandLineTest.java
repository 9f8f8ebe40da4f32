package dev.interlock.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The command line without a database: every command has --help, and bad usage is refused clearly. */
class CommandLineTest {

    private record Run(int code, String out, String err) {
    }

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = RootCommand.commandLine();
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Run(code, out.toString(), err.toString());
    }

    @Test
    void everyCommandHasHelp() {
        List<List<String>> commands = List.of(List.of(), List.of("demo"), List.of("locks"), List.of("locks", "list"),
                List.of("locks", "release"), List.of("locks", "reap"), List.of("tasks"), List.of("tasks", "list"),
                List.of("tasks", "run"), List.of("tasks", "stop"), List.of("backups"), List.of("backups", "list"),
                List.of("archives"), List.of("archives", "list"), List.of("archive"), List.of("clone"),
                List.of("cleanup"), List.of("serve"));
        for (List<String> command : commands) {
            String[] args = new java.util.ArrayList<>(command) {
                {
                    add("--help");
                }
            }.toArray(new String[0]);
            Run r = run(args);
            assertEquals(0, r.code(), command + ": " + r.err());
            assertTrue(r.out().startsWith("Usage: interlock-examples" + (command.isEmpty() ? "" : " "
                    + String.join(" ", command))), command + ":\n" + r.out());
        }
        Run root = run("--help");
        for (String name : new String[] {"demo", "locks", "tasks", "backups", "archives", "archive", "clone", "cleanup",
            "serve"}) {
            assertTrue(root.out().contains("  " + name + " "), "root help lists " + name + ":\n" + root.out());
        }
        assertTrue(run("locks", "list", "--help").out().contains("--jdbc-url=URL"));
    }

    @Test
    void forcingALockFreeNeedsForceAndAReason() {
        Run noForce = run("locks", "release", "app:wiki");
        assertEquals(2, noForce.code());
        assertTrue(noForce.err().startsWith("refusing to release app:wiki without --force"), noForce.err());
        Run noReason = run("locks", "release", "app:wiki", "--force");
        assertEquals(2, noReason.code());
        assertTrue(noReason.err().startsWith("--reason is required with --force"), noReason.err());
    }

    @Test
    void taskArgumentsStayTheTextTheyWere() {
        com.fasterxml.jackson.databind.node.ObjectNode args = TasksCommand.Run.arguments(
                List.of("appId=007", "n=123", "label=a=b", "empty="));
        assertEquals("{\"appId\":\"007\",\"n\":\"123\",\"label\":\"a=b\",\"empty\":\"\"}", args.toString());
    }

    @Test
    void badUsageIsReportedWithTheUsage() {
        Run unknown = run("frobnicate");
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("Unmatched argument at index 0: 'frobnicate'"), unknown.err());
        Run missing = run("archive");
        assertEquals(2, missing.code());
        assertTrue(missing.err().contains("Missing required parameter: '<backupId>'"), missing.err());
        Run bare = run("locks");
        assertEquals(2, bare.code());
        assertTrue(bare.err().startsWith("name a subcommand: list, release or reap"), bare.err());
        Run notANumber = run("tasks", "stop", "twelve");
        assertEquals(2, notANumber.code());
        assertTrue(notANumber.err().contains("twelve"), notANumber.err());
    }
}
