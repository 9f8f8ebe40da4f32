package dev.interlock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.bench.impl.Impl;
import dev.interlock.bench.profile.SqlCounter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The P3 harness end to end, small: real worker JVMs, started together, report their windows and statements. */
class ProcessScenarioIT {

    @Test
    void workersReportTheirWindowsAndStatements(@TempDir Path logs) throws Exception {
        BenchDatabase db = BenchDatabase.resolve();
        try (var pool = db.pool(1, "p3-it")) {
            dev.interlock.bench.impl.BenchSchema.create(pool);
        }
        ProcessScenario p3 = new ProcessScenario(2, 2, 200, 2, 300, List.of("-Xmx256m"), logs);
        ProcessScenario.Outcome o = p3.run(Impl.ROW_PER_LOCK, db, true);
        assertEquals(2, o.windowRates().size());
        assertTrue(o.windowRates().stream().allMatch(r -> r > 0), "every window made progress: " + o.windowRates());
        assertEquals(0, o.failures(), "each thread's own lock is always free");
        long[] inserts = o.sql().get(SqlCounter.Kind.INSERT);
        long[] deletes = o.sql().get(SqlCounter.Kind.DELETE);
        // one INSERT IGNORE and one DELETE per pair (a pair in flight at a window's edge may be counted on one side)
        assertTrue(Math.abs(inserts[0] - o.pairs()) <= 8, inserts[0] + " inserts for " + o.pairs() + " pairs");
        assertTrue(Math.abs(deletes[0] - o.pairs()) <= 8, deletes[0] + " deletes for " + o.pairs() + " pairs");
        assertEquals(0, inserts[2], "no INSERT IGNORE found its own lock taken");
    }
}
