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
 * Applies the retention policy: judges every backup ({@link Retention}) and deletes the discarded ones. A backup
 * being written or read holds its {@code backup:<id>} lock; the cleaner takes that lock without waiting before
 * deleting, and leaves a backup in use for its next run. Holding it, the cleaner reads the backup's row and archive
 * again, since the verdict was made on rows read earlier: a backup archived meanwhile, changed to another state or
 * gone is left alone. Otherwise it marks the row {@code error} first, so the backup can no longer be restored, cloned
 * or archived, then deletes the storage, then the row. A deletion that stops part-way therefore leaves an
 * {@code error} row, never a {@code normal} one pointing at incomplete files, and the next run deletes it again.
 * One cleaner runs at a time ({@code task-type:cleanup}).
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
     * @param failed   whether the backup was to be deleted and its deletion failed (not a backup in use, archived or
     *                 changed meanwhile: those are left alone on purpose)
     */
    public record Outcome(Retention.Decision decision, String action, boolean failed) {
        /**
         * An outcome that is not a failure.
         *
         * @param decision the verdict
         * @param action   {@code kept}, {@code deleted}, {@code would delete} (dry run), or why it was left alone
         */
        public Outcome(Retention.Decision decision, String action) {
            this(decision, action, false);
        }
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
                outcomes.add(delete(d, storage));
            }
        }
        return outcomes;
    }

    private Outcome delete(Retention.Decision d, BackupStorage storage) {
        Backup backup = d.backup();
        String name = LockNames.backup(backup.id());
        Optional<Lease> lease = locks.tryAcquire(LockRequest.exclusive(name));
        if (lease.isEmpty()) {
            return new Outcome(d, "in use, left for the next run: " + holders(name));
        }
        try (Lease held = lease.get()) {
            held.checkHeld(); // still ours: no writer or reader can have come in meanwhile
            // The verdict was made on rows read before this lock was held: an archive, say, may have come since.
            Optional<Backup> now = platform.backups().find(backup.id());
            if (now.isEmpty()) {
                return new Outcome(d, "gone meanwhile");
            }
            Optional<Archive> archive = platform.archives().findByBackup(backup.id());
            if (archive.isPresent()) {
                return new Outcome(d, "archived as " + archive.get().id() + ", kept");
            }
            if (now.get().state() != backup.state()) {
                return new Outcome(d, "became " + now.get().state().sql() + " meanwhile, left for the next run");
            }
            // Not restorable any more before a single file goes: a deletion that stops part-way leaves an error row.
            if (backup.state() != BackupState.ERROR
                    && !platform.backups().setState(backup.id(), backup.state(), BackupState.ERROR)) {
                return new Outcome(d, "changed meanwhile, left for the next run");
            }
            // Still ours once the row is marked: whoever comes after a lost lease sees an error row and refuses it.
            held.checkHeld();
            try {
                storage.delete(backup.remotePath());
            } catch (IOException | RuntimeException e) {
                return new Outcome(d, "storage could not be deleted, row kept as error for the next run: "
                        + e.getMessage(), true);
            }
            platform.backups().delete(backup.id());
            return new Outcome(d, "deleted");
        }
    }

    private String holders(String lock) {
        LockSnapshot snapshot = locks.snapshot();
        List<LockSnapshot.Grant> grants = snapshot.grantsOf(lock);
        return grants.isEmpty() ? "(released meanwhile)"
                : grants.stream().map(LockSnapshot.Grant::describe).collect(Collectors.joining("; "));
    }
}
