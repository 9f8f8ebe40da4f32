package dev.interlock;

/**
 * Work done while holding a lease, returning a value; see {@link LockManager#withLock}.
 *
 * @param <T> the result type
 * @param <X> the checked exception the work may throw, passed through unwrapped
 */
@FunctionalInterface
public interface LockCallback<T, X extends Exception> {
    /**
     * @param lease the held lease (its {@link Lease#token()} is the fencing token for protected writes)
     * @return the result
     * @throws X whatever the work throws
     */
    T withLock(Lease lease) throws X;
}
