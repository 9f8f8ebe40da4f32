package dev.interlock.bench.impl;

import java.util.Objects;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * Where an implementation runs: a data source (a pool; the same kind and size for every implementation) and a
 * prefix that makes this run's lock names and spaces its own, so that runs never see each other's leftovers.
 *
 * @param dataSource where connections come from
 * @param prefix     letters, digits and dashes, at most 24 characters (lock names stay under 64)
 */
public record BenchEnv(DataSource dataSource, String prefix) {

    private static final Pattern PREFIX = Pattern.compile("[A-Za-z0-9-]{1,24}");

    /** Validates. */
    public BenchEnv {
        Objects.requireNonNull(dataSource, "dataSource");
        Objects.requireNonNull(prefix, "prefix");
        if (!PREFIX.matcher(prefix).matches()) {
            throw new IllegalArgumentException("prefix must be 1-24 letters, digits or dashes, was '" + prefix + "'");
        }
    }

    /** @return the lock space (Interlock) or document id (naive blob) of this run */
    public String space() {
        return "bench-" + prefix;
    }

    /**
     * @param suffix what tells the lock apart within the run, e.g. {@code t3}
     * @return a lock name of this run
     */
    public String lockName(String suffix) {
        return prefix + "-" + suffix;
    }

    /** @return a new random prefix, e.g. {@code k3x9q1mz} */
    public static String randomPrefix() {
        return Long.toString(Math.abs(java.util.concurrent.ThreadLocalRandom.current().nextLong() % 2_000_000_000_000L)
                + 100_000_000_000L, 36);
    }
}
