package dev.interlock.bench;

import dev.interlock.jdbi.testing.TestDatabase;

import dev.interlock.bench.impl.Impl;
import dev.interlock.bench.jmh.LockBenchmarks;
import dev.interlock.bench.profile.ProcCpu;
import dev.interlock.bench.profile.SqlCounter;
import dev.interlock.bench.profile.WallClockProfiler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.stream.Collectors;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.TextResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs the benchmark scenarios for Interlock and the baselines in one go, and writes
 * {@code results/<date>.md}, {@code .json} and {@code .png} ({@code <date>-quick.*} for a quick run):
 *
 * <pre>
 * java -cp lock-benchmarks/target/benchmarks.jar dev.interlock.bench.Compare [--quick] [options]
 * </pre>
 *
 * <p>P1/P5, P2 and P4 are JMH benchmarks ({@link LockBenchmarks}), run through JMH's Java API, one fork per
 * implementation and case; P3 is {@link ProcessScenario}. Values are medians: of all sampled latencies (P1, P5), of
 * the iterations' rates (P2, P4), of the windows' rates (P3). For every target missed, Interlock's scenario is run
 * again under {@link WallClockProfiler} (and JMH's GC profiler) and the profile goes into the results. The last line
 * printed is {@code targets met: K of N}. See the module's README for the options.
 */
public final class Compare {

    /**
     * How long and how often to measure.
     *
     * @param forks               JMH forks per benchmark
     * @param warmupIterations    JMH warm-up iterations
     * @param warmupMillis        length of each
     * @param iterations          JMH measurement iterations
     * @param iterationMillis     length of each
     * @param held                the P5 cases
     * @param p3WarmupMillis      P3 warm-up
     * @param p3Windows           P3 windows
     * @param p3WindowMillis      length of each
     * @param profileIterations   measurement iterations of a profile run
     * @param profileMillis       length of each
     */
    record Settings(int forks, int warmupIterations, long warmupMillis, int iterations, long iterationMillis,
                    List<Integer> held, long p3WarmupMillis, int p3Windows, long p3WindowMillis, int profileIterations,
                    long profileMillis) {
        static final Settings QUICK = new Settings(1, 1, 1000, 3, 1000, List.of(0, 1000), 3000, 3, 1000, 3, 1000);
        // The full run measures the steady state. On 2 shared cores a fork's rates still rose through its 6th to
        // 10th second (P2, Interlock: 9,236 to 10,376 pairs/s over the measured iterations after a 6 s warm-up;
        // with 20 s, flat at 11,100), so JMH warms up for 20 s. P3's four fresh JVMs compile at once on the same
        // cores and ramp for about 30 s (Interlock 540 to 2,300 pairs/s, ShedLock 1,700 to 3,900): 30 s.
        static final Settings FULL = new Settings(1, 10, 2000, 5, 2000, List.of(0, 100, 1000, 10000), 30000, 5, 2000,
                4, 2000);

        Settings withHeld(List<Integer> h) {
            return new Settings(forks, warmupIterations, warmupMillis, iterations, iterationMillis, h, p3WarmupMillis,
                    p3Windows, p3WindowMillis, profileIterations, profileMillis);
        }
    }

    /**
     * The command line.
     *
     * @param quick       {@code --quick}
     * @param scenarios   {@code --scenarios P1,P3}
     * @param impls       {@code --impls interlock,shedlock}
     * @param profile     {@code --profile}: profile Interlock in every scenario run, not only for missed targets
     * @param noProfile   {@code --no-profile}: no profiles at all
     * @param profileOnly {@code --profile-only}: profiles only, no comparison (no results files)
     * @param profileImpls {@code --profile-impls}: which implementations {@code --profile} profiles
     * @param jfr         {@code --jfr}: also record a JFR file of every profiled JMH run
     * @param out         {@code --out DIR}: where the results go
     * @param held        {@code --held 0,1000}: the P5 cases
     * @param jdbcProperties {@code --jdbc-properties a=b,c=d}: driver properties for every implementation (what-if runs)
     * @param server      {@code --server mariadb|mysql}: the embedded server to start; null for the default
     */
    record Args(boolean quick, Set<Scenario> scenarios, List<Impl> impls, boolean profile, boolean noProfile,
                boolean profileOnly, List<Impl> profileImpls, boolean jfr, Path out, List<Integer> held,
                Map<String, String> jdbcProperties, String server) {

        static Args parse(String... args) {
            boolean quick = false;
            Set<Scenario> scenarios = EnumSet.allOf(Scenario.class);
            List<Impl> impls = List.of(Impl.values());
            boolean profile = false;
            boolean noProfile = false;
            boolean profileOnly = false;
            List<Impl> profileImpls = List.of(Impl.INTERLOCK);
            boolean jfr = false;
            Path out = null;
            List<Integer> held = null;
            Map<String, String> jdbc = new LinkedHashMap<>();
            String server = null;
            for (int i = 0; i < args.length; i++) {
                String a = args[i];
                switch (a) {
                    case "--quick" -> quick = true;
                    case "--full" -> quick = false;
                    case "--profile" -> profile = true;
                    case "--no-profile" -> noProfile = true;
                    case "--profile-only" -> {
                        profileOnly = true;
                        profile = true;
                    }
                    case "--jfr" -> jfr = true;
                    case "--scenarios" -> scenarios = Arrays.stream(value(args, ++i, a).split(","))
                            .map(s -> Scenario.valueOf(s.trim().toUpperCase(Locale.ROOT)))
                            .collect(Collectors.toCollection(() -> EnumSet.noneOf(Scenario.class)));
                    case "--impls" -> impls = Arrays.stream(value(args, ++i, a).split(",")).map(Impl::parse).toList();
                    case "--profile-impls" -> profileImpls = Arrays.stream(value(args, ++i, a).split(","))
                            .map(Impl::parse).toList();
                    case "--out" -> out = Path.of(value(args, ++i, a));
                    case "--held" -> held = Arrays.stream(value(args, ++i, a).split(","))
                            .map(s -> Integer.parseInt(s.trim().replace("_", ""))).toList();
                    case "--jdbc-properties" -> {
                        for (String pair : value(args, ++i, a).split(",")) {
                            int eq = pair.indexOf('=');
                            if (eq <= 0) {
                                throw new UsageException("--jdbc-properties takes name=value pairs, was '" + pair + "'");
                            }
                            jdbc.put(pair.substring(0, eq).trim(), pair.substring(eq + 1).trim());
                        }
                    }
                    case "--server" -> {
                        server = value(args, ++i, a).trim().toLowerCase(Locale.ROOT);
                        if (!server.equals("mariadb") && !server.equals("mysql")) {
                            throw new UsageException("--server takes mariadb or mysql, was '" + server + "'");
                        }
                    }
                    case "--help", "-h" -> throw new UsageException(null);
                    default -> throw new UsageException("unknown argument '" + a + "'");
                }
            }
            if (profile && noProfile) {
                throw new UsageException("--profile and --no-profile exclude each other");
            }
            if (held != null && held.stream().anyMatch(h -> h < 0)) {
                throw new UsageException("--held takes counts >= 0, was " + held);
            }
            return new Args(quick, scenarios, impls, profile, noProfile, profileOnly, profileImpls, jfr, out, held, jdbc,
                    server);
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length) {
                throw new UsageException(option + " needs a value");
            }
            return args[i];
        }
    }

    /** A bad command line; the message says why, or is null for --help. */
    static final class UsageException extends IllegalArgumentException {
        UsageException(String message) {
            super(message);
        }
    }

    static final String USAGE = """
            usage: java -cp lock-benchmarks/target/benchmarks.jar dev.interlock.bench.Compare [options]
              --quick                 short runs (under 5 minutes); default is the full run (about 15 minutes)
              --scenarios P1,P2,...   run only these scenarios (P1 and P5 share their runs)
              --impls a,b,...         only these implementations: interlock, get-lock, row-per-lock, shedlock, naive-blob
              --held 0,1000           the P5 cases (default: quick 0,1000; full 0,100,1000,10000)
              --profile               profile Interlock in every scenario run, not only where a target is missed
              --profile-impls a,b     which implementations --profile profiles (default interlock)
              --profile-only          only the profiles (implies --profile); writes no results files
              --no-profile            no profiles, not even for missed targets
              --jfr                   also record a JFR file of each profiled JMH run (in target/bench-logs)
              --jdbc-properties a=b   driver properties for every implementation, e.g. useLocalSessionState=true
                                      (what-if runs; recorded in the results)
              --server mariadb|mysql  the embedded server to start (MariaDB 11.4, or MySQL 8.0 for which the results
                                      file is named <date>-mysql); ignored when a JDBC URL is given
              --out DIR               where the results go (default lock-benchmarks/results, or results/ when
                                      started inside lock-benchmarks)
            the database: INTERLOCK_BENCH_JDBC_URL (+ _USER, _PASSWORD), else lock-jdbi's TestDatabase
            (INTERLOCK_TEST_JDBC_URL, Docker, else an embedded MariaDB 11.4 or, with --server mysql, MySQL 8.0)""";

    private final Args args;
    private final Settings settings;
    private final BenchDatabase db;
    private final Path logDir;
    private final long serverPid;
    private final List<String> failures = new ArrayList<>();
    /** P1's statement floor ({@code floor:<kind> us}), measured right after P1; empty if not (yet) measured. */
    private Map<String, Double> floor = Map.of();
    /** JMH's output of the latest run (one file per run: JMH truncates it). */
    private Path lastLog;
    private int jmhRuns;

    private Compare(Args args, Settings settings, BenchDatabase db, Path logDir, long serverPid) {
        this.args = args;
        this.settings = settings;
        this.db = db;
        this.logDir = logDir;
        this.serverPid = serverPid;
    }

    /**
     * @param argv see {@link #USAGE}
     * @throws Exception if the run fails
     */
    public static void main(String[] argv) throws Exception {
        Args args;
        try {
            args = Args.parse(argv);
        } catch (UsageException e) {
            if (e.getMessage() != null) {
                System.err.println(e.getMessage());
            }
            System.err.println(USAGE);
            System.exit(e.getMessage() == null ? 0 : 2);
            return;
        }
        System.setProperty("java.awt.headless", "true");
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        String loadAtStart = Machine.loadAverage();
        Path resultsDir = args.out() != null ? args.out() : defaultResultsDir();
        Path logDir = defaultLogDir();
        Files.createDirectories(logDir);
        Settings settings = args.quick() ? Settings.QUICK : Settings.FULL;
        if (args.held() != null) {
            settings = settings.withHeld(args.held());
        }

        say("starting the database ...");
        if (args.server() != null) {
            System.setProperty(TestDatabase.SERVER_ENV, args.server()); // read by TestDatabase, in this JVM only
        }
        BenchDatabase db = BenchDatabase.resolve();
        if (!args.jdbcProperties().isEmpty()) {
            db = db.withProperties(args.jdbcProperties());
        }
        Map<String, String> server = db.serverInfo();
        long serverPid = serverPid(db);
        say("database: " + server.getOrDefault("version", "?") + " (" + db.backend() + ")"
                + (serverPid > 0 ? ", server pid " + serverPid : ""));
        Compare run = new Compare(args, settings, db, logDir, serverPid);

        List<Measurement> measurements = new ArrayList<>();
        List<Profile> profiles = new ArrayList<>();
        if (!args.profileOnly()) {
            measurements.addAll(run.measure());
        }
        List<Target.Outcome> targets = Target.checkAll(measurements);
        if (!args.noProfile()) {
            profiles.addAll(run.profiles(targets));
        }
        Duration took = Duration.ofNanos(System.nanoTime() - t0);

        boolean mysql = !server.getOrDefault("version", "").contains("MariaDB");
        String name = LocalDate.now(ZoneOffset.UTC) + (mysql ? "-mysql" : "") + (args.quick() ? "-quick" : "");
        Map<String, String> machine = Machine.describe(db, server);
        machine.put("load average at start", loadAtStart);
        machine.put("load average at end", Machine.loadAverage());
        Results results = new Results(name, started, args.quick(), took, command(argv), machine, run.method(), measurements,
                run.failures, targets, profiles);
        if (!args.profileOnly()) {
            Report.write(results, resultsDir);
            say("wrote " + resultsDir.resolve(name + ".md") + ", .json and .png");
        } else {
            Path file = logDir.resolve("profile-" + started.toEpochMilli() + ".md");
            Files.writeString(file, Report.markdown(results));
            say("wrote the profiles to " + file);
        }
        System.out.println();
        System.out.print(Report.console(results));
        for (Profile p : profiles) {
            System.out.println();
            System.out.println("profile " + p.name() + ": " + summary(p));
        }
        System.out.println();
        System.out.println(results.targetsLine());
        System.exit(0); // the embedded database's shutdown hook stops it
    }

    /** @return the largest wall-clock groups, else (P3) the statements per operation */
    static String summary(Profile p) {
        String groups = p.groups().entrySet().stream().limit(6)
                .map(e -> e.getKey() + " " + String.format(Locale.ROOT, "%.0f%%", e.getValue()))
                .collect(Collectors.joining(", "));
        String sql = p.statements().entrySet().stream()
                .filter(e -> !e.getKey().equals("checkout") && !e.getKey().equals("checkin"))
                .map(e -> String.format(Locale.ROOT, "%.2f %s/op (%.2f changed nothing)", e.getValue()[0], e.getKey(),
                        e.getValue()[2]))
                .collect(Collectors.joining(", "));
        return groups.isEmpty() ? sql : groups + (sql.isEmpty() ? "" : "; " + sql);
    }

    private static Path defaultResultsDir() {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve("lock-benchmarks"))) {
            return cwd.resolve("lock-benchmarks").resolve("results");
        }
        return cwd.resolve("results");
    }

    /** lock-benchmarks/target/bench-logs (or target/bench-logs inside the module, or under the temp directory). */
    private static Path defaultLogDir() {
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve("lock-benchmarks").resolve("target"))) {
            return cwd.resolve("lock-benchmarks").resolve("target").resolve("bench-logs");
        }
        if (Files.isDirectory(cwd.resolve("target"))) {
            return cwd.resolve("target").resolve("bench-logs");
        }
        return Path.of(System.getProperty("java.io.tmpdir"), "interlock-bench-logs");
    }

    private static String command(String[] argv) {
        return "java -cp lock-benchmarks/target/benchmarks.jar " + Compare.class.getName()
                + (argv.length == 0 ? "" : " " + String.join(" ", argv));
    }

    private static long serverPid(BenchDatabase db) {
        try {
            String url = db.url();
            int hosts = url.indexOf("//") + 2;
            int end = hosts;
            while (end < url.length() && "/?".indexOf(url.charAt(end)) < 0) {
                end++;
            }
            String authority = url.substring(hosts, end);
            int colon = authority.lastIndexOf(':');
            int port = colon < 0 ? 3306 : Integer.parseInt(authority.substring(colon + 1));
            OptionalLong pid = ProcCpu.findServer(port);
            return pid.orElse(-1);
        } catch (RuntimeException e) {
            return -1;
        }
    }

    static void say(String line) {
        System.out.println("[compare " + java.time.LocalTime.now().withNano(0) + "] " + line);
        System.out.flush();
    }

    // ------------------------------------------------------------------ measuring

    private Map<String, String> method() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("mode", args.quick() ? "quick (--quick)" : "full");
        m.put("JMH", String.format(Locale.ROOT, "%d fork(s) per implementation and case; warm-up %d x %.0f s; "
                        + "measurement %d x %.0f s", settings.forks(), settings.warmupIterations(),
                settings.warmupMillis() / 1000.0, settings.iterations(), settings.iterationMillis() / 1000.0));
        m.put("P1, P5", "JMH SampleTime, 1 thread: the median (p50) of all sampled acquire+release latencies of the "
                + "measurement iterations; p90 alongside. P1 is P5 with 0 other locks held. P5 cases: "
                + settings.held().stream().map(h -> String.format(Locale.ROOT, "%,d", h)).collect(Collectors.joining(", "))
                + " other locks held by another holder of the same space");
        m.put("P2, P4", "JMH Throughput, 8 threads in one JVM: the median of the measurement iterations' rates (all "
                + "threads together). P4 waits through each implementation's own acquire (Interlock: its backoff and "
                + "in-process wake-up; GET_LOCK: in the server; the others: polling with Interlock's default backoff, "
                + "5 ms to 500 ms with jitter)");
        m.put("P3", String.format(Locale.ROOT, "4 worker JVMs x 2 threads started together (dev.interlock.bench."
                        + "ProcessWorker), every thread on its own lock in one shared space; warm-up %.0f s, then %d "
                        + "windows of %.0f s; the median over windows of the sum of the workers' rates",
                settings.p3WarmupMillis() / 1000.0, settings.p3Windows(), settings.p3WindowMillis() / 1000.0));
        m.put("connections", "HikariCP, threads + 2 connections per JVM, the same for every implementation; "
                + (args.jdbcProperties().isEmpty() ? "Connector/J defaults"
                : "Connector/J defaults but " + args.jdbcProperties() + " (--jdbc-properties)"));
        m.put("JVMs", String.join(" ", jvmArgs()) + " (benchmark forks and P3 workers)");
        m.put("profiles", "Interlock's scenario of each missed target is run again with dev.interlock.bench.profile."
                + "WallClockProfiler (wall-clock stack samples every 1 ms of every benchmark thread; JDBC statements "
                + "counted and timed; CPU from /proc) and JMH's GC profiler");
        return m;
    }

    private static List<String> jvmArgs() {
        return List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC");
    }

    private List<Measurement> measure() throws IOException, InterruptedException {
        List<Measurement> out = new ArrayList<>();
        Set<Scenario> s = args.scenarios();
        if (s.contains(Scenario.P1) || s.contains(Scenario.P5)) {
            List<Integer> held = s.contains(Scenario.P5) ? settings.held() : List.of(0);
            say("P1/P5: uncontended acquire+release, held " + held + ", " + ids(args.impls()));
            for (RunResult rr : jmh("uncontended", 1, args.impls(), held, false, null)) {
                Impl impl = Impl.parse(rr.getParams().getParam("impl"));
                int h = Integer.parseInt(rr.getParams().getParam("held"));
                var stats = rr.getPrimaryResult().getStatistics();
                double median = stats.getPercentile(50);
                double p90 = stats.getPercentile(90);
                if (h == 0 && s.contains(Scenario.P1)) {
                    out.add(new Measurement(Scenario.P1, 0, impl, median, p90, List.of(), stats.getN(), ""));
                }
                if (s.contains(Scenario.P5)) {
                    out.add(new Measurement(Scenario.P5, h, impl, median, p90, List.of(), stats.getN(), ""));
                }
                say(String.format(Locale.ROOT, "  %-12s held %,6d: median %s, p90 %s", impl.label(), h,
                        Report.value(Scenario.P1, median), Report.value(Scenario.P1, p90)));
            }
            missing(out, Scenario.P5, s.contains(Scenario.P5) ? held : List.of(0));
            if (s.contains(Scenario.P1) && args.impls().contains(Impl.INTERLOCK)
                    && args.impls().contains(Impl.ROW_PER_LOCK)) {
                // right after P1, in the database's same state: measured at the end of a run, after P2 to P4 had
                // inserted and deleted millions of rows, row-per-lock's statements were 10% slower than its P1
                say("P1's statement floor: the statements alone, " + Impl.INTERLOCK.label() + "'s and "
                        + Impl.ROW_PER_LOCK.label() + "'s");
                floor = statementFloor();
            }
        }
        if (s.contains(Scenario.P2)) {
            say("P2: 8 threads, own locks, " + ids(args.impls()));
            out.addAll(throughput(Scenario.P2, "ownLocks"));
        }
        if (s.contains(Scenario.P3)) {
            say("P3: 4 processes x 2 threads, own locks, " + ids(args.impls()));
            ProcessScenario p3 = p3(settings.p3WarmupMillis(), settings.p3Windows(), settings.p3WindowMillis());
            for (Impl impl : args.impls()) {
                try {
                    ProcessScenario.Outcome o = p3.run(impl, db, false);
                    String note = o.failures() > 0 ? o.failures() + " failed attempts" : "";
                    out.add(new Measurement(Scenario.P3, 0, impl, o.median(), Double.NaN, o.windowRates(),
                            o.windowRates().size(), note));
                    say(String.format(Locale.ROOT, "  %-12s %s%s", impl.label(), Report.value(Scenario.P3, o.median()),
                            note.isEmpty() ? "" : " (" + note + ")"));
                } catch (RuntimeException e) {
                    failures.add("P3 " + impl.label() + ": " + e.getMessage());
                    say("  " + impl.label() + " FAILED: " + e.getMessage());
                }
            }
        }
        if (s.contains(Scenario.P4)) {
            say("P4: 8 threads, one shared lock, " + ids(args.impls()));
            out.addAll(throughput(Scenario.P4, "sharedLock"));
        }
        return out;
    }

    private ProcessScenario p3(long warmup, int windows, long window) {
        return new ProcessScenario(4, 2, warmup, windows, window, jvmArgs(), logDir);
    }

    private List<Measurement> throughput(Scenario scenario, String method) {
        List<Measurement> out = new ArrayList<>();
        for (RunResult rr : jmh(method, 8, args.impls(), List.of(), false, null)) {
            Impl impl = Impl.parse(rr.getParams().getParam("impl"));
            List<Double> rates = new ArrayList<>();
            for (BenchmarkResult br : rr.getBenchmarkResults()) {
                for (IterationResult ir : br.getIterationResults()) {
                    rates.add(ir.getPrimaryResult().getScore());
                }
            }
            double median = Stats.median(rates);
            out.add(new Measurement(scenario, 0, impl, median, Double.NaN, rates, rates.size(), ""));
            say(String.format(Locale.ROOT, "  %-12s %s (iterations: %s)", impl.label(), Report.value(scenario, median),
                    rates.stream().map(v -> String.format(Locale.ROOT, "%,.0f", v)).collect(Collectors.joining(", "))));
        }
        missing(out, scenario, List.of(0));
        return out;
    }

    /** Notes the implementations whose benchmark produced no result (it failed; the JMH log says why). */
    private void missing(List<Measurement> got, Scenario scenario, List<Integer> held) {
        for (Impl impl : args.impls()) {
            for (int h : held) {
                boolean present = got.stream().anyMatch(m -> m.impl() == impl && m.held() == h
                        && (m.scenario() == scenario || scenario == Scenario.P5 && m.scenario() == Scenario.P1));
                if (!present) {
                    String what = Measurement.rowName(scenario, h) + " " + impl.label();
                    failures.add(what + ": the benchmark failed; see " + lastLog);
                    say("  " + what + " FAILED (see " + lastLog + ")");
                }
            }
        }
    }

    private static String ids(List<Impl> impls) {
        return impls.stream().map(Impl::id).collect(Collectors.joining(","));
    }

    /**
     * Runs one benchmark method through JMH for the given implementations (one fork each).
     *
     * @param profileTag null for a measured run; else the name of the profile (and its JFR file)
     */
    private Collection<RunResult> jmh(String method, int threads, List<Impl> impls, List<Integer> held, boolean profile,
                                      String profileTag) {
        lastLog = logDir.resolve(String.format(Locale.ROOT, "jmh-%02d-%s%s.log", ++jmhRuns, method,
                profile ? "-profile-" + profileTag : ""));
        ChainedOptionsBuilder b = new OptionsBuilder()
                .include(LockBenchmarks.class.getName().replace(".", "\\.") + "\\." + method + "$")
                .forks(settings.forks())
                .threads(threads)
                .warmupIterations(settings.warmupIterations())
                .warmupTime(TimeValue.milliseconds(settings.warmupMillis()))
                .measurementIterations(profile ? settings.profileIterations() : settings.iterations())
                .measurementTime(TimeValue.milliseconds(profile ? settings.profileMillis() : settings.iterationMillis()))
                .timeout(TimeValue.minutes(5))
                .shouldFailOnError(false)
                .jvmArgs(jvmArgs().toArray(String[]::new))
                .output(lastLog.toString());
        if (!impls.isEmpty()) {
            b.param("impl", impls.stream().map(Impl::id).toArray(String[]::new));
        }
        // jvmArgsAppend replaces what an earlier call appended: one call with everything
        List<String> append = new ArrayList<>(db.jvmArgs());
        if (!held.isEmpty()) {
            b.param("held", held.stream().map(String::valueOf).toArray(String[]::new));
        }
        if (profile) {
            b.addProfiler(WallClockProfiler.class).addProfiler(GCProfiler.class);
            append.add("-D" + SqlCounter.PROPERTY + "=true");
            append.add("-D" + WallClockProfiler.SERVER_PID + "=" + serverPid);
            if (args.jfr()) {
                append.add("-XX:StartFlightRecording=filename=" + logDir.resolve(profileTag + ".jfr")
                        + ",settings=profile");
            }
        }
        b.jvmArgsAppend(append.toArray(String[]::new));
        try {
            return new Runner(b.build()).run();
        } catch (RunnerException e) {
            failures.add(method + " " + ids(impls) + ": JMH failed: " + e.getMessage());
            say("  JMH failed: " + e.getMessage());
            return List.of();
        }
    }

    // ------------------------------------------------------------------ profiling

    /** A scenario (and P5 case) to profile, and the targets it explains. */
    private record Wanted(Scenario scenario, int held, Impl impl, List<String> why) {
    }

    private List<Profile> profiles(List<Target.Outcome> targets) throws IOException, InterruptedException {
        Map<String, Wanted> wanted = new LinkedHashMap<>();
        for (Target.Outcome t : targets) {
            if (t.status() != Target.Status.MISSED) {
                continue;
            }
            Target target = t.target();
            Scenario sc = target.scenario() == Scenario.P1 ? Scenario.P5 : target.scenario();
            add(wanted, sc, target.held(), Impl.INTERLOCK, target.id() + " (missed, " + Target.format(t.ratio().get())
                    + "x)");
            if (target.scenario() == Scenario.P5) {
                add(wanted, Scenario.P5, target.baselineHeld(), Impl.INTERLOCK, target.id() + " (the empty case)");
            }
        }
        if (args.profile()) {
            for (Impl impl : args.profileImpls()) {
                for (Scenario sc : args.scenarios()) {
                    if (sc == Scenario.P5) {
                        for (int h : settings.held()) {
                            if (h > 0) {
                                add(wanted, sc, h, impl, null);
                            }
                        }
                    } else {
                        add(wanted, sc == Scenario.P1 ? Scenario.P5 : sc, 0, impl, null);
                    }
                }
            }
        }
        List<Profile> out = new ArrayList<>();
        for (Wanted w : wanted.values()) {
            say("profiling " + Measurement.rowName(w.scenario(), w.held()) + " " + w.impl().label()
                    + (w.why().isEmpty() ? "" : " for " + w.why()));
            try {
                Profile p = w.scenario() == Scenario.P3 ? profileP3(w) : profileJmh(w);
                if (p != null) {
                    out.add(p);
                }
            } catch (RuntimeException e) {
                failures.add("profile of " + Measurement.rowName(w.scenario(), w.held()) + " " + w.impl().label()
                        + ": " + e.getMessage());
                say("  profile failed: " + e);
            }
        }
        return out;
    }

    private static void add(Map<String, Wanted> wanted, Scenario sc, int held, Impl impl, String why) {
        String key = sc + "/" + held + "/" + impl;
        Wanted w = wanted.get(key);
        List<String> reasons = new ArrayList<>(w == null ? List.of() : w.why());
        if (why != null) {
            reasons.add(why);
        }
        wanted.put(key, new Wanted(sc, held, impl, reasons));
    }

    @SuppressWarnings("rawtypes") // JMH's secondary results are raw
    private Profile profileJmh(Wanted w) {
        String method = switch (w.scenario()) {
            case P1, P5 -> "uncontended";
            case P2 -> "ownLocks";
            case P4 -> "sharedLock";
            case P3 -> throw new IllegalArgumentException("P3 is not a JMH benchmark");
        };
        int threads = method.equals("uncontended") ? 1 : 8;
        String tag = w.scenario() + "-" + w.held() + "-" + w.impl().id();
        Collection<RunResult> rrs = jmh(method, threads, List.of(w.impl()),
                method.equals("uncontended") ? List.of(w.held()) : List.of(), true, tag);
        if (rrs.isEmpty()) {
            failures.add("profile " + tag + ": the benchmark failed; see " + lastLog);
            return null;
        }
        RunResult rr = rrs.iterator().next();
        Map<String, Double> metrics = new LinkedHashMap<>();
        String detail = "";
        for (Map.Entry<String, Result> e : rr.getSecondaryResults().entrySet()) {
            String label = e.getKey().startsWith("·") ? e.getKey().substring(1) : e.getKey();
            if (e.getValue() instanceof TextResult text) {
                detail = text.extendedInfo();
            } else {
                metrics.put(label, e.getValue().getScore());
            }
        }
        double score = rr.getPrimaryResult().getScore(); // SampleTime: mean µs; Throughput: ops/s
        double wallPerOp;
        double shown;
        if (method.equals("uncontended")) {
            wallPerOp = score;
            shown = rr.getPrimaryResult().getStatistics().getPercentile(50);
        } else {
            wallPerOp = threads * 1e6 / score;
            shown = score;
        }
        if (w.scenario() == Scenario.P5 && w.held() == 0 && w.impl() == Impl.INTERLOCK) {
            metrics.putAll(floor.isEmpty() ? statementFloor() : floor);
        }
        Profile p = new Profile(w.scenario(), w.held(), w.impl(), threads, shown, wallPerOp, metrics, detail, w.why());
        say("  " + summary(p));
        return p;
    }

    /**
     * Measures {@code LockBenchmarks.statementFloor}: P1's statements alone, Interlock's and row-per-lock's, with the
     * JMH settings of the run.
     *
     * @return {@code floor:<kind> us} → median latency in µs; empty if the run failed (noted in the failures)
     */
    private Map<String, Double> statementFloor() {
        Map<String, Double> out = new LinkedHashMap<>();
        for (RunResult rr : jmh("statementFloor", 1, List.of(), List.of(), false, null)) {
            String kind = rr.getParams().getParam("floor");
            double p50 = rr.getPrimaryResult().getStatistics().getPercentile(50);
            out.put("floor:" + kind + " us", p50);
            say(String.format(Locale.ROOT, "  statement floor %s: median %.0f µs", kind, p50));
        }
        return out;
    }

    private Profile profileP3(Wanted w) throws IOException, InterruptedException {
        ProcessScenario p3 = p3(settings.p3WarmupMillis(), settings.profileIterations(), settings.profileMillis());
        long[] machine0 = ProcCpu.machineNanos();
        long server0 = serverPid > 0 ? ProcCpu.processNanos(serverPid).orElse(-1) : -1;
        ProcessScenario.Outcome o = p3.run(w.impl(), db, true);
        long[] machine1 = ProcCpu.machineNanos();
        long server1 = serverPid > 0 ? ProcCpu.processNanos(serverPid).orElse(-1) : -1;
        Map<String, Double> metrics = new LinkedHashMap<>();
        double ops = Math.max(1, o.pairs());
        o.sql().forEach((kind, v) -> {
            if (v[0] > 0) {
                metrics.put("sql:" + kind + "/op", v[0] / ops);
                metrics.put("sql:" + kind + " us/op", v[1] / 1000.0 / ops);
                if (v[2] > 0) {
                    metrics.put("sql:" + kind + " no-row/op", v[2] / ops);
                }
            }
        });
        if (machine1[1] > machine0[1]) {
            // covers the workers' start and warm-up too: an upper bound of the windows' load
            metrics.put("cpu:machine busy", 100.0 * (machine1[0] - machine0[0]) / (machine1[1] - machine0[1]));
        }
        if (server0 >= 0 && server1 >= 0) {
            metrics.put("cpu:server (whole run) s", (server1 - server0) / 1e9);
        }
        metrics.put("failed attempts", (double) o.failures());
        long samples = o.wall().values().stream().mapToLong(Long::longValue).sum();
        o.wall().forEach((category, n) -> metrics.put("wall:" + category, 100.0 * n / Math.max(1, samples)));
        int threads = p3.processes() * p3.threads();
        return new Profile(Scenario.P3, 0, w.impl(), threads, o.median(), threads * 1e6 / o.median(), metrics,
                "statements counted and threads sampled in the 4 workers over the windows; failed attempts: "
                        + o.failures(), w.why());
    }
}
