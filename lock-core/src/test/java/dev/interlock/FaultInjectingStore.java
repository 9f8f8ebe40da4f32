package dev.interlock;

import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A store wrapper that injects the failures a real database shows: lost compare-and-sets, replies lost after
 * the write was applied, replies lost before it was, writes that land late (after the caller already
 * re-read), and failed reads. Each fault is drawn at random with its own probability; the counts are kept.
 */
public final class FaultInjectingStore implements LockStore {

    /**
     * Probabilities of each fault per call.
     *
     * @param conflict          a compare-and-set reports CONFLICT without being sent
     * @param unknownApplied    a compare-and-set is applied, but reports UNKNOWN
     * @param unknownNotApplied a compare-and-set is not sent, and reports UNKNOWN
     * @param unknownLate       a compare-and-set reports UNKNOWN and is sent up to 5 ms later
     * @param readFailure       a read throws {@link LockStoreException}
     */
    public record Faults(double conflict, double unknownApplied, double unknownNotApplied, double unknownLate,
                         double readFailure) {
        /** @return a mix in which about one call in four meets a fault */
        public static Faults heavy() {
            return new Faults(0.08, 0.05, 0.05, 0.03, 0.03);
        }
    }

    private final LockStore delegate;
    private final Faults faults;
    private final SplittableRandom seedSource;
    private final ScheduledExecutorService late = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "late-writes");
        t.setDaemon(true);
        return t;
    });

    /** Counts of injected faults. */
    public final AtomicLong conflicts = new AtomicLong();
    /** Counts of UNKNOWN replies whose write was applied. */
    public final AtomicLong unknownApplied = new AtomicLong();
    /** Counts of UNKNOWN replies whose write was not sent. */
    public final AtomicLong unknownNotApplied = new AtomicLong();
    /** Counts of UNKNOWN replies whose write was sent late. */
    public final AtomicLong unknownLate = new AtomicLong();
    /** Counts of late writes that were applied when they landed. */
    public final AtomicLong lateApplied = new AtomicLong();
    /** Counts of failed reads. */
    public final AtomicLong readFailures = new AtomicLong();

    /**
     * @param delegate the real store
     * @param faults   the fault probabilities
     * @param seed     the random seed (printed by tests so a failure can be replayed)
     */
    public FaultInjectingStore(LockStore delegate, Faults faults, long seed) {
        this.delegate = delegate;
        this.faults = faults;
        this.seedSource = new SplittableRandom(seed);
    }

    private volatile boolean injecting = true;

    private double draw() {
        if (!injecting) {
            return 1.0; // above every probability: no fault
        }
        synchronized (seedSource) {
            return seedSource.nextDouble();
        }
    }

    @Override
    public Optional<Stored> read(String space) {
        if (draw() < faults.readFailure()) {
            readFailures.incrementAndGet();
            throw new LockStoreException("injected read failure", null, true);
        }
        return delegate.read(space);
    }

    @Override
    public CasResult compareAndSet(String space, long expectedVersion, String newData) {
        double r = draw();
        if ((r -= faults.conflict()) < 0) {
            conflicts.incrementAndGet();
            return CasResult.CONFLICT;
        }
        if ((r -= faults.unknownApplied()) < 0) {
            unknownApplied.incrementAndGet();
            delegate.compareAndSet(space, expectedVersion, newData);
            return CasResult.UNKNOWN;
        }
        if ((r -= faults.unknownNotApplied()) < 0) {
            unknownNotApplied.incrementAndGet();
            return CasResult.UNKNOWN;
        }
        if ((r -= faults.unknownLate()) < 0) {
            unknownLate.incrementAndGet();
            long delayMicros;
            synchronized (seedSource) {
                delayMicros = (long) (seedSource.nextDouble() * 5_000);
            }
            late.schedule(() -> {
                if (delegate.compareAndSet(space, expectedVersion, newData) == CasResult.APPLIED) {
                    lateApplied.incrementAndGet();
                }
            }, delayMicros, TimeUnit.MICROSECONDS);
            return CasResult.UNKNOWN;
        }
        return delegate.compareAndSet(space, expectedVersion, newData);
    }

    @Override
    public void createSpaceIfAbsent(String space, String initialData) {
        delegate.createSpaceIfAbsent(space, initialData);
    }

    /** Stops injecting faults and waits until every late write has landed. */
    public void flush() throws InterruptedException {
        injecting = false;
        late.shutdown();
        if (!late.awaitTermination(60, TimeUnit.SECONDS)) {
            throw new IllegalStateException("late writes did not land within 60 s");
        }
    }

    /** @return a one-line summary of the injected faults */
    public String summary() {
        return "injected: conflicts " + conflicts + ", unknown-applied " + unknownApplied + ", unknown-not-applied "
                + unknownNotApplied + ", unknown-late " + unknownLate + " (landed " + lateApplied + "), read failures "
                + readFailures;
    }
}
