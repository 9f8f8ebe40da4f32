package dev.interlock;

/**
 * Thrown when the store could not be reached or refused an operation.
 *
 * <p>{@link #outcomeKnown()} tells whether the caller can be sure of the state: {@code true} means nothing
 * was changed by the failed call; {@code false} means a write may or may not have been applied (the engine
 * reconciles such writes itself whenever it can reach the store again, so an application seldom sees it).
 */
public class LockStoreException extends LockException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Whether nothing was changed. */
    private final boolean outcomeKnown;

    /**
     * @param message      what failed, with error codes, never credentials or whole documents
     * @param cause        the underlying error
     * @param outcomeKnown whether the caller can be sure nothing was changed
     */
    public LockStoreException(String message, Throwable cause, boolean outcomeKnown) {
        super(message, cause);
        this.outcomeKnown = outcomeKnown;
    }

    /** @return {@code true} if nothing was changed by the failed operation */
    public boolean outcomeKnown() {
        return outcomeKnown;
    }
}
