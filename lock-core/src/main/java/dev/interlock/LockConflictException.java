package dev.interlock;

/**
 * Thrown when a decision could not be reached because the space kept changing under the caller: every one
 * of {@code attempts} compare-and-sets in a row found that another writer had got there first.
 *
 * <p>This is contention on the lock space itself, not a lock held by someone else (that is an empty
 * {@link java.util.Optional} from {@link LockManager#tryAcquire} or a {@link LockTimeoutException} from
 * {@link LockManager#acquire}). Nothing was granted; retrying later is safe.
 */
public class LockConflictException extends LockException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Compare-and-sets lost in a row. */
    private final int attempts;

    /**
     * @param message  the full message
     * @param attempts how many compare-and-sets conflicted in a row
     */
    public LockConflictException(String message, int attempts) {
        super(message);
        this.attempts = attempts;
    }

    /** @return how many compare-and-sets conflicted in a row before the caller gave up */
    public int attempts() {
        return attempts;
    }
}
