package dev.interlock.bench.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * One row per held lock: {@code INSERT IGNORE} takes the lock (one row inserted) or finds it held (none, or an InnoDB
 * deadlock with a concurrent DELETE of the row, which it treats the same);
 * {@code DELETE ... WHERE name = ? AND holder = ?} frees it (retried after a deadlock). Durable, no session state, but no shared locks, no
 * all-or-nothing sets across rows without a transaction, no fencing token and no crash reaping (a crashed
 * holder's row stays until someone deletes it).
 */
final class RowPerLock implements BenchLock {

    private static final String INSERT = "INSERT IGNORE INTO `" + BenchSchema.ROW_TABLE + "` (`name`, `holder`) VALUES (?, ?)";
    private static final String DELETE = "DELETE FROM `" + BenchSchema.ROW_TABLE + "` WHERE `name` = ? AND `holder` = ?";

    private final BenchEnv env;
    private final String holder = UUID.randomUUID().toString();

    RowPerLock(BenchEnv env) {
        this.env = env;
    }

    @Override
    public Impl impl() {
        return Impl.ROW_PER_LOCK;
    }

    @Override
    public Held tryAcquire(String name) {
        try {
            return update(INSERT, name, holder) == 1 ? () -> release(name) : null;
        } catch (SQLException e) {
            if (retryable(e)) {
                // InnoDB deadlocks an INSERT IGNORE that meets a concurrent DELETE of the same key: the lock was
                // (being) taken or freed at that moment; report it as not taken and let the caller try again
                return null;
            }
            throw failed("INSERT", name, e);
        }
    }

    private void release(String name) {
        for (int attempt = 1; ; attempt++) {
            try {
                if (update(DELETE, name, holder) != 1) {
                    throw new IllegalStateException("row-per-lock: " + name + " was not held by " + holder);
                }
                return;
            } catch (SQLException e) {
                if (!retryable(e) || attempt >= 100) {
                    throw failed("DELETE", name, e);
                }
                Backoff.casPause(attempt);
            }
        }
    }

    /** Deadlock (1213) or lock wait timeout (1205): the statement did nothing and may be retried. */
    private static boolean retryable(SQLException e) {
        return e.getErrorCode() == 1213 || e.getErrorCode() == 1205;
    }

    private static IllegalStateException failed(String what, String name, SQLException e) {
        return new IllegalStateException("row-per-lock " + what + " of " + name + " failed: " + e.getMessage(), e);
    }

    @Override
    public Held acquire(String name, Duration maxWait) throws InterruptedException {
        return Backoff.poll(this, name, maxWait);
    }

    private int update(String sql, String name, String who) throws SQLException {
        try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, name);
            ps.setString(2, who);
            return ps.executeUpdate();
        }
    }

    @Override
    public AutoCloseable holdOthers(List<String> names) {
        String filler = "filler-" + UUID.randomUUID();
        try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(INSERT)) {
            for (String name : names) {
                ps.setString(1, name);
                ps.setString(2, filler);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("could not insert the filler rows: " + e.getMessage(), e);
        }
        return () -> {
            try (Connection c = env.dataSource().getConnection();
                 PreparedStatement ps = c.prepareStatement("DELETE FROM `" + BenchSchema.ROW_TABLE + "` WHERE `holder` = ?")) {
                ps.setString(1, filler);
                ps.executeUpdate();
            }
        };
    }

    @Override
    public void close() {
        // rows left by a failed run are removed by BenchSchema.cleanUp
    }
}
