package dev.interlock.bench.profile;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.stream.Collectors;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.infra.IterationParams;
import org.openjdk.jmh.profile.InternalProfiler;
import org.openjdk.jmh.results.AggregationPolicy;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.ScalarResult;
import org.openjdk.jmh.results.TextResult;
import org.openjdk.jmh.runner.IterationType;

/**
 * A JMH profiler for the question "where does an acquire+release spend its time": a wall-clock sampler of the
 * benchmark threads (every millisecond, all thread states, so waits count as much as work; classified by
 * {@link StackClassifier}), the statements of {@link SqlCounter} per operation, and CPU per operation of this JVM,
 * of the database server (when {@value #SERVER_PID} names it) and of the machine.
 *
 * <p>It samples the measurement iterations only and reports once, after the last, over all of them:
 * {@code wall:<category>} in percent of the threads' time, {@code sql:<KIND>/op}, {@code sql:<KIND> µs/op},
 * {@code sql:<KIND> no-row/op}, {@code cpu:...}, and a text result {@code wall-detail} with the commonest stacks of
 * each category.
 */
public final class WallClockProfiler implements InternalProfiler {

    /** System property naming the database server's pid, for its CPU time. */
    public static final String SERVER_PID = "interlock.bench.serverPid";
    /** System property the benchmark state sets to its space, for the document's size. */
    public static final String SPACE = "interlock.bench.space";


    private final Map<String, Long> samples = new HashMap<>();
    private final Map<String, Map<String, Long>> stacks = new HashMap<>();
    private final java.util.Set<String> seen = new java.util.LinkedHashSet<>();
    private final Map<String, Map<String, Long>> self = new HashMap<>();
    private StackSampler sampler;
    private int iteration;
    private SqlCounter.Snapshot sqlBefore;
    private long cpuBefore;
    private long serverBefore;
    private long[] machineBefore;
    private long t0;

    /** For JMH. */
    public WallClockProfiler() {
    }

    @Override
    public String getDescription() {
        return "Interlock bench: wall-clock stack sampling by category, SQL statements and CPU per operation";
    }

    @Override
    public void beforeIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams) {
        if (iterationParams.getType() != IterationType.MEASUREMENT) {
            return;
        }
        sqlBefore = SqlCounter.snapshot();
        cpuBefore = ProcCpu.processNanos();
        serverBefore = serverNanos();
        machineBefore = ProcCpu.machineNanos();
        t0 = System.nanoTime();
        sampler = new StackSampler("jmh-worker");
        sampler.start();
    }

    @Override
    @SuppressWarnings("rawtypes") // JMH's own signature
    public Collection<? extends Result> afterIteration(BenchmarkParams benchmarkParams, IterationParams iterationParams,
                                                       IterationResult result) {
        if (iterationParams.getType() != IterationType.MEASUREMENT || sampler == null) {
            return List.of();
        }
        sampler.finish();
        long iterationNanos = System.nanoTime() - t0;
        SqlCounter.Snapshot sql = SqlCounter.snapshot().minus(sqlBefore);
        long cpu = ProcCpu.processNanos() - cpuBefore - sampler.cpuNanos; // the sampler's own CPU is not the benchmark's
        long s = serverNanos();
        long server = s >= 0 && serverBefore >= 0 ? s - serverBefore : -1;
        long[] m = ProcCpu.machineNanos();
        long ops = result.getMetadata().getMeasuredOps();
        sampler.stacks.forEach((k, v) -> {
            Map<String, Long> into = stacks.computeIfAbsent(k, x -> new HashMap<>());
            v.forEach((st, n) -> into.merge(st, n, Long::sum));
        });
        sampler.counts.forEach((k, v) -> samples.merge(k, v, Long::sum));
        sampler.self.forEach((k, v) -> {
            Map<String, Long> into = self.computeIfAbsent(k, x -> new HashMap<>());
            v.forEach((method, n) -> into.merge(method, n, Long::sum));
        });
        List<Result> out = results(sampler.counts, ops, sql, cpu, server, m[0] - machineBefore[0],
                m[1] - machineBefore[1], iterationNanos);
        sampler = null;
        iteration++;
        if (iteration >= iterationParams.getCount()) {
            out.add(new TextResult(detail(samples.values().stream().mapToLong(Long::longValue).sum()), "wall-detail"));
        }
        return out;
    }

    /**
     * One iteration's figures. Every iteration reports every label (JMH averages a label over all iterations, counting
     * a missing one as zero), so the categories seen in any iteration so far are reported, with 0 where absent.
     */
    @SuppressWarnings("rawtypes") // JMH's Result is generic in itself
    private List<Result> results(Map<String, Long> counts, long ops, SqlCounter.Snapshot sql, long cpu, long server,
                                 long machineBusy, long machineTotal, long iterationNanos) {
        List<Result> out = new ArrayList<>();
        long total = Math.max(1, counts.values().stream().mapToLong(Long::longValue).sum());
        seen.addAll(counts.keySet());
        for (String category : seen) {
            out.add(new ScalarResult("wall:" + category, 100.0 * counts.getOrDefault(category, 0L) / total, "%",
                    AggregationPolicy.AVG));
        }
        out.add(new ScalarResult("wall:samples", total, "#", AggregationPolicy.SUM));
        out.add(new ScalarResult("wall:seconds", iterationNanos / 1e9, "s", AggregationPolicy.SUM));
        out.add(new ScalarResult("ops", ops, "#", AggregationPolicy.SUM));
        double perOp = Math.max(1, ops);
        for (SqlCounter.Kind kind : SqlCounter.Kind.values()) {
            out.add(new ScalarResult("sql:" + kind + "/op", sql.count(kind) / perOp, "#/op", AggregationPolicy.AVG));
            out.add(new ScalarResult("sql:" + kind + " us/op", sql.nanos(kind) / 1000.0 / perOp, "us/op",
                    AggregationPolicy.AVG));
            out.add(new ScalarResult("sql:" + kind + " no-row/op", sql.noRows(kind) / perOp, "#/op",
                    AggregationPolicy.AVG));
        }
        out.add(new ScalarResult("cpu:client us/op", cpu / 1000.0 / perOp, "us/op", AggregationPolicy.AVG));
        if (server >= 0) {
            out.add(new ScalarResult("cpu:server us/op", server / 1000.0 / perOp, "us/op", AggregationPolicy.AVG));
        }
        if (machineTotal > 0) {
            out.add(new ScalarResult("cpu:machine busy", 100.0 * machineBusy / machineTotal, "%", AggregationPolicy.AVG));
        }
        // MAX: an iteration that could not read it must not average it down
        documentSize("interlock_spaces").ifPresent(n ->
                out.add(new ScalarResult("doc:bytes", n, "B", AggregationPolicy.MAX)));
        documentSize("bench_naive_spaces").ifPresent(n ->
                out.add(new ScalarResult("doc:bytes", n, "B", AggregationPolicy.MAX)));
        return out;
    }

    /** The size of the benchmark's document (its space's row), if it has one in this table. */
    private static OptionalLong documentSize(String table) {
        String space = System.getProperty(SPACE);
        String url = System.getProperty("INTERLOCK_BENCH_JDBC_URL", System.getenv("INTERLOCK_BENCH_JDBC_URL"));
        if (space == null || url == null) {
            return OptionalLong.empty();
        }
        String user = System.getProperty("INTERLOCK_BENCH_JDBC_USER", System.getenv("INTERLOCK_BENCH_JDBC_USER"));
        String password = System.getProperty("INTERLOCK_BENCH_JDBC_PASSWORD",
                System.getenv("INTERLOCK_BENCH_JDBC_PASSWORD"));
        try (java.sql.Connection c = java.sql.DriverManager.getConnection(url, user, password);
             java.sql.PreparedStatement ps = c.prepareStatement("SELECT LENGTH(`data`) FROM `" + table + "` WHERE `id` = ?")) {
            ps.setString(1, space);
            try (java.sql.ResultSet rs = ps.executeQuery()) {
                return rs.next() ? OptionalLong.of(rs.getLong(1)) : OptionalLong.empty();
            }
        } catch (java.sql.SQLException e) {
            return OptionalLong.empty();
        }
    }

    private String detail(long total) {
        StringBuilder sb = new StringBuilder();
        samples.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).forEach(e -> {
            sb.append(String.format(java.util.Locale.ROOT, "%5.1f%%  %s%n", 100.0 * e.getValue() / total, e.getKey()));
            String hot = self.getOrDefault(e.getKey(), Map.of()).entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(6)
                    .map(m -> String.format(java.util.Locale.ROOT, "%s %.1f%%", m.getKey(), 100.0 * m.getValue() / total))
                    .collect(Collectors.joining(", "));
            if (!hot.isEmpty()) {
                sb.append("        in: ").append(hot).append(System.lineSeparator());
            }
            stacks.getOrDefault(e.getKey(), Map.of()).entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(3)
                    .forEach(st -> sb.append(String.format(java.util.Locale.ROOT, "        %5.1f%%  %s%n",
                            100.0 * st.getValue() / total, st.getKey())));
        });
        return sb.toString();
    }

    private static long serverNanos() {
        String pid = System.getProperty(SERVER_PID);
        if (pid == null || pid.isBlank()) {
            return -1;
        }
        OptionalLong n = ProcCpu.processNanos(Long.parseLong(pid.trim()));
        return n.isPresent() ? n.getAsLong() : -1;
    }
}
