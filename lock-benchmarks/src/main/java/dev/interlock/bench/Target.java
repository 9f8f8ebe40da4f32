package dev.interlock.bench;

import dev.interlock.bench.impl.Impl;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A performance target: Interlock's value in a scenario, divided by a baseline's (or by its own in another case),
 * must stay at most ({@code atMost}) or at least a limit.
 *
 * @param id           short id, e.g. {@code P1-shedlock}
 * @param scenario     the scenario
 * @param held         P5: the other locks held
 * @param baseline     the implementation divided by
 * @param baselineHeld P5: the case divided by
 * @param limit        the limit of the ratio
 * @param atMost       whether the ratio must be at most (latency) or at least (throughput) the limit
 */
public record Target(String id, Scenario scenario, int held, Impl baseline, int baselineHeld, double limit,
                     boolean atMost) {

    /** The performance targets, in the order the README lists them. */
    public static final List<Target> ALL = List.of(
            new Target("P1-shedlock", Scenario.P1, 0, Impl.SHEDLOCK, 0, 0.6, true),
            new Target("P1-row-per-lock", Scenario.P1, 0, Impl.ROW_PER_LOCK, 0, 1.1, true),
            new Target("P2-row-per-lock", Scenario.P2, 0, Impl.ROW_PER_LOCK, 0, 1.0, false),
            new Target("P2-shedlock", Scenario.P2, 0, Impl.SHEDLOCK, 0, 2.0, false),
            new Target("P3-shedlock", Scenario.P3, 0, Impl.SHEDLOCK, 0, 1.0, false),
            new Target("P4-row-per-lock", Scenario.P4, 0, Impl.ROW_PER_LOCK, 0, 1.0, false),
            new Target("P5-1000-vs-empty", Scenario.P5, 1000, Impl.INTERLOCK, 0, 3.0, true));

    /** Validates. */
    public Target {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(baseline, "baseline");
        if (!(limit > 0)) {
            throw new IllegalArgumentException("limit must be > 0, was " + limit);
        }
    }

    /** Whether a target was met. */
    public enum Status {
        /** The ratio is within the limit. */
        MET,
        /** It is not. */
        MISSED,
        /** A value it needs was not measured (not run, or failed). */
        NOT_MEASURED
    }

    /**
     * A target checked against a run.
     *
     * @param target the target
     * @param ratio  Interlock's value divided by the baseline's, if both were measured
     * @param status met, missed or not measured
     */
    public record Outcome(Target target, Optional<Double> ratio, Status status) {
    }

    /** @return the requirement in words, e.g. {@code P1 latency <= 0.6x ShedLock's} */
    public String describe() {
        String what = scenario.higherIsBetter() ? scenario.name() + " " + scenario.unit() : scenario.name() + " latency";
        if (scenario == Scenario.P5) {
            what = "P5 latency with " + String.format(java.util.Locale.ROOT, "%,d", held) + " held";
        }
        String of = baseline == Impl.INTERLOCK
                ? "the empty case (" + baselineHeld + " held)"
                : baseline.label() + "'s";
        return what + (atMost ? " <= " : " >= ") + format(limit) + "x " + of;
    }

    /**
     * @param results the measurements of one run
     * @return this target checked against them
     */
    public Outcome check(List<Measurement> results) {
        Optional<Measurement> mine = find(results, Impl.INTERLOCK, held);
        Optional<Measurement> theirs = find(results, baseline, baselineHeld);
        if (mine.isEmpty() || theirs.isEmpty() || !(theirs.get().value() > 0)) {
            return new Outcome(this, Optional.empty(), Status.NOT_MEASURED);
        }
        double ratio = mine.get().value() / theirs.get().value();
        boolean met = atMost ? ratio <= limit : ratio >= limit;
        return new Outcome(this, Optional.of(ratio), met ? Status.MET : Status.MISSED);
    }

    private Optional<Measurement> find(List<Measurement> results, Impl impl, int heldLocks) {
        return results.stream()
                .filter(m -> m.scenario() == scenario && m.impl() == impl && m.held() == heldLocks)
                .findFirst();
    }

    /**
     * @param results the measurements of one run
     * @return every target checked
     */
    public static List<Outcome> checkAll(List<Measurement> results) {
        return ALL.stream().map(t -> t.check(results)).toList();
    }

    /** @return a ratio with at most two decimals and no trailing zeros: 0.6, 1.1, 3, 0.57 */
    static String format(double ratio) {
        return java.math.BigDecimal.valueOf(ratio).setScale(2, java.math.RoundingMode.HALF_UP).stripTrailingZeros()
                .toPlainString();
    }
}
