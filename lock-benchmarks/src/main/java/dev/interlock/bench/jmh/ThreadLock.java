package dev.interlock.bench.jmh;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.ThreadParams;

/** P2: each benchmark thread's own lock name. */
@State(Scope.Thread)
public class ThreadLock {

    /** This thread's lock. */
    public String name;

    /**
     * Names the lock after the thread.
     *
     * @param state  the implementation
     * @param thread JMH's thread parameters
     */
    @Setup(Level.Trial)
    public void name(LockState state, ThreadParams thread) {
        name = state.env.lockName("t" + thread.getThreadIndex());
    }
}
