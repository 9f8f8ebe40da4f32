package dev.interlock.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.interlock.bench.impl.Impl;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TargetTest {

    private static Measurement m(Scenario s, int held, Impl impl, double value) {
        return new Measurement(s, held, impl, value, Double.NaN, List.of(value), 1, "");
    }

    @Test
    void latencyTargetIsMetAtOrBelowTheLimit() {
        Target p1 = Target.ALL.get(0); // P1 <= 0.6x ShedLock
        List<Measurement> run = List.of(m(Scenario.P1, 0, Impl.INTERLOCK, 300), m(Scenario.P1, 0, Impl.SHEDLOCK, 500));
        Target.Outcome o = p1.check(run);
        assertEquals(Target.Status.MET, o.status());
        assertEquals(0.6, o.ratio().orElseThrow(), 1e-9);

        o = p1.check(List.of(m(Scenario.P1, 0, Impl.INTERLOCK, 301), m(Scenario.P1, 0, Impl.SHEDLOCK, 500)));
        assertEquals(Target.Status.MISSED, o.status());
    }

    @Test
    void throughputTargetIsMetAtOrAboveTheLimit() {
        Target p2 = Target.ALL.stream().filter(t -> t.id().equals("P2-shedlock")).findFirst().orElseThrow();
        assertEquals(Target.Status.MET,
                p2.check(List.of(m(Scenario.P2, 0, Impl.INTERLOCK, 2000), m(Scenario.P2, 0, Impl.SHEDLOCK, 1000))).status());
        assertEquals(Target.Status.MISSED,
                p2.check(List.of(m(Scenario.P2, 0, Impl.INTERLOCK, 1999), m(Scenario.P2, 0, Impl.SHEDLOCK, 1000))).status());
    }

    @Test
    void p5ComparesInterlockWithItsOwnEmptyCase() {
        Target p5 = Target.ALL.get(6);
        List<Measurement> run = List.of(m(Scenario.P5, 0, Impl.INTERLOCK, 500), m(Scenario.P5, 1000, Impl.INTERLOCK, 1400),
                m(Scenario.P5, 1000, Impl.ROW_PER_LOCK, 10));
        Target.Outcome o = p5.check(run);
        assertEquals(2.8, o.ratio().orElseThrow(), 1e-9);
        assertEquals(Target.Status.MET, o.status());
        assertEquals("P5 latency with 1,000 held <= 3x the empty case (0 held)", p5.describe());
    }

    @Test
    void aMissingValueIsNotMeasuredNotMissed() {
        for (Target.Outcome o : Target.checkAll(List.of(m(Scenario.P1, 0, Impl.INTERLOCK, 300)))) {
            assertEquals(Target.Status.NOT_MEASURED, o.status(), o.target().id());
            assertTrue(o.ratio().isEmpty());
        }
    }

    @Test
    void allSevenTargets() {
        List<String> described = new ArrayList<>();
        Target.ALL.forEach(t -> described.add(t.describe()));
        assertEquals(List.of(
                "P1 latency <= 0.6x ShedLock's",
                "P1 latency <= 1.1x row-per-lock's",
                "P2 pairs/s >= 1x row-per-lock's",
                "P2 pairs/s >= 2x ShedLock's",
                "P3 pairs/s >= 1x ShedLock's",
                "P4 acquisitions/s >= 1x row-per-lock's",
                "P5 latency with 1,000 held <= 3x the empty case (0 held)"), described);
    }

    @Test
    void ratiosAreFormattedShort() {
        assertEquals("0.6", Target.format(0.6));
        assertEquals("1.1", Target.format(1.1));
        assertEquals("3", Target.format(3.0));
        assertEquals("0.57", Target.format(0.5734));
        assertEquals("12.35", Target.format(12.3456));
    }

    @Test
    void medianOfOddAndEvenCounts() {
        assertEquals(2.0, Stats.median(List.of(3.0, 1.0, 2.0)));
        assertEquals(2.5, Stats.median(List.of(4.0, 1.0, 2.0, 3.0)));
        assertEquals(7.0, Stats.median(List.of(7.0)));
    }
}
