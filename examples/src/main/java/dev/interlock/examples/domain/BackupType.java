package dev.interlock.examples.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What a backup holds: the platform itself ({@code box}) or one app ({@code app}). */
public enum BackupType {
    /** A box backup: the platform's own data, made by a full backup; its app backups point at it. */
    BOX,
    /** An app backup: one app's data directory and configuration. */
    APP;

    /** @return the name stored in the database: {@code box} or {@code app} */
    @JsonValue
    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code box} or {@code app}
     * @return the type
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator
    public static BackupType parse(String text) {
        for (BackupType t : values()) {
            if (t.sql().equals(text)) {
                return t;
            }
        }
        throw new IllegalArgumentException("a backup type is box or app, was '" + text + "'");
    }
}
