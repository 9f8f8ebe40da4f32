package dev.interlock;

import dev.interlock.spi.LockStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;

/**
 * A concurrency check by invariants: {@code managers} lock managers, each used by {@code threads} threads,
 * take random overlapping sets of exclusive and shared locks for a while. A witness per lock name sees every
 * grant enter and leave and records any violation:
 * <ul>
 *   <li>two exclusive holders at once, or an exclusive holder beside a shared one;</li>
 *   <li>a fencing token that does not exceed every token granted on that name before (exclusive), or the
 *       last exclusive token (shared);</li>
 *   <li>one token granting the same name twice (leases granted by one combined write share its token, but
 *       never a name).</li>
 * </ul>
 * Afterwards nothing may be held. Reusable against any store: the database stores run it too.
 */
public final class ConcurrencyCheck {

    /**
     * What a run saw.
     *
     * @param grants     leases granted and checked
     * @param timeouts   acquires that timed out (allowed: contention)
     * @param refusals   tryAcquires that found the locks held (allowed)
     * @param errors     store errors met by workers (allowed only with fault injection)
     * @param violations how many invariants broke (must be 0)
     * @param examples   the first few broken invariants, for the failure message
     */
    public record Result(long grants, long timeouts, long refusals, long errors, long violations,
                         List<String> examples) {
        @Override
        public String toString() {
            return "grants checked: " + grants + ", timeouts: " + timeouts + ", refusals: " + refusals
                    + ", store errors: " + errors + ", violations: " + violations;
        }
    }

    private static final class Witness {
        int exclusive;
        int shared;
        long lastExclusiveToken;
        long maxToken;
    }

    private final Map<String, Witness> witnesses = new ConcurrentHashMap<>();
    private final Map<Long, Set<String>> namesByToken = new ConcurrentHashMap<>();
    private final List<String> examples = new CopyOnWriteArrayList<>();
    private final AtomicLong violations = new AtomicLong();
    private final AtomicLong grants = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong refusals = new AtomicLong();
    private final AtomicLong errors = new AtomicLong();
    private final List<LockManager> managers = new ArrayList<>();

    /**
     * Runs the check.
     *
     * @param store       the store all managers share
     * @param space       the space to work in
     * @param managers    how many managers (each one holder, as one process would be)
     * @param threads     threads per manager
     * @param names       how many distinct lock names to draw from (few names: much overlap)
     * @param duration    how long to run
     * @param seed        random seed
     * @param allowErrors whether store errors are expected (fault injection)
     * @return what was seen
     */
    public Result run(LockStore store, String space, int managers, int threads, int names,
                      Duration duration, long seed, boolean allowErrors) throws InterruptedException {
        return go(i -> LockManager.builder(store).space(space)
                .holder(Holder.currentProcess("worker-" + i)).backoff(Duration.ofMillis(1), Duration.ofMillis(20))
                .build(), managers, threads, names, duration, seed, allowErrors);
    }

    /**
     * Runs the check with managers made by {@code factory}.
     *
     * @return what was seen
     */
    public Result go(Function<Integer, LockManager> factory, int managers, int threads, int names,
                     Duration duration, long seed, boolean allowErrors) throws InterruptedException {
        List<LockManager> ms = this.managers;
        for (int i = 0; i < managers; i++) {
            ms.add(factory.apply(i));
        }
        long deadline = System.nanoTime() + duration.toNanos();
        List<Thread> workers = new ArrayList<>();
        SplittableRandom seeds = new SplittableRandom(seed);
        for (LockManager m : ms) {
            for (int t = 0; t < threads; t++) {
                SplittableRandom random = seeds.split();
                Thread worker = new Thread(() -> work(m, random, names, deadline, allowErrors),
                        "worker-" + m.holderId() + "-" + t);
                workers.add(worker);
                worker.start();
            }
        }
        for (Thread w : workers) {
            w.join(duration.toMillis() + 120_000);
            if (w.isAlive()) {
                violation("worker " + w.getName() + " did not finish");
            }
        }
        return new Result(grants.get(), timeouts.get(), refusals.get(), errors.get(), violations.get(),
                List.copyOf(examples));
    }

    private void work(LockManager m, SplittableRandom random, int names, long deadline, boolean allowErrors) {
        while (System.nanoTime() < deadline) {
            TreeMap<String, LockMode> wanted = new TreeMap<>();
            int count = 1 + random.nextInt(3);
            for (int i = 0; i < count; i++) {
                wanted.put("n" + random.nextInt(names), random.nextInt(10) < 7 ? LockMode.EXCLUSIVE : LockMode.SHARED);
            }
            LockRequest request = new LockRequest(wanted);
            try {
                Lease lease;
                if (random.nextInt(4) == 0) {
                    lease = m.tryAcquire(request).orElse(null);
                    if (lease == null) {
                        refusals.incrementAndGet();
                        continue;
                    }
                } else {
                    lease = m.acquire(request, Duration.ofSeconds(10));
                }
                try {
                    enter(lease);
                    if (random.nextInt(3) == 0) {
                        Thread.sleep(0, random.nextInt(1_000_000));
                    }
                } finally {
                    leave(lease);
                    lease.close();
                }
            } catch (LockTimeoutException e) {
                timeouts.incrementAndGet();
            } catch (LockStoreException | LockConflictException e) {
                errors.incrementAndGet();
                if (!allowErrors) {
                    violation("unexpected store error: " + e);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (RuntimeException e) {
                violation("unexpected " + e);
            }
        }
    }

    private void violation(String what) {
        if (violations.incrementAndGet() <= 20) {
            examples.add(what);
        }
    }

    private void enter(Lease lease) {
        grants.incrementAndGet();
        // One write may grant several requests of one manager, which then share its token; it never grants one
        // name twice, so under one token the names are disjoint.
        Set<String> underToken = namesByToken.computeIfAbsent(lease.token(), t -> ConcurrentHashMap.newKeySet());
        for (String name : lease.locks().keySet()) {
            if (!underToken.add(name)) {
                violation("token " + lease.token() + " granted " + name + " twice");
            }
        }
        for (Map.Entry<String, LockMode> e : lease.locks().entrySet()) {
            Witness w = witnesses.computeIfAbsent(e.getKey(), k -> new Witness());
            synchronized (w) {
                if (e.getValue() == LockMode.EXCLUSIVE) {
                    if (w.exclusive > 0 || w.shared > 0) {
                        violation(e.getKey() + ": exclusive grant " + lease.token() + " beside " + w.exclusive
                                + " exclusive and " + w.shared + " shared holders");
                    }
                    if (lease.token() <= w.maxToken) {
                        violation(e.getKey() + ": exclusive token " + lease.token() + " after token " + w.maxToken);
                    }
                    w.exclusive++;
                    w.lastExclusiveToken = lease.token();
                } else {
                    if (w.exclusive > 0) {
                        violation(e.getKey() + ": shared grant " + lease.token() + " beside an exclusive holder");
                    }
                    if (lease.token() <= w.lastExclusiveToken) {
                        violation(e.getKey() + ": shared token " + lease.token() + " after exclusive token "
                                + w.lastExclusiveToken);
                    }
                    w.shared++;
                }
                w.maxToken = Math.max(w.maxToken, lease.token());
            }
        }
    }

    private void leave(Lease lease) {
        for (Map.Entry<String, LockMode> e : lease.locks().entrySet()) {
            Witness w = witnesses.get(e.getKey());
            synchronized (w) {
                if (e.getValue() == LockMode.EXCLUSIVE) {
                    w.exclusive--;
                } else {
                    w.shared--;
                }
            }
        }
    }

    /** @return the tokens of every lease granted so far */
    public Set<Long> grantedTokens() {
        return Set.copyOf(namesByToken.keySet());
    }

    /** @return the managers of the last run */
    public List<LockManager> managers() {
        return List.copyOf(managers);
    }
}
