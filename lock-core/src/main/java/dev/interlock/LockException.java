package dev.interlock;

/**
 * The base of every unchecked exception Interlock throws for lock and store conditions.
 *
 * <p>Programmer errors (bad arguments, bad configuration, misuse) are reported with the JDK's
 * {@link IllegalArgumentException}, {@link NullPointerException} and {@link IllegalStateException} instead.
 */
public class LockException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /**
     * @param message what went wrong, with the identifiers and numbers involved
     */
    public LockException(String message) {
        super(message);
    }

    /**
     * @param message what went wrong, with the identifiers and numbers involved
     * @param cause   the underlying error
     */
    public LockException(String message, Throwable cause) {
        super(message, cause);
    }
}
