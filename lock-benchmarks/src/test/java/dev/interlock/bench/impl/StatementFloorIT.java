package dev.interlock.bench.impl;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.interlock.Holder;
import dev.interlock.LockManager;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.JdbiLockStore;
import dev.interlock.bench.BenchDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The statement floor issues the statements it claims to, and leaves rows Interlock still reads as valid. */
class StatementFloorIT {

    private static HikariDataSource pool;

    @BeforeAll
    static void database() {
        pool = BenchDatabase.resolve().pool(3, "floor-it");
        BenchSchema.create(pool);
    }

    @AfterAll
    static void close() {
        pool.close();
    }

    @Test
    void spaceRowPairsAdvanceTheVersionByTwoAndLeaveADocumentInterlockAccepts() throws Exception {
        BenchEnv env = new BenchEnv(pool, BenchEnv.randomPrefix());
        try (StatementFloor floor = new StatementFloor(env, StatementFloor.Kind.SPACE_ROW)) {
            long before = version(env);
            for (int i = 0; i < 20; i++) {
                floor.pair();
            }
            assertEquals(before + 40, version(env), "two compare-and-sets a pair");
            // the documents are Interlock's own: a manager reads the row and takes the lock it named
            try (LockManager m = LockManager.builder(JdbiLockStore.create(pool)).space(env.space())
                    .holder(Holder.currentProcess("floor-it")).build()) {
                assertTrue(m.tryAcquire(LockRequest.exclusive(env.lockName("floor"))).isPresent());
            }
        }
    }

    @Test
    void rowPerLockPairsLeaveNoRowBehind() throws Exception {
        BenchEnv env = new BenchEnv(pool, BenchEnv.randomPrefix());
        try (StatementFloor floor = new StatementFloor(env, StatementFloor.Kind.ROW_PER_LOCK)) {
            for (int i = 0; i < 20; i++) {
                floor.pair();
            }
            assertEquals(0, count("SELECT COUNT(*) FROM `" + BenchSchema.ROW_TABLE + "` WHERE `name` = ?",
                    env.lockName("floor")));
        }
    }

    private static long version(BenchEnv env) throws SQLException {
        return count("SELECT `version` FROM `" + JdbiLockStore.DEFAULT_TABLE + "` WHERE `id` = ?", env.space());
    }

    private static long count(String sql, String arg) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, arg);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
