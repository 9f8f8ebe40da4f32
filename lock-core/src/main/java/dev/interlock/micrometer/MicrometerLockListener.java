package dev.interlock.micrometer;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockListener;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Records a {@link dev.interlock.LockManager}'s events as Micrometer meters, every one tagged with the space:
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>meter</th><th>type</th><th>what</th></tr>
 *   <tr><td>{@code interlock.acquisitions}</td><td>counter, tag {@code outcome} = granted | refused | timeout</td>
 *       <td>requests granted; refused by tryAcquire; given up by acquire</td></tr>
 *   <tr><td>{@code interlock.acquire.wait}</td><td>timer (histogram), tag {@code outcome}</td>
 *       <td>time from the call to the grant or the refusal</td></tr>
 *   <tr><td>{@code interlock.hold}</td><td>timer (histogram)</td><td>time from grant to release</td></tr>
 *   <tr><td>{@code interlock.cas.conflicts}</td><td>counter, tag {@code operation}</td>
 *       <td>compare-and-sets lost to other writers</td></tr>
 *   <tr><td>{@code interlock.reaped.holders}</td><td>counter</td><td>dead holders this manager reaped</td></tr>
 *   <tr><td>{@code interlock.leases.lost}</td><td>counter</td><td>leases of this manager found lost</td></tr>
 *   <tr><td>{@code interlock.leases.held}</td><td>gauge</td><td>leases this manager holds now</td></tr>
 *   <tr><td>{@code interlock.document.size}</td><td>distribution summary, characters</td>
 *       <td>size of each document this manager wrote</td></tr>
 * </table>
 *
 * <pre>{@code
 * LockManager locks = LockManager.builder(store).space("platform")
 *         .listener(new MicrometerLockListener(registry, "platform")).build();
 * }</pre>
 *
 * <p>Needs {@code io.micrometer:micrometer-core} on the class path (an optional dependency of lock-core).
 * Thread-safe; one instance per manager.
 */
public final class MicrometerLockListener implements LockListener {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter granted;
    private final Counter refused;
    private final Counter timedOut;
    private final Timer grantedWait;
    private final Timer refusedWait;
    private final Timer timedOutWait;
    private final Timer hold;
    private final Counter reaped;
    private final Counter lost;
    private final DistributionSummary documentSize;
    private final AtomicInteger held = new AtomicInteger();

    /**
     * Registers the meters.
     *
     * @param registry where to register
     * @param space    the manager's space, used as the {@code space} tag
     */
    public MicrometerLockListener(MeterRegistry registry, String space) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of("space", Objects.requireNonNull(space, "space"));
        this.granted = acquisitions("granted");
        this.refused = acquisitions("refused");
        this.timedOut = acquisitions("timeout");
        this.grantedWait = waitTimer("granted");
        this.refusedWait = waitTimer("refused");
        this.timedOutWait = waitTimer("timeout");
        this.hold = Timer.builder("interlock.hold").description("time from grant to release").tags(tags)
                .publishPercentileHistogram().register(registry);
        this.reaped = Counter.builder("interlock.reaped.holders").description("dead holders reaped").tags(tags)
                .register(registry);
        this.lost = Counter.builder("interlock.leases.lost").description("leases found lost").tags(tags)
                .register(registry);
        this.documentSize = DistributionSummary.builder("interlock.document.size").baseUnit("characters")
                .description("size of the documents written").tags(tags).register(registry);
        Gauge.builder("interlock.leases.held", held, AtomicInteger::get).description("leases held now").tags(tags)
                .register(registry);
    }

    private Counter acquisitions(String outcome) {
        return Counter.builder("interlock.acquisitions").description("lock requests by outcome").tags(tags)
                .tag("outcome", outcome).register(registry);
    }

    private Timer waitTimer(String outcome) {
        return Timer.builder("interlock.acquire.wait").description("time from the call to the grant or refusal")
                .tags(tags).tag("outcome", outcome).publishPercentileHistogram().register(registry);
    }

    @Override
    public void acquired(Lease lease, Duration waited, int attempts) {
        granted.increment();
        grantedWait.record(waited);
        held.incrementAndGet();
    }

    @Override
    public void refused(LockRequest request, Duration waited, List<LockSnapshot.Grant> blockers) {
        if (waited.isZero()) {
            refused.increment();
            refusedWait.record(waited);
        } else {
            timedOut.increment();
            timedOutWait.record(waited);
        }
    }

    @Override
    public void released(Lease lease, Duration heldFor) {
        hold.record(heldFor);
        held.decrementAndGet();
    }

    @Override
    public void conflict(String operation) {
        Counter.builder("interlock.cas.conflicts").description("compare-and-sets lost to other writers").tags(tags)
                .tag("operation", operation).register(registry).increment();
    }

    @Override
    public void written(long version, int size) {
        documentSize.record(size);
    }

    @Override
    public void leaseLost(Lease lease, String reason) {
        lost.increment();
        held.decrementAndGet();
    }

    @Override
    public void holderReaped(String holderId, Holder holder, Collection<String> locks, String why) {
        reaped.increment();
    }
}
