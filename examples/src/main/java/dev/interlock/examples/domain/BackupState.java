package dev.interlock.examples.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where a backup is in its life. */
public enum BackupState {
    /** Being written; its writer holds the lock {@code backup:<id>}. */
    CREATING,
    /** Complete and usable. */
    NORMAL,
    /** Its writer failed or died, or the cleaner is deleting it: never restored; the cleaner deletes it. */
    ERROR;

    /** @return the name stored in the database */
    @JsonValue
    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code creating}, {@code normal} or {@code error}
     * @return the state
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator
    public static BackupState parse(String text) {
        for (BackupState s : values()) {
            if (s.sql().equals(text)) {
                return s;
            }
        }
        throw new IllegalArgumentException("a backup state is creating, normal or error, was '" + text + "'");
    }
}
