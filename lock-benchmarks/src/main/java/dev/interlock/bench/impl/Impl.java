package dev.interlock.bench.impl;

import java.util.Locale;

/**
 * The implementations the benchmarks compare: Interlock and the baselines written in this module. The waits
 * of {@link BenchLock#acquire} differ by nature: Interlock retries with its own backoff and is woken at once by
 * a release in the same process; GET_LOCK waits inside the server; the others poll with {@link Backoff}
 * (Interlock's default backoff numbers, 5 ms to 500 ms with jitter).
 */
public enum Impl {
    /** Interlock on MySQL/MariaDB (lock-jdbi's {@code JdbiLockStore}, one {@code LockManager} per process). */
    INTERLOCK("Interlock", "one versioned JSON document per space, compare-and-set, durable"),
    /** MySQL's {@code GET_LOCK}/{@code RELEASE_LOCK}: session-bound, not durable. */
    GET_LOCK("GET_LOCK", "GET_LOCK/RELEASE_LOCK on a pooled connection kept while held; not durable, session-bound"),
    /** One row per held lock: {@code INSERT IGNORE} to take, {@code DELETE} to free. */
    ROW_PER_LOCK("row-per-lock", "INSERT IGNORE / DELETE, one row per held lock, durable"),
    /** ShedLock's JDBC provider ({@code JdbcTemplateLockProvider}, {@code usingDbTime()}). */
    SHEDLOCK("ShedLock", "shedlock-provider-jdbc-template, usingDbTime(), its defaults otherwise"),
    /** The plain blob: SELECT, decode (Jackson), modify, encode, UPDATE ... WHERE version = ?; no fast path. */
    NAIVE_BLOB("naive blob", "SELECT then UPDATE ... WHERE version = ? of one JSON document (Jackson), no optimisation");

    private final String label;
    private final String description;

    Impl(String label, String description) {
        this.label = label;
        this.description = description;
    }

    /** @return the name shown in tables and charts */
    public String label() {
        return label;
    }

    /** @return one line on how it works */
    public String description() {
        return description;
    }

    /** @return the lower-case id used on command lines and in JSON, e.g. {@code row-per-lock} */
    public String id() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /**
     * @param text an id ({@code naive-blob}), a constant name ({@code NAIVE_BLOB}) or a label
     * @return the implementation
     * @throws IllegalArgumentException if none matches
     */
    public static Impl parse(String text) {
        String t = text.trim();
        for (Impl impl : values()) {
            if (impl.id().equalsIgnoreCase(t) || impl.name().equalsIgnoreCase(t) || impl.label.equalsIgnoreCase(t)) {
                return impl;
            }
        }
        throw new IllegalArgumentException("unknown implementation '" + text + "'; one of "
                + java.util.Arrays.stream(values()).map(Impl::id).toList());
    }

    /**
     * Opens this implementation on a data source whose tables {@link BenchSchema#create} has made.
     *
     * @param env the data source and the names of this run
     * @return the lock
     */
    public BenchLock open(BenchEnv env) {
        return switch (this) {
            case INTERLOCK -> new InterlockLock(env);
            case GET_LOCK -> new GetLock(env);
            case ROW_PER_LOCK -> new RowPerLock(env);
            case SHEDLOCK -> new ShedLockLock(env);
            case NAIVE_BLOB -> new NaiveBlobLock(env);
        };
    }
}
