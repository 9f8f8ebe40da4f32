package dev.interlock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.bench.impl.Impl;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareArgsTest {

    @Test
    void defaultsRunEverythingInFull() {
        Compare.Args a = Compare.Args.parse();
        assertFalse(a.quick());
        assertEquals(EnumSet.allOf(Scenario.class), a.scenarios());
        assertEquals(List.of(Impl.values()), a.impls());
        assertFalse(a.profile());
        assertFalse(a.noProfile());
    }

    @Test
    void parsesTheOptions() {
        Compare.Args a = Compare.Args.parse("--quick", "--scenarios", "p1,P3", "--impls", "interlock,ROW_PER_LOCK,ShedLock",
                "--held", "0,1_000", "--profile", "--profile-impls", "naive-blob");
        assertTrue(a.quick());
        assertEquals(EnumSet.of(Scenario.P1, Scenario.P3), a.scenarios());
        assertEquals(List.of(Impl.INTERLOCK, Impl.ROW_PER_LOCK, Impl.SHEDLOCK), a.impls());
        assertEquals(List.of(0, 1000), a.held());
        assertTrue(a.profile());
        assertEquals(List.of(Impl.NAIVE_BLOB), a.profileImpls());
    }

    @Test
    void refusesBadCommandLines() {
        assertThrows(Compare.UsageException.class, () -> Compare.Args.parse("--fast"));
        assertThrows(Compare.UsageException.class, () -> Compare.Args.parse("--impls"));
        assertThrows(IllegalArgumentException.class, () -> Compare.Args.parse("--impls", "redis"));
        assertThrows(Compare.UsageException.class, () -> Compare.Args.parse("--profile", "--no-profile"));
        assertThrows(Compare.UsageException.class, () -> Compare.Args.parse("--held", "-1"));
        assertEquals("mysql", Compare.Args.parse("--server", "MySQL").server());
        assertEquals(null, Compare.Args.parse().server());
        assertThrows(Compare.UsageException.class, () -> Compare.Args.parse("--server", "oracle"));
    }

    @Test
    void quickSettingsMeasureTheP5TargetCases() {
        assertTrue(Compare.Settings.QUICK.held().containsAll(List.of(0, 1000)));
        assertEquals(List.of(0, 100, 1000, 10000), Compare.Settings.FULL.held());
    }

    @Test
    void implementationsParseByIdNameOrLabel() {
        assertEquals(Impl.GET_LOCK, Impl.parse("get-lock"));
        assertEquals(Impl.GET_LOCK, Impl.parse("GET_LOCK"));
        assertEquals(Impl.NAIVE_BLOB, Impl.parse("naive blob"));
        assertThrows(IllegalArgumentException.class, () -> Impl.parse("zookeeper"));
    }
}
