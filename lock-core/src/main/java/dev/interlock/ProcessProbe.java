package dev.interlock;

import dev.interlock.internal.SystemProcessProbe;

/**
 * What this host can tell about processes: the local side of the liveness rules. Injected through
 * {@link LockManager.Builder#probe(ProcessProbe)} so tests can fake a dead pid instead of killing one.
 *
 * <p>A holder recorded in the lock document is <em>provably dead</em>, and its grants may be reaped, when:
 * <ol>
 *   <li>it holds a lease ({@link LockManager.Builder#lease}) that ran out by the database's clock; or</li>
 *   <li>it has this host's boot id and pid namespace, and its pid is gone, is a zombie, or belongs to a
 *       process with another start time (the pid was reused); or</li>
 *   <li>it has this host's name but another boot id: the host rebooted since.</li>
 * </ol>
 * When this host cannot tell (another host, another pid namespace, {@code /proc} hidden or unreadable), the
 * holder counts as alive until its lease, if it has one, runs out. A holder on another host without a lease is
 * never reaped automatically, only by an operator ({@link LockManager#releaseAll}).
 *
 * <p>Rule 3 assumes host names are unique among the machines that share a lock space; {@code localhost} and
 * {@code localhost.localdomain} are never trusted for it. Implementations are thread-safe.
 */
public interface ProcessProbe {

    /** @return this host's name, as {@link Holder#currentProcess(String)} records it */
    String hostName();

    /** @return this host's boot id, or {@code null} if unknown */
    String bootId();

    /** @return this process's pid namespace id, or {@code null} if unknown */
    String pidNamespace();

    /**
     * Looks at a process of this host and pid namespace.
     *
     * @param pid the pid
     * @return what can be seen of it; {@link ProcessStatus#unknown()} when it cannot be seen for sure
     */
    ProcessStatus status(long pid);

    /**
     * @return the probe of the running system: {@code /proc} on Linux; elsewhere one that can tell nothing
     *     about other processes (so only leases free their locks)
     */
    static ProcessProbe system() {
        return SystemProcessProbe.INSTANCE;
    }

    /**
     * What a probe saw of one pid.
     *
     * @param state      the state
     * @param startTicks the start time in clock ticks since boot when {@code RUNNING} and readable, else null
     */
    record ProcessStatus(State state, Long startTicks) {

        /** The states a probe can report. */
        public enum State {
            /** A process with this pid exists and is not a zombie. */
            RUNNING,
            /** The process has exited and waits to be reaped by its parent: it holds nothing any more. */
            ZOMBIE,
            /** No process has this pid. */
            GONE,
            /** The probe cannot tell (permission denied, hidden {@code /proc}, ...). */
            UNKNOWN
        }

        /**
         * Validates.
         *
         * @param state the state
         * @param startTicks the start time in clock ticks since boot when {@code RUNNING} and readable, else null
         */
        public ProcessStatus {
            java.util.Objects.requireNonNull(state, "state");
        }

        /**
         * @param startTicks the start time in clock ticks since boot, or null if unreadable
         * @return a running process
         */
        public static ProcessStatus running(Long startTicks) {
            return new ProcessStatus(State.RUNNING, startTicks);
        }

        /** @return a zombie */
        public static ProcessStatus zombie() {
            return new ProcessStatus(State.ZOMBIE, null);
        }

        /** @return no such process */
        public static ProcessStatus gone() {
            return new ProcessStatus(State.GONE, null);
        }

        /** @return cannot tell */
        public static ProcessStatus unknown() {
            return new ProcessStatus(State.UNKNOWN, null);
        }
    }
}
