package dev.interlock.jdbi.torture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.interlock.Holder;
import dev.interlock.LockManager;
import dev.interlock.jdbi.JdbiLockStore;
import dev.interlock.jdbi.testing.FaultProxy;
import dev.interlock.jdbi.testing.TestDatabase;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;

/**
 * The torture test: {@value #DEFAULT_WORKERS} worker processes ({@link TortureWorker}) of
 * {@value #DEFAULT_THREADS} threads each take random sets of exclusive and shared locks on a few overlapping names
 * for {@code interlock.torture.seconds} (default {@value #DEFAULT_SECONDS}) while this test injects faults. Half of
 * the workers hold their locks under a lease (so processes elsewhere could reap them), the others are judged by their
 * pid only; one of them waits fairly (its blocked requests queue in the space, and everyone respects the queue).
 * The faults:
 * <ul>
 *   <li>{@code kill -9} of a random worker (a new one takes its place);</li>
 *   <li>{@code SIGSTOP} of a worker that holds its locks under a lease, for longer than the lease, then
 *       {@code SIGCONT};</li>
 *   <li>{@code KILL CONNECTION} of workers' sessions on the lock table's database;</li>
 *   <li>a stop and start of the database on the same data, 27 s in and then once a minute (the embedded server
 *       only; on another server this fault is skipped, and the summary says so);</li>
 *   <li>requests and replies of the lock table's {@code UPDATE}s dropped at random by a {@link FaultProxy} between
 *       the workers and the database.</li>
 * </ul>
 * Inside each grant the workers enter and leave {@link Witness} rows. Triggers on the lock table keep every version
 * of the lock document, with the database's time of the statement that wrote it. Afterwards the checker verifies:
 * <ul>
 *   <li>the lock document: no version grants a name in conflicting modes, and a grant leaves it only by a write of
 *       its own holder (release) or when its holder is provably dead: its process was killed before the write, or its
 *       lease had run out by the database's clock;</li>
 *   <li>the witness, the resource the locks protect: no marker was ever found set by a newer grant (a takeover) unless
 *       the older grant had left the lock document because its holder was dead, no later than the newer grant; no
 *       grant the witness fenced off as stale still held its lease; no marker is left at the end but those of dead
 *       holders; every entry was a real grant; the counters equal the grant log; per name, tokens increase in the
 *       order the entries committed;</li>
 *   <li>every holder reaped because its pid was gone belonged to a process that was killed;</li>
 *   <li>once the workers finished, none of the living ones left anything in the lock document (grant, holder record
 *       or queued request), and once the dead ones are reaped, the document is empty;</li>
 *   <li>every compare-and-set whose outcome was unknown to its worker (a dropped request or reply, a killed session, a
 *       stopped server) is counted as applied or not from the history: applied if the next version is the document
 *       it tried to write.</li>
 * </ul>
 * It prints a summary ({@code grants: N}, one line per fault, {@code ambiguous outcomes: N (applied A, not applied
 * B)}, {@code reaped holders: N}, {@code violations: 0}, {@code leaked entries: 0}) and writes it with the workers'
 * logs to {@code target/torture/}.
 *
 * <p>Options (system properties): {@code interlock.torture.seconds}, {@code .workers}, {@code .threads},
 * {@code .seed} (the same fault choices again), and {@code interlock.torture.sabotage=true}, which breaks the
 * workers' store on purpose (a third of the compare-and-sets that lose are written anyway: the last writer wins):
 * the test must then fail with violations, which shows the checks can see a broken lock.
 */
class TortureIT {

    private static final long DEFAULT_SECONDS = 60;
    private static final int DEFAULT_WORKERS = 4;
    private static final int DEFAULT_THREADS = 3;
    private static final long SECONDS = Long.getLong("interlock.torture.seconds", DEFAULT_SECONDS);
    private static final int WORKERS = Integer.getInteger("interlock.torture.workers", DEFAULT_WORKERS);
    private static final int THREADS = Integer.getInteger("interlock.torture.threads", DEFAULT_THREADS);
    /** Runs the workers on a broken store (the last writer wins), to see the checks fail as they must. */
    private static final boolean SABOTAGE = Boolean.getBoolean("interlock.torture.sabotage");
    /** The lease of the workers that take one (half of them); the others are judged by their pid only. */
    private static final long LEASE_MS = 3000;
    /** Chance that a lock table UPDATE going through the proxy loses its request or its reply. */
    private static final double DROP_PROBABILITY = 0.01;
    private static final List<String> NAMES = List.of("n0", "n1", "n2", "n3", "n4", "n5");
    private static final String SPACE = "torture";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final TestDatabase db = TestDatabase.get();
    private final long seed = Long.getLong("interlock.torture.seed", System.nanoTime());
    private final SplittableRandom random = new SplittableRandom(seed);
    private final Events events = new Events();
    private final Map<String, Long> faults = new LinkedHashMap<>();
    private final List<Worker> everyWorker = new CopyOnWriteArrayList<>();
    private Worker[] slots;
    private Path logs;
    private String lockUrl;
    private String witnessUrl;
    private DataSource admin;
    private String lockDb;
    private long runStartNanos;

    @Test
    void locksHoldUnderKillsStopsLostConnectionsRestartsAndLostReplies() throws Exception {
        long t0 = System.nanoTime();
        logs = Paths.get("target", "torture", "run-" + java.time.LocalDateTime.now().format(
                java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")) + "-" + seed);
        Files.createDirectories(logs);
        runStartNanos = System.nanoTime();
        lockDb = db.createDatabase("torture_locks");
        String witnessDb = db.createDatabase("torture_witness");
        DataSource lockData = db.dataSource(db.jdbcUrlFor(lockDb, Map.of()));
        admin = lockData;
        JdbiLockStore direct = JdbiLockStore.create(lockData);
        direct.createSchema();
        installHistory(lockData);
        DataSource witnessData = db.dataSource(db.jdbcUrlFor(witnessDb, Map.of()));
        Witness.create(witnessData, NAMES);
        for (String kind : List.of("kill -9", "SIGSTOP/SIGCONT", "KILL CONNECTION", "database restarts")) {
            faults.put(kind, 0L);
        }
        System.out.println("torture: seed " + seed + " (-Dinterlock.torture.seed=" + seed
                + " replays the same random choices), " + WORKERS + " workers x " + THREADS + " threads, " + SECONDS
                + " s, logs in " + logs.toAbsolutePath());

        try (FaultProxy proxy = db.startProxy()) {
            // a socketTimeout as production should have: a reply that never comes is a lost reply too
            lockUrl = proxy.jdbcUrl(db.jdbcUrlFor(lockDb, Map.of("socketTimeout", "10000", "connectTimeout", "2000")));
            witnessUrl = db.jdbcUrlFor(witnessDb, Map.of("socketTimeout", "30000", "connectTimeout", "2000",
                    "sessionVariables", "innodb_lock_wait_timeout=10"));
            slots = new Worker[WORKERS];
            for (int i = 0; i < WORKERS; i++) {
                slots[i] = startWorker(i);
            }
            for (Worker w : slots) {
                assertTrue(w.started.await(120, TimeUnit.SECONDS), "worker " + w.name + " did not start:\n" + w.tail());
            }
            long setupMs = (System.nanoTime() - t0) / 1_000_000;
            proxy.armRandomly("UPDATE `interlock_spaces`", DROP_PROBABILITY, seed);
            long runStart = System.nanoTime();
            try {
                injectFaults();
            } finally {
                proxy.disarm();
                for (Worker w : slots) {
                    if (w.stopped) {
                        w.signal("CONT");
                    }
                }
                if (db.canRestart() && !db.embedded().orElseThrow().isRunning()) {
                    db.startServer();
                }
            }
            long runMs = (System.nanoTime() - runStart) / 1_000_000;
            faults.put("dropped requests", (long) proxy.faultsInjected(FaultProxy.Fault.DROP_REQUEST));
            faults.put("dropped replies", (long) proxy.faultsInjected(FaultProxy.Fault.DROP_REPLY));

            // The workers finish what they hold, sweep and close their managers, and wait.
            for (Worker w : slots) {
                w.send("stop");
            }
            for (Worker w : slots) {
                assertTrue(w.done.await(180, TimeUnit.SECONDS), "worker " + w.name + " did not finish:\n" + w.tail());
            }
            // Nothing of a living worker may be left in the document.
            Set<String> living = new HashSet<>();
            for (Worker w : slots) {
                living.add(w.holderId);
            }
            List<String> leaked = new ArrayList<>(entriesOf(direct, living::contains));
            for (Worker w : slots) {
                w.send("exit");
            }
            for (Worker w : slots) {
                assertTrue(w.process.waitFor(60, TimeUnit.SECONDS), "worker " + w.name + " did not exit");
                w.ended.await(10, TimeUnit.SECONDS);
            }
            // The dead are reaped by anyone on this host; then nothing at all may be left.
            try (LockManager checker = LockManager.builder(direct).space(SPACE)
                    .holder(Holder.currentProcess("torture-checker")).build()) {
                checker.reap();
            }
            leaked.addAll(entriesOf(direct, id -> true));

            Check check = new Check(witnessData, lockData);
            check.run();
            long totalMs = (System.nanoTime() - t0) / 1_000_000;

            List<String> summary = new ArrayList<>();
            summary.add("torture: " + WORKERS + " worker processes x " + THREADS + " threads, " + NAMES.size()
                    + " lock names, " + (runMs / 1000) + " s of faults (setup " + setupMs + " ms, whole test " + totalMs
                    + " ms), seed " + seed + ", " + db.backend() + " " + serverVersion()
                    + (SABOTAGE ? "; SABOTAGED: the workers' store lets the last writer win, violations must show"
                    : ""));
            summary.add("grants: " + events.grants.get());
            summary.add("witnessed entries: " + (check.exclusiveEntries + check.sharedEntries) + " (exclusive "
                    + check.exclusiveEntries + ", shared " + check.sharedEntries + ")");
            faults.forEach((kind, count) -> summary.add(kind + ": " + count
                    + (kind.equals("database restarts") && !db.canRestart()
                    ? " (skipped: the " + db.backend() + " test database cannot be restarted by this test)" : "")));
            summary.add("ambiguous outcomes: " + events.unknowns.size() + " (applied " + check.applied
                    + ", not applied " + check.notApplied + ")");
            summary.add("  judged by the engine on re-reading: applied " + events.reconciledApplied.get()
                    + ", not applied " + events.reconciledNotApplied.get() + "; the rest could not be re-read at once"
                    + " (outcome unknown to the caller; an orphan, if applied, swept later)");
            summary.add("lock document history: " + check.versions + " versions, " + check.removals
                    + " grants removed (" + check.ownRemovals + " by their holder, " + check.deathRemovals
                    + " of dead holders)");
            summary.add("reaped holders: " + events.reaped.size());
            summary.add("  because their pid was gone: " + check.reapedByPid + ", their lease ran out: "
                    + check.reapedByLease);
            summary.add("lost leases reported: " + events.lost.size());
            summary.add("stale holders fenced: " + events.stale.size());
            summary.add("markers of dead grants cleared: " + check.takeovers + " (left at the end: " + check.leftMarkers
                    + ")");
            summary.add("violations: " + check.violations.size());
            summary.add("leaked entries: " + leaked.size());
            String text = String.join("\n", summary);
            System.out.println(text);
            Files.writeString(logs.resolve("summary.txt"), text + "\n", StandardCharsets.UTF_8);
            Files.writeString(logs.resolveSibling("summary.txt"), text + "\n", StandardCharsets.UTF_8);

            assertEquals(0, check.violations.size(), () -> "violations (the first 20):\n"
                    + String.join("\n", check.violations.subList(0, Math.min(20, check.violations.size()))));
            assertEquals(List.of(), leaked, "entries left in the lock document");
            // The run must have meant something.
            assertTrue(events.grants.get() >= 100 * SECONDS / 60, "too few grants: " + events.grants.get());
            for (Map.Entry<String, Long> f : faults.entrySet()) {
                boolean skipped = f.getKey().equals("database restarts") && !db.canRestart();
                assertTrue(skipped || f.getValue() > 0, "no " + f.getKey() + " happened");
            }
            assertTrue(!events.unknowns.isEmpty(), "no outcome was ever unknown");
            assertTrue(!events.reaped.isEmpty(), "nobody was ever reaped");
        } finally {
            for (Worker w : everyWorker) {
                w.process.destroyForcibly();
            }
        }
    }

    // ------------------------------------------------------------------ faults

    private void injectFaults() throws Exception {
        long start = System.nanoTime();
        long end = start + TimeUnit.SECONDS.toNanos(SECONDS);
        // the database restarts once in the first minute (27 s in, or at 45% of a shorter run), then every minute
        long restartAt = start + TimeUnit.SECONDS.toNanos(Math.min(SECONDS, 60)) * 45 / 100;
        boolean restarts = db.canRestart();
        if (!db.canRestart()) {
            System.out.println("torture: the " + db.backend() + " test database cannot be restarted by this test;"
                    + " skipping that fault");
        }
        // the first three faults are one of each kind, in random order; then they are drawn at random
        List<String> firstRound = new ArrayList<>(List.of("kill -9", "SIGSTOP/SIGCONT", "KILL CONNECTION"));
        Collections.shuffle(firstRound, new java.util.Random(seed));
        long nextFault = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(2000);
        Map<Worker, Long> resumeAt = new HashMap<>();
        while (System.nanoTime() < end) {
            long now = System.nanoTime();
            for (Iterator<Map.Entry<Worker, Long>> it = resumeAt.entrySet().iterator(); it.hasNext(); ) {
                Map.Entry<Worker, Long> e = it.next();
                if (now - e.getValue() >= 0) {
                    e.getKey().signal("CONT");
                    say("SIGCONT " + e.getKey().name);
                    it.remove();
                }
            }
            replaceCrashedWorkers();
            if (restarts && now - restartAt >= 0) {
                restartAt += TimeUnit.SECONDS.toNanos(60);
                restarts = end - restartAt > TimeUnit.SECONDS.toNanos(10);
                restartDatabase();
                count("database restarts");
            } else if (now - nextFault >= 0) {
                String kind = firstRound.isEmpty() ? pick() : firstRound.remove(0);
                boolean done = switch (kind) {
                    case "kill -9" -> killOne();
                    case "SIGSTOP/SIGCONT" -> stopOne(resumeAt);
                    default -> killConnections();
                };
                if (done) {
                    count(kind);
                } else if (!firstRound.contains(kind) && faults.get(kind) == 0) {
                    firstRound.add(kind); // try again later
                }
                nextFault = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1200 + random.nextInt(1300));
            }
            TimeUnit.MILLISECONDS.sleep(20);
        }
        for (Worker w : resumeAt.keySet()) {
            w.signal("CONT");
        }
    }

    private void say(String what) {
        System.out.printf("torture +%.1fs: %s%n", (System.nanoTime() - runStartNanos) / 1e9, what);
    }

    private String pick() {
        int r = random.nextInt(10);
        return r < 3 ? "kill -9" : r < 6 ? "SIGSTOP/SIGCONT" : "KILL CONNECTION";
    }

    private void count(String kind) {
        faults.merge(kind, 1L, Long::sum);
    }

    private boolean killOne() throws Exception {
        List<Worker> candidates = new ArrayList<>();
        for (Worker w : slots) {
            if (w.holderId != null && !w.stopped && w.process.isAlive()) {
                candidates.add(w);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        Worker victim = candidates.get(random.nextInt(candidates.size()));
        boolean inside = random.nextInt(3) > 0 && victim.holdAndAwait(); // else wherever it happens to be
        victim.killSentAt = databaseNow();
        victim.killed = true;
        victim.process.destroyForcibly(); // SIGKILL
        assertTrue(victim.process.waitFor(30, TimeUnit.SECONDS), "killed worker " + victim.name + " lingers");
        say("kill -9 " + victim.name + " (pid " + victim.process.pid() + ")" + (inside ? ", inside a grant" : ""));
        slots[victim.slot] = startWorker(victim.slot);
        return true;
    }

    private boolean stopOne(Map<Worker, Long> resumeAt) throws Exception {
        List<Worker> candidates = new ArrayList<>();
        for (Worker w : slots) {
            if (w.leased && w.holderId != null && !w.stopped && w.process.isAlive()) {
                candidates.add(w);
            }
        }
        if (candidates.isEmpty()) {
            return false;
        }
        Worker frozen = candidates.get(random.nextInt(candidates.size()));
        long forMs = LEASE_MS + 500 + random.nextInt(1500);
        boolean inside = frozen.holdAndAwait();
        frozen.signal("STOP");
        resumeAt.put(frozen, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(forMs));
        say("SIGSTOP " + frozen.name + " for " + forMs + " ms" + (inside ? ", inside a grant" : ""));
        return true;
    }

    private boolean killConnections() throws SQLException {
        List<Long> sessions = new ArrayList<>();
        try (Connection c = admin.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = ?"
                     + " AND ID <> CONNECTION_ID() AND COMMAND <> 'Daemon'")) {
            ps.setString(1, lockDb);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    sessions.add(rs.getLong(1));
                }
            }
            Collections.shuffle(sessions, new java.util.Random(random.nextLong()));
            int killed = 0;
            try (Statement s = c.createStatement()) {
                for (Long id : sessions.subList(0, Math.min(sessions.size(), 1 + random.nextInt(3)))) {
                    try {
                        s.execute("KILL CONNECTION " + id);
                        killed++;
                    } catch (SQLException e) {
                        // 1094: the session ended meanwhile
                    }
                }
            }
            say("KILL CONNECTION of " + killed + " of " + sessions.size() + " worker sessions");
            return killed > 0;
        }
    }

    private void restartDatabase() throws InterruptedException {
        long t = System.nanoTime();
        db.stopServer();
        TimeUnit.MILLISECONDS.sleep(500 + random.nextInt(1000));
        db.startServer();
        say("database stopped and started again in " + (System.nanoTime() - t) / 1_000_000 + " ms");
    }

    /** A worker that died without being killed is a failure; it is replaced so the run goes on. */
    private void replaceCrashedWorkers() throws IOException {
        for (Worker w : slots) {
            if (!w.killed && !w.process.isAlive()) {
                events.violations.add("worker " + w.name + " exited on its own with status " + w.process.exitValue()
                        + ":\n" + w.tail());
                w.killed = true; // it is dead: its locks are fair game, as with a kill
                w.killSentAt = LocalDateTime.MIN;
                slots[w.slot] = startWorker(w.slot);
            }
        }
    }

    private LocalDateTime databaseNow() throws SQLException {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT UTC_TIMESTAMP(6)")) {
            rs.next();
            return rs.getObject(1, LocalDateTime.class);
        }
    }

    private String serverVersion() {
        try (Connection c = admin.getConnection(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT VERSION()")) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            return "(version unknown)";
        }
    }

    // ------------------------------------------------------------------ workers

    private Worker startWorker(int slot) throws IOException {
        int incarnation = (int) everyWorker.stream().filter(w -> w.slot == slot).count();
        boolean leased = slot < (WORKERS + 1) / 2;
        boolean fair = slot == WORKERS - 1; // its blocked requests queue in the space, and everyone respects the queue
        Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
        List<String> command = List.of(java.toString(), "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", System.getProperty("java.class.path"), TortureWorker.class.getName(), SPACE, lockUrl, witnessUrl,
                String.valueOf(THREADS), String.valueOf(leased ? LEASE_MS : 0), String.join(",", NAMES),
                String.valueOf(seed + slot * 1000L + incarnation), String.valueOf(fair),
                String.valueOf(SABOTAGE));
        ProcessBuilder pb = db.passTo(new ProcessBuilder(command));
        Path log = logs.resolve("worker-" + slot + "-" + incarnation + ".log");
        pb.redirectError(log.toFile());
        Worker w = new Worker(slot, incarnation, leased, fair, pb.start(), log);
        everyWorker.add(w);
        return w;
    }

    /** One worker process. */
    private final class Worker {
        final int slot;
        final String name;
        final boolean leased;
        final Process process;
        final Path log;
        final Writer stdin;
        final CountDownLatch started = new CountDownLatch(1);
        final CountDownLatch done = new CountDownLatch(1);
        final CountDownLatch ended = new CountDownLatch(1);
        final java.util.concurrent.BlockingQueue<String> holding = new java.util.concurrent.LinkedBlockingQueue<>();
        volatile String holderId;
        volatile boolean stopped;
        volatile boolean killed;
        volatile LocalDateTime killSentAt;

        Worker(int slot, int incarnation, boolean leased, boolean fair, Process process, Path log) {
            this.slot = slot;
            this.name = slot + "." + incarnation + (leased ? " (leased)" : "") + (fair ? " (fair)" : "");
            this.leased = leased;
            this.process = process;
            this.log = log;
            this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            Thread reader = new Thread(this::read, "torture-reader-" + slot + "-" + incarnation);
            reader.setDaemon(true);
            reader.start();
        }

        private void read() {
            Path eventLog = log.resolveSibling(log.getFileName().toString().replace(".log", ".events"));
            try (BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8));
                 Writer copy = Files.newBufferedWriter(eventLog, StandardCharsets.UTF_8)) {
                String line;
                while ((line = out.readLine()) != null) {
                    copy.write(line);
                    copy.write('\n');
                    if (line.startsWith("HOLDING ")) {
                        holding.add(line);
                    }
                    if (line.startsWith("START ")) {
                        holderId = line.split(" ")[2];
                        events.holders.put(holderId, this);
                        started.countDown();
                    } else if (line.startsWith("DONE ")) {
                        done.countDown();
                    }
                    events.parse(this, line);
                }
            } catch (IOException e) {
                // the process died
            } finally {
                ended.countDown();
            }
        }

        /** Asks the worker to stay inside its next grant a while; @return whether it said it is inside */
        boolean holdAndAwait() throws IOException, InterruptedException {
            holding.clear();
            send("hold");
            return holding.poll(3, TimeUnit.SECONDS) != null;
        }

        void send(String command) throws IOException {
            stdin.write(command + "\n");
            stdin.flush();
        }

        void signal(String signal) throws IOException, InterruptedException {
            Process kill = new ProcessBuilder("kill", "-" + signal, String.valueOf(process.pid())).inheritIO().start();
            assertEquals(0, kill.waitFor(), "kill -" + signal + " " + process.pid());
            stopped = signal.equals("STOP");
        }

        String tail() {
            try {
                String text = Files.readString(log, StandardCharsets.UTF_8);
                return text.length() <= 4000 ? text : "..." + text.substring(text.length() - 4000);
            } catch (IOException e) {
                return "(no log: " + e + ")";
            }
        }
    }

    /** What the workers reported, line by line. */
    private final class Events {
        final AtomicLong grants = new AtomicLong();
        /** "name holderId token" of each grant fenced off as stale. */
        final List<String> stale = new CopyOnWriteArrayList<>();
        final AtomicLong reconciledApplied = new AtomicLong();
        final AtomicLong reconciledNotApplied = new AtomicLong();
        /** expected version and document of each compare-and-set whose outcome was unknown. */
        final List<String[]> unknowns = new CopyOnWriteArrayList<>();
        /** "holderId token name" of each grant of a lease found lost. */
        final Set<String> lost = ConcurrentHashMap.newKeySet();
        /** holderId and reason of each reaping. */
        final List<String[]> reaped = new CopyOnWriteArrayList<>();
        final List<String> violations = new CopyOnWriteArrayList<>();
        final Map<String, Worker> holders = new ConcurrentHashMap<>();

        void parse(Worker w, String line) {
            String[] f = line.split(" ", 4);
            try {
                switch (f[0]) {
                    case "G" -> grants.incrementAndGet();
                    case "U" -> unknowns.add(new String[] {f[1], line.split(" ", 3)[2]});
                    case "L" -> {
                        for (String name : line.split(" ", 5)[3].split(",")) {
                            lost.add(f[1] + " " + f[2] + " " + name);
                        }
                    }
                    case "R" -> reaped.add(new String[] {f[1], line.substring(line.indexOf(' ', 2) + 1)});
                    case "S" -> stale.add(line.split(" ", 5)[3] + " " + f[1] + " " + f[2]);
                    case "V" -> violations.add("worker " + w.name + ": " + line.substring(2));
                    case "ERR" -> violations.add("worker " + w.name + ": " + line);
                    default -> { }
                }
            } catch (RuntimeException e) {
                // a line cut short by a kill -9
            }
        }
    }

    // ------------------------------------------------------------------ checks

    /**
     * Keeps every version of the lock document, with the database's time of the statement that wrote it: the
     * checker's independent record of what the locks really did.
     */
    private static void installHistory(DataSource lockData) throws SQLException {
        try (Connection c = lockData.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE lock_history (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                    + " version BIGINT NOT NULL, data LONGTEXT NOT NULL, at DATETIME(6) NOT NULL, KEY (version))"
                    + " ENGINE=InnoDB DEFAULT CHARSET=utf8mb4");
            for (String event : List.of("INSERT", "UPDATE")) {
                s.execute("CREATE TRIGGER interlock_spaces_" + event.toLowerCase(java.util.Locale.ROOT) + " AFTER "
                        + event + " ON interlock_spaces FOR EACH ROW INSERT INTO lock_history (version, data, at)"
                        + " VALUES (NEW.version, NEW.data, UTC_TIMESTAMP(6))");
            }
        } catch (SQLException e) {
            throw new SQLException("the torture test keeps a history of the lock table with triggers, and could not"
                    + " create them (on MySQL with binary logging, the account needs SUPER or the server"
                    + " log_bin_trust_function_creators=1): " + e.getMessage(), e);
        }
    }

    /** Lock grants and holder records of the holders chosen, as "lock name: holder token" lines. */
    private static List<String> entriesOf(JdbiLockStore store, java.util.function.Predicate<String> which)
            throws IOException {
        JsonNode doc = JSON.readTree(store.read(SPACE).orElseThrow().data());
        List<String> found = new ArrayList<>();
        doc.get("holders").fieldNames().forEachRemaining(id -> {
            if (which.test(id)) {
                found.add("holder record " + id + ": " + doc.get("holders").get(id));
            }
        });
        if (doc.has("queue")) {
            for (JsonNode waiter : doc.get("queue")) {
                if (which.test(waiter.get("holder").asText())) {
                    found.add("queued request: " + waiter);
                }
            }
        }
        for (StoredGrant g : storedGrants(doc)) {
            if (which.test(g.holder())) {
                found.add("lock " + g.lock() + " (" + g.mode() + "): holder " + g.holder() + " token " + g.token());
            }
        }
        return found;
    }

    /** One grant as stored: a lock name, its mode, the holder and token it is granted to. */
    private record StoredGrant(String lock, String mode, String holder, long token) {
    }

    /**
     * The grants of a stored document, read independently of the library: format 2 (grant groups, each listing the
     * names one holder holds with one token, {@code x} exclusive, {@code s} shared), or format 1 (a lock entry per
     * name, with its mode and its grants), which the space starts in only if an older version created it.
     */
    private static List<StoredGrant> storedGrants(JsonNode doc) {
        List<StoredGrant> out = new ArrayList<>();
        if (doc.get("format").asInt() == 1) {
            doc.get("locks").properties().forEach(lock -> {
                for (JsonNode g : lock.getValue().get("holders")) {
                    out.add(new StoredGrant(lock.getKey(), lock.getValue().get("mode").asText(),
                            g.get("holder").asText(), g.get("token").asLong()));
                }
            });
        } else {
            for (JsonNode group : doc.get("grants")) {
                for (String field : List.of("x", "s")) {
                    for (JsonNode name : group.path(field)) {
                        out.add(new StoredGrant(name.asText(), field.equals("x") ? "EXCLUSIVE" : "SHARED",
                                group.get("holder").asText(), group.get("token").asLong()));
                    }
                }
            }
        }
        return out;
    }

    /** One grant in a version of the lock document. */
    private record GrantKey(String name, String holder, long token) {
        @Override
        public String toString() {
            return name + " token " + token + " of " + holder;
        }
    }

    /** How a grant left the lock document. */
    private record Removal(long version, LocalDateTime at, boolean byDeath, String writer) {
    }

    private final class Check {
        private final DataSource witness;
        private final DataSource lockData;
        final List<String> violations = new ArrayList<>(events.violations);
        final Map<GrantKey, Removal> removed = new HashMap<>();
        final Set<GrantKey> everGranted = new HashSet<>();
        final Map<Long, JsonNode> documents = new HashMap<>();
        long versions;
        long removals;
        long ownRemovals;
        long deathRemovals;
        long exclusiveEntries;
        long sharedEntries;
        long takeovers;
        long leftMarkers;
        long applied;
        long notApplied;
        long reapedByPid;
        long reapedByLease;

        Check(DataSource witness, DataSource lockData) {
            this.witness = witness;
            this.lockData = lockData;
        }

        void run() throws SQLException, IOException {
            countEngineVerdicts();
            auditHistory();
            checkWitness();
            checkStale();
            checkReapings();
            checkAmbiguity();
        }

        /** Whether the holder was provably dead at {@code at}: its process killed before, or its lease run out. */
        private boolean dead(String holder, JsonNode record, LocalDateTime at) {
            Worker w = events.holders.get(holder);
            if (w != null && w.killed && w.killSentAt.isBefore(at)) {
                return true;
            }
            JsonNode lease = record == null ? null : record.get("leaseUntil");
            return lease != null
                    && !java.time.Instant.parse(lease.asText()).isAfter(at.toInstant(java.time.ZoneOffset.UTC));
        }

        /**
         * Goes through every version of the lock document: a grant may leave it only by a write of its own holder
         * (a release, or the removal of its own orphan), or when its holder is provably dead (killed before the
         * write, or its lease ran out by the database's clock). The writer of a version is the holder whose record
         * carries a new write id ({@code lastWrite}, which only the holder itself sets), or, if none does, the one
         * whose record left with its last grants.
         */
        private void auditHistory() throws SQLException, IOException {
            Map<Long, LocalDateTime> times = new HashMap<>();
            try (Connection c = lockData.getConnection(); Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT version, data, at FROM lock_history ORDER BY seq")) {
                while (rs.next()) {
                    long version = rs.getLong(1);
                    JsonNode doc = JSON.readTree(rs.getString(2));
                    JsonNode earlier = documents.putIfAbsent(version, doc);
                    if (earlier != null && !earlier.equals(doc)) {
                        violations.add("two different documents at version " + version);
                    }
                    times.putIfAbsent(version, rs.getObject(3, LocalDateTime.class));
                }
            }
            long first = documents.keySet().stream().mapToLong(Long::longValue).min().orElse(0);
            long last = documents.keySet().stream().mapToLong(Long::longValue).max().orElse(-1);
            versions = documents.size();
            if (versions != last - first + 1 || first != 0) {
                violations.add("the history has " + versions + " versions from " + first + " to " + last);
            }
            Map<GrantKey, String> previous = grants(documents.get(first));
            everGranted.addAll(previous.keySet());
            for (long v = first + 1; v <= last; v++) {
                JsonNode before = documents.get(v - 1);
                JsonNode doc = documents.get(v);
                if (before == null || doc == null) {
                    continue;
                }
                Map<GrantKey, String> current = grants(doc);
                everGranted.addAll(current.keySet());
                checkConflicts(v, current);
                List<String> writers = new ArrayList<>();
                doc.get("holders").properties().forEach(h -> {
                    JsonNode old = before.get("holders").get(h.getKey());
                    if (old == null || !old.path("lastWrite").equals(h.getValue().path("lastWrite"))) {
                        writers.add(h.getKey());
                    }
                });
                if (writers.size() > 1) {
                    violations.add("version " + v + " carries new write ids of several holders: " + writers);
                }
                String writer = writers.isEmpty() ? null : writers.get(0);
                LocalDateTime at = times.get(v);
                List<GrantKey> gone = new ArrayList<>();
                for (GrantKey g : previous.keySet()) {
                    if (!current.containsKey(g)) {
                        gone.add(g);
                    }
                }
                // without a new write id, the writer is the one live holder whose record left with its grants
                String leaving = null;
                if (writer == null) {
                    for (GrantKey g : gone) {
                        if (!doc.get("holders").has(g.holder)
                                && !dead(g.holder, before.get("holders").get(g.holder), at)) {
                            if (leaving != null && !leaving.equals(g.holder)) {
                                violations.add("version " + v + " removed the grants of two live holders, " + leaving
                                        + " and " + g.holder + ", written by neither");
                            }
                            leaving = g.holder;
                        }
                    }
                }
                for (GrantKey g : gone) {
                    removals++;
                    boolean own = g.holder.equals(writer) || g.holder.equals(leaving);
                    boolean byDeath = !own && dead(g.holder, before.get("holders").get(g.holder), at);
                    if (own) {
                        ownRemovals++;
                    } else if (byDeath) {
                        deathRemovals++;
                    } else {
                        Worker w = events.holders.get(g.holder);
                        violations.add("version " + v + " (at " + at + ") removed " + g + " although that holder "
                                + (w == null ? "(unknown)" : "(worker " + w.name + ")") + " was alive: not killed"
                                + " before, lease " + before.get("holders").path(g.holder).path("leaseUntil")
                                + "; written by " + writer);
                    }
                    removed.put(g, new Removal(v, at, byDeath, writer));
                }
                previous = current;
            }
        }

        /** The grants of a document, with their modes. */
        private Map<GrantKey, String> grants(JsonNode doc) {
            Map<GrantKey, String> out = new HashMap<>();
            for (StoredGrant g : storedGrants(doc)) {
                out.put(new GrantKey(g.lock(), g.holder(), g.token()), g.mode());
            }
            return out;
        }

        private void checkConflicts(long version, Map<GrantKey, String> grants) {
            Map<String, List<String>> byName = new HashMap<>();
            grants.forEach((g, mode) -> byName.computeIfAbsent(g.name, n -> new ArrayList<>()).add(mode));
            byName.forEach((name, modes) -> {
                if (modes.size() > 1 && modes.contains("EXCLUSIVE")) {
                    violations.add("version " + version + " grants " + name + " " + modes);
                }
            });
        }

        /**
         * A marker found set by a newer grant (or left at the end) is fine only if its grant left the lock document
         * because its holder was dead, and (for a takeover) no later than the newer grant was made.
         */
        private void checkMarker(String what, GrantKey g, Long newToken) {
            Removal r = removed.get(g);
            if (!everGranted.contains(g)) {
                violations.add(what + ": " + g + " was never granted");
            } else if (r == null) {
                violations.add(what + ": " + g + " was still granted" + (newToken == null ? " at the end" : ""));
            } else if (!r.byDeath) {
                violations.add(what + ": " + g + " was released by its holder at version " + r.version
                        + " without leaving the witness");
            } else if (newToken != null && r.version > newToken) {
                violations.add(what + ": " + g + " was taken over by token " + newToken + " but was only removed at"
                        + " version " + r.version);
            }
        }

        private void checkWitness() throws SQLException {
            try (Connection c = witness.getConnection(); Statement s = c.createStatement()) {
                try (ResultSet rs = s.executeQuery("SELECT w.name, w.exclusive_entries, w.shared_entries,"
                        + " (SELECT COUNT(*) FROM grant_log g WHERE g.name = w.name AND g.mode = 'X'),"
                        + " (SELECT COUNT(*) FROM grant_log g WHERE g.name = w.name AND g.mode = 'S'),"
                        + " w.inside, w.inside_holder FROM witness w ORDER BY w.name")) {
                    while (rs.next()) {
                        String name = rs.getString(1);
                        exclusiveEntries += rs.getLong(2);
                        sharedEntries += rs.getLong(3);
                        if (rs.getLong(2) != rs.getLong(4) || rs.getLong(3) != rs.getLong(5)) {
                            violations.add(name + ": the counters (" + rs.getLong(2) + " exclusive, " + rs.getLong(3)
                                    + " shared) differ from the grant log (" + rs.getLong(4) + ", " + rs.getLong(5)
                                    + ")");
                        }
                        if (rs.getObject(6) != null) {
                            leftMarkers++;
                            checkMarker("marker left at the end", new GrantKey(name, rs.getString(7), rs.getLong(6)),
                                    null);
                        }
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT name, token, holder FROM shared_inside")) {
                    while (rs.next()) {
                        leftMarkers++;
                        checkMarker("shared marker left at the end", new GrantKey(rs.getString(1), rs.getString(3),
                                rs.getLong(2)), null);
                    }
                }
                try (ResultSet rs = s.executeQuery("SELECT name, stale_token, stale_holder, token, holder"
                        + " FROM takeover ORDER BY seq")) {
                    while (rs.next()) {
                        takeovers++;
                        GrantKey newer = new GrantKey(rs.getString(1), rs.getString(5), rs.getLong(4));
                        checkMarker("takeover by " + newer, new GrantKey(rs.getString(1), rs.getString(3),
                                rs.getLong(2)), rs.getLong(4));
                    }
                }
                // every entry was a grant, and per name, in the order the entries committed, tokens increase: an
                // exclusive one above every token before it, a shared one above every exclusive token before it
                Map<String, long[]> seen = new HashMap<>(); // name -> {max token, max exclusive token}
                try (ResultSet rs = s.executeQuery("SELECT name, token, mode, holder FROM grant_log ORDER BY seq")) {
                    while (rs.next()) {
                        GrantKey g = new GrantKey(rs.getString(1), rs.getString(4), rs.getLong(2));
                        if (!everGranted.contains(g)) {
                            violations.add("the witness was entered by " + g + ", which was never granted");
                        }
                        long[] m = seen.computeIfAbsent(g.name, n -> new long[2]);
                        boolean exclusive = rs.getString(3).equals("X");
                        long floor = exclusive ? m[0] : m[1];
                        if (g.token <= floor) {
                            violations.add(g.name + ": " + rs.getString(3) + " token " + g.token
                                    + " entered after token " + floor);
                        }
                        m[0] = Math.max(m[0], g.token);
                        if (exclusive) {
                            m[1] = Math.max(m[1], g.token);
                        }
                    }
                }
            }
        }

        /** A grant fenced off as stale must have been taken from a dead holder. */
        private void checkStale() {
            for (String line : events.stale) {
                String[] f = line.split(" ");
                GrantKey g = new GrantKey(f[0], f[1], Long.parseLong(f[2]));
                Removal r = removed.get(g);
                if (r == null || !r.byDeath) {
                    violations.add("the witness fenced off " + g + " as stale, but "
                            + (r == null ? "it was never removed" : "its holder released it itself"));
                }
            }
        }

        /** Reaping by pid is only right for processes that were killed. */
        private void checkReapings() {
            for (String[] r : events.reaped) {
                if (r[1].startsWith("its lease ran out")) {
                    reapedByLease++;
                    continue;
                }
                reapedByPid++;
                Worker w = events.holders.get(r[0]);
                if (w == null || !w.killed) {
                    violations.add("holder " + r[0] + (w == null ? "" : " (worker " + w.name + ")")
                            + " was reaped although its process was not killed: " + r[1]);
                }
            }
        }

        private void countEngineVerdicts() throws IOException {
            Pattern verdict = Pattern.compile("interlock reconciled: .* applied=(true|false)$", Pattern.MULTILINE);
            for (Worker w : everyWorker) {
                Matcher m = verdict.matcher(Files.readString(w.log, StandardCharsets.UTF_8));
                while (m.find()) {
                    (m.group(1).equals("true") ? events.reconciledApplied : events.reconciledNotApplied)
                            .incrementAndGet();
                }
            }
        }

        /** A write whose outcome was unknown was applied if the next version is the document it tried to write. */
        private void checkAmbiguity() throws IOException {
            for (String[] u : events.unknowns) {
                JsonNode landed = documents.get(Long.parseLong(u[0]) + 1);
                if (landed != null && landed.equals(JSON.readTree(u[1]))) {
                    applied++;
                } else {
                    notApplied++;
                }
            }
        }
    }
}
