package dev.interlock.jdbi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the embedded servers share: tries at a start, and removing a run directory. */
final class Launch {

    private static final Logger LOG = LoggerFactory.getLogger(Launch.class);

    private Launch() {
    }

    /**
     * Starts a server, up to three times: e.g. the free port found may be taken by someone else before the server
     * binds it.
     *
     * @param what  for the log, e.g. {@code embedded MySQL}
     * @param start one try; an {@link IllegalStateException} asks for another
     * @param <T>   the server
     * @return the started server
     * @throws IllegalStateException the last try's failure, with the earlier ones suppressed in it
     */
    static <T> T threeTries(String what, Supplier<T> start) {
        IllegalStateException failure = null;
        for (int attempt = 1; attempt <= 3; attempt++) {
            try {
                return start.get();
            } catch (IllegalStateException e) {
                LOG.warn("{} did not start (attempt {} of 3): {}", what, attempt, e.getMessage());
                if (failure != null) {
                    e.addSuppressed(failure);
                }
                failure = e;
            }
        }
        throw failure;
    }

    /** Deletes a directory tree, best effort (a server may still be removing its socket file). */
    static void deleteQuietly(Path dir) {
        for (int attempt = 0; attempt < 3 && Files.exists(dir); attempt++) {
            try (Stream<Path> all = Files.walk(dir)) {
                all.sorted(Comparator.reverseOrder()).forEach(p -> {
                    try {
                        Files.deleteIfExists(p);
                    } catch (IOException e) {
                        // left for the next attempt
                    }
                });
            } catch (IOException | UncheckedIOException e) {
                // best effort at exit; try again
            }
        }
    }
}
