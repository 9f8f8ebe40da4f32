package dev.interlock.bench;

import dev.interlock.bench.impl.Impl;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A profiled run of one scenario and implementation: where the time of an operation goes.
 *
 * @param scenario  the scenario
 * @param held      P5: the other locks held
 * @param impl      the implementation
 * @param threads   benchmark threads (all processes together for P3)
 * @param score     the profiled run's own score (latency in µs, or per second), slowed by the profiling
 * @param wallUsPerOp a thread's wall-clock time per operation, in µs: the mean latency, or threads / rate
 * @param metrics   the profiler's figures by label ({@code wall:<category>} in %, {@code sql:...}, {@code cpu:...},
 *                  {@code gc.alloc.rate.norm} in B/op)
 * @param detail    the commonest stacks of each category, as text (may be empty)
 * @param why       which targets this profile is for (empty if asked for with --profile)
 */
public record Profile(Scenario scenario, int held, Impl impl, int threads, double score, double wallUsPerOp,
                      Map<String, Double> metrics, String detail, List<String> why) {

    /** Validates and copies. */
    public Profile {
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(impl, "impl");
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        detail = detail == null ? "" : detail;
        why = List.copyOf(why);
    }

    /** @return the wall-clock categories, largest first: category → share in % */
    public Map<String, Double> wallShares() {
        Map<String, Double> out = new LinkedHashMap<>();
        metrics.entrySet().stream()
                .filter(e -> e.getKey().startsWith("wall:") && !e.getKey().equals("wall:samples")
                        && !e.getKey().equals("wall:seconds"))
                .sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> out.put(e.getKey().substring(5), e.getValue()));
        return out;
    }

    /**
     * Sums the shares of categories by their first word ({@code SELECT}, {@code UPDATE}, {@code JSON}, {@code queue},
     * {@code wait}, ...), the summary the engine's owner asks for first.
     *
     * @return group → share in %
     */
    public Map<String, Double> groups() {
        Map<String, Double> out = new LinkedHashMap<>();
        wallShares().forEach((category, share) -> out.merge(group(category), share, Double::sum));
        Map<String, Double> sorted = new LinkedHashMap<>();
        out.entrySet().stream().sorted(Map.Entry.<String, Double>comparingByValue().reversed())
                .forEach(e -> sorted.put(e.getKey(), e.getValue()));
        return sorted;
    }

    /**
     * @param category a category of {@code StackClassifier}
     * @return its group: statements keep their part (server, read-only check, pool, client), engine methods become
     *     one group, the rest stay as they are
     */
    static String group(String category) {
        if (category.startsWith("queue:")) {
            return "queue: waiting for the manager's write lock";
        }
        if (category.startsWith("engine:")) {
            return "engine: other code";
        }
        return category.replace(" · ", ": ");
    }

    /** @return a short name, e.g. {@code P5 (1,000 held) Interlock} */
    public String name() {
        return Measurement.rowName(scenario, held) + " " + impl.label();
    }

    /**
     * @param label a metric label
     * @return its value, or NaN
     */
    public double metric(String label) {
        return metrics.getOrDefault(label, Double.NaN);
    }

    /** @return the statements per operation: kind → {count/op, µs/op, no-row/op} */
    public Map<String, double[]> statements() {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (var kind : dev.interlock.bench.profile.SqlCounter.Kind.values()) {
            double n = metric("sql:" + kind + "/op");
            if (!Double.isNaN(n) && n > 0) {
                double noRow = metric("sql:" + kind + " no-row/op");
                out.put(kind.name().toLowerCase(Locale.ROOT), new double[] {n, metric("sql:" + kind + " us/op"),
                        Double.isNaN(noRow) ? 0 : noRow});
            }
        }
        return out;
    }
}
