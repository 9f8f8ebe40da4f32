package dev.interlock.spi;

import java.time.Instant;
import java.util.Objects;

/**
 * One read of a lock space: its version, its document and the store's clock at the time of the read.
 *
 * <p>The store's clock ({@code now}) is the clock of leases and of the "since" times of grants: all
 * processes, on all hosts, judge expiry by the same clock, the database's.
 *
 * @param version the version of the document; 0 for a newly created space
 * @param data    the document, as stored
 * @param now     the store's current time when the document was read
 */
public record Stored(long version, String data, Instant now) {

    /**
     * Validates the fields.
     *
     * @param version the version of the document; 0 for a newly created space
     * @param data the document, as stored
     * @param now the store's current time when the document was read
     */
    public Stored {
        if (version < 0) {
            throw new IllegalArgumentException("version must be >= 0, was " + version);
        }
        Objects.requireNonNull(now, "now");
        // data may be null: a NULL column is reported by the engine as corrupt state, not hidden here.
    }
}
