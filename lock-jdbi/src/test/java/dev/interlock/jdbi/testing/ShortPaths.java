package dev.interlock.jdbi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Directories for a server's unix socket and scratch files at a path short enough for any checkout.
 *
 * <p>A unix socket path holds at most 107 bytes (108 with the terminating NUL), and MySQL and MariaDB refuse to
 * start when theirs is longer. A build in a deep workspace, or a JVM whose {@code java.io.tmpdir} points into one,
 * would otherwise put the socket past that limit. So the run directory goes under {@code java.io.tmpdir} only if
 * that is short, else under {@code /tmp}.
 */
public final class ShortPaths {

    /** The longest run directory accepted: leaves room for a socket file name of up to 20 bytes. */
    static final int MAX_RUN_DIR = 86;

    private ShortPaths() {
    }

    /**
     * Creates a new, empty run directory at a short path.
     *
     * @param prefix a short prefix for its name, e.g. {@code "ilk-my"}
     * @return the directory
     * @throws IllegalStateException if no short enough writable directory exists
     */
    public static Path newRunDir(String prefix) {
        Path base = base(prefix.length() + 25);
        try {
            return Files.createTempDirectory(base, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a run directory in " + base, e);
        }
    }

    /**
     * @param room how many bytes the caller appends below the base
     * @return {@code java.io.tmpdir} if a path of {@code room} more bytes under it stays within {@link #MAX_RUN_DIR},
     *     else {@code /tmp}
     */
    static Path base(int room) {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir")).toAbsolutePath();
        if (bytes(tmp) + room <= MAX_RUN_DIR && Files.isDirectory(tmp) && Files.isWritable(tmp)) {
            return tmp;
        }
        Path slashTmp = Path.of("/tmp");
        if (Files.isDirectory(slashTmp) && Files.isWritable(slashTmp)) {
            return slashTmp;
        }
        throw new IllegalStateException("java.io.tmpdir (" + tmp + ") is too long for a unix socket path (at most "
                + "107 bytes) and /tmp is not writable: start the JVM with -Djava.io.tmpdir=<a short directory>");
    }

    private static int bytes(Path path) {
        return path.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
    }
}
