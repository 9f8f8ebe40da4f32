package dev.interlock.bench;

import java.util.Collection;
import java.util.List;

/** Small statistics over measurements. */
final class Stats {

    private Stats() {
    }

    /**
     * @param values at least one value
     * @return the median (the mean of the middle two for an even count)
     */
    static double median(Collection<Double> values) {
        if (values.isEmpty()) {
            throw new IllegalArgumentException("median of no values");
        }
        List<Double> sorted = values.stream().sorted().toList();
        int n = sorted.size();
        return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
    }
}
