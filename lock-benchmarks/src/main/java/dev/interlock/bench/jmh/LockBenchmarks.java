package dev.interlock.bench.jmh;

import dev.interlock.bench.impl.BenchLock;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Threads;

/**
 * The JMH scenarios (P3, with several processes, is {@code dev.interlock.bench.ProcessScenario}). One operation is
 * one acquire and one release. {@code dev.interlock.bench.Compare} runs them with its own settings; the
 * annotations are for running them from JMH's own main.
 */
public class LockBenchmarks {

    /** How long P4 waits for the shared lock before the benchmark fails. */
    static final Duration MAX_WAIT = Duration.ofSeconds(60);

    /**
     * P1 and P5: one thread takes and frees its lock while {@link HeldLocks#held} other locks are held in the space
     * (P1 is the case of none). Latency, sampled.
     *
     * @param state the implementation
     * @param held  the other locks
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public void uncontended(LockState state, HeldLocks held) {
        pair(state.lock, state.name);
    }

    /**
     * P2: 8 threads of one process, each on its own lock. Pairs per second, all threads together.
     *
     * @param state  the implementation
     * @param thread this thread's lock
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(8)
    public void ownLocks(LockState state, ThreadLock thread) {
        pair(state.lock, thread.name);
    }

    /**
     * P4: 8 threads of one process on one lock, each waiting for it as its implementation waits. Acquisitions per
     * second, all threads together.
     *
     * @param state the implementation
     * @throws InterruptedException if interrupted
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Threads(8)
    public void sharedLock(LockState state) throws InterruptedException {
        state.lock.acquire(state.name, MAX_WAIT).release();
    }

    /**
     * The floor under P1: an acquire's and a release's statements alone, with no lock code (see
     * {@code StatementFloor}). Latency, sampled, one thread.
     *
     * @param state the statements
     */
    @Benchmark
    @BenchmarkMode(Mode.SampleTime)
    @OutputTimeUnit(TimeUnit.MICROSECONDS)
    @Threads(1)
    public void statementFloor(FloorState state) {
        state.statements.pair();
    }

    private static void pair(BenchLock lock, String name) {
        BenchLock.Held held = lock.tryAcquire(name);
        if (held == null) {
            throw new IllegalStateException(lock.impl().label() + ": " + name + " is held by someone else");
        }
        held.release();
    }
}
