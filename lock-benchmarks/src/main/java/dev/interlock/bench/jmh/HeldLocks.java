package dev.interlock.bench.jmh;

import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** P5: other locks held in the same space (by another holder) while the benchmark takes and frees its own. */
@State(Scope.Benchmark)
public class HeldLocks {

    /** How many other locks are held. */
    @Param({"0", "100", "1000", "10000"})
    public int held;

    /**
     * Takes the other locks.
     *
     * @param state the implementation
     */
    @Setup(Level.Trial)
    public void fill(LockState state) {
        if (held > 0) {
            List<String> names = new ArrayList<>(held);
            for (int i = 0; i < held; i++) {
                names.add(state.env.lockName("h" + i));
            }
            // freed by LockState's tear-down, before it closes the pool (JMH may tear that state down first)
            state.closeFirst(state.lock.holdOthers(names));
        }
    }
}
