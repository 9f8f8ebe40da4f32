package dev.interlock.bench.impl;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;

/**
 * MySQL's named locks: {@code GET_LOCK(name, 0)} on a connection from the pool, which the lock keeps until
 * {@code RELEASE_LOCK}. Fast, but a lock lives in one server session: it is lost with the connection, is not
 * durable, does not survive a failover, and ties up a pooled connection per held lock. Waiting happens in the
 * server ({@code GET_LOCK(name, timeout)}).
 */
final class GetLock implements BenchLock {

    private final BenchEnv env;

    GetLock(BenchEnv env) {
        this.env = env;
    }

    @Override
    public Impl impl() {
        return Impl.GET_LOCK;
    }

    @Override
    public Held tryAcquire(String name) {
        return take(name, 0);
    }

    @Override
    public Held acquire(String name, Duration maxWait) {
        Held held = take(name, Math.max(1, maxWait.toSeconds()));
        if (held == null) {
            throw new IllegalStateException("GET_LOCK: " + name + " still held after " + maxWait);
        }
        return held;
    }

    private Held take(String name, long timeoutSeconds) {
        Connection c = null;
        try {
            c = env.dataSource().getConnection();
            int got;
            try (PreparedStatement ps = c.prepareStatement("SELECT GET_LOCK(?, ?)")) {
                ps.setString(1, name);
                ps.setLong(2, timeoutSeconds);
                try (ResultSet rs = ps.executeQuery()) {
                    rs.next();
                    got = rs.getInt(1);
                }
            }
            if (got != 1) {
                c.close();
                return null;
            }
            Connection session = c;
            c = null;
            return () -> release(session, name);
        } catch (SQLException e) {
            throw new IllegalStateException("GET_LOCK(" + name + ") failed: " + e.getMessage(), e);
        } finally {
            closeQuietly(c);
        }
    }

    private static void release(Connection session, String name) {
        try (session; PreparedStatement ps = session.prepareStatement("SELECT RELEASE_LOCK(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                if (rs.getInt(1) != 1) {
                    throw new IllegalStateException("RELEASE_LOCK(" + name + ") did not release it");
                }
            }
        } catch (SQLException e) {
            throw new IllegalStateException("RELEASE_LOCK(" + name + ") failed: " + e.getMessage(), e);
        }
    }

    @Override
    public AutoCloseable holdOthers(List<String> names) {
        // One session holds them all (a session may hold many named locks), taken 50 per statement: MySQL parses
        // "GET_LOCK(?) + GET_LOCK(?) + ..." into a nested expression, and 500 of them overran its thread stack.
        Connection session = null;
        try {
            session = env.dataSource().getConnection();
            for (int from = 0; from < names.size(); from += 50) {
                List<String> batch = names.subList(from, Math.min(names.size(), from + 50));
                StringBuilder sql = new StringBuilder("SELECT ");
                for (int i = 0; i < batch.size(); i++) {
                    sql.append(i == 0 ? "" : " + ").append("GET_LOCK(?, 0)");
                }
                try (PreparedStatement ps = session.prepareStatement(sql.toString())) {
                    for (int i = 0; i < batch.size(); i++) {
                        ps.setString(i + 1, batch.get(i));
                    }
                    try (ResultSet rs = ps.executeQuery()) {
                        rs.next();
                        if (rs.getInt(1) != batch.size()) {
                            throw new IllegalStateException("filler GET_LOCKs are taken already");
                        }
                    }
                }
            }
            Connection held = session;
            session = null;
            return () -> {
                try (Statement s = held.createStatement()) {
                    s.execute("SELECT RELEASE_ALL_LOCKS()");
                } finally {
                    held.close();
                }
            };
        } catch (SQLException e) {
            throw new IllegalStateException("could not take the filler GET_LOCKs: " + e.getMessage(), e);
        } finally {
            closeQuietly(session);
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                // already failing
            }
        }
    }

    @Override
    public void close() {
        // nothing of its own: held locks go with their connections
    }
}
