package dev.interlock.bench.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;
import net.javacrumbs.shedlock.provider.jdbctemplate.JdbcTemplateLockProvider;
import org.springframework.jdbc.core.JdbcTemplate;

/**
 * ShedLock's JDBC provider as its documentation sets it up ({@code usingDbTime()}, its own transaction per
 * statement, the {@code shedlock} table), taking locks with {@code lockAtMostFor} 10 minutes and
 * {@code lockAtLeastFor} zero, so that {@code unlock()} frees the lock at once. ShedLock has no wait: acquire polls.
 */
final class ShedLockLock implements BenchLock {

    private static final Duration AT_MOST = Duration.ofMinutes(10);

    private final BenchEnv env;
    private final JdbcTemplateLockProvider provider;

    ShedLockLock(BenchEnv env) {
        this.env = env;
        this.provider = new JdbcTemplateLockProvider(JdbcTemplateLockProvider.Configuration.builder()
                .withJdbcTemplate(new JdbcTemplate(env.dataSource()))
                .usingDbTime()
                .build());
    }

    @Override
    public Impl impl() {
        return Impl.SHEDLOCK;
    }

    @Override
    public Held tryAcquire(String name) {
        Optional<SimpleLock> lock = provider.lock(new LockConfiguration(Instant.now(), name, AT_MOST, Duration.ZERO));
        return lock.<Held>map(l -> l::unlock).orElse(null);
    }

    @Override
    public Held acquire(String name, Duration maxWait) throws InterruptedException {
        return Backoff.poll(this, name, maxWait);
    }

    @Override
    public AutoCloseable holdOthers(List<String> names) {
        // The rows ShedLock itself would write for locks held by another node, inserted in one batch.
        String sql = "INSERT INTO `" + BenchSchema.SHEDLOCK_TABLE + "` (name, lock_until, locked_at, locked_by)"
                + " VALUES (?, UTC_TIMESTAMP(3) + INTERVAL 1 HOUR, UTC_TIMESTAMP(3), 'filler')";
        try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            for (String name : names) {
                ps.setString(1, name);
                ps.addBatch();
            }
            ps.executeBatch();
        } catch (SQLException e) {
            throw new IllegalStateException("could not insert the filler ShedLock rows: " + e.getMessage(), e);
        }
        // Freed as ShedLock frees them, by ending lock_until: ShedLock remembers which rows exist and never
        // inserts a row again that it has once found, so deleting them would leave those names unlockable.
        return () -> {
            try (Connection c = env.dataSource().getConnection(); PreparedStatement ps = c.prepareStatement(
                    "UPDATE `" + BenchSchema.SHEDLOCK_TABLE + "` SET lock_until = UTC_TIMESTAMP(3)"
                            + " WHERE locked_by = 'filler' AND name LIKE ?")) {
                ps.setString(1, env.prefix() + "-%");
                ps.executeUpdate();
            }
        };
    }

    @Override
    public void close() {
        // the provider holds nothing but the data source
    }
}
