package dev.interlock;

/**
 * Thrown when a lease is found to be no longer held: its entries were removed from the space by someone
 * else (an operator's forced release, a supervisor's {@code releaseTask}, or a reaper that judged this
 * holder dead or its lease expired). Anything the lease protected may have been changed by another holder
 * since; the fencing token of the new holder is greater than this lease's.
 */
public class LockLostException extends LockException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The fencing token of the lost lease. */
    private final long token;

    /**
     * @param message the full message
     * @param token   the fencing token of the lost lease
     */
    public LockLostException(String message, long token) {
        super(message);
        this.token = token;
    }

    /** @return the fencing token of the lost lease */
    public long token() {
        return token;
    }
}
