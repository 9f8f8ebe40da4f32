package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.jdbi.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The embedded server of this run (MariaDB or MySQL) starts from a JVM whose temporary directory is 150+ characters
 * deep, as in a deep CI workspace: its unix socket goes to a short path instead, and it answers. A JVM of its own,
 * so that nothing of this one's set-up helps.
 */
class DeepPathIT {

    /** What the child JVM runs: starts the test database of the configured kind, runs a statement, says where. */
    public static final class Child {
        private Child() {
        }

        /**
         * @param args none
         */
        public static void main(String[] args) {
            TestDatabase db = TestDatabase.get();
            db.execute("SELECT 1");
            System.out.println("DEEP-OK " + db.backend() + " " + db.product() + " data "
                    + db.embedded().orElseThrow().dataDir());
            System.exit(0); // shutdown hooks stop the server and delete its directory
        }
    }

    @Test
    void anEmbeddedServerStartsFromADeepTemporaryDirectory() throws Exception {
        Path deep = Path.of("target", "deep-path-it").toAbsolutePath();
        for (int i = 0; deep.toString().length() < 150; i++) {
            deep = deep.resolve("a-deep-workspace-" + i);
        }
        Files.createDirectories(deep);
        try {
            ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Djava.io.tmpdir=" + deep, "-cp", System.getProperty("java.class.path"), Child.class.getName())
                    .redirectErrorStream(true);
            pb.environment().remove(TestDatabase.URL_ENV);
            pb.environment().remove(TestDatabase.BACKEND_ENV);
            pb.environment().put(TestDatabase.SERVER_ENV, TestDatabase.serverKind().name().toLowerCase());
            Path log = Files.createTempFile("deep-path-it-", ".log");
            Process child = pb.redirectOutput(log.toFile()).start();
            boolean ended = child.waitFor(5, TimeUnit.MINUTES);
            if (!ended) {
                child.destroyForcibly();
            }
            String out = Files.readString(log, StandardCharsets.UTF_8);
            Files.delete(log);
            assertTrue(ended, "the child did not end within 5 minutes:\n" + out);
            assertEquals(0, child.exitValue(), out);
            assertTrue(out.contains("DEEP-OK"), out);
            String dataDir = out.substring(out.indexOf("DEEP-OK")).lines().findFirst().orElseThrow()
                    .replaceFirst(".* data ", "");
            assertTrue(dataDir.length() < 80 && !dataDir.startsWith(deep.toString()),
                    "the server's directory (with its socket) is at a short path, not under " + deep + ": " + dataDir);
            System.out.println("deep path (" + deep.toString().length() + " characters): " + out.lines()
                    .filter(l -> l.startsWith("DEEP-OK")).findFirst().orElseThrow());
        } finally {
            try (Stream<Path> all = Files.walk(Path.of("target", "deep-path-it"))) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
