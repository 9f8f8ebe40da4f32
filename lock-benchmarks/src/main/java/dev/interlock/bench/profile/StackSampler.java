package dev.interlock.bench.profile;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

/**
 * Samples the stacks of the benchmark threads (those whose name contains a given text) every millisecond, whatever
 * their state, and counts the samples by {@link StackClassifier} category until {@link #finish()}. Samples of a
 * thread outside Interlock's and the benchmark's code (parked between iterations, in JMH's loop) are left out. Used
 * by {@link WallClockProfiler} in JMH forks and by the P3 workers.
 */
public final class StackSampler extends Thread {

    private static final long PERIOD_NANOS = 1_000_000;
    private static final int DETAIL_FRAMES = 24;

    /** Samples per category. */
    public final Map<String, Long> counts = new LinkedHashMap<>();
    /** Samples per category and stack signature. */
    public final Map<String, Map<String, Long>> stacks = new HashMap<>();
    /** Samples per category and innermost library method. */
    public final Map<String, Map<String, Long>> self = new HashMap<>();
    private volatile boolean running = true;
    /** This thread's CPU time, once finished. */
    public volatile long cpuNanos;

    private final String threadName;

    /**
     * @param threadName the part of the names of the threads to sample, e.g. {@code jmh-worker}
     */
    public StackSampler(String threadName) {
        super("interlock-bench-sampler");
        this.threadName = threadName;
        setDaemon(true);
    }

    @Override
    public void run() {
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long[] ids = workers();
        long lastScan = System.nanoTime();
        while (running) {
            long start = System.nanoTime();
            if (ids.length == 0 || start - lastScan > 200_000_000L) {
                ids = workers();
                lastScan = start;
            }
            if (ids.length > 0) {
                for (ThreadInfo info : mx.getThreadInfo(ids, Integer.MAX_VALUE)) {
                    if (info == null) {
                        continue;
                    }
                    StackTraceElement[] frames = info.getStackTrace();
                    if (frames.length == 0 || idleWorker(frames)) {
                        continue;
                    }
                    String category = StackClassifier.classify(frames);
                    counts.merge(category, 1L, Long::sum);
                    stacks.computeIfAbsent(category, k -> new HashMap<>()).merge(signature(frames), 1L, Long::sum);
                    self.computeIfAbsent(category, k -> new HashMap<>()).merge(self(frames), 1L, Long::sum);
                }
            }
            long left = PERIOD_NANOS - (System.nanoTime() - start);
            if (left > 0) {
                LockSupport.parkNanos(left);
            }
        }
        cpuNanos = mx.getCurrentThreadCpuTime();
    }

    /** Stops sampling and waits for the sampler to end. */
    public void finish() {
        running = false;
        try {
            join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private long[] workers() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().contains(threadName))
                .mapToLong(Thread::getId).toArray();
    }

    /**
     * A worker outside the benchmark method: parked between iterations, or in JMH's own loop and
     * synchronisation. Such samples are no operation's time and are left out.
     */
    private static boolean idleWorker(StackTraceElement[] frames) {
        for (StackTraceElement f : frames) {
            String cls = f.getClassName();
            if (cls.startsWith("dev.interlock.") && !cls.contains("jmh_generated")) {
                return false;
            }
        }
        return true;
    }

    /** The innermost frame outside the JDK: the library method the time is spent in. */
    private static String self(StackTraceElement[] frames) {
        for (StackTraceElement f : frames) {
            String cls = f.getClassName();
            if (!(cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun."))) {
                return cls.substring(cls.lastIndexOf('.') + 1) + "." + f.getMethodName();
            }
        }
        return frames.length == 0 ? "?" : frames[0].getClassName() + "." + frames[0].getMethodName();
    }

    /**
     * The innermost frames, up to and including the first two of Interlock or the baselines (so that the path
     * from the engine into the driver shows), at most {@value #DETAIL_FRAMES}; runs of JDK frames shortened to
     * their innermost one.
     */
    private static String signature(StackTraceElement[] frames) {
        List<String> parts = new ArrayList<>();
        boolean inJdk = false;
        int ours = 0;
        for (StackTraceElement f : frames) {
            String cls = f.getClassName();
            boolean jdk = cls.startsWith("java.") || cls.startsWith("jdk.") || cls.startsWith("sun.");
            if (jdk && inJdk) {
                continue;
            }
            inJdk = jdk;
            String simple = cls.substring(cls.lastIndexOf('.') + 1);
            parts.add(simple + "." + f.getMethodName() + (f.getLineNumber() > 0 ? ":" + f.getLineNumber() : ""));
            if (cls.startsWith("dev.interlock.") && !cls.startsWith("dev.interlock.bench.profile.")) {
                ours++;
            }
            if (parts.size() == DETAIL_FRAMES || ours == 2) {
                break;
            }
        }
        return parts.stream().collect(Collectors.joining(" < "));
    }
}
