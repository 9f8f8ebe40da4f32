package dev.interlock.bench;

/** The benchmark scenarios (P1 to P5, as lock-benchmarks/README.md describes them). */
public enum Scenario {
    /** Uncontended acquire+release latency, one thread. */
    P1("uncontended acquire+release latency, 1 thread", "µs", false),
    /** 8 threads in one process, each on its own lock. */
    P2("8 threads in 1 process, each on its own lock", "pairs/s", true),
    /** 4 processes x 2 threads, each on its own lock. */
    P3("4 processes x 2 threads, each on its own lock", "pairs/s", true),
    /** 8 threads on one shared lock. */
    P4("8 threads on 1 shared lock", "acquisitions/s", true),
    /** One acquire+release while N other locks are held in the space. */
    P5("acquire+release latency while N other locks are held", "µs", false);

    private final String title;
    private final String unit;
    private final boolean higherIsBetter;

    Scenario(String title, String unit, boolean higherIsBetter) {
        this.title = title;
        this.unit = unit;
        this.higherIsBetter = higherIsBetter;
    }

    /** @return what it measures */
    public String title() {
        return title;
    }

    /** @return the unit of its values */
    public String unit() {
        return unit;
    }

    /** @return whether a higher value is better (throughput) rather than worse (latency) */
    public boolean higherIsBetter() {
        return higherIsBetter;
    }
}
