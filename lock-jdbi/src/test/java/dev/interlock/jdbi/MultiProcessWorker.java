package dev.interlock.jdbi;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockTimeoutException;
import dev.interlock.jdbi.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.SplittableRandom;
import javax.sql.DataSource;

/**
 * One worker process of {@link MultiProcessConcurrencyIT}: takes exclusive locks on a few names in a loop, and
 * inside each one checks and updates a witness row in the database, which every process shares:
 * <ul>
 *   <li>entering sets the witness's holder only if nobody is inside (else two processes hold the lock);</li>
 *   <li>the lease's fencing token must exceed the last token recorded for the name;</li>
 *   <li>leaving clears the holder only if it is still this process.</li>
 * </ul>
 * Prints {@code RESULT grants=N timeouts=N violations=N} and exits 0 only without violations.
 *
 * <p>Arguments: space, witness database, worker number, seconds to run. The database comes from the
 * environment ({@link TestDatabase#URL_ENV} and friends), as the parent test passes it on.
 */
public final class MultiProcessWorker {

    private MultiProcessWorker() {
    }

    /**
     * @param args space, witness database, worker number, seconds to run
     * @throws Exception if the worker cannot run at all
     */
    public static void main(String[] args) throws Exception {
        String space = args[0];
        String witnessDb = args[1];
        int worker = Integer.parseInt(args[2]);
        long seconds = Long.parseLong(args[3]);
        TestDatabase db = TestDatabase.get();
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(2);
        config.setPoolName("worker-" + worker);
        DataSource witness = db.dataSource(db.jdbcUrlFor(witnessDb, Map.of()));
        long grants = 0;
        long timeouts = 0;
        long violations = 0;
        try (HikariDataSource pool = new HikariDataSource(config)) {
            LockManager locks = LockManager.builder(JdbiLockStore.create(pool)).space(space)
                    .holder(Holder.currentProcess("mp-worker-" + worker))
                    .backoff(Duration.ofMillis(1), Duration.ofMillis(50)).build();
            String me = locks.holderId();
            SplittableRandom random = new SplittableRandom(worker * 7919L + System.nanoTime());
            long deadline = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
            try (Connection w = witness.getConnection()) {
                while (System.nanoTime() < deadline) {
                    String name = "n" + random.nextInt(3);
                    Lease lease;
                    try {
                        lease = locks.acquire(LockRequest.exclusive(name), Duration.ofSeconds(20));
                    } catch (LockTimeoutException e) {
                        timeouts++;
                        continue;
                    }
                    try (lease) {
                        grants++;
                        if (update(w, "UPDATE witness SET holder = ?, entries = entries + 1 WHERE name = ?"
                                + " AND holder IS NULL", me, name) != 1) {
                            violations++;
                            System.out.println("VIOLATION " + name + ": entered while another process was inside");
                        }
                        if (update(w, "UPDATE witness SET last_token = ? WHERE name = ? AND last_token < ?",
                                lease.token(), name, lease.token()) != 1) {
                            violations++;
                            System.out.println("VIOLATION " + name + ": token " + lease.token()
                                    + " does not exceed the last one recorded");
                        }
                        update(w, "INSERT INTO witness_log (name, token, holder) VALUES (?, ?, ?)", name,
                                lease.token(), me);
                        if (random.nextInt(3) == 0) {
                            Thread.sleep(random.nextInt(3));
                        }
                        if (update(w, "UPDATE witness SET holder = NULL WHERE name = ? AND holder = ?", name, me) != 1) {
                            violations++;
                            System.out.println("VIOLATION " + name + ": someone else was inside when leaving");
                        }
                    }
                }
            }
        }
        System.out.println("RESULT grants=" + grants + " timeouts=" + timeouts + " violations=" + violations);
        System.out.flush();
        System.exit(violations == 0 ? 0 : 1);
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }
}
