package dev.interlock;

/**
 * Work done while holding a lease; see {@link LockManager#useLock}.
 *
 * @param <X> the checked exception the work may throw, passed through unwrapped
 */
@FunctionalInterface
public interface LockConsumer<X extends Exception> {
    /**
     * @param lease the held lease
     * @throws X whatever the work throws
     */
    void useLock(Lease lease) throws X;
}
