package dev.interlock.examples.domain;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/**
 * How a backup is laid out on the mount. Stored with each backup, because a restore may read a backup made with
 * another format than the one configured now.
 */
public enum BackupFormat {
    /** One {@code .tar.gz} file (gzip of a tar), encrypted as a whole when a password is set. */
    TGZ,
    /** A copied directory tree, each file encrypted on its own when a password is set. */
    RSYNC;

    /** @return the name stored in the database: {@code tgz} or {@code rsync} */
    @JsonValue
    public String sql() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param text {@code tgz} or {@code rsync}
     * @return the format
     * @throws IllegalArgumentException for anything else
     */
    @JsonCreator
    public static BackupFormat parse(String text) {
        for (BackupFormat f : values()) {
            if (f.sql().equals(text)) {
                return f;
            }
        }
        throw new IllegalArgumentException("a backup format is tgz or rsync, was '" + text + "'");
    }
}
