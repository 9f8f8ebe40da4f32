package dev.interlock.examples.domain;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * An installed app: its configuration and where its data live. A row of {@code apps}.
 *
 * @param id           the app id: 1 to 64 of {@code a-z 0-9 -}, starting with a letter or digit
 * @param config       manifest, notes, operators and checklist
 * @param dataDir      the app's data directory, what its backups hold
 * @param fence        the fencing token under which the row was last written (see {@link Apps})
 * @param creationTime when it was installed (database clock)
 * @param updateTime   when its row last changed (database clock)
 */
public record App(String id, AppConfig config, Path dataDir, long fence, Instant creationTime, Instant updateTime) {

    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9-]{0,63}");

    /**
     * Validates.
     *
     * @param id           the app id: 1 to 64 of {@code a-z 0-9 -}, starting with a letter or digit
     * @param config       manifest, notes, operators and checklist
     * @param dataDir      the app's data directory, what its backups hold
     * @param fence        the fencing token under which the row was last written (see {@link Apps})
     * @param creationTime when it was installed (database clock)
     * @param updateTime   when its row last changed (database clock)
     */
    public App {
        checkId(id);
        Objects.requireNonNull(config, "config");
        Objects.requireNonNull(dataDir, "dataDir");
    }

    /**
     * @param id an app id
     * @return the id
     * @throws IllegalArgumentException if it is not 1 to 64 of {@code a-z 0-9 -} starting with a letter or digit
     */
    public static String checkId(String id) {
        Objects.requireNonNull(id, "app id");
        if (!ID.matcher(id).matches()) {
            throw new IllegalArgumentException("an app id is 1 to 64 of a-z, 0-9 and '-', starting with a letter or"
                    + " digit; got '" + id + "'");
        }
        return id;
    }
}
