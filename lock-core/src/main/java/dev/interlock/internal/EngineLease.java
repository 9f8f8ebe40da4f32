package dev.interlock.internal;

import dev.interlock.Lease;
import dev.interlock.LockLostException;
import dev.interlock.LockMode;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/** A lease granted by a {@link LockEngine}; owned by this object, not by a thread. */
final class EngineLease implements Lease {

    enum State { HELD, RELEASING, RELEASED, LOST, LOST_CLOSED }

    private final LockEngine engine;
    private final Map<String, LockMode> locks;
    private final long token;
    private final Instant acquiredAt;
    private final long acquiredNanos = System.nanoTime();
    private final AtomicReference<State> state = new AtomicReference<>(State.HELD);
    /**
     * Until when (System.nanoTime) this lease is surely still valid by this process's reckoning, when the manager
     * has a lease: extended only by a write that found this lease's grants (see LockEngine.noteApplied).
     */
    private volatile long validUntilNanos;
    private volatile boolean valid;

    EngineLease(LockEngine engine, Map<String, LockMode> locks, long token, Instant acquiredAt) {
        this.engine = engine;
        this.locks = locks;
        this.token = token;
        this.acquiredAt = acquiredAt;
    }

    @Override
    public Map<String, LockMode> locks() {
        return locks;
    }

    @Override
    public long token() {
        return token;
    }

    @Override
    public String space() {
        return engine.space();
    }

    @Override
    public String holderId() {
        return engine.holderId();
    }

    @Override
    public Instant acquiredAt() {
        return acquiredAt;
    }

    @Override
    public boolean isHeld() {
        return state.get() == State.HELD && (!engine.leased() || valid && System.nanoTime() - validUntilNanos < 0);
    }

    /**
     * A write that found this lease's grants carried its holder's lease until {@code untilNanos} (local clock).
     * Called under the manager's write lock, so by one thread at a time.
     */
    void extendValidity(long untilNanos) {
        if (!valid || untilNanos - validUntilNanos > 0) {
            validUntilNanos = untilNanos;
            valid = true;
        }
    }

    /** @return how long since the grant, by this process's clock */
    java.time.Duration heldFor() {
        return java.time.Duration.ofNanos(System.nanoTime() - acquiredNanos);
    }

    State state() {
        return state.get();
    }

    @Override
    public void checkHeld() {
        State s = state.get();
        if (s == State.RELEASING || s == State.RELEASED) {
            throw new IllegalStateException("lease " + token + " in space '" + engine.space() + "' was closed");
        }
        if (s == State.LOST || s == State.LOST_CLOSED) {
            throw lostException();
        }
        engine.verify(this);
    }

    LockLostException lostException() {
        return new LockLostException("lease " + token + " on " + describeLocks() + " in space '" + engine.space()
                + "' is no longer held: its grants were removed by another process", token);
    }

    @Override
    public void close() {
        if (state.compareAndSet(State.HELD, State.RELEASING)) {
            engine.releaseQuietly(this);
        } else if (state.compareAndSet(State.LOST, State.LOST_CLOSED)) {
            engine.removeOrphansQuietly(); // what is left of a partly lost lease
        }
    }

    /** Called by the engine once the release is applied or given up. */
    void markReleased() {
        state.set(State.RELEASED);
    }

    /** @return whether this call moved the lease to LOST */
    boolean markLost() {
        State s;
        do {
            s = state.get();
            if (s == State.LOST || s == State.LOST_CLOSED || s == State.RELEASED) {
                return false;
            }
        } while (!state.compareAndSet(s, State.LOST));
        return true;
    }

    String describeLocks() {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (Map.Entry<String, LockMode> e : locks.entrySet()) {
            if (shown == 5) {
                out.append(" and ").append(locks.size() - 5).append(" more");
                break;
            }
            if (shown++ > 0) {
                out.append(", ");
            }
            out.append(e.getKey()).append(" (").append(e.getValue()).append(')');
        }
        return out.toString();
    }

    @Override
    public String toString() {
        return "Lease[space=" + engine.space() + ", token=" + token + ", locks=" + describeLocks() + ", holder="
                + engine.holderId() + ", state=" + state.get() + "]";
    }
}
