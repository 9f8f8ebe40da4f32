package dev.interlock.examples.domain;

import java.util.Objects;

/**
 * A password, kept out of every {@code toString}, log line and error message: it prints as {@code ****}.
 * Only {@link #reveal()} gives the text, and only the code that must use it (the JDBC pool, the key derivation)
 * calls it. Immutable and thread-safe.
 */
public final class Secret {
    private static final Secret NONE = new Secret(null);

    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    /**
     * @param value the secret text; {@code null} or empty means none
     * @return the secret
     */
    public static Secret of(String value) {
        return value == null || value.isEmpty() ? NONE : new Secret(value);
    }

    /** @return no secret */
    public static Secret none() {
        return NONE;
    }

    /** @return whether there is a secret */
    public boolean isPresent() {
        return value != null;
    }

    /**
     * @return the secret text
     * @throws IllegalStateException if there is none
     */
    public String reveal() {
        if (value == null) {
            throw new IllegalStateException("no secret was given");
        }
        return value;
    }

    /** @return the secret text, or {@code null} if there is none */
    public String revealOrNull() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret && Objects.equals(value, ((Secret) o).value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    /** @return {@code ****} when set, {@code (none)} otherwise: never the secret */
    @Override
    public String toString() {
        return value == null ? "(none)" : "****";
    }
}
