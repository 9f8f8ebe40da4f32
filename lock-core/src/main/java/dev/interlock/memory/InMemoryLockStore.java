package dev.interlock.memory;

import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.time.InstantSource;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * A {@link LockStore} in this JVM's memory. Several {@link dev.interlock.LockManager}s sharing one instance
 * behave like several processes sharing a database, which makes it the store for unit tests and for
 * single-JVM use. It passes the same contract suite as the database stores.
 *
 * <p>The clock given to the constructor plays the database's clock: inject a fake one to test leases
 * without sleeping. Thread-safe; every operation is atomic.
 */
public final class InMemoryLockStore implements LockStore {

    private record Row(long version, String data) {
    }

    private final ConcurrentMap<String, Row> rows = new ConcurrentHashMap<>();
    private final InstantSource clock;

    /** A store on the system clock. */
    public InMemoryLockStore() {
        this(InstantSource.system());
    }

    /**
     * @param clock the clock that plays the database's clock
     */
    public InMemoryLockStore(InstantSource clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    @Override
    public Optional<Stored> read(String space) {
        Objects.requireNonNull(space, "space");
        Row row = rows.get(space);
        return row == null ? Optional.empty() : Optional.of(new Stored(row.version, row.data, clock.instant()));
    }

    @Override
    public CasResult compareAndSet(String space, long expectedVersion, String newData) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(newData, "newData");
        boolean[] applied = {false};
        rows.computeIfPresent(space, (k, row) -> {
            if (row.version != expectedVersion) {
                return row;
            }
            applied[0] = true;
            return new Row(row.version + 1, newData);
        });
        return applied[0] ? CasResult.APPLIED : CasResult.CONFLICT;
    }

    @Override
    public void createSpaceIfAbsent(String space, String initialData) {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(initialData, "initialData");
        rows.putIfAbsent(space, new Row(0, initialData));
    }
}
