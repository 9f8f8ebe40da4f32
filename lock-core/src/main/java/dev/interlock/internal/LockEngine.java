package dev.interlock.internal;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockConflictException;
import dev.interlock.LockException;
import dev.interlock.LockManager;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.LockStoreException;
import dev.interlock.LockTimeoutException;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.BiPredicate;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock engine: the one implementation of {@link LockManager}, written once over the two operations of a
 * {@link LockStore} (read the document, compare-and-set the document).
 *
 * <p>Granting a request:
 * <ol>
 *   <li>Validate the request (done by {@link LockRequest} before anything else).</li>
 *   <li>Take this manager's write lock, so at most one write of this holder is in flight at a time.</li>
 *   <li>Read the space (creating it at version {@code v = 0} if absent) and decode it strictly; a corrupt
 *       document stops everything with {@link dev.interlock.CorruptLockStateException} and nothing is written.</li>
 *   <li>For each requested name, find the grants that conflict (an exclusive request conflicts with any grant,
 *       a shared one with an exclusive grant). Conflicting holders that are provably dead are set aside to be
 *       reaped; if any live holder conflicts, stop: the request is blocked, nothing is written.</li>
 *   <li>In the decoded copy: remove every grant of the dead holders and their records; remove this holder's
 *       orphans (grants with a token no live lease of this manager owns, left by a write whose reply was
 *       lost); record this holder, stamped with a fresh write id ({@code lastWrite}, which only this holder
 *       ever sets); add one grant per requested name with token {@code v + 1} and the store's time.</li>
 *   <li>Compare-and-set the encoded copy at version {@code v}.
 *     <ul>
 *       <li>APPLIED: the lease is granted with fencing token {@code v + 1}.</li>
 *       <li>CONFLICT: another writer won; go back to step 3 after a short random pause.</li>
 *       <li>UNKNOWN: re-read. If this holder's record carries the write id, the write was applied (no one
 *           else sets that field, and this holder's next write waits for the reconciliation), and the lease is
 *           granted if its grants are still there. Otherwise it counts as not applied; should it still be
 *           applied later, its grants are orphans, removed by this manager's next write or {@link #reap()}.</li>
 *     </ul></li>
 * </ol>
 * Releasing removes the lease's grants the same way (read, remove, compare-and-set, reconcile by checking
 * that the grants are gone). Other holders' entries are never dropped, except those of provably dead holders
 * in the write that grants a request they block, or by an explicit {@code releaseAll}/{@code releaseTask}.
 *
 * <p>Combining: the changes of concurrent threads (grant attempts and releases) are written together. Each
 * thread queues its change and parks; the first to find the write lock free takes every queued change into one
 * read-decide-write round (releases first, then grants in arrival order, each decided on the document as the
 * ones before it left it, each all-or-nothing for itself), and wakes the threads with their outcomes. A lost
 * compare-and-set fails no change by itself: they are decided again. After a write of several changes, the next
 * combiner first gives the threads that write answered a moment (at most 100 µs, or half a compare-and-set) to
 * queue their next change, so that it joins this write instead of waiting for the one after.
 *
 * <p>Waiting ({@link #acquire}) repeats the grant attempt with capped exponential backoff and full jitter on
 * a {@link System#nanoTime()} budget, and wakes early when this manager releases something. A request blocked
 * only by this manager's own live leases is decided without reading the store, as long as this manager's last
 * write is under a second old (only an operator's forceRelease, a releaseAll or a reaper could have removed those
 * grants; after that time a fresh read would show it), and waits for the release that frees it: that release
 * takes the request into its own compare-and-set, so the lock passes between threads of one process in one
 * write.
 *
 * <p>Thread-safe.
 */
public final class LockEngine implements LockManager {

    private static final Logger log = LoggerFactory.getLogger(LockManager.class);

    /** The longest random pause after a lost compare-and-set, in nanoseconds. */
    private static final long MAX_CAS_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(20);
    /** Re-reads tried while reconciling a write whose outcome is unknown. */
    private static final int RECONCILE_READS = 8;
    /** Tries of a release that meets store errors before its grants are left as orphans. */
    private static final int RELEASE_ATTEMPTS = 5;

    private final EngineConfig config;
    private final LockStore store;
    private final String space;
    private final Holder holder;
    private final String holderId;
    private final BlobCodec codec;
    private final Liveness liveness;
    private final Events events;

    /** One write of this holder in flight at a time: two could otherwise share a token (see reconcile). */
    private final ReentrantLock writeLock = new ReentrantLock();
    /** The leases this manager has granted and not yet released, by token. */
    private final LiveLeases live = new LiveLeases();
    /** The tickets of this manager's requests waiting in the queue (fair mode). */
    private final ConcurrentMap<Long, Boolean> queued = new ConcurrentHashMap<>();
    private final AtomicLong writeSeq = new AtomicLong();
    /** The write id of the latest write; guarded by writeLock. */
    private long lastWriteId;
    private final Object releaseSignal = new Object();
    /** The lease length in nanoseconds; 0 without a lease. */
    private final long leaseNanos;
    /** Renews the lease; a thread of its own, so that a slow sweep never delays a renewal. Null without a lease. */
    private final ScheduledExecutorService renewer;
    /** Sweeps the space ({@code sweepEvery}); null without it. */
    private final ScheduledExecutorService sweeper;
    private volatile boolean closed;
    private long releaseGeneration; // guarded by releaseSignal

    /** @param config validated settings */
    public LockEngine(EngineConfig config) {
        this.config = Objects.requireNonNull(config, "config");
        this.store = config.store();
        this.space = config.space();
        this.holder = config.holder();
        this.holderId = newHolderId();
        this.codec = new BlobCodec(config.maxDocumentSize());
        this.events = new Events(config.listener(), config.listenerExecutor(), space + "-" + holderId);
        this.liveness = new Liveness(config.probe());
        this.leaseNanos = config.lease() == null ? 0 : config.lease().toNanos();
        this.renewer = config.renewEvery() == null ? null
                : every("renew", config.renewEvery(), this::renew);
        this.sweeper = config.sweepEvery() == null ? null
                : every("sweep", config.sweepEvery(), this::reap);
    }

    /** Runs {@code task} every {@code interval} on a daemon thread of its own. */
    private ScheduledExecutorService every(String what, Duration interval, Runnable task) {
        ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "interlock-" + what + "-" + space + "-" + holderId);
            t.setDaemon(true);
            return t;
        });
        long nanos = interval.toNanos();
        executor.scheduleWithFixedDelay(() -> backgroundRun(what, task), nanos, nanos, TimeUnit.NANOSECONDS);
        return executor;
    }

    private static String newHolderId() {
        UUID uuid = UUID.randomUUID();
        ByteBuffer bytes = ByteBuffer.allocate(16).putLong(uuid.getMostSignificantBits())
                .putLong(uuid.getLeastSignificantBits());
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
    }

    @Override
    public String space() {
        return space;
    }

    @Override
    public String holderId() {
        return holderId;
    }

    @Override
    public Holder holder() {
        return holder;
    }

    // ---------------------------------------------------------------- acquiring

    /** The outcome of one grant attempt: a lease; grants and older queued requests in the way; or a lost CAS. */
    private record Attempt(EngineLease lease, List<LockSnapshot.Grant> blockers, List<LockSnapshot.Waiter> ahead) {
        static final Attempt CAS_CONFLICT = new Attempt(null, List.of(), List.of());

        boolean casConflict() {
            return lease == null && blockers.isEmpty() && ahead.isEmpty();
        }

        boolean blocked() {
            return lease == null && !(blockers.isEmpty() && ahead.isEmpty());
        }

        /** Blocked by this manager's own live leases alone (nothing queued ahead): no other writer matters. */
        boolean blockedByOwn(String holderId) {
            if (!blocked() || !ahead.isEmpty()) {
                return false;
            }
            for (LockSnapshot.Grant g : blockers) {
                if (!g.holderId().equals(holderId)) {
                    return false;
                }
            }
            return true;
        }
    }

    /** One waiting acquire call's place in the queue (fair mode); ticket 0 while not queued. */
    private static final class Place {
        long ticket;
    }

    @Override
    public Optional<Lease> tryAcquire(LockRequest request) {
        Objects.requireNonNull(request, "request");
        long start = System.nanoTime();
        for (int attempt = 1; ; attempt++) {
            Attempt a = attemptOnce(request, null);
            if (a.lease != null) {
                granted(a.lease, start, attempt);
                return Optional.of(a.lease);
            }
            if (!a.casConflict()) {
                log.debug("interlock refused: space={} request=[{}] blockers={} queued-ahead={}", space, request,
                        a.blockers.size(), a.ahead.size());
                events.emit(l -> l.refused(request, Duration.ZERO, a.blockers));
                return Optional.empty();
            }
            if (attempt >= config.maxCasAttempts()) {
                throw new LockConflictException("could not decide on " + request + " in space '" + space + "': "
                        + attempt + " compare-and-sets in a row lost to other writers (maxCasAttempts)", attempt);
            }
            casPause(attempt);
        }
    }

    @Override
    public Lease acquire(LockRequest request, Duration maxWait) throws InterruptedException {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(maxWait, "maxWait");
        if (maxWait.isNegative()) {
            throw new IllegalArgumentException("maxWait must not be negative, was " + maxWait);
        }
        long start = System.nanoTime();
        long budget = saturatedNanos(maxWait);
        Attempt last = Attempt.CAS_CONFLICT;
        int waits = 0;
        int casConflicts = 0;
        Place place = config.fair() ? new Place() : null;
        Attempt handedOver = null;
        int storeFailures = 0;
        try {
            for (int attempt = 1; ; attempt++) {
                // a lease handed over is returned even to an interrupted thread (its flag stays set): thrown away,
                // it would stay held with no caller to release it
                if (handedOver == null && Thread.interrupted()) {
                    throw new InterruptedException("interrupted while waiting for " + request);
                }
                long generation = releaseGeneration();
                Attempt a;
                try {
                    a = handedOver != null ? openOrRelease(handedOver) : attemptOnce(request, place);
                } catch (LockStoreException e) {
                    // a transient failure (a pooled connection the server killed, a restart) is retried within the
                    // wait budget, as a conflict would be; one that needs a person is thrown at once
                    long left = budget - (System.nanoTime() - start);
                    if (!e.isTransient() || left <= 0) {
                        throw e;
                    }
                    handedOver = null;
                    storeFailures++;
                    log.debug("interlock store failure while waiting, retried: space={} request=[{}] failures={}"
                            + " error={}", space, request, storeFailures, e.getMessage());
                    awaitRelease(generation, Math.min(backoffNanos(storeFailures - 1), left));
                    continue;
                }
                handedOver = null;
                storeFailures = 0; // the store answered: a later outage backs off from the start again
                if (a.lease != null) {
                    granted(a.lease, start, attempt);
                    return a.lease;
                }
                long pause;
                if (a.casConflict()) {
                    casConflicts++;
                    pause = casPauseNanos(casConflicts);
                } else {
                    last = a;
                    pause = backoffNanos(waits++);
                }
                long remaining = budget - (System.nanoTime() - start);
                if (remaining <= 0) {
                    Duration waited = Duration.ofNanos(System.nanoTime() - start);
                    List<LockSnapshot.Grant> blockers = last.blockers;
                    log.debug("interlock refused: space={} request=[{}] waited={} blockers={} queued-ahead={}", space,
                            request, waited, blockers.size(), last.ahead.size());
                    events.emit(l -> l.refused(request, waited, blockers));
                    throw timeout(request, waited, maxWait, last, casConflicts);
                }
                if (place == null && a.blockedByOwn(holderId)) {
                    try {
                        handedOver = awaitHandover(request, a.blockers, Math.min(pause, remaining));
                    } catch (LockStoreException e) {
                        // the write that was to hand the lock over failed: as above, transient failures are retried
                        if (!e.isTransient() || budget - (System.nanoTime() - start) <= 0) {
                            throw e;
                        }
                        storeFailures++;
                        handedOver = null;
                    }
                } else {
                    awaitRelease(generation, Math.min(pause, remaining));
                }
            }
        } finally {
            if (place != null && place.ticket != 0) {
                leaveQueue(place.ticket);
            }
        }
    }

    private void granted(EngineLease lease, long start, int attempts) {
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        log.debug("interlock acquired: space={} token={} locks=[{}] waited={} attempts={}", space, lease.token(),
                lease.describeLocks(), waited, attempts);
        events.emit(l -> l.acquired(lease, waited, attempts));
    }

    private static long saturatedNanos(Duration d) {
        try {
            return d.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private LockTimeoutException timeout(LockRequest request, Duration waited, Duration maxWait, Attempt last,
                                         int casConflicts) {
        StringBuilder message = new StringBuilder("could not acquire ").append(request).append(" in space '")
                .append(space).append("' within ").append(maxWait);
        List<String> reasons = new ArrayList<>();
        last.blockers.forEach(g -> reasons.add(g.describe()
                + (g.holderId().equals(holderId) ? " (this manager's own lease: locks are not reentrant)" : "")));
        last.ahead.forEach(w -> reasons.add(w.describe()));
        if (!reasons.isEmpty()) {
            message.append(": ");
            for (int i = 0; i < reasons.size() && i < 5; i++) {
                message.append(i > 0 ? "; " : "").append(reasons.get(i));
            }
            if (reasons.size() > 5) {
                message.append("; and ").append(reasons.size() - 5).append(" more");
            }
        } else {
            message.append(": the space kept changing (").append(casConflicts)
                    .append(" attempts lost to other writers, or whose write was not found applied after a lost")
                    .append(" reply)");
        }
        return new LockTimeoutException(message.toString(), request, waited, last.blockers);
    }

    private Attempt attemptOnce(LockRequest request, Place place) {
        if (closed) {
            throw new IllegalStateException("this lock manager is closed: " + this);
        }
        GrantOp op = new GrantOp(request, place);
        submit(op);
        openOrRelease(op.result);
        if (op.result.blocked() && place != null && place.ticket == 0 && config.fair()) {
            enqueue(request, place);
        }
        return op.result;
    }

    /**
     * A grant that raced with {@link #close()} is released again, and the caller told the manager is closed.
     *
     * @return {@code a}
     */
    private Attempt openOrRelease(Attempt a) {
        if (a.lease != null && closed) {
            a.lease.close();
            throw new IllegalStateException("this lock manager is closed: " + this);
        }
        return a;
    }

    /**
     * What stands in the way of {@code request} in {@code doc}: live grants it conflicts with, and older queued
     * requests it conflicts with. Dead holders met on the way are added to {@code dead} (to be reaped), and this
     * holder's orphans are passed over (they are removed by the write). A queued {@code place} whose entry is
     * gone is reset.
     */
    private Attempt obstacles(LockDocument doc, Instant now, LockRequest request, Place place,
                              Map<String, String> dead) {
        List<LockSnapshot.Grant> blockers = new ArrayList<>();
        for (Map.Entry<String, LockMode> want : request.locks().entrySet()) {
            LockDocument.LockEntry entry = doc.locks.get(want.getKey());
            if (entry == null || want.getValue().compatibleWith(entry.mode)) {
                continue;
            }
            for (LockDocument.GrantEntry grant : entry.grants) {
                if (grant.holder().equals(holderId)
                        ? live.owner(grant.token(), want.getKey()) == null // an orphan of ours
                        : isDead(grant.holder(), doc, now, dead)) {
                    continue;
                }
                blockers.add(toGrant(want.getKey(), entry.mode, grant, doc));
            }
        }
        List<LockSnapshot.Waiter> ahead = new ArrayList<>();
        boolean inQueue = false;
        for (LockDocument.Waiter w : doc.queue) {
            if (place != null && place.ticket != 0 && w.ticket() == place.ticket && w.holder().equals(holderId)) {
                inQueue = true;
                break; // the queue is ordered by ticket: the rest came after this request
            }
            if (!w.conflictsWith(request.locks())
                    || (w.holder().equals(holderId) ? !queued.containsKey(w.ticket()) // our orphan
                        : isDead(w.holder(), doc, now, dead))) {
                continue;
            }
            ahead.add(toWaiter(w, doc));
        }
        if (place != null && place.ticket != 0 && !inQueue) {
            queued.remove(place.ticket); // our place was removed (releaseAll, a reaper): queue again
            place.ticket = 0;
        }
        return new Attempt(null, blockers, ahead);
    }

    /**
     * Queues a blocked request of an acquire call in fair mode, in a write of its own: at the end of the queue,
     * with the version of that write as its ticket. Nothing is queued if the request is no longer blocked.
     */
    private void enqueue(LockRequest request, Place place) {
        long[] tentative = {0};
        Long ticket = null;
        try {
            ticket = retrying("enqueue", cur -> {
                if (tentative[0] != 0) {
                    queued.remove(tentative[0]); // the previous try lost: that ticket was never written
                    tentative[0] = 0;
                }
                if (!obstacles(cur.doc, cur.now, request, place, new LinkedHashMap<>()).blocked()) {
                    return Step.finish(null); // free meanwhile: the next attempt takes it
                }
                long t = cur.version + 1;
                removeOwnOrphans(cur.doc);
                if (!cur.doc.holders.containsKey(holderId)) {
                    cur.doc.holders.put(holderId, new LockDocument.HolderRecord(holder, null, null));
                }
                cur.doc.queue.add(new LockDocument.Waiter(holderId, t, request.locks(), cur.now, null));
                queued.put(t, Boolean.TRUE); // before the write: the orphan sweep must not take it for one
                tentative[0] = t;
                return Step.grow((c, writeId) -> wroteLast(c, writeId)
                        && c.doc.queue.stream().anyMatch(w -> w.ticket() == t && w.holder().equals(holderId)), () -> t);
            });
        } finally {
            if (ticket == null && tentative[0] != 0) {
                queued.remove(tentative[0]); // if it landed after all, it is an orphan now, removed by the next write
            }
        }
        if (ticket != null) {
            place.ticket = ticket;
            log.debug("interlock queued: space={} ticket={} request=[{}]", space, ticket, request);
        }
    }

    // ---------------------------------------------------------------- combining

    /** The most changes combined into one compare-and-set. */
    private static final int MAX_BATCH = 64;

    /** Grant attempts and releases waiting to be written, taken by whichever thread holds the write lock next. */
    private final ConcurrentLinkedQueue<Op> pending = new ConcurrentLinkedQueue<>();
    /** Requests blocked by this manager's own leases, waiting for a release to take them along (oldest first). */
    private final ConcurrentLinkedQueue<GrantOp> handovers = new ConcurrentLinkedQueue<>();
    /** Writes a combiner makes for others after its own change is written, while changes keep coming. */
    private static final int EXTRA_ROUNDS = 1;
    /** The longest a thread parks between checks while its change is being written; wake-ups come sooner. */
    private static final long COMBINER_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final int WAITING = 0;
    private static final int CLAIMED = 1;
    private static final int CANCELLED = 2;

    /** A write that would add to a space past {@code maxDocumentSize}: refused, nothing written. */
    private static final class TooLarge extends LockException {
        private static final long serialVersionUID = 1L;

        TooLarge(String message) {
            super(message);
        }
    }

    /** What one combined write collects from its changes. */
    private static final class Round {
        /** Lock names granted to this holder in this write: one write never grants a holder a name twice. */
        final Set<String> granted = new HashSet<>();
        /** Log lines and events to emit once the write is in place. */
        final List<Runnable> after = new ArrayList<>();
    }

    /**
     * A change to the space, decided and written together with the others pending at the same time: one
     * compare-and-set for all, each still all-or-nothing for itself, and one change's refusal fails no other.
     * Fields are written by the combining thread under the write lock and read by the waiting thread once
     * {@link #done} is set.
     */
    private abstract class Op {
        /** The thread that waits for this change, woken once it is decided. */
        final Thread thread = Thread.currentThread();
        /** Set last, after the outcome fields, by the combining thread; read by {@link #thread}. */
        volatile boolean done;
        RuntimeException error;

        /** Decides on the document of the round, changing it if it can; returns whether it changed it. */
        abstract boolean decide(Current cur, Round round);

        /** The write is in place (or nothing needed writing and the decision stands). */
        abstract void landed();

        /** The write lost to another writer: undo what the decision registered. */
        abstract void conflicted();

        /** The write's reply was lost; {@code fresh} was read after it, {@code wrote} tells if it landed. */
        abstract void settle(Current fresh, boolean wrote);

        void fail(RuntimeException e) {
            conflicted();
            error = e;
        }
    }

    /** One grant attempt. */
    private final class GrantOp extends Op {
        final LockRequest request;
        final Place place;
        Attempt result;
        private EngineLease lease;
        private long ticket;
        /** Whether {@link #result} is blocked by a grant of the write it was decided in. */
        private boolean blockedByRound;
        /** For a request waiting on a hand-over: {@link #WAITING}, {@link #CLAIMED} or {@link #CANCELLED}. */
        final AtomicInteger handover = new AtomicInteger(WAITING);
        /** Set to ask a request waiting on a hand-over to look again. */
        volatile boolean wake;

        /** Asks this request, waiting on a hand-over, to look at the space again. */
        void wakeUp() {
            wake = true;
            LockSupport.unpark(thread);
        }

        GrantOp(LockRequest request, Place place) {
            this.request = request;
            this.place = place;
        }

        @Override
        boolean decide(Current cur, Round round) {
            lease = null;
            blockedByRound = false;
            LockDocument doc = cur.doc;
            Map<String, String> dead = new LinkedHashMap<>();
            Attempt obstacles = obstacles(doc, cur.now, request, place, dead);
            if (obstacles.blocked()) {
                // a grant made earlier in this very write counts only if the write lands (see conflicted)
                long roundToken = cur.version + 1;
                blockedByRound = obstacles.blockers.stream().anyMatch(g -> g.token() == roundToken);
                result = obstacles;
                return false;
            }
            for (String name : request.locks().keySet()) {
                if (round.granted.contains(name)) {
                    // shared beside shared, granted in this write already: one write never grants a holder a
                    // name twice (the two grants would share a token), so it asks again at once
                    result = Attempt.CAS_CONFLICT;
                    return false;
                }
            }
            // the grants that did not count go before the new ones are added beside them
            reap(doc, dead, round.after);
            removeOwnOrphans(doc);
            ticket = place == null ? 0 : place.ticket;
            if (ticket != 0) {
                doc.removeWaiters(w -> w.ticket() == ticket && w.holder().equals(holderId));
            }
            long token = cur.version + 1;
            if (!doc.holders.containsKey(holderId)) {
                doc.holders.put(holderId, new LockDocument.HolderRecord(holder, null, null));
            }
            for (Map.Entry<String, LockMode> want : request.locks().entrySet()) {
                doc.grant(want.getKey(), want.getValue(), holderId, token, cur.now);
            }
            round.granted.addAll(request.locks().keySet());
            lease = new EngineLease(LockEngine.this, request.locks(), token, cur.now);
            // registered before the write, so the orphan sweep never takes its grants for orphans
            live.add(lease);
            return true;
        }

        @Override
        void landed() {
            if (lease != null) {
                result = new Attempt(lease, List.of(), List.of());
                if (ticket != 0) {
                    queued.remove(ticket);
                    place.ticket = 0;
                }
            }
        }

        @Override
        void conflicted() {
            if (lease != null) {
                live.remove(lease);
                lease = null;
                result = Attempt.CAS_CONFLICT;
            } else if (blockedByRound) {
                result = Attempt.CAS_CONFLICT; // what blocked it was never written
            }
        }

        @Override
        void settle(Current fresh, boolean wrote) {
            if (lease == null) {
                if (blockedByRound && !wrote) {
                    result = Attempt.CAS_CONFLICT; // what blocked it was never written
                }
                return;
            }
            for (String name : request.locks().keySet()) {
                if (!wrote || !fresh.doc.hasGrant(name, holderId, lease.token())) {
                    conflicted(); // not applied; or applied and a grant was removed since: left as an orphan
                    return;
                }
            }
            landed();
        }
    }

    /** One release. */
    private final class ReleaseOp extends Op {
        final EngineLease lease;
        /** Whether the release is settled (released, or found lost); false asks the caller to try again. */
        boolean finished;
        private int present;

        ReleaseOp(EngineLease lease) {
            this.lease = lease;
        }

        @Override
        boolean decide(Current cur, Round round) {
            present = 0;
            for (String name : lease.locks().keySet()) {
                if (cur.doc.removeGrant(name, holderId, lease.token())) {
                    present++;
                }
            }
            return present > 0;
        }

        @Override
        void landed() {
            finished = true;
            int all = lease.locks().size();
            if (present == 0) {
                lost(lease, "release found its grants gone");
            } else if (present < all) {
                lost(lease, "release found " + (all - present) + " of its " + all + " grants gone");
            } else {
                live.remove(lease);
                lease.markReleased();
                Duration held = lease.heldFor();
                log.debug("interlock released: space={} token={} held={}", space, lease.token(), held);
                events.emit(l -> l.released(lease, held));
            }
        }

        @Override
        void conflicted() {
            finished = false;
        }

        @Override
        void settle(Current fresh, boolean wrote) {
            for (String name : lease.locks().keySet()) {
                if (fresh.doc.hasGrant(name, holderId, lease.token())) {
                    return; // still there: not applied, try again
                }
            }
            landed(); // gone, whoever removed them
        }
    }

    /**
     * Hands {@code op} to the next combined write and returns once it is decided. The first thread to find the
     * write lock free becomes the combiner and writes every pending change; the others park until the combiner
     * wakes them with their outcome, or hands the lock on to them.
     */
    private void submit(Op op) {
        checkNotReentered();
        pending.add(op);
        boolean interrupted = false; // parking returns at once while the flag is set: kept aside, put back after
        while (!op.done) {
            // a thread queued on the lock (a renewal, a sweep) goes first: the combiners must not starve it
            if (!writeLock.hasQueuedThreads() && writeLock.tryLock()) {
                try {
                    while (!op.done) {
                        combine();
                    }
                    // several changes that came meanwhile go in one more write of this thread's: handing the lock
                    // on to a parked thread would first wait for that thread to be scheduled. A single one is left
                    // to its own thread, so that this caller's next change can join it rather than wait behind it.
                    for (int round = 0; round < EXTRA_ROUNDS && severalPending(); round++) {
                        combine();
                    }
                } finally {
                    unlockWrites();
                }
            } else {
                interrupted |= Thread.interrupted();
                // woken by the combiner (decided) or by unlockWrites (lock free); the timeout only bounds a bug
                LockSupport.parkNanos(this, COMBINER_PARK_NANOS);
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (op.error != null) {
            throw op.error;
        }
    }

    /** Changes in the last batch (under the write lock): how many threads are likely to come back with more. */
    private int lastBatch;
    /** How long the last compare-and-set took (under the write lock). */
    private long lastCasNanos;
    /** A combiner waits for the threads its last write answered only if that write carried this many changes. */
    private static final int GATHER_MIN_BATCH = 3;
    /** The longest it waits, and at most half of the last compare-and-set's time. */
    private static final long GATHER_MAX_NANOS = TimeUnit.MICROSECONDS.toNanos(100);

    /**
     * Gives the threads the last write answered a moment to queue their next change, so that it joins this write
     * instead of waiting a whole write for the next one. Only after a batch of several changes (several threads
     * at work), and for at most 100 µs or half the last compare-and-set's time: a lone thread never waits. With 8
     * threads each taking and freeing a lock of its own (benchmark P2), the rate rose by about a third.
     */
    private void gather() {
        int expect = Math.min(lastBatch, MAX_BATCH);
        if (expect < GATHER_MIN_BATCH || pendingAtLeast(expect)) {
            return;
        }
        long deadline = System.nanoTime() + Math.min(GATHER_MAX_NANOS, lastCasNanos / 2);
        while (System.nanoTime() - deadline < 0 && !pendingAtLeast(expect)) {
            Thread.yield(); // the cores go to the threads being waited for
        }
    }

    private boolean pendingAtLeast(int n) {
        int count = 0;
        for (Iterator<Op> it = pending.iterator(); it.hasNext() && count < n; it.next()) {
            count++;
        }
        return count >= n;
    }

    /** @return whether at least two changes wait to be written */
    private boolean severalPending() {
        Iterator<Op> it = pending.iterator();
        return it.hasNext() && it.next() != null && it.hasNext();
    }

    /**
     * Frees the write lock and wakes the thread of the oldest pending change, if any, to become the next
     * combiner. No wake-up is lost: a change added before this check is seen by it, and the thread of a change
     * added after it finds the lock free (or held by a thread that runs this check in turn).
     */
    private void unlockWrites() {
        writeLock.unlock();
        Op next = pending.peek();
        if (next != null) {
            LockSupport.unpark(next.thread);
        }
    }

    /**
     * Waits (fair mode off) for a write of this manager that frees a lock {@code request} is blocked on: a
     * release that frees one of its names takes the request into the same compare-and-set, so the lock passes
     * from one thread to the next in one write instead of a release and a separate grant.
     *
     * @param blockers what blocked the request: this manager's own grants
     * @return the outcome decided in such a write; {@code null} if none came within {@code nanos}, the thread
     *         was interrupted, a blocker is gone already, or a release elsewhere (lost lease, releaseAll) asks it
     *         to look again
     */
    private Attempt awaitHandover(LockRequest request, List<LockSnapshot.Grant> blockers, long nanos) {
        GrantOp op = new GrantOp(request, null);
        handovers.add(op);
        // A release that landed before this request was registered neither took it along nor woke it: look
        // again at once if a blocker is gone (releases end their lease before they wake the registered ones).
        for (LockSnapshot.Grant g : blockers) {
            if (live.owner(g.token(), g.lock()) == null) {
                op.wake = true;
            }
        }
        long deadline = System.nanoTime() + nanos;
        while (op.handover.get() == WAITING) {
            long left = deadline - System.nanoTime();
            if (left <= 0 || op.wake || Thread.currentThread().isInterrupted()) {
                if (op.handover.compareAndSet(WAITING, CANCELLED)) {
                    handovers.remove(op);
                    return null;
                }
                break; // claimed meanwhile: its write is under way
            }
            LockSupport.parkNanos(this, left);
        }
        boolean interrupted = Thread.interrupted(); // kept for the caller; parking must not spin on it
        while (!op.done) {
            LockSupport.parkNanos(this, COMBINER_PARK_NANOS);
            interrupted |= Thread.interrupted();
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        if (op.error != null) {
            throw op.error;
        }
        return op.result;
    }

    /** Asks every request waiting on a hand-over to look at the space again. */
    private void wakeHandovers() {
        handovers.forEach(GrantOp::wakeUp);
    }

    /** @return the names of the leases the releases in {@code batch} free */
    private static Set<String> releasedNames(List<Op> batch) {
        Set<String> names = new HashSet<>();
        for (Op op : batch) {
            if (op instanceof ReleaseOp r) {
                names.addAll(r.lease.locks().keySet());
            }
        }
        return names;
    }

    /**
     * After a write that released locks: asks the requests waiting on a hand-over for any of the names it freed
     * and granted to no one to look again (they came after the write took its hand-overs). Those whose names
     * the write handed on stay parked: the new holder blocks them as the old one did.
     *
     * @param written the document the write put in place
     */
    private void wakeHandovers(List<Op> batch, LockDocument written) {
        if (handovers.isEmpty()) {
            return;
        }
        Set<String> freed = releasedNames(batch);
        // still held EXCLUSIVE (handed on in this write): the waiters wait for its next release
        freed.removeIf(name -> {
            LockDocument.LockEntry entry = written.locks.get(name);
            return entry != null && entry.mode == LockMode.EXCLUSIVE;
        });
        if (freed.isEmpty()) {
            return;
        }
        for (GrantOp op : handovers) {
            if (!java.util.Collections.disjoint(op.request.locks().keySet(), freed)) {
                op.wakeUp();
            }
        }
    }

    /**
     * Claims the requests waiting on a hand-over that the releases in {@code batch} (its first {@code releases}
     * entries) unblock, oldest first, and puts them into the batch right after the releases.
     */
    private void claimHandovers(List<Op> batch, int releases) {
        if (handovers.isEmpty() || closed) {
            return; // a closing manager's releases hand nothing over: its waiters look again and fail
        }
        Set<String> freed = releasedNames(batch);
        if (freed.isEmpty()) {
            return;
        }
        int at = releases;
        Set<String> taken = new HashSet<>(); // the names of the requests claimed so far
        for (GrantOp op : handovers) {
            if (at - releases >= MAX_BATCH) {
                break;
            }
            boolean wanted = false;
            boolean clashes = false; // one write grants a name once (see GrantOp.decide), so claim one per name
            for (String name : op.request.locks().keySet()) {
                wanted |= freed.contains(name);
                clashes |= taken.contains(name);
            }
            if (wanted && !clashes && op.handover.compareAndSet(WAITING, CLAIMED)) {
                handovers.remove(op);
                batch.add(at++, op); // at once: a claimed request must be in the batch whatever happens next
                taken.addAll(op.request.locks().keySet());
            }
        }
    }

    /**
     * Writes the pending changes in one compare-and-set: releases first, then grant attempts in the order they
     * came, each decided on the document as the ones before it left it.
     */
    private void combine() {
        gather();
        List<Op> taken = new ArrayList<>();
        for (Op op; taken.size() < MAX_BATCH && (op = pending.poll()) != null; ) {
            taken.add(op);
        }
        // releases first, then the requests they hand locks over to, then the other grants in arrival order
        taken.sort(Comparator.comparingInt(op -> op instanceof ReleaseOp ? 0 : 1));
        int releases = 0;
        while (releases < taken.size() && taken.get(releases) instanceof ReleaseOp) {
            releases++;
        }
        lastBatch = taken.size();
        List<Op> batch = taken; // less the grants refused for size; every change taken is answered
        try {
            claimHandovers(taken, releases);
            Current cur = readForWrite();
            while (true) {
                Round round = new Round();
                boolean writes = false;
                for (Op op : batch) {
                    writes |= op.decide(cur, round);
                }
                if (!writes && cur.cached && !(blockedByOwnOnly(batch) && recentlyWritten(cur))) {
                    lastWrite = null; // "nothing to write" is decided on a fresh read only
                    cur = read();
                    continue;
                }
                if (!writes) {
                    batch.forEach(Op::landed);
                    break;
                }
                removeOwnOrphans(cur.doc);
                cur.doc.dropHolderIfIdle(holderId);
                boolean adds = batch.stream().anyMatch(op -> op instanceof GrantOp g && g.lease != null);
                CasResult result;
                try {
                    result = write(cur, cur.doc, adds);
                } catch (TooLarge e) {
                    // A grant is refused for size only when it does not fit alone: with several grants in the write,
                    // the first stays to be decided again (with the releases and blocked requests beside it) and the
                    // others are answered as conflicts, so their callers ask again in a later write.
                    List<Op> granting = new ArrayList<>();
                    for (Op op : batch) {
                        if (op instanceof GrantOp g && g.lease != null) {
                            granting.add(op);
                        }
                    }
                    List<Op> rest = new ArrayList<>();
                    for (Op op : batch) {
                        if (granting.size() == 1 && op == granting.get(0)) {
                            op.fail(e);
                        } else {
                            op.conflicted();
                            if (!granting.contains(op) || op == granting.get(0)) {
                                rest.add(op);
                            }
                        }
                    }
                    batch = rest;
                    if (batch.isEmpty()) {
                        break;
                    }
                    cur = readForWrite();
                    continue;
                }
                if (result == CasResult.APPLIED) {
                    batch.forEach(Op::landed);
                    round.after.forEach(Runnable::run);
                    wakeHandovers(batch, cur.doc);
                    break;
                }
                if (result == CasResult.CONFLICT) {
                    batch.forEach(Op::conflicted);
                    String name = batch.size() == 1 ? opName(batch.get(0)) : "combined";
                    events.emit(l -> l.conflict(name));
                    if (cur.cached) {
                        cur = read(); // our last write was simply outdated
                        continue;
                    }
                    for (Op op : batch) {
                        if (op instanceof ReleaseOp r && r.present == 0) {
                            r.landed(); // its grants were gone on a fresh read: they cannot come back
                        }
                    }
                    break;
                }
                long writeId = lastWriteId;
                String what = batch.size() == 1 ? opName(batch.get(0)) : "combined write of " + batch.size() + " changes";
                Current fresh = reconcileRead(what);
                boolean wrote = wroteLast(fresh, writeId);
                log.info("interlock reconciled: space={} write={} applied={}", space, what, wrote);
                if (wrote) {
                    noteApplied(cur, cur.doc);
                    round.after.forEach(Runnable::run);
                }
                for (Op op : batch) {
                    op.settle(fresh, wrote);
                }
                wakeHandovers(); // what was handed on is unsure: every waiter looks again
                break;
            }
        } catch (RuntimeException e) {
            batch.forEach(op -> op.fail(e));
        } catch (Error e) {
            // every waiting thread gets an answer; the error itself goes on up in this thread
            LockException failed = new LockException("internal error while writing lock space '" + space + "': " + e,
                    e);
            batch.forEach(op -> op.fail(failed));
            throw e;
        } finally {
            Thread me = Thread.currentThread();
            for (Op op : taken) {
                op.done = true;
                if (op.thread != me) {
                    LockSupport.unpark(op.thread);
                }
            }
        }
    }

    /**
     * Whether this manager's last write, which {@code cur} is, was made less than {@link #OWN_BLOCK_TRUST_NANOS}
     * ago: a refusal decided on it alone is then taken as it is. An operator's forceRelease, a releaseAll or a
     * reaper may have removed the blocking grant since; after that time a fresh read says so.
     */
    private boolean recentlyWritten(Current cur) {
        LastWrite last = lastWrite; // what cur was copied from: the time of the write's decision
        return cur.cached && last != null && System.nanoTime() - last.anchorNanos < OWN_BLOCK_TRUST_NANOS;
    }

    /** How long a request blocked by this manager's own lease is refused without reading the store. */
    private static final long OWN_BLOCK_TRUST_NANOS = TimeUnit.SECONDS.toNanos(1);

    /**
     * Whether every change in {@code batch} is a request blocked only by this manager's own live leases: such a
     * decision holds whatever other writers did since this manager's last write, so it needs no fresh read.
     */
    private boolean blockedByOwnOnly(List<Op> batch) {
        for (Op op : batch) {
            if (!(op instanceof GrantOp g) || g.place != null || g.result == null || !g.result.blockedByOwn(holderId)) {
                return false;
            }
        }
        return true;
    }

    /** A listener run by a direct executor runs inside a write: it must not start another one. */
    private void checkNotReentered() {
        if (writeLock.isHeldByCurrentThread()) {
            throw new IllegalStateException("a lock operation was called from inside another one of the same manager:"
                    + " a listener delivered by a direct listenerExecutor must not call the manager or its leases");
        }
    }

    private static String opName(Op op) {
        return op instanceof ReleaseOp ? "release" : "grant";
    }

    /** Takes a request that gave up out of the queue; never throws (the caller has its own outcome to report). */
    private void leaveQueue(long ticket) {
        try {
            retrying("dequeue", cur -> {
                if (cur.doc.removeWaiters(w -> w.ticket() == ticket && w.holder().equals(holderId)) == 0) {
                    return Step.finish(null);
                }
                cur.doc.dropHolderIfIdle(holderId);
                return Step.write((c, writeId) -> c.doc.queue.stream()
                        .noneMatch(w -> w.ticket() == ticket && w.holder().equals(holderId)), () -> null);
            });
        } catch (RuntimeException e) {
            log.warn("interlock dequeue failed: space={} ticket={} error={}; the entry stays until this manager's next"
                    + " write", space, ticket, e.toString());
        } finally {
            queued.remove(ticket);
        }
    }

    private boolean isDead(String id, LockDocument doc, Instant now, Map<String, String> dead) {
        if (dead.containsKey(id)) {
            return true;
        }
        LockDocument.HolderRecord record = doc.holders.get(id);
        String why = liveness.deadReason(record, now);
        if (why != null) {
            dead.put(id, why);
            return true;
        }
        return false;
    }

    /**
     * Removes every grant and the record of each dead holder; queues in {@code after} a log line and an event per
     * holder, to run once the write is in place.
     */
    private int reap(LockDocument doc, Map<String, String> dead, List<Runnable> after) {
        int removed = 0;
        for (Map.Entry<String, String> e : dead.entrySet()) {
            String id = e.getKey();
            LockDocument.HolderRecord record = doc.holders.get(id);
            List<String> names = new ArrayList<>();
            removed += doc.removeGrants((name, g) -> g.holder().equals(id), (name, g) -> names.add(name));
            doc.removeWaiters(w -> w.holder().equals(id));
            doc.holders.remove(id);
            after.add(() -> {
                log.warn("interlock reaped: space={} holder={} ({}) reason={} locks={}", space, id,
                        record.holder.describe(), e.getValue(), names);
                events.emit(l -> l.holderReaped(id, record.holder, List.copyOf(names), e.getValue()));
            });
        }
        return removed;
    }

    /** Removes grants of this holder that no live lease owns: left by writes whose outcome was unknown. */
    private int removeOwnOrphans(LockDocument doc) {
        doc.removeWaiters(w -> {
            boolean orphan = w.holder().equals(holderId) && !queued.containsKey(w.ticket());
            if (orphan) {
                log.info("interlock orphan removed: space={} holder={} queued-ticket={}", space, holderId, w.ticket());
            }
            return orphan;
        });
        return doc.removeGrants((name, g) -> g.holder().equals(holderId) && live.owner(g.token(), name) == null,
                (name, g) -> log.info("interlock orphan removed: space={} holder={} lock={} token={}", space,
                        holderId, name, g.token()));
    }

    // ---------------------------------------------------------------- releasing

    /** Releases a lease; never throws (close() must be quiet). */
    void releaseQuietly(EngineLease lease) {
        try {
            for (int attempt = 1; ; attempt++) {
                try {
                    release(lease);
                    break;
                } catch (LockStoreException e) {
                    if (attempt >= RELEASE_ATTEMPTS) {
                        throw e;
                    }
                    LockSupport.parkNanos(backoffNanos(attempt));
                }
            }
        } catch (RuntimeException e) {
            // Not thrown: a throwing close() would bury the caller's own exception. The grants stay as orphans
            // of this holder: the next write of this manager removes them, a reaper does once it is gone.
            log.warn("interlock release failed: space={} token={} error={}; its grants stay as orphans of holder {}"
                    + " until this manager's next write", space, lease.token(), e.toString(), holderId);
            live.remove(lease);
            lease.markReleased();
            wakeHandovers(); // its orphans block no request of this manager
        } finally {
            signalRelease();
        }
    }

    /**
     * Removes this holder's orphan grants now (such as what is left of a partly lost lease that was closed);
     * never throws: they would otherwise go with this manager's next write.
     */
    void removeOrphansQuietly() {
        try {
            retrying("tidy", cur -> {
                if (removeOwnOrphans(cur.doc) == 0) {
                    return Step.finish(null);
                }
                cur.doc.dropHolderIfIdle(holderId);
                return Step.write((c, writeId) -> !hasOwnOrphans(c.doc), () -> null);
            });
        } catch (RuntimeException e) {
            log.warn("interlock tidy failed: space={} error={}; orphan grants stay until this manager's next write",
                    space, e.toString());
        } finally {
            signalRelease();
        }
    }

    private void release(EngineLease lease) {
        for (int attempt = 1; ; attempt++) {
            ReleaseOp op = new ReleaseOp(lease);
            submit(op);
            if (op.finished) {
                return;
            }
            if (attempt >= config.maxCasAttempts()) {
                throw new LockConflictException("could not complete the release of lease " + lease.token()
                        + " in space '" + space + "': " + attempt
                        + " compare-and-sets in a row lost to other writers (maxCasAttempts)", attempt);
            }
            casPause(attempt);
        }
    }

    private void lost(EngineLease lease, String why) {
        live.remove(lease);
        wakeHandovers(); // requests blocked by it look again
        if (lease.markLost()) {
            log.warn("interlock lease lost: space={} token={} locks=[{}] reason={}", space, lease.token(),
                    lease.describeLocks(), why);
            events.emit(l -> l.leaseLost(lease, why));
        }
    }

    /** See {@link Lease#checkHeld()}. */
    void verify(EngineLease lease) {
        Current cur = read();
        for (String name : lease.locks().keySet()) {
            if (!cur.doc.hasGrant(name, holderId, lease.token())) {
                lost(lease, "check found the grant of " + name + " gone");
                throw lease.lostException();
            }
        }
    }

    @Override
    public int releaseAll(String id) {
        Objects.requireNonNull(id, "holderId");
        return removeHolders((hid, record) -> hid.equals(id), "releaseAll", id);
    }

    @Override
    public int releaseTask(String taskId) {
        Objects.requireNonNull(taskId, "taskId");
        return removeHolders((hid, record) -> taskId.equals(record.holder.task()), "releaseTask", taskId);
    }

    @Override
    public int forceRelease(String lockName) {
        String name = LockRequest.exclusive(lockName).locks().keySet().iterator().next(); // validates
        return retrying("forceRelease", cur -> {
            LockDocument.LockEntry entry = cur.doc.locks.get(name);
            if (entry == null) {
                return Step.finish(0);
            }
            List<String> holders = new ArrayList<>();
            List<EngineLease> mine = new ArrayList<>();
            for (LockDocument.GrantEntry g : entry.grants) {
                holders.add(g.holder());
                EngineLease lease = g.holder().equals(holderId) ? live.owner(g.token(), name) : null;
                if (lease != null) {
                    mine.add(lease);
                }
            }
            int removed = entry.grants.size();
            cur.doc.locks.remove(name);
            holders.forEach(cur.doc::dropHolderIfIdle);
            return Step.write((c, writeId) -> !c.doc.locks.containsKey(name) || wroteLast(c, writeId), () -> {
                mine.forEach(lease -> lost(lease, "forceRelease(" + name + ") removed its grant"));
                log.warn("interlock force-released: space={} lock={} grants={} holders={}", space, name, removed,
                        holders);
                signalRelease();
                return removed;
            });
        });
    }

    private int removeHolders(BiPredicate<String, LockDocument.HolderRecord> which, String op, String argument) {
        String what = op + "(" + argument + ")";
        return retrying(op, cur -> {
            List<String> ids = new ArrayList<>();
            cur.doc.holders.forEach((hid, record) -> {
                if (which.test(hid, record)) {
                    ids.add(hid);
                }
            });
            if (ids.isEmpty()) {
                return Step.finish(0);
            }
            List<EngineLease> mine = new ArrayList<>();
            int removed = cur.doc.removeGrants((name, g) -> ids.contains(g.holder()), (name, g) -> {
                EngineLease lease = g.holder().equals(holderId) ? live.owner(g.token(), name) : null;
                if (lease != null && !mine.contains(lease)) {
                    mine.add(lease);
                }
            });
            cur.doc.removeWaiters(w -> ids.contains(w.holder()));
            ids.forEach(cur.doc.holders::remove);
            Landed gone = (c, writeId) -> ids.stream().noneMatch(id -> c.doc.holdsAnything(id) || c.doc.isQueued(id));
            return Step.write(gone, () -> {
                for (EngineLease lease : mine) {
                    lost(lease, what + " removed its grants");
                }
                log.info("interlock released holders: space={} by={} grants={} holders={}", space, what, removed, ids);
                signalRelease();
                return removed;
            });
        });
    }

    @Override
    public int reap() {
        return retrying("reap", cur -> {
            LockDocument doc = cur.doc;
            Map<String, String> dead = new LinkedHashMap<>();
            for (String id : doc.holders.keySet()) {
                if (!id.equals(holderId)) {
                    isDead(id, doc, cur.now, dead);
                }
            }
            List<Runnable> after = new ArrayList<>();
            int removed = reap(doc, dead, after) + removeOwnOrphans(doc);
            if (dead.isEmpty() && removed == 0) {
                return Step.finish(0);
            }
            doc.dropHolderIfIdle(holderId);
            return Step.write((c, writeId) -> dead.keySet().stream().noneMatch(c.doc.holders::containsKey)
                    && !hasOwnOrphans(c.doc), () -> {
                        after.forEach(Runnable::run);
                        return removed;
                    });
        });
    }

    // ---------------------------------------------------------------- background work

    void renew() {
        if (live.isEmpty() && queued.isEmpty()) {
            return;
        }
        retrying("renew", cur -> {
            for (EngineLease lease : live.all()) {
                for (String name : lease.locks().keySet()) {
                    if (!cur.doc.hasGrant(name, holderId, lease.token())) {
                        lost(lease, "lease renewal found the grant of " + name + " gone");
                        break;
                    }
                }
            }
            removeOwnOrphans(cur.doc);
            if (live.isEmpty() && queued.isEmpty()) {
                if (!cur.doc.holders.containsKey(holderId)) {
                    return Step.finish(null);
                }
                cur.doc.dropHolderIfIdle(holderId); // nothing left to renew: tidy the record away
            }
            return Step.write(this::wroteLast, () -> null);
        });
    }

    private void backgroundRun(String what, Runnable task) {
        if (closed) {
            return;
        }
        try {
            task.run();
        } catch (RuntimeException e) {
            log.warn("interlock {} failed: space={} error={}", what, space, e.toString());
        } catch (Error e) {
            // Not thrown on: a scheduled task that throws is never run again, and a lease that is no longer renewed
            // is lost. The next run tries again (an OutOfMemoryError, a StackOverflowError may well pass).
            log.error("interlock {} failed with an error; it runs again at its next interval: space={} error={}", what,
                    space, e.toString(), e);
        }
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        wakeHandovers();
        if (renewer != null) {
            renewer.shutdownNow();
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
        }
        for (EngineLease lease : live.all()) {
            lease.close();
        }
        events.close();
    }

    // ---------------------------------------------------------------- reading

    @Override
    public LockSnapshot snapshot() {
        Current cur = read();
        List<LockSnapshot.Grant> grants = new ArrayList<>();
        cur.doc.locks.forEach((name, entry) -> {
            for (LockDocument.GrantEntry g : entry.grants) {
                grants.add(toGrant(name, entry.mode, g, cur.doc));
            }
        });
        List<LockSnapshot.Waiter> queue = new ArrayList<>();
        for (LockDocument.Waiter w : cur.doc.queue) {
            queue.add(toWaiter(w, cur.doc));
        }
        return new LockSnapshot(space, cur.version, cur.now, grants, queue);
    }

    private static LockSnapshot.Waiter toWaiter(LockDocument.Waiter w, LockDocument doc) {
        LockDocument.HolderRecord record = doc.holders.get(w.holder());
        return new LockSnapshot.Waiter(w.holder(), record.holder, w.ticket(), w.locks(), w.since(), record.leaseUntil);
    }

    private static LockSnapshot.Grant toGrant(String name, LockMode mode, LockDocument.GrantEntry g, LockDocument doc) {
        LockDocument.HolderRecord record = doc.holders.get(g.holder());
        return new LockSnapshot.Grant(name, mode, g.holder(), record.holder, g.token(), g.since(), record.leaseUntil);
    }

    /**
     * A decoded state of the space.
     *
     * @param version     its version
     * @param now         the store's time at local time {@code anchorNanos}, or a lower bound of it
     * @param doc         the decoded document, a working copy
     * @param anchorNanos the {@link System#nanoTime()} that {@code now} refers to
     * @param uncertainty how much later than {@code now} the store's time may be at {@code anchorNanos}
     *                    (the read's round trip)
     * @param cached      whether this is this manager's own last write rather than a fresh read
     */
    private record Current(long version, Instant now, LockDocument doc, long anchorNanos, long uncertainty,
                           boolean cached) {
    }

    /**
     * This manager's last applied write: as long as no one else has written since, it is the current state,
     * and the next change can be compare-and-set against it without reading first.
     */
    private record LastWrite(long version, LockDocument doc, Instant now, long anchorNanos, long uncertainty) {
    }

    /** Guarded by writeLock; null after a conflict, a lost reply or a fresh read that found it outdated. */
    private LastWrite lastWrite;

    /**
     * The fast path: this manager's last write, if there is one, with the store's time estimated from the
     * read it was based on; otherwise a fresh read. A decision taken on it is only ever a write, which the
     * version check validates: a request found blocked, or a plan that writes nothing, is decided again on a
     * fresh read.
     */
    private Current readForWrite() {
        LastWrite last = lastWrite;
        if (last == null) {
            return read();
        }
        long t = System.nanoTime();
        return new Current(last.version, last.now.plusNanos(t - last.anchorNanos),
                last.doc.copy(), t, last.uncertainty, true);
    }

    private Current read() {
        long start = System.nanoTime();
        Optional<Stored> stored = store.read(space);
        if (stored.isEmpty()) {
            store.createSpaceIfAbsent(space, codec.emptyDocument());
            stored = store.read(space);
            if (stored.isEmpty()) {
                throw new LockStoreException("lock space '" + space + "' is still missing after it was created",
                        null, true);
            }
        }
        Stored s = stored.get();
        long end = System.nanoTime();
        return new Current(s.version(), s.now(), codec.decode(space, s.version(), s.data()), end, end - start, false);
    }

    /**
     * Compare-and-sets {@code doc} on {@code cur}.
     *
     * @param adds whether the write adds grants or queued requests: only such a write is refused for
     *             {@code maxDocumentSize} (with {@link TooLarge}), so that releases, renewals and reaping go on in a
     *             full space; no write ever exceeds {@link BlobCodec#maxStoredChars()}, which every reader accepts
     */
    private CasResult write(Current cur, LockDocument doc, boolean adds) {
        lastWriteId = writeSeq.incrementAndGet();
        LockDocument.HolderRecord mine = doc.holders.get(holderId);
        if (mine != null) {
            mine.lastWrite = lastWriteId;
            if (leaseNanos > 0) {
                mine.leaseUntil = cur.now.plusNanos(leaseNanos);
            }
        }
        String text = codec.encode(doc);
        if (adds && text.length() > codec.maxChars()) {
            throw new TooLarge("lock space '" + space + "' would grow to " + text.length()
                    + " characters, over its limit of " + codec.maxChars() + " (maxDocumentSize); nothing was written");
        }
        if (text.length() > codec.maxWrittenChars()) {
            throw new LockException("lock space '" + space + "' would grow to " + text.length() + " characters, over"
                    + " the " + codec.maxWrittenChars() + " that any write may reach with a limit of " + codec.maxChars()
                    + " (maxDocumentSize), past which a server's rendering might not be read; nothing was written");
        }
        long casStart = System.nanoTime();
        CasResult result = store.compareAndSet(space, cur.version, text);
        lastCasNanos = System.nanoTime() - casStart;
        if (result == CasResult.APPLIED) {
            // kept as it is: no caller changes a document once it is written, and readForWrite hands out copies
            lastWrite = new LastWrite(cur.version + 1, doc, cur.now, cur.anchorNanos, cur.uncertainty);
            long version = cur.version + 1;
            int size = text.length();
            events.emit(l -> l.written(version, size));
            noteApplied(cur, doc);
        } else {
            lastWrite = null;
        }
        return result;
    }

    /**
     * A write of {@code doc}, based on {@code cur}, was applied: if it carried this holder's lease (until
     * {@code cur.now + lease} by the store's clock), each lease whose grants are all in {@code doc} is surely valid
     * until {@code anchor - uncertainty + lease} by this process's monotonic clock, the earliest local time at
     * which the store's clock can reach that point. A lease whose grants are not all there (reaped while this
     * manager was cut off) is not extended: only a write that found its grants may, so its {@code isHeld()}
     * turns false when the validity it had runs out, whatever this manager writes for its other leases.
     */
    private void noteApplied(Current cur, LockDocument doc) {
        if (leaseNanos == 0 || !doc.holders.containsKey(holderId)) {
            return;
        }
        List<EngineLease> leases = live.all();
        if (leases.isEmpty()) {
            return;
        }
        long until = cur.anchorNanos - cur.uncertainty + leaseNanos;
        Map<Long, Set<String>> present = doc.namesByToken(holderId);
        for (EngineLease lease : leases) {
            Set<String> names = present.get(lease.token());
            if (names != null && names.containsAll(lease.locks().keySet())) {
                lease.extendValidity(until);
            }
        }
    }

    /** @return whether this manager holds its locks under a lease, whose validity each lease then keeps */
    boolean leased() {
        return leaseNanos > 0;
    }

    /** Tells from a fresh read whether a write (with the given write id) is in place. */
    @FunctionalInterface
    private interface Landed {
        boolean test(Current fresh, long writeId);
    }

    /**
     * What one read-modify-write step decided: finish without writing, or write the modified document.
     *
     * @param result   the result when not writing
     * @param write    whether to write
     * @param landed   how to settle a lost reply
     * @param onLanded what to do, and return, once the write is in place
     */
    private record Step<R>(R result, boolean write, boolean adds, Landed landed, Supplier<R> onLanded) {
        static <R> Step<R> finish(R result) {
            return new Step<>(result, false, false, null, null);
        }

        /** A write that adds nothing (a renewal, a release, reaping): never refused for {@code maxDocumentSize}. */
        static <R> Step<R> write(Landed landed, Supplier<R> onLanded) {
            return new Step<>(null, true, false, landed, onLanded);
        }

        /** A write that adds to the document (a queued request): refused if it would exceed {@code maxDocumentSize}. */
        static <R> Step<R> grow(Landed landed, Supplier<R> onLanded) {
            return new Step<>(null, true, true, landed, onLanded);
        }
    }

    /**
     * Runs read → {@code plan} → compare-and-set under the write lock until the write is in place or the plan
     * finishes without one, pausing briefly after each lost compare-and-set.
     *
     * @throws LockConflictException after {@code maxCasAttempts} lost compare-and-sets in a row
     */
    private <R> R retrying(String what, Function<Current, Step<R>> plan) {
        checkNotReentered();
        for (int attempt = 1; ; attempt++) {
            writeLock.lock();
            try {
                Current cur = readForWrite();
                Step<R> step = plan.apply(cur);
                if (!step.write() && cur.cached) {
                    lastWrite = null; // decide "nothing to write" on fresh data only
                    cur = read();
                    step = plan.apply(cur);
                }
                if (!step.write()) {
                    return step.result();
                }
                if (commit(what, cur, step.adds(), step.landed())) {
                    return step.onLanded().get();
                }
                if (cur.cached) {
                    attempt--; // our last write was simply outdated: retry on a fresh read at once
                    continue;
                }
            } finally {
                unlockWrites();
            }
            if (attempt >= config.maxCasAttempts()) {
                throw new LockConflictException("could not complete the " + what + " in space '" + space + "': "
                        + attempt + " compare-and-sets in a row lost to other writers (maxCasAttempts)", attempt);
            }
            casPause(attempt);
        }
    }

    /**
     * Writes the modified document of {@code cur}; a lost reply is settled by re-reading.
     *
     * @return whether the write is in place; false if it lost to another writer
     */
    private boolean commit(String what, Current cur, boolean adds, Landed landed) {
        CasResult result = write(cur, cur.doc, adds);
        return switch (result) {
            case APPLIED -> true;
            case CONFLICT -> {
                events.emit(l -> l.conflict(what));
                yield false;
            }
            case UNKNOWN -> reconcile(what, cur, landed);
        };
    }

    /** @return whether this holder's latest landed write is {@code writeId}: only this holder sets the field */
    private boolean wroteLast(Current fresh, long writeId) {
        LockDocument.HolderRecord me = fresh.doc.holders.get(holderId);
        return me != null && me.lastWrite == writeId;
    }

    private boolean hasOwnOrphans(LockDocument doc) {
        for (LockDocument.Waiter w : doc.queue) {
            if (w.holder().equals(holderId) && !queued.containsKey(w.ticket())) {
                return true;
            }
        }
        for (Map.Entry<String, LockDocument.LockEntry> entry : doc.locks.entrySet()) {
            for (LockDocument.GrantEntry g : entry.getValue().grants) {
                if (g.holder().equals(holderId) && live.owner(g.token(), entry.getKey()) == null) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Settles a write whose outcome is unknown by reading the space again.
     *
     * @param written the read the write was based on
     * @param landed  tells from a fresh read whether the write's effect is in place
     * @return whether it is
     * @throws LockStoreException (outcome unknown) if the store cannot be read again
     */
    private boolean reconcile(String what, Current written, Landed landed) {
        long writeId = lastWriteId;
        Current fresh = reconcileRead(what);
        boolean result = landed.test(fresh, writeId);
        // only proof that this very write landed extends the leases: "landed" may also mean "the change is there,
        // whoever made it" (a reaper may have removed the ticket or the orphans meanwhile)
        if (result && wroteLast(fresh, writeId)) {
            noteApplied(written, written.doc);
        }
        log.info("interlock reconciled: space={} write={} applied={}", space, what, result);
        return result;
    }

    /**
     * Reads the space after a write whose reply was lost, trying a few times.
     *
     * @throws LockStoreException (outcome unknown) if the store cannot be read again
     */
    private Current reconcileRead(String what) {
        LockStoreException last = null;
        for (int i = 0; i < RECONCILE_READS; i++) {
            try {
                return read();
            } catch (LockStoreException e) {
                last = e;
                LockSupport.parkNanos(backoffNanos(i));
            }
        }
        // transient if the reads failed transiently: a request may be decided again once the store answers (a grant
        // that landed meanwhile is an orphan of this holder, removed by its next write)
        throw new LockStoreException("the outcome of the " + what + " in space '" + space
                + "' is unknown: the reply was lost and the store could not be read again", last, false,
                last != null && last.isTransient());
    }

    // ---------------------------------------------------------------- waiting

    private long releaseGeneration() {
        synchronized (releaseSignal) {
            return releaseGeneration;
        }
    }

    private void signalRelease() {
        synchronized (releaseSignal) {
            releaseGeneration++;
            releaseSignal.notifyAll();
        }
    }

    /** Waits up to {@code nanos}, returning early if a release happened since {@code generation}. */
    private void awaitRelease(long generation, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        synchronized (releaseSignal) {
            while (releaseGeneration == generation) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return;
                }
                TimeUnit.NANOSECONDS.timedWait(releaseSignal, left);
            }
        }
    }

    /** Capped exponential backoff with full jitter: a random pause in [min/2, min(max, min * 2^n)]. */
    private long backoffNanos(int n) {
        long min = config.minBackoff().toNanos();
        long max = config.maxBackoff().toNanos();
        long ceiling = n >= 30 ? max : Math.min(max, min << n);
        return ThreadLocalRandom.current().nextLong(min / 2, ceiling + 1);
    }

    private static long casPauseNanos(int attempt) {
        long ceiling = Math.min(MAX_CAS_PAUSE_NANOS, TimeUnit.MICROSECONDS.toNanos(100) << Math.min(attempt, 20));
        return ThreadLocalRandom.current().nextLong(ceiling / 4, ceiling + 1);
    }

    private static void casPause(int attempt) {
        LockSupport.parkNanos(casPauseNanos(attempt));
    }


    @Override
    public String toString() {
        return "LockManager[space=" + space + ", holder=" + holderId + " " + holder.describe() + "]";
    }
}
