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
 * @param queue  the requests waiting in fair mode, oldest first
 */
public record LockSnapshot(String space, long version, Instant readAt, List<Grant> grants, List<Waiter> queue) {

    /**
     * Validates and copies.
     *
     * @param space the space
     * @param version the version the view was read at
     * @param readAt the store's clock at the read
     * @param grants every grant, ordered by lock name, then token
     * @param queue  the requests waiting in fair mode, oldest first
     */
    public LockSnapshot {
        Objects.requireNonNull(space, "space");
        Objects.requireNonNull(readAt, "readAt");
        grants = grants.stream()
                .sorted(Comparator.comparing(Grant::lock).thenComparingLong(Grant::token))
                .collect(Collectors.toUnmodifiableList());
        queue = List.copyOf(queue);
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

    /** @return whether no lock is held and no request is queued */
    public boolean isEmpty() {
        return grants.isEmpty() && queue.isEmpty();
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

    /**
     * A request waiting in fair mode: later requests that conflict with it wait behind it.
     *
     * @param holderId   the waiting holder's id
     * @param holder     its process identity
     * @param ticket     its place in the queue: the version of the space at which it was queued
     * @param locks      what it asks for
     * @param since      when it was queued, by the store's clock
     * @param leaseUntil when the holder's lease runs out, or {@code null} without a lease
     */
    public record Waiter(String holderId, Holder holder, long ticket, java.util.Map<String, LockMode> locks,
                         Instant since, Instant leaseUntil) {

        /**
         * Validates and copies.
         *
         * @param holderId   the waiting holder's id
         * @param holder     its process identity
         * @param ticket     its place in the queue: the version of the space at which it was queued
         * @param locks      what it asks for
         * @param since      when it was queued, by the store's clock
         * @param leaseUntil when the holder's lease runs out, or {@code null} without a lease
         */
        public Waiter {
            Objects.requireNonNull(holderId, "holderId");
            Objects.requireNonNull(holder, "holder");
            locks = java.util.Map.copyOf(locks);
            Objects.requireNonNull(since, "since");
        }

        /** @return e.g. {@code box-1 pid 4711 (task update-3) queued for platform (EXCLUSIVE) since ..., ticket 40} */
        public String describe() {
            return holder.describe() + " queued for " + new LockRequest(locks) + " since " + since + ", ticket " + ticket;
        }
    }
}
