package dev.interlock.jdbi.torture;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;

/**
 * The resource the torture workers protect with their locks: one row per lock name in a database of its own,
 * which every worker reads and writes inside its grants, and which tells afterwards what really happened.
 *
 * <p>Each grant of a name <em>enters</em> and <em>leaves</em> the name's row by a read-modify-write in two steps
 * (a plain {@code SELECT}, then a write computed from it), as code protected by a lock does. The write is
 * conditional on the row's {@code version} as read, so an interleaving is never lost silently: the step reads
 * again and decides afresh. And it is fenced, as the README tells protected resources to be: a grant whose
 * token is not above every conflicting token that already entered is refused ({@link Outcome#SUPERSEDED}),
 * which is harmless if the grant's lease was lost (a stale holder) and a violation if it was not.
 * <ul>
 *   <li>An exclusive grant enters by setting {@code inside} to its token; a shared one by adding a row to
 *       {@code shared_inside}. Leaving undoes that.</li>
 *   <li>A grant that enters and finds a marker of an older grant still set (an exclusive {@code inside}, or
 *       shared rows when it is exclusive) clears it and records a {@code takeover}: legitimate only if that older
 *       grant's holder was killed or its lease was lost, which the checker verifies.</li>
 *   <li>Every entry adds a row to {@code grant_log} and one to the row's counter, in the same transaction: the
 *       counters must equal the log, and per name the log's tokens must increase.</li>
 * </ul>
 * Every step survives a lost connection: it reads again and finds out whether its write landed. Thread-safe.
 */
final class Witness {

    /** What a step found. */
    enum Outcome {
        /** Entered (or left) as asked. */
        DONE,
        /** A conflicting grant with a greater token got in: this grant is stale, or the locks failed. */
        SUPERSEDED
    }

    /** A grant of one name, as the witness records it. */
    record Grant(String name, boolean exclusive, long token, String holder) {
        String mode() {
            return exclusive ? "X" : "S";
        }
    }

    /** The result of a step: the outcome, and what was found in the way when superseded. */
    record Result(Outcome outcome, String detail) {
        static final Result DONE = new Result(Outcome.DONE, "");
    }

    private final DataSource data;
    private final long giveUpNanos;

    /**
     * @param data         the witness database
     * @param giveUpAfterMs how long one step keeps retrying a database that does not answer
     */
    Witness(DataSource data, long giveUpAfterMs) {
        this.data = data;
        this.giveUpNanos = TimeUnit.MILLISECONDS.toNanos(giveUpAfterMs);
    }

    /** Creates the tables, one row per name. */
    static void create(DataSource data, List<String> names) throws SQLException {
        try (Connection c = data.getConnection(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE witness ("
                    + " name VARCHAR(32) NOT NULL PRIMARY KEY,"
                    + " version BIGINT NOT NULL,"          // every write is conditional on it
                    + " inside BIGINT NULL,"               // token of the exclusive grant inside
                    + " inside_holder VARCHAR(64) NULL,"
                    + " exclusive_entries BIGINT NOT NULL,"
                    + " shared_entries BIGINT NOT NULL,"
                    + " last_exclusive BIGINT NOT NULL,"   // token of the last exclusive grant that entered
                    + " max_token BIGINT NOT NULL"         // greatest token of any grant that entered
                    + ") ENGINE=InnoDB");
            s.execute("CREATE TABLE shared_inside (name VARCHAR(32) NOT NULL, token BIGINT NOT NULL,"
                    + " holder VARCHAR(64) NOT NULL, PRIMARY KEY (name, token)) ENGINE=InnoDB");
            s.execute("CREATE TABLE grant_log (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                    + " name VARCHAR(32) NOT NULL, token BIGINT NOT NULL, mode CHAR(1) NOT NULL,"
                    + " holder VARCHAR(64) NOT NULL, at DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)),"
                    + " UNIQUE KEY (name, token)) ENGINE=InnoDB");
            s.execute("CREATE TABLE takeover (seq BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,"
                    + " name VARCHAR(32) NOT NULL, stale_token BIGINT NOT NULL, stale_holder VARCHAR(64) NOT NULL,"
                    + " stale_mode CHAR(1) NOT NULL, token BIGINT NOT NULL, holder VARCHAR(64) NOT NULL,"
                    + " at DATETIME(6) NOT NULL DEFAULT (UTC_TIMESTAMP(6)), UNIQUE KEY (name, stale_token))"
                    + " ENGINE=InnoDB");
            for (String name : names) {
                s.execute("INSERT INTO witness VALUES ('" + name + "', 0, NULL, NULL, 0, 0, 0, 0)");
            }
        }
    }

    private record Row(long version, Long inside, String insideHolder, long lastExclusive, long maxToken,
                       List<Grant> shared) {
        boolean sharedHas(long token) {
            return shared.stream().anyMatch(g -> g.token() == token);
        }
    }

    /**
     * Enters a name's row with a grant.
     *
     * @return {@link Outcome#DONE} once entered, or {@link Outcome#SUPERSEDED} if a conflicting grant with a
     *     greater token entered first
     * @throws SQLException if the database did not answer for the whole give-up time
     */
    Result enter(Grant g) throws SQLException, InterruptedException {
        return retrying(c -> {
            Row row = read(c, g.name());
            if (g.exclusive ? row.inside != null && row.inside == g.token : row.sharedHas(g.token)) {
                return Result.DONE; // an earlier attempt landed (its reply was lost)
            }
            long above = g.exclusive ? row.maxToken : row.lastExclusive;
            if (above >= g.token) {
                return new Result(Outcome.SUPERSEDED, g.mode() + " token " + g.token + " on " + g.name
                        + " found " + (g.exclusive ? "a grant" : "an exclusive grant") + " with token " + above
                        + " entered already (inside: " + describe(row) + ")");
            }
            List<Grant> stale = new ArrayList<>();
            if (row.inside != null) {
                stale.add(new Grant(g.name, true, row.inside, row.insideHolder));
            }
            if (g.exclusive) {
                stale.addAll(row.shared);
            }
            c.setAutoCommit(false);
            try {
                // a shared grant clears a stale exclusive marker (recorded as a takeover below)
                int updated = g.exclusive
                        ? update(c, "UPDATE witness SET version = version + 1, inside = ?, inside_holder = ?,"
                                + " exclusive_entries = exclusive_entries + 1, last_exclusive = ?, max_token = ?"
                                + " WHERE name = ? AND version = ?", g.token, g.holder, g.token, g.token, g.name,
                                row.version)
                        : update(c, "UPDATE witness SET version = version + 1, inside = NULL, inside_holder = NULL,"
                                + " shared_entries = shared_entries + 1, max_token = GREATEST(max_token, ?)"
                                + " WHERE name = ? AND version = ?", g.token, g.name, row.version);
                if (updated != 1) {
                    c.rollback();
                    return null; // changed since the read: decide again
                }
                for (Grant s : stale) {
                    if (!s.exclusive) {
                        update(c, "DELETE FROM shared_inside WHERE name = ? AND token = ?", s.name, s.token);
                    }
                    update(c, "INSERT INTO takeover (name, stale_token, stale_holder, stale_mode, token, holder)"
                            + " VALUES (?, ?, ?, ?, ?, ?)", s.name, s.token, s.holder, s.mode(), g.token, g.holder);
                }
                if (!g.exclusive) {
                    update(c, "INSERT INTO shared_inside (name, token, holder) VALUES (?, ?, ?)", g.name, g.token,
                            g.holder);
                }
                update(c, "INSERT INTO grant_log (name, token, mode, holder) VALUES (?, ?, ?, ?)", g.name, g.token,
                        g.mode(), g.holder);
                c.commit();
                return Result.DONE;
            } finally {
                rollbackQuietly(c);
            }
        });
    }

    /**
     * Leaves a name's row.
     *
     * @return {@link Outcome#DONE} once left, or {@link Outcome#SUPERSEDED} if a newer grant took this one's
     *     place (found it inside and recorded a takeover)
     * @throws SQLException if the database did not answer for the whole give-up time
     */
    Result leave(Grant g) throws SQLException, InterruptedException {
        return retrying(c -> {
            Row row = read(c, g.name());
            boolean in = g.exclusive ? row.inside != null && row.inside == g.token : row.sharedHas(g.token);
            if (!in) {
                try (PreparedStatement ps = c.prepareStatement("SELECT token, holder FROM takeover WHERE name = ?"
                        + " AND stale_token = ?")) {
                    ps.setString(1, g.name);
                    ps.setLong(2, g.token);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            return new Result(Outcome.SUPERSEDED, g.mode() + " token " + g.token + " on " + g.name
                                    + " was taken over by token " + rs.getLong(1) + " of " + rs.getString(2)
                                    + " (inside now: " + describe(row) + ")");
                        }
                    }
                }
                return Result.DONE; // an earlier attempt landed (its reply was lost)
            }
            c.setAutoCommit(false);
            try {
                int updated = update(c, "UPDATE witness SET version = version + 1"
                        + (g.exclusive ? ", inside = NULL, inside_holder = NULL" : "")
                        + " WHERE name = ? AND version = ?", g.name, row.version);
                if (updated != 1) {
                    c.rollback();
                    return null;
                }
                if (!g.exclusive) {
                    update(c, "DELETE FROM shared_inside WHERE name = ? AND token = ?", g.name, g.token);
                }
                c.commit();
                return Result.DONE;
            } finally {
                rollbackQuietly(c);
            }
        });
    }

    private static String describe(Row row) {
        StringBuilder out = new StringBuilder();
        if (row.inside != null) {
            out.append("X ").append(row.inside).append(" of ").append(row.insideHolder);
        }
        for (Grant s : row.shared) {
            out.append(out.length() > 0 ? ", " : "").append("S ").append(s.token).append(" of ").append(s.holder);
        }
        return out.length() == 0 ? "nobody" : out.toString();
    }

    private static Row read(Connection c, String name) throws SQLException {
        long version;
        Long inside;
        String insideHolder;
        long lastExclusive;
        long maxToken;
        try (PreparedStatement ps = c.prepareStatement("SELECT version, inside, inside_holder, last_exclusive,"
                + " max_token FROM witness WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no witness row for " + name);
                }
                version = rs.getLong(1);
                inside = rs.getObject(2) == null ? null : rs.getLong(2);
                insideHolder = rs.getString(3);
                lastExclusive = rs.getLong(4);
                maxToken = rs.getLong(5);
            }
        }
        List<Grant> shared = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT token, holder FROM shared_inside WHERE name = ?")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    shared.add(new Grant(name, false, rs.getLong(1), rs.getString(2)));
                }
            }
        }
        return new Row(version, inside, insideHolder, lastExclusive, maxToken, List.copyOf(shared));
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            // the connection is broken; the pool replaces it
        }
    }

    @FunctionalInterface
    private interface Step {
        /** @return the result, or null to read and decide again at once */
        Result run(Connection c) throws SQLException;
    }

    /**
     * Runs a step until it decides. A database error (a restart, a lost connection, a lock wait timeout) is
     * retried with a fresh read, which also tells whether a write whose reply was lost landed.
     */
    private Result retrying(Step step) throws SQLException, InterruptedException {
        long start = System.nanoTime();
        SQLException last = null;
        for (int attempt = 0; ; attempt++) {
            try (Connection c = data.getConnection()) {
                Result r = step.run(c);
                if (r != null) {
                    return r;
                }
                continue;
            } catch (SQLException e) {
                last = e;
            }
            if (System.nanoTime() - start > giveUpNanos) {
                throw last;
            }
            long pause = Math.min(200, 5L << Math.min(attempt, 6));
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(1, pause + 1));
        }
    }
}
