package dev.interlock.jdbi.torture;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.CorruptLockStateException;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockException;
import dev.interlock.LockListener;
import dev.interlock.LockLostException;
import dev.interlock.LockManager;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.LockStoreException;
import dev.interlock.LockTimeoutException;
import dev.interlock.jdbi.JdbiLockStore;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One worker process of {@link TortureIT}: a few threads share one {@link LockManager} (one holder, as a real
 * process would) and take random sets of exclusive and shared locks on overlapping names; inside each grant
 * they enter and leave the {@link Witness} rows of the names. The worker survives store errors (it retries),
 * and tells its parent, one line on stdout each, what it saw:
 * <ul>
 *   <li>{@code START pid holderId} once ready;</li>
 *   <li>{@code G token} per lease granted;</li>
 *   <li>{@code U version document} per compare-and-set whose outcome was unknown (from the store, before the
 *       engine reconciles it), with the document it tried to write;</li>
 *   <li>{@code L holderId token names reason} per lease found lost (the manager's listener);</li>
 *   <li>{@code R holderId reason} per holder this manager reaped;</li>
 *   <li>{@code S holderId token name detail} per grant fenced off by the witness while its lease was lost (a stale
 *       holder);</li>
 *   <li>{@code V detail} per violation;</li>
 *   <li>{@code HOLDING token} when, after a {@code hold} on stdin, a grant has entered all its names: it stays
 *       inside for half a second, for the parent to stop or kill the process then;</li>
 *   <li>{@code DONE key=value...} after {@code stop} on stdin, once every lease is released and its manager closed;
 *       it then waits for {@code exit} (so that its grants, if any were left, are not judged dead yet).</li>
 * </ul>
 * Arguments: space, lock JDBC URL (through the parent's fault proxy), witness JDBC URL, threads, lease ms
 * (0: no lease), names, seed, fair ({@code true}: blocked requests queue in the space), sabotage ({@code true}: a
 * broken store, to see the checker fail). Credentials come from the environment, as {@link TestDatabase#passTo}
 * sets them.
 */
public final class TortureWorker {

    private static final Duration WAIT = Duration.ofSeconds(5);

    private final LockManager locks;
    private final Witness witness;
    private final List<String> names;
    private volatile boolean stopping;
    /** Set by the parent's {@code hold}: the next grant that has entered all its names stays inside a while. */
    private volatile boolean holdRequested;
    private final AtomicLong grants = new AtomicLong();
    private final AtomicLong timeouts = new AtomicLong();
    private final AtomicLong storeErrors = new AtomicLong();
    private final AtomicLong stale = new AtomicLong();
    private final AtomicLong violations = new AtomicLong();

    private TortureWorker(LockManager locks, Witness witness, List<String> names) {
        this.locks = locks;
        this.witness = witness;
        this.names = names;
    }

    /**
     * @param args see the class description
     * @throws Exception if the worker cannot start at all
     */
    public static void main(String[] args) throws Exception {
        String space = args[0];
        String lockUrl = args[1];
        String witnessUrl = args[2];
        int threads = Integer.parseInt(args[3]);
        long leaseMs = Long.parseLong(args[4]);
        List<String> names = List.of(args[5].split(","));
        long seed = Long.parseLong(args[6]);
        boolean fair = Boolean.parseBoolean(args[7]);
        boolean sabotage = Boolean.parseBoolean(args[8]);
        // credentials as TestDatabase#passTo hands them down; not TestDatabase.get(), which would fail at once if
        // this process starts while the parent restarts the database
        String user = System.getenv(TestDatabase.USER_ENV);
        String password = System.getenv(TestDatabase.PASSWORD_ENV);

        HikariDataSource lockPool = pool("locks", lockUrl, user, password, threads + 2);
        HikariDataSource witnessPool = pool("witness", witnessUrl, user, password, threads);
        JdbiLockStore jdbiStore = build(lockPool);
        LockManager.Builder builder = LockManager.builder(new ReportingStore(jdbiStore, sabotage)).space(space)
                .holder(Holder.currentProcess("torture"))
                .backoff(Duration.ofMillis(2), Duration.ofMillis(100))
                .listener(new LockListener() {
                    @Override
                    public void leaseLost(Lease lease, String reason) {
                        say("L " + lease.holderId() + " " + lease.token() + " "
                                + String.join(",", lease.locks().keySet()) + " " + reason);
                    }

                    @Override
                    public void holderReaped(String holderId, Holder holder, Collection<String> freed, String why) {
                        say("R " + holderId + " " + why);
                    }
                })
                // events on the thread that caused them, right after the write: none is lost to a kill in between
                .listenerExecutor(Runnable::run)
                .fair(fair);
        if (leaseMs > 0) {
            builder.lease(Duration.ofMillis(leaseMs)).renewEvery(Duration.ofMillis(Math.max(100, leaseMs / 6)));
        }
        LockManager locks = builder.build();
        TortureWorker worker = new TortureWorker(locks, new Witness(witnessPool, 120_000), names);
        say("START " + ProcessHandle.current().pid() + " " + locks.holderId());

        List<Thread> running = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            SplittableRandom random = new SplittableRandom(seed * 31 + t);
            Thread thread = new Thread(() -> worker.run(random), "torture-" + t);
            thread.start();
            running.add(thread);
        }
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String line;
        while ((line = in.readLine()) != null && !line.equals("stop")) {
            if (line.equals("hold")) {
                worker.holdRequested = true;
            }
        }
        worker.stopping = true;
        for (Thread t : running) {
            t.join();
        }
        worker.finish();
        while ((line = in.readLine()) != null && !line.equals("exit")) {
            // wait for the parent to look at the lock space
        }
        lockPool.close();
        witnessPool.close();
        System.exit(0);
    }

    private static HikariDataSource pool(String name, String url, String user, String password, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(url);
        config.setUsername(user);
        config.setPassword(password);
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(2000);
        config.setValidationTimeout(1000);
        config.setInitializationFailTimeout(-1); // the database may be restarting right now
        // Set, not learnt: HikariCP otherwise takes the isolation level from the first connection it makes, and a
        // MySQL 8.0 still starting up answered -1 once; every later connection then failed to set "-1" and the pool
        // never filled again (a torture worker started during a database restart could not start).
        config.setTransactionIsolation("TRANSACTION_REPEATABLE_READ");
        config.setPoolName(name);
        return new HikariDataSource(config);
    }

    private static JdbiLockStore build(HikariDataSource pool) throws InterruptedException {
        for (int attempt = 1; ; attempt++) {
            try {
                return JdbiLockStore.create(pool);
            } catch (LockStoreException e) {
                if (attempt >= 60) {
                    throw e;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }

    private void run(SplittableRandom random) {
        try {
            while (!stopping) {
                once(random);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | SQLException | Error e) {
            violation("worker thread died: " + e);
            e.printStackTrace();
        }
    }

    private LockRequest randomRequest(SplittableRandom random) {
        int count = 1 + random.nextInt(Math.min(4, names.size()));
        Map<String, LockMode> wanted = new TreeMap<>();
        while (wanted.size() < count) {
            wanted.put(names.get(random.nextInt(names.size())),
                    random.nextInt(10) < 6 ? LockMode.EXCLUSIVE : LockMode.SHARED);
        }
        return new LockRequest(wanted);
    }

    private void once(SplittableRandom random) throws InterruptedException, SQLException {
        LockRequest request = randomRequest(random);
        Lease lease;
        try {
            lease = locks.acquire(request, WAIT);
        } catch (LockTimeoutException e) {
            timeouts.incrementAndGet();
            return;
        } catch (CorruptLockStateException e) {
            violation("corrupt lock state: " + e.getMessage());
            TimeUnit.SECONDS.sleep(1);
            return;
        } catch (LockException e) { // the store is unreachable, or the space kept changing
            storeErrors.incrementAndGet();
            TimeUnit.MILLISECONDS.sleep(20 + random.nextInt(80));
            return;
        }
        grants.incrementAndGet();
        say("G " + lease.token());
        try {
            List<Witness.Grant> entered = new ArrayList<>();
            for (Map.Entry<String, LockMode> e : lease.locks().entrySet()) {
                if (!lease.isHeld()) {
                    break; // the lease ran out by this process's clock: leave what we entered, touch nothing more
                }
                Witness.Grant g = new Witness.Grant(e.getKey(), e.getValue() == LockMode.EXCLUSIVE, lease.token(),
                        locks.holderId());
                Witness.Result r = witness.enter(g);
                if (r.outcome() == Witness.Outcome.SUPERSEDED) {
                    superseded(lease, g.name(), r.detail());
                    break;
                }
                entered.add(g);
            }
            if (holdRequested && entered.size() == lease.locks().size()) {
                holdRequested = false;
                // the parent is about to stop or kill this process: be inside a grant when it does
                say("HOLDING " + lease.token());
                TimeUnit.MILLISECONDS.sleep(500);
            } else if (random.nextInt(4) == 0) {
                TimeUnit.MILLISECONDS.sleep(1 + random.nextInt(3));
            }
            for (Witness.Grant g : entered) {
                Witness.Result r = witness.leave(g);
                if (r.outcome() == Witness.Outcome.SUPERSEDED) {
                    superseded(lease, g.name(), r.detail());
                }
            }
        } finally {
            lease.close();
        }
    }

    /**
     * The witness refused this grant, or found it taken over: fine if the lease was lost (a stale holder, fenced
     * off as it should be), a violation if the locks still hold it.
     */
    private void superseded(Lease lease, String name, String detail) throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                lease.checkHeld();
                violation("lease " + lease.token() + " of " + lease.holderId() + " is still held, but: " + detail);
                return;
            } catch (LockLostException e) {
                stale.incrementAndGet();
                say("S " + lease.holderId() + " " + lease.token() + " " + name + " " + detail);
                return;
            } catch (LockStoreException e) {
                if (attempt >= 600) {
                    violation("could not find out whether lease " + lease.token() + " is held: " + e.getMessage());
                    return;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
    }

    private void violation(String detail) {
        violations.incrementAndGet();
        say("V " + detail);
    }

    /** After the threads stopped: sweep this holder's orphans (left by lost replies) and close the manager. */
    private void finish() throws InterruptedException {
        for (int attempt = 0; ; attempt++) {
            try {
                locks.reap();
                break;
            } catch (LockStoreException e) {
                if (attempt >= 100) {
                    say("ERR could not sweep: " + e.getMessage());
                    break;
                }
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        locks.close();
        say("DONE grants=" + grants + " timeouts=" + timeouts + " storeErrors=" + storeErrors + " stale=" + stale
                + " violations=" + violations);
    }

    static synchronized void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    /**
     * Reports every compare-and-set whose outcome is unknown, with what it tried to write. Sabotaged, it breaks the
     * store on purpose (a third of the compare-and-sets that lose are written anyway, over whatever is there: the last
     * writer wins), so that one can see the checker catch a broken lock.
     */
    private static final class ReportingStore implements LockStore {
        private final LockStore delegate;
        private final boolean sabotage;

        ReportingStore(LockStore delegate, boolean sabotage) {
            this.delegate = delegate;
            this.sabotage = sabotage;
        }

        @Override
        public Optional<Stored> read(String space) {
            return delegate.read(space);
        }

        @Override
        public CasResult compareAndSet(String space, long expectedVersion, String newData) {
            CasResult result = delegate.compareAndSet(space, expectedVersion, newData);
            if (sabotage && result == CasResult.CONFLICT && ThreadLocalRandom.current().nextInt(3) == 0) {
                Optional<Stored> now = delegate.read(space);
                if (now.isPresent()
                        && delegate.compareAndSet(space, now.get().version(), newData) == CasResult.APPLIED) {
                    return CasResult.APPLIED;
                }
            }
            if (result == CasResult.UNKNOWN) {
                say("U " + expectedVersion + " " + newData); // compact JSON: one line
            }
            return result;
        }

        @Override
        public void createSpaceIfAbsent(String space, String initialData) {
            delegate.createSpaceIfAbsent(space, initialData);
        }
    }

}
