package dev.interlock.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.bench.impl.BenchEnv;
import dev.interlock.bench.impl.BenchLock;
import dev.interlock.bench.impl.Impl;
import dev.interlock.bench.profile.SqlCounter;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * One process of scenario P3, started by {@link ProcessScenario}: opens the implementation, says {@code @READY},
 * waits for {@code GO} on its standard input, runs its threads (each taking and freeing a lock of its own, in the
 * space shared with the other workers) through a warm-up and then a number of windows, reports each window's count
 * as {@code @WINDOW <index> <pairs> <nanos> <failures>}, and exits. With {@link SqlCounter#PROPERTY} set it also
 * reports its statements ({@code @SQL <kind> <count> <nanos> <no-row>}) and where its threads' time went over the
 * windows ({@code @WALL <samples> <category>}, see {@code StackSampler}).
 *
 * <p>Arguments: {@code <impl> <prefix> <worker index> <threads> <warm-up ms> <windows> <window ms>}. The
 * database comes from {@link BenchDatabase#resolve()}.
 */
public final class ProcessWorker {

    /** Marks the lines of the protocol among whatever else the worker prints. */
    static final String MARK = "@";

    private ProcessWorker() {
    }

    /**
     * @param args see the class comment; a failing worker prints why and exits with status 1
     */
    public static void main(String[] args) {
        try {
            run(args);
        } catch (Throwable e) {
            e.printStackTrace();
            System.exit(1); // the runner sees the worker end without DONE
        }
        System.exit(0);
    }

    private static void run(String[] args) throws Exception {
        Impl impl = Impl.parse(args[0]);
        String prefix = args[1];
        int index = Integer.parseInt(args[2]);
        int threads = Integer.parseInt(args[3]);
        long warmupMs = Long.parseLong(args[4]);
        int windows = Integer.parseInt(args[5]);
        long windowMs = Long.parseLong(args[6]);
        PrintStream out = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
                StandardCharsets.UTF_8);

        BenchDatabase db = BenchDatabase.handedOver();
        try (HikariDataSource pool = db.pool(threads + 2, "p3-" + index)) {
            DataSource ds = SqlCounter.enabled() ? SqlCounter.wrap(pool) : pool;
            BenchEnv env = new BenchEnv(ds, prefix);
            try (BenchLock lock = impl.open(env)) {
                LongAdder pairs = new LongAdder();
                LongAdder failures = new LongAdder();
                AtomicLong firstError = new AtomicLong();
                List<Thread> workers = new ArrayList<>();
                java.util.concurrent.CountDownLatch go = new java.util.concurrent.CountDownLatch(1);
                java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
                for (int t = 0; t < threads; t++) {
                    String name = env.lockName("w" + index + "t" + t);
                    Thread worker = new Thread(() -> {
                        try {
                            go.await();
                        } catch (InterruptedException e) {
                            return;
                        }
                        while (!stop.get()) {
                            try {
                                BenchLock.Held held = lock.tryAcquire(name);
                                if (held == null) {
                                    failures.increment();
                                    continue;
                                }
                                held.release();
                                pairs.increment();
                            } catch (RuntimeException e) {
                                failures.increment();
                                if (firstError.compareAndSet(0, 1)) {
                                    e.printStackTrace();
                                }
                            }
                        }
                    }, "p3-worker-" + index + "-" + t);
                    worker.setDaemon(true); // a failing main must not wait for them
                    worker.start();
                    workers.add(worker);
                }
                // take each lock once so that first-use costs (space creation, ShedLock's first INSERT) are over
                for (int t = 0; t < threads; t++) {
                    BenchLock.Held held = lock.tryAcquire(env.lockName("w" + index + "t" + t));
                    if (held != null) {
                        held.release();
                    }
                }
                out.println(MARK + "READY " + index);
                BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
                String line = in.readLine();
                if (!"GO".equals(line)) {
                    throw new IllegalStateException("worker " + index + " expected GO, got " + line);
                }
                go.countDown();
                Thread.sleep(warmupMs);
                dev.interlock.bench.profile.StackSampler sampler = null;
                if (SqlCounter.enabled()) {
                    sampler = new dev.interlock.bench.profile.StackSampler("p3-worker-");
                    sampler.start();
                }
                SqlCounter.Snapshot sqlStart = SqlCounter.snapshot();
                long before = pairs.sum();
                long failedBefore = failures.sum();
                long t0 = System.nanoTime();
                for (int w = 0; w < windows; w++) {
                    Thread.sleep(windowMs);
                    long now = pairs.sum();
                    long failedNow = failures.sum();
                    long t1 = System.nanoTime();
                    out.println(MARK + "WINDOW " + w + " " + (now - before) + " " + (t1 - t0) + " "
                            + (failedNow - failedBefore));
                    before = now;
                    failedBefore = failedNow;
                    t0 = t1;
                }
                SqlCounter.Snapshot sql = SqlCounter.snapshot().minus(sqlStart);
                if (sampler != null) {
                    sampler.finish();
                }
                stop.set(true);
                for (Thread worker : workers) {
                    worker.join(60_000);
                }
                if (SqlCounter.enabled()) {
                    for (SqlCounter.Kind kind : SqlCounter.Kind.values()) {
                        out.println(MARK + "SQL " + kind + " " + sql.count(kind) + " " + sql.nanos(kind) + " "
                                + sql.noRows(kind));
                    }
                    sampler.counts.forEach((category, n) -> out.println(MARK + "WALL " + n + " " + category));
                }
                out.println(MARK + "DONE " + index + " " + failures.sum());
            }
        }
    }
}
