package dev.interlock.bench.impl;

import dev.interlock.jdbi.JdbiLockStore;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import javax.sql.DataSource;

/**
 * The tables of all implementations: Interlock's own ({@code interlock_spaces}, by lock-jdbi's DDL) and the
 * baselines' ({@code bench_row_locks}, ShedLock's {@code shedlock} as its documentation gives it for MySQL, and
 * {@code bench_naive_spaces}, the same shape as Interlock's).
 */
public final class BenchSchema {

    /** The row-per-lock table. */
    static final String ROW_TABLE = "bench_row_locks";
    /** ShedLock's default table name. */
    static final String SHEDLOCK_TABLE = "shedlock";
    /** The naive blob's table, shaped like {@code interlock_spaces}. */
    static final String NAIVE_TABLE = "bench_naive_spaces";

    private static final String[] DDL = {
        "CREATE TABLE IF NOT EXISTS `" + ROW_TABLE + "` ("
                + " `name` VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
                + " `holder` VARCHAR(64) NOT NULL,"
                + " `acquired_at` TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6),"
                + " PRIMARY KEY (`name`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4",
        // ShedLock's documented DDL for MySQL and MariaDB
        "CREATE TABLE IF NOT EXISTS `" + SHEDLOCK_TABLE + "` (name VARCHAR(64) NOT NULL,"
                + " lock_until TIMESTAMP(3) NOT NULL, locked_at TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),"
                + " locked_by VARCHAR(255) NOT NULL, PRIMARY KEY (name)) ENGINE=InnoDB",
        "CREATE TABLE IF NOT EXISTS `" + NAIVE_TABLE + "` ("
                + " `id` VARCHAR(191) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL,"
                + " `version` BIGINT UNSIGNED NOT NULL,"
                + " `data` JSON NOT NULL,"
                + " PRIMARY KEY (`id`)) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin",
    };

    private BenchSchema() {
    }

    /**
     * Creates every table that is missing (idempotent; safe from several processes at once).
     *
     * @param dataSource the benchmark database
     */
    public static void create(DataSource dataSource) {
        JdbiLockStore.create(dataSource).createSchema();
        try (Connection c = dataSource.getConnection(); Statement s = c.createStatement()) {
            for (String ddl : DDL) {
                s.execute(ddl);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create the benchmark tables: " + e.getMessage(), e);
        }
    }

    /**
     * Deletes what a run left behind: its spaces, rows and ShedLock records.
     *
     * @param env the run
     */
    public static void cleanUp(BenchEnv env) {
        String like = env.prefix() + "-%";
        try (Connection c = env.dataSource().getConnection()) {
            delete(c, "DELETE FROM `" + JdbiLockStore.DEFAULT_TABLE + "` WHERE `id` = ?", env.space());
            delete(c, "DELETE FROM `" + NAIVE_TABLE + "` WHERE `id` = ?", env.space());
            delete(c, "DELETE FROM `" + ROW_TABLE + "` WHERE `name` LIKE ?", like);
            delete(c, "DELETE FROM `" + SHEDLOCK_TABLE + "` WHERE name LIKE ?", like);
        } catch (SQLException e) {
            throw new IllegalStateException("could not clean up run " + env.prefix() + ": " + e.getMessage(), e);
        }
    }

    private static void delete(Connection c, String sql, String arg) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            ps.executeUpdate();
        }
    }
}
