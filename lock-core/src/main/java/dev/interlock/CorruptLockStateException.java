package dev.interlock;

/**
 * Thrown when the stored document of a space cannot be understood: it does not parse, breaks a limit
 * (size, depth, duplicate keys), breaks an invariant, or has a {@code format} newer than this library
 * understands.
 *
 * <p>Interlock never overwrites such a document on its own: every operation on the space fails with this
 * exception until an operator repairs or resets the row. Nothing was written.
 */
public class CorruptLockStateException extends LockException {
    /** Serialization version. */
    private static final long serialVersionUID = 1L;

    /** The space whose document is corrupt. */
    private final String space;
    /** The version of the corrupt document. */
    private final long version;

    /**
     * @param space   the space whose document is corrupt
     * @param version the version of the corrupt document
     * @param message what is wrong with it (never the whole document)
     * @param cause   the parse error, if any
     */
    public CorruptLockStateException(String space, long version, String message, Throwable cause) {
        super("lock space '" + space + "' at version " + version + " is unreadable: " + message, cause);
        this.space = space;
        this.version = version;
    }

    /** @return the space whose document is corrupt */
    public String space() {
        return space;
    }

    /** @return the version of the corrupt document */
    public long version() {
        return version;
    }
}
