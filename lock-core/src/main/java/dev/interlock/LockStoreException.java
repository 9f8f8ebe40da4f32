package dev.interlock;

/**
 * Thrown when the store could not be reached or refused an operation.
 *
 * <p>{@link #outcomeKnown()} tells whether the caller can be sure of the state: {@code true} means nothing
 * was changed by the failed call; {@code false} means a write may or may not have been applied (the engine
 * reconciles such writes itself whenever it can reach the store again, so an application seldom sees it).
 *
 * <p>{@link #isTransient()} tells whether the same call may well succeed if tried again: the store could not be
 * reached, a connection was lost, the server answered with an error that passes (a deadlock, a server shutting
 * down). {@code LockManager.acquire(request, maxWait)} retries such failures within its wait budget; failures that
 * need a person (a missing privilege, a read-only server, a space that went backwards) are thrown at once.
 */
public class LockStoreException extends LockException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** Whether nothing was changed. */
    private final boolean outcomeKnown;
    /** Whether trying again may succeed. */
    private final boolean transientFailure;

    /**
     * A failure that is not {@linkplain #isTransient() transient}.
     *
     * @param message      what failed, with error codes, never credentials or whole documents
     * @param cause        the underlying error
     * @param outcomeKnown whether the caller can be sure nothing was changed
     */
    public LockStoreException(String message, Throwable cause, boolean outcomeKnown) {
        this(message, cause, outcomeKnown, false);
    }

    /**
     * @param message          what failed, with error codes, never credentials or whole documents
     * @param cause            the underlying error
     * @param outcomeKnown     whether the caller can be sure nothing was changed
     * @param transientFailure whether the same call may succeed if tried again (see {@link #isTransient()})
     */
    public LockStoreException(String message, Throwable cause, boolean outcomeKnown, boolean transientFailure) {
        super(message, cause);
        this.outcomeKnown = outcomeKnown;
        this.transientFailure = transientFailure;
    }

    /**
     * @return {@code true} if the failure may pass and the same call be tried again (no connection, a connection
     *     lost, a deadlock); {@code false} if it needs a person (a privilege, a read-only server, lost writes)
     */
    public boolean isTransient() {
        return transientFailure;
    }

    /** @return {@code true} if nothing was changed by the failed operation */
    public boolean outcomeKnown() {
        return outcomeKnown;
    }
}
