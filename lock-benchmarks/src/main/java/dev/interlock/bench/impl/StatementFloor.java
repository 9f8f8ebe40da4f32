package dev.interlock.bench.impl;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.JdbiLockStore;
import dev.interlock.spi.Stored;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;

/**
 * The statements of an uncontended acquire and release alone, with no lock code around them: the floor under P1.
 * Each statement takes a connection from the pool and gives it back, as the implementations do.
 * <ul>
 *   <li>{@link Kind#SPACE_ROW}: Interlock's two compare-and-sets of the space row, {@code UPDATE ... SET data = ?,
 *       version = version + 1 WHERE id = ? AND version = ?}, writing the very documents Interlock writes for one
 *       exclusive lock (taken from a real acquire and release in {@link #open});</li>
 *   <li>{@link Kind#ROW_PER_LOCK}: row-per-lock's {@code INSERT IGNORE} and {@code DELETE} of one small row.</li>
 * </ul>
 * Their ratio is the best P1 ratio any code can reach with Interlock's statements against row-per-lock's.
 */
public final class StatementFloor implements AutoCloseable {

    /** Which statements. */
    public enum Kind {
        /** Two compare-and-set UPDATEs of the space's JSON row. */
        SPACE_ROW("space-row"),
        /** One INSERT IGNORE and one DELETE of a lock row. */
        ROW_PER_LOCK("row-per-lock");

        private final String id;

        Kind(String id) {
            this.id = id;
        }

        /** @return the id used on command lines and in results, e.g. {@code space-row} */
        public String id() {
            return id;
        }

        /**
         * @param id an {@link #id()}
         * @return the kind
         */
        public static Kind parse(String id) {
            for (Kind k : values()) {
                if (k.id.equals(id)) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown statement floor '" + id + "'");
        }
    }

    private static final String UPDATE = "UPDATE `" + JdbiLockStore.DEFAULT_TABLE
            + "` SET `data` = ?, `version` = `version` + 1 WHERE `id` = ? AND `version` = ?";
    private static final String INSERT = "INSERT IGNORE INTO `" + BenchSchema.ROW_TABLE
            + "` (`name`, `holder`) VALUES (?, ?)";
    private static final String DELETE = "DELETE FROM `" + BenchSchema.ROW_TABLE
            + "` WHERE `name` = ? AND `holder` = ?";

    private final BenchEnv env;
    private final JdbiLockStore store;
    private final Kind kind;
    private final String name;
    private String heldDoc;
    private String emptyDoc;
    private long version;

    /**
     * Prepares the row: for {@link Kind#SPACE_ROW}, takes and frees one lock through Interlock and keeps the two
     * documents it wrote.
     *
     * @param env  the data source and names of this run
     * @param kind which statements
     */
    public StatementFloor(BenchEnv env, Kind kind) {
        this.env = Objects.requireNonNull(env, "env");
        this.kind = Objects.requireNonNull(kind, "kind");
        this.store = JdbiLockStore.create(env.dataSource());
        this.name = env.lockName("floor");
        if (kind == Kind.SPACE_ROW) {
            try (LockManager m = LockManager.builder(store).space(env.space())
                    .holder(Holder.currentProcess("bench")).build()) {
                try (Lease lease = m.tryAcquire(LockRequest.exclusive(name)).orElseThrow()) {
                    heldDoc = readDoc();
                }
                emptyDoc = readDoc();
            }
            readDoc(); // the version after close(), whatever it wrote
            if (heldDoc.equals(emptyDoc)) {
                throw new IllegalStateException("the space row did not change with a lock held: " + heldDoc);
            }
        }
    }

    private String readDoc() {
        Stored row = store.read(env.space())
                .orElseThrow(() -> new IllegalStateException("no row for space " + env.space()));
        version = row.version();
        return row.data();
    }

    /** One acquire's and one release's statements. */
    public void pair() {
        try {
            if (kind == Kind.SPACE_ROW) {
                update(UPDATE, heldDoc, env.space(), version++);
                update(UPDATE, emptyDoc, env.space(), version++);
            } else {
                update(INSERT, name, "floor", -1);
                update(DELETE, name, "floor", -1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("statement floor " + kind.id() + ": " + e.getMessage(), e);
        }
    }

    private void update(String sql, String a, String b, long v) throws SQLException {
        try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, a);
            ps.setString(2, b);
            if (v >= 0) {
                ps.setLong(3, v);
            }
            int rows = ps.executeUpdate();
            if (rows != 1) {
                throw new IllegalStateException(String.format(Locale.ROOT, "statement floor %s: %d rows changed by %s",
                        kind.id(), rows, sql));
            }
        }
    }

    /** Deletes this run's rows. */
    @Override
    public void close() {
        BenchSchema.cleanUp(env);
    }
}
