package dev.interlock.bench.profile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SqlCounterTest {

    @Test
    void kindByFirstKeyword() {
        assertEquals(SqlCounter.Kind.SELECT, SqlCounter.kindOf("SELECT `version` FROM t"));
        assertEquals(SqlCounter.Kind.SELECT, SqlCounter.kindOf("  /* hint */ (select 1)"));
        assertEquals(SqlCounter.Kind.UPDATE, SqlCounter.kindOf("\n update t set a = 1"));
        assertEquals(SqlCounter.Kind.INSERT, SqlCounter.kindOf("INSERT IGNORE INTO t VALUES (1)"));
        assertEquals(SqlCounter.Kind.INSERT, SqlCounter.kindOf("-- comment\nINSERT INTO t VALUES (1)"));
        assertEquals(SqlCounter.Kind.DELETE, SqlCounter.kindOf("DELETE FROM t"));
        assertEquals(SqlCounter.Kind.TRANSACTION, SqlCounter.kindOf("COMMIT"));
        assertEquals(SqlCounter.Kind.OTHER, SqlCounter.kindOf("SET autocommit = 1"));
        assertEquals(SqlCounter.Kind.OTHER, SqlCounter.kindOf(""));
    }

    @Test
    void snapshotsSubtract() {
        SqlCounter.Snapshot a = new SqlCounter.Snapshot(new long[] {5, 0, 0, 0, 0, 0, 0, 0}, new long[8], new long[8]);
        SqlCounter.Snapshot b = new SqlCounter.Snapshot(new long[] {7, 1, 0, 0, 0, 0, 0, 0}, new long[8], new long[8]);
        assertEquals(2, b.minus(a).count(SqlCounter.Kind.SELECT));
        assertEquals(1, b.minus(a).count(SqlCounter.Kind.INSERT));
    }

    @Test
    void machineCpuFromProcStat() {
        long[] busyTotal = ProcCpu.parseMachine("cpu  100 0 50 800 50 0 0 0 0 0");
        assertEquals(150 * 10_000_000L, busyTotal[0]);
        assertEquals(1000 * 10_000_000L, busyTotal[1]);
    }
}
