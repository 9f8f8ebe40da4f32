package dev.interlock.bench;

import dev.interlock.bench.impl.BenchEnv;
import dev.interlock.bench.impl.BenchSchema;
import dev.interlock.bench.impl.Impl;
import dev.interlock.bench.profile.SqlCounter;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Scenario P3, which JMH cannot run (its forks run one at a time): {@code processes} worker JVMs
 * ({@link ProcessWorker}) with {@code threads} threads each, every thread on a lock of its own in one shared space,
 * started together. The score of a window is the sum of the workers' rates in it; the result is the median over the
 * windows.
 *
 * @param processes       worker JVMs
 * @param threads         threads per worker
 * @param warmupMillis    run before the first window
 * @param windows         measured windows
 * @param windowMillis    length of a window
 * @param jvmArgs         options of the worker JVMs (heap, the database properties)
 * @param logDir          where each worker's standard error goes
 */
public record ProcessScenario(int processes, int threads, long warmupMillis, int windows, long windowMillis,
                              List<String> jvmArgs, Path logDir) {

    /**
     * What one run of P3 gave.
     *
     * @param windowRates pairs per second of each window, all workers together
     * @param failures    attempts that failed (an own lock found taken, or an error)
     * @param sql         per-kind statement counts {count, nanos, no-row} of all workers, when counting was on
     * @param pairs       pairs in all windows
     * @param wall        stack samples of the workers' threads per category, when counting was on
     */
    public record Outcome(List<Double> windowRates, long failures, Map<SqlCounter.Kind, long[]> sql, long pairs,
                          Map<String, Long> wall) {
        /** @return the median window rate */
        public double median() {
            return Stats.median(windowRates);
        }
    }

    /**
     * Runs P3 once for one implementation.
     *
     * @param impl      the implementation
     * @param db        the database (handed to the workers)
     * @param countSql  whether the workers count their statements (profile runs)
     * @return the outcome
     * @throws IOException          if a worker cannot be started
     * @throws InterruptedException if interrupted
     */
    public Outcome run(Impl impl, BenchDatabase db, boolean countSql) throws IOException, InterruptedException {
        String prefix = BenchEnv.randomPrefix();
        Files.createDirectories(logDir);
        try (var pool = db.pool(1, "p3-schema")) {
            BenchSchema.create(pool);
        }
        List<Process> started = new ArrayList<>();
        Map<Integer, double[]> rates = new ConcurrentHashMap<>();
        Map<SqlCounter.Kind, long[]> sql = new EnumMap<>(SqlCounter.Kind.class);
        Map<String, Long> wall = new java.util.TreeMap<>();
        long[] failures = new long[1];
        long[] pairs = new long[1];
        CountDownLatch ready = new CountDownLatch(processes);
        CountDownLatch done = new CountDownLatch(processes);
        List<String> problems = java.util.Collections.synchronizedList(new ArrayList<>());
        try {
            for (int i = 0; i < processes; i++) {
                List<String> cmd = new ArrayList<>();
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.addAll(jvmArgs);
                cmd.addAll(db.jvmArgs());
                if (countSql) {
                    cmd.add("-D" + SqlCounter.PROPERTY + "=true");
                }
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add(ProcessWorker.class.getName());
                cmd.addAll(List.of(impl.id(), prefix, Integer.toString(i), Integer.toString(threads),
                        Long.toString(warmupMillis), Integer.toString(windows), Long.toString(windowMillis)));
                ProcessBuilder pb = new ProcessBuilder(cmd)
                        .redirectError(logDir.resolve("p3-" + impl.id() + "-" + i + ".log").toFile());
                Process p = pb.start();
                started.add(p);
                int index = i;
                Thread reader = new Thread(() -> read(p, index, ready, done, rates, sql, wall, failures, pairs, problems),
                        "p3-reader-" + i);
                reader.setDaemon(true);
                reader.start();
            }
            if (!ready.await(180, TimeUnit.SECONDS)) {
                throw new IllegalStateException("P3 " + impl.label() + ": workers not ready after 180 s; see " + logDir
                        + (problems.isEmpty() ? "" : "; " + problems));
            }
            for (Process p : started) {
                OutputStream in = p.getOutputStream();
                in.write("GO\n".getBytes(StandardCharsets.UTF_8));
                in.flush();
            }
            long expected = warmupMillis + windows * windowMillis + 120_000;
            if (!done.await(expected, TimeUnit.MILLISECONDS)) {
                throw new IllegalStateException("P3 " + impl.label() + ": workers did not finish; see " + logDir);
            }
            for (Process p : started) {
                if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                    problems.add("a worker exited with " + (p.isAlive() ? "no exit" : p.exitValue()));
                }
            }
            if (!problems.isEmpty()) {
                throw new IllegalStateException("P3 " + impl.label() + ": " + problems + "; see " + logDir);
            }
        } finally {
            for (Process p : started) {
                p.destroyForcibly();
            }
            try (var pool = db.pool(1, "p3-cleanup")) {
                BenchSchema.cleanUp(new BenchEnv(pool, prefix));
            }
        }
        List<Double> windowRates = new ArrayList<>();
        for (int w = 0; w < windows; w++) {
            double sum = 0;
            for (double[] r : rates.values()) {
                sum += r[w];
            }
            windowRates.add(sum);
        }
        return new Outcome(windowRates, failures[0], countSql ? sql : Map.of(), pairs[0], countSql ? wall : Map.of());
    }

    private void read(Process p, int index, CountDownLatch ready, CountDownLatch done, Map<Integer, double[]> rates,
                      Map<SqlCounter.Kind, long[]> sql, Map<String, Long> wall, long[] failures, long[] pairs,
                      List<String> problems) {
        boolean finished = false;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith(ProcessWorker.MARK)) {
                    continue;
                }
                String[] f = line.substring(1).split(" ");
                switch (f[0]) {
                    case "READY" -> ready.countDown();
                    case "WINDOW" -> {
                        long count = Long.parseLong(f[2]);
                        long nanos = Long.parseLong(f[3]);
                        rates.computeIfAbsent(index, k -> new double[windows])[Integer.parseInt(f[1])] =
                                count / (nanos / 1e9);
                        synchronized (failures) {
                            failures[0] += Long.parseLong(f[4]);
                            pairs[0] += count;
                        }
                    }
                    case "SQL" -> {
                        synchronized (sql) {
                            long[] into = sql.computeIfAbsent(SqlCounter.Kind.valueOf(f[1]), k -> new long[3]);
                            into[0] += Long.parseLong(f[2]);
                            into[1] += Long.parseLong(f[3]);
                            into[2] += Long.parseLong(f[4]);
                        }
                    }
                    case "WALL" -> {
                        String rest = line.substring(1 + "WALL ".length());
                        int space = rest.indexOf(' ');
                        synchronized (wall) {
                            wall.merge(rest.substring(space + 1), Long.parseLong(rest.substring(0, space)), Long::sum);
                        }
                    }
                    case "DONE" -> {
                        finished = true;
                        done.countDown();
                    }
                    default -> problems.add("worker " + index + ": unexpected line " + line);
                }
            }
        } catch (IOException | RuntimeException e) {
            problems.add("worker " + index + ": " + e);
        } finally {
            if (!finished) {
                problems.add("worker " + index + " ended without DONE");
                // let the runner go on (and fail) rather than wait out its timeouts
                ready.countDown();
                done.countDown();
            }
        }
    }
}
