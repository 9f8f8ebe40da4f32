package dev.interlock.examples.domain;

import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.LockSnapshot;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Applies the retention policy: judges every backup ({@link Retention}) and deletes the discarded ones, storage
 * first, then the row, so a row never points at storage that is gone. A backup being written or read holds its
 * {@code backup:<id>} lock; the cleaner takes that lock without waiting before deleting, and leaves a backup in use
 * for its next run. One cleaner runs at a time ({@code task-type:cleanup}).
 *
 * <p>Before judging, a real run marks {@code creating} backups whose writer is gone as {@code error}
 * ({@link Backups#failOrphans}): the backstop for a supervisor that died with its task.
 */
public final class Cleaner {

    /**
     * What happened to one backup.
     *
     * @param decision the verdict
     * @param action   {@code kept}, {@code deleted}, {@code would delete} (dry run), or why it was not deleted
     */
    public record Outcome(Retention.Decision decision, String action) {
    }

    private final Platform platform;
    private final LockManager locks;

    /**
     * @param platform the platform
     * @param locks    a lock manager of this process
     */
    public Cleaner(Platform platform, LockManager locks) {
        this.platform = Objects.requireNonNull(platform, "platform");
        this.locks = Objects.requireNonNull(locks, "locks");
    }

    /**
     * @param dryRun judge only; change nothing
     * @return one outcome per backup, in the order of {@link Retention#decide}
     * @throws IllegalStateException if another cleaner is running (not in a dry run)
     */
    public List<Outcome> run(boolean dryRun) {
        if (dryRun) {
            return apply(true);
        }
        Optional<Lease> lease = locks.tryAcquire(LockRequest.exclusive(LockNames.CLEANUP));
        if (lease.isEmpty()) {
            throw new IllegalStateException("another cleaner is running: " + holders(LockNames.CLEANUP));
        }
        try (Lease held = lease.get()) {
            platform.backups().failOrphans(locks);
            held.checkHeld();
            return apply(false);
        }
    }

    private List<Outcome> apply(boolean dryRun) {
        List<Backup> backups = platform.backups().list();
        Set<String> installed = platform.apps().list().stream().map(App::id).collect(Collectors.toCollection(HashSet::new));
        Map<String, String> archives = new HashMap<>();
        platform.archives().list().forEach(a -> archives.put(a.backupId(), a.id()));
        List<Retention.Decision> decisions = Retention.decide(backups, installed, archives,
                platform.settings().retentionPolicy(), platform.now());
        BackupStorage storage = dryRun ? null : platform.storage();
        List<Outcome> outcomes = new ArrayList<>();
        for (Retention.Decision d : decisions) {
            if (d.keep()) {
                outcomes.add(new Outcome(d, "kept"));
            } else if (dryRun) {
                outcomes.add(new Outcome(d, "would delete"));
            } else {
                outcomes.add(new Outcome(d, delete(d.backup(), storage)));
            }
        }
        return outcomes;
    }

    private String delete(Backup backup, BackupStorage storage) {
        String name = LockNames.backup(backup.id());
        Optional<Lease> lease = locks.tryAcquire(LockRequest.exclusive(name));
        if (lease.isEmpty()) {
            return "in use, left for the next run: " + holders(name);
        }
        try (Lease held = lease.get()) {
            held.checkHeld(); // still ours: no writer or reader can have come in meanwhile
            storage.delete(backup.remotePath());
            platform.backups().delete(backup.id());
            return "deleted";
        } catch (IOException e) {
            return "storage could not be deleted, row kept: " + e.getMessage();
        }
    }

    private String holders(String lock) {
        LockSnapshot snapshot = locks.snapshot();
        List<LockSnapshot.Grant> grants = snapshot.grantsOf(lock);
        return grants.isEmpty() ? "(released meanwhile)"
                : grants.stream().map(LockSnapshot.Grant::describe).collect(Collectors.joining("; "));
    }
}
