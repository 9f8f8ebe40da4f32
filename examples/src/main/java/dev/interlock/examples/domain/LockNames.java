package dev.interlock.examples.domain;

import java.util.Objects;

/**
 * The lock names of the platform, and why each exists. All live in one lock space (default {@code platform}).
 * <ul>
 *   <li>{@code app:<id>}, exclusive: one operation per app at a time (backup, restore, clone into it, and app X's
 *       step inside a full backup).</li>
 *   <li>{@code task-type:full-backup}, exclusive: one full backup at a time (also the one an update makes first).</li>
 *   <li>{@code task-type:update}, exclusive: one platform update at a time, held only around the update step.</li>
 *   <li>{@code task-type:cleanup}, exclusive: one cleaner at a time.</li>
 *   <li>{@code backup:<id>}: exclusive while the backup is written or deleted, shared while it is read (restore,
 *       clone, archive), so the cleaner never deletes a backup under a reader or a writer.</li>
 * </ul>
 */
public final class LockNames {
    /** The lock of the full-backup task type. */
    public static final String FULL_BACKUP = "task-type:full-backup";
    /** The lock of the update step. */
    public static final String UPDATE = "task-type:update";
    /** The lock of the cleaner. */
    public static final String CLEANUP = "task-type:cleanup";

    private LockNames() {
    }

    /**
     * @param appId an app id
     * @return {@code app:<appId>}
     */
    public static String app(String appId) {
        return "app:" + App.checkId(appId);
    }

    /**
     * @param backupId a backup id
     * @return {@code backup:<backupId>}
     */
    public static String backup(String backupId) {
        return "backup:" + BackupIds.check("backup id", backupId);
    }

    /**
     * @param lockName a lock name
     * @return the rule the lock enforces, in words, e.g. {@code one operation per app at a time}
     */
    public static String why(String lockName) {
        Objects.requireNonNull(lockName, "lockName");
        if (lockName.startsWith("app:")) {
            return "one operation per app at a time";
        }
        if (lockName.startsWith("backup:")) {
            return "a backup is not deleted while it is written or read";
        }
        switch (lockName) {
            case FULL_BACKUP:
                return "one full backup at a time";
            case UPDATE:
                return "one platform update at a time";
            case CLEANUP:
                return "one cleaner at a time";
            default:
                return "a lock of another program";
        }
    }
}
