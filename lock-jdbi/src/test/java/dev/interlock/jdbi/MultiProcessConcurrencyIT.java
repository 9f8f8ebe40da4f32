package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.LockManager;
import dev.interlock.jdbi.testing.TestDatabase;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * Mutual exclusion and fencing across JVM processes: three {@link MultiProcessWorker} processes share one lock
 * space on the test database and check each other through witness rows in the database.
 */
class MultiProcessConcurrencyIT {

    private static final int WORKERS = 3;
    private static final long SECONDS = Long.getLong("interlock.multiprocess.seconds", 8);
    private static final Pattern RESULT = Pattern.compile("RESULT grants=(\\d+) timeouts=(\\d+) violations=(\\d+)");

    @Test
    void workersInSeparateProcessesNeverHoldALockAtOnce() throws Exception {
        TestDatabase db = TestDatabase.get();
        db.store(); // the lock table exists
        String witnessDb = db.createDatabase("witness");
        Jdbi witness = Jdbi.create(db.dataSource(db.jdbcUrlFor(witnessDb, Map.of())));
        witness.useHandle(h -> {
            h.execute("CREATE TABLE witness (name VARCHAR(16) PRIMARY KEY, holder VARCHAR(64) NULL,"
                    + " last_token BIGINT NOT NULL, entries BIGINT NOT NULL) ENGINE=InnoDB");
            h.execute("CREATE TABLE witness_log (seq BIGINT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(16) NOT NULL,"
                    + " token BIGINT NOT NULL, holder VARCHAR(64) NOT NULL) ENGINE=InnoDB");
            h.execute("INSERT INTO witness VALUES ('n0', NULL, 0, 0), ('n1', NULL, 0, 0), ('n2', NULL, 0, 0)");
        });
        String space = TestDatabase.newSpace("multi-process");

        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<Process> processes = new ArrayList<>();
        List<Path> outputs = new ArrayList<>();
        for (int i = 0; i < WORKERS; i++) {
            Path out = Files.createTempFile("interlock-worker-" + i + "-", ".log");
            outputs.add(out);
            ProcessBuilder pb = new ProcessBuilder(java.toString(), "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-cp", System.getProperty("java.class.path"), MultiProcessWorker.class.getName(),
                    space, witnessDb, String.valueOf(i), String.valueOf(SECONDS));
            db.passTo(pb); // the children use this JVM's database, whatever it is
            pb.redirectErrorStream(true).redirectOutput(out.toFile());
            processes.add(pb.start());
        }

        long grants = 0;
        try {
            for (int i = 0; i < WORKERS; i++) {
                Process p = processes.get(i);
                assertTrue(p.waitFor(SECONDS + 120, TimeUnit.SECONDS), "worker " + i + " did not finish");
                String log = Files.readString(outputs.get(i), StandardCharsets.UTF_8);
                Matcher m = RESULT.matcher(log);
                assertTrue(m.find(), "worker " + i + " reported nothing:\n" + tail(log));
                assertEquals(0, p.exitValue(), "worker " + i + " saw violations:\n" + tail(log));
                assertEquals(0, Long.parseLong(m.group(3)), tail(log));
                long g = Long.parseLong(m.group(1));
                assertTrue(g > 0, "worker " + i + " never got a lock:\n" + tail(log));
                grants += g;
                System.out.println("worker " + i + ": " + m.group());
            }
        } finally {
            for (Process p : processes) {
                p.destroyForcibly();
            }
            for (Path out : outputs) {
                Files.deleteIfExists(out);
            }
        }

        // The witnesses agree with the workers' own counts, and nobody is left inside.
        long entries = witness.withHandle(h -> h.createQuery("SELECT SUM(entries) FROM witness").mapTo(Long.class).one());
        assertEquals(grants, entries);
        long inside = witness.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM witness WHERE holder IS NOT NULL")
                .mapTo(Long.class).one());
        assertEquals(0, inside);
        // Each grant had a token of its own, and per name the tokens grew in the order the grants happened.
        long distinct = witness.withHandle(h -> h.createQuery("SELECT COUNT(DISTINCT token) FROM witness_log")
                .mapTo(Long.class).one());
        assertEquals(grants, distinct);
        for (String name : List.of("n0", "n1", "n2")) {
            List<Long> tokens = witness.withHandle(h -> h.createQuery(
                    "SELECT token FROM witness_log WHERE name = :n ORDER BY seq").bind("n", name).mapTo(Long.class).list());
            for (int i = 1; i < tokens.size(); i++) {
                assertTrue(tokens.get(i) > tokens.get(i - 1), name + ": token " + tokens.get(i) + " after "
                        + tokens.get(i - 1));
            }
        }
        assertTrue(grants >= WORKERS * 10L, "too few grants to mean anything: " + grants);
        assertTrue(LockManager.builder(db.store()).space(space).build().snapshot().isEmpty(),
                "every lease was released");
        System.out.println("multi-process check: " + WORKERS + " processes, " + grants + " grants, 0 violations");
    }

    private static String tail(String log) {
        return log.length() <= 4000 ? log : "..." + log.substring(log.length() - 4000);
    }
}
