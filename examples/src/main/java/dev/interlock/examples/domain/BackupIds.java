package dev.interlock.examples.domain;

import java.security.SecureRandom;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Ids of backups and archives. They are opaque tokens made only of {@code a-z 0-9 -}, so they can stand in a URL
 * path as they are ({@code /api/v1/backups/app-20261127-100312-k3f9q2m1}) and never contain a {@code /}. Where
 * a backup lies on the mount is a separate field ({@code remote_path}), not its id.
 */
public final class BackupIds {
    /** Crockford's base32, lower case: no i, l, o, u, so ids are easy to read out. */
    private static final char[] ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz".toCharArray();
    private static final DateTimeFormatter STAMP = DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);
    private static final Pattern VALID = Pattern.compile("[a-z][a-z0-9-]{1,63}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private BackupIds() {
    }

    /**
     * @param kind a lower-case prefix: {@code app}, {@code box} or {@code archive}
     * @param now  the time to put in the id (for readers; the random part makes it unique)
     * @return a new id, e.g. {@code app-20261127-100312-k3f9q2m1}
     */
    public static String newId(String kind, Instant now) {
        Objects.requireNonNull(kind, "kind");
        if (!kind.matches("[a-z]{1,16}")) {
            throw new IllegalArgumentException("an id prefix is 1 to 16 of a-z, was '" + kind + "'");
        }
        StringBuilder id = new StringBuilder(kind).append('-').append(STAMP.format(now)).append('-');
        for (int i = 0; i < 8; i++) {
            id.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        return id.toString();
    }

    /**
     * @param id a candidate id
     * @return whether it is a well-formed id (2 to 64 of {@code a-z 0-9 -}, starting with a letter)
     */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /**
     * @param what what the id names, for the message ("backup id", "archive id")
     * @param id   a candidate id
     * @return the id
     * @throws IllegalArgumentException if it is not well-formed
     */
    public static String check(String what, String id) {
        if (!isValid(id)) {
            throw new IllegalArgumentException("a " + what + " is 2 to 64 of a-z, 0-9 and '-', starting with a letter;"
                    + " got " + (id == null ? "nothing" : "'" + id + "'"));
        }
        return id;
    }
}
