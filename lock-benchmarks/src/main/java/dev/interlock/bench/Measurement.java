package dev.interlock.bench;

import dev.interlock.bench.impl.Impl;
import java.util.List;
import java.util.Objects;

/**
 * One scenario's result for one implementation.
 *
 * @param scenario  the scenario
 * @param held      P5: the other locks held; 0 otherwise
 * @param impl      the implementation
 * @param value     the median: latency in µs (P1, P5) or a rate per second (P2-P4)
 * @param p90       P1/P5: the 90th percentile latency in µs; NaN otherwise
 * @param runs      the per-iteration (or per-window) values the median was taken over; empty for sampled latency
 * @param samples   how many values the median was taken over (samples or iterations)
 * @param note      anything to know about this value (failures, errors), or empty
 */
public record Measurement(Scenario scenario, int held, Impl impl, double value, double p90, List<Double> runs,
                          long samples, String note) {

    /** Validates. */
    public Measurement {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(impl, "impl");
        runs = List.copyOf(runs);
        note = note == null ? "" : note;
        if (held < 0) {
            throw new IllegalArgumentException("held must be >= 0, was " + held);
        }
    }

    /** @return the value as operations per second (a latency turned into 1 / latency) */
    public double perSecond() {
        return scenario.higherIsBetter() ? value : 1e6 / value;
    }

    /** @return the row this value belongs to, e.g. {@code P2} or {@code P5 (1000 held)} */
    public String row() {
        return rowName(scenario, held);
    }

    /**
     * @param scenario a scenario
     * @param held     the other locks held (P5)
     * @return the row name
     */
    public static String rowName(Scenario scenario, int held) {
        return scenario == Scenario.P5 ? "P5 (" + String.format(java.util.Locale.ROOT, "%,d", held) + " held)"
                : scenario.name();
    }
}
