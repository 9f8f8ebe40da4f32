package dev.interlock.bench;

import dev.interlock.bench.impl.Impl;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Everything one run of {@link Compare} found, from which the results files and the chart are written.
 *
 * @param name         the file name without extension, e.g. {@code 2026-11-27} or {@code 2026-11-27-quick}
 * @param startedAt    when the run started
 * @param quick        whether it was a {@code --quick} run
 * @param took         how long it took
 * @param command      the command line
 * @param machine      the machine, JDK and database, by label
 * @param method       how it measured, by label
 * @param measurements the medians
 * @param failures     scenarios and implementations that failed, with why
 * @param targets      the targets checked
 * @param profiles     the profiles taken
 */
public record Results(String name, Instant startedAt, boolean quick, Duration took, String command,
                      Map<String, String> machine, Map<String, String> method, List<Measurement> measurements,
                      List<String> failures, List<Target.Outcome> targets, List<Profile> profiles) {

    /** Validates and copies. */
    public Results {
        Objects.requireNonNull(name, "name");
        machine = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(machine));
        method = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(method));
        measurements = List.copyOf(measurements);
        failures = List.copyOf(failures);
        targets = List.copyOf(targets);
        profiles = List.copyOf(profiles);
    }

    /** @return targets met */
    public long targetsMet() {
        return targets.stream().filter(t -> t.status() == Target.Status.MET).count();
    }

    /** @return the closing line, {@code targets met: K of N} */
    public String targetsLine() {
        return "targets met: " + targetsMet() + " of " + targets.size();
    }

    /** @return the rows present, in scenario order: row name → (scenario, held) */
    public Map<String, Measurement> rowKeys() {
        Map<String, Measurement> rows = new LinkedHashMap<>();
        measurements.stream()
                .sorted(java.util.Comparator.comparing(Measurement::scenario).thenComparingInt(Measurement::held))
                .forEach(m -> rows.putIfAbsent(m.row(), m));
        return rows;
    }

    /**
     * @param scenario a scenario
     * @param held     P5: the other locks held
     * @param impl     an implementation
     * @return its measurement, if any
     */
    public Optional<Measurement> find(Scenario scenario, int held, Impl impl) {
        return measurements.stream().filter(m -> m.scenario() == scenario && m.held() == held && m.impl() == impl)
                .findFirst();
    }

    /**
     * @param scenario a scenario
     * @param held     P5: the other locks held
     * @param baseline a baseline
     * @return Interlock's value divided by the baseline's, if both are there
     */
    public Optional<Double> ratio(Scenario scenario, int held, Impl baseline) {
        Optional<Measurement> mine = find(scenario, held, Impl.INTERLOCK);
        Optional<Measurement> theirs = find(scenario, held, baseline);
        if (mine.isEmpty() || theirs.isEmpty() || !(theirs.get().value() > 0)) {
            return Optional.empty();
        }
        return Optional.of(mine.get().value() / theirs.get().value());
    }

    /** @return the implementations present, in enum order */
    public List<Impl> impls() {
        List<Impl> out = new ArrayList<>();
        for (Impl impl : Impl.values()) {
            if (measurements.stream().anyMatch(m -> m.impl() == impl)) {
                out.add(impl);
            }
        }
        return out;
    }
}
