package dev.interlock.spi;

/** The outcome of {@link LockStore#compareAndSet}. */
public enum CasResult {
    /** The document was replaced and its version incremented by this call. */
    APPLIED,
    /** Nothing was changed: the version had moved on, or the store rolled back a retryable conflict. */
    CONFLICT,
    /**
     * The outcome is not known: the request was sent but its reply was lost. The engine re-reads the
     * space and reconciles; it never assumes either way.
     */
    UNKNOWN
}
