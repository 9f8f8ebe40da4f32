package dev.interlock.examples;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import dev.interlock.jdbi.JdbiLockStore;
import java.time.Duration;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * The usage snippet of the README (section "Use"), as compiled code; {@code ReadmeExampleIT} runs it on a real
 * database. Keep the two in step: change the README, change this.
 */
public final class ReadmeExample {
    private ReadmeExample() {
    }

    /**
     * Runs the snippet.
     *
     * @param pool a data source on MySQL 8.0+ or MariaDB 10.6+ (the README's {@code pool})
     * @return what the snippet saw
     * @throws InterruptedException if interrupted while waiting for the lock
     */
    public static Result run(DataSource pool) throws InterruptedException {
        long seen;
        // --- README "Use", from here ---
        JdbiLockStore store = JdbiLockStore.create(pool);   // lock-jdbi; refuses a read-only server
        store.createSchema();                               // or ship lock-jdbi's schema-mysql.sql in a migration
        LockManager locks = LockManager.builder(store)
                .space("platform")
                .holder(Holder.currentProcess("backup-17"))
                .build();

        try (Lease lease = locks.acquire(LockRequest.exclusive("app:3f2a").andShared("platform"), Duration.ofMinutes(5))) {
            long token = lease.token();   // pass to the writes the lock protects
            // ... back up app 3f2a ...
            seen = token;
        }                                 // released here; close() is idempotent and never throws

        Optional<Lease> maybe = locks.tryAcquire(LockRequest.exclusive("task-type:full-backup"));  // no waiting
        LockSnapshot who = locks.snapshot();       // who holds what, since when, with which pid/host/task and token
        int freed = locks.releaseTask("backup-17");            // what a supervisor calls after a task process exited
        // --- to here ---
        boolean emptyAfterwards = locks.snapshot().isEmpty();
        locks.close();
        return new Result(seen, maybe.isPresent(), who.lockNames(), freed, emptyAfterwards);
    }

    /**
     * What the snippet saw.
     *
     * @param token           the fencing token of the first lease
     * @param gotFullBackup   whether {@code tryAcquire} got the full-backup lock
     * @param heldInSnapshot  the lock names the snapshot showed
     * @param freedByTask     how many grants {@code releaseTask} removed
     * @param emptyAfterwards whether nothing was held at the end
     */
    public record Result(long token, boolean gotFullBackup, java.util.SortedSet<String> heldInSnapshot,
                         int freedByTask, boolean emptyAfterwards) {
    }
}
