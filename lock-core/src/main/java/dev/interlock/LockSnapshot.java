package dev.interlock;

import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * An immutable view of every lock held in a space at one version: who holds what, in which mode, since
 * when, with which fencing token.
 *
 * @param space  the space
 * @param version the version the view was read at
 * @param readAt the store's clock at the read
 * @param grants every grant, ordered by lock name, then token
 */
public record LockSnapshot(String space, long version, Instant readAt, List<Grant> grants) {

    /**
     * Validates and copies.
     *
     * @param space the space
     * @param version the version the view was read at
     * @param readAt the store's clock at the read
     * @param grants every grant, ordered by lock name, then token
     */
    public LockSnapshot {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(readAt, "readAt");
        grants = grants.stream()
                .sorted(Comparator.comparing(Grant::lock).thenComparingLong(Grant::token))
                .collect(Collectors.toUnmodifiableList());
    }

    /** @return the names of all held locks, sorted */
    public SortedSet<String> lockNames() {
        return grants.stream().map(Grant::lock).collect(Collectors.toCollection(TreeSet::new));
    }

    /**
     * @param lock a lock name
     * @return the grants of that lock (empty if it is free)
     */
    public List<Grant> grantsOf(String lock) {
        return grants.stream().filter(g -> g.lock().equals(lock)).collect(Collectors.toUnmodifiableList());
    }

    /**
     * @param task a task id
     * @return the grants held by holders of that task
     */
    public List<Grant> grantsOfTask(String task) {
        return grants.stream().filter(g -> Objects.equals(task, g.holder().task()))
                .collect(Collectors.toUnmodifiableList());
    }

    /** @return whether no lock is held */
    public boolean isEmpty() {
        return grants.isEmpty();
    }

    /**
     * One holder's grant of one lock.
     *
     * @param lock       the lock name
     * @param mode       the mode it is held in
     * @param holderId   the holder's id (one per {@link LockManager})
     * @param holder     the holder's process identity
     * @param token      the fencing token of the grant
     * @param since      when it was granted, by the store's clock
     * @param leaseUntil when the holder's lease runs out, by the store's clock, or {@code null} without a lease
     */
    public record Grant(String lock, LockMode mode, String holderId, Holder holder, long token, Instant since,
                        Instant leaseUntil) {

        /**
         * Validates.
         *
         * @param lock the lock name
         * @param mode the mode it is held in
         * @param holderId the holder's id (one per {@link LockManager})
         * @param holder the holder's process identity
         * @param token the fencing token of the grant
         * @param since when it was granted, by the store's clock
         * @param leaseUntil when the holder's lease runs out, by the store's clock, or {@code null} without a lease
         */
        public Grant {
            Objects.requireNonNull(lock, "lock");
            Objects.requireNonNull(mode, "mode");
            Objects.requireNonNull(holderId, "holderId");
            Objects.requireNonNull(holder, "holder");
            Objects.requireNonNull(since, "since");
        }

        /** @return e.g. {@code app:3f2a held by box-1 pid 4711 (task backup-17) since 2026-...Z, token 42} */
        public String describe() {
            return lock + " (" + mode + ") held by " + holder.describe() + " since " + since + ", token " + token;
        }
    }
}
