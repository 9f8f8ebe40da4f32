package dev.interlock.spi;

import java.util.Optional;

/**
 * Where the lock state of each lock space lives: one versioned text document per space.
 *
 * <p>A store is deliberately dumb. It knows nothing of locks, holders or JSON; it reads a document with
 * its version and compare-and-sets a new one. All locking logic lives in the engine of
 * {@link dev.interlock.LockManager}, written once over this interface, so every store behaves the same.
 * The contract suite {@code dev.interlock.spi.LockStoreContract} in lock-core's test-jar pins the
 * semantics down; a store implementation extends it in a few lines.
 *
 * <p>Rules every implementation follows:
 * <ul>
 *   <li>Each call stands on its own: no session-bound state, no transaction spanning two calls. Any
 *       connection of a pool may serve any call.</li>
 *   <li>Writes are durable and atomic when {@link CasResult#APPLIED} is returned, and never join a
 *       transaction the caller may have open.</li>
 *   <li>The version of a space only ever grows, by exactly one per applied compare-and-set.</li>
 *   <li>Implementations are thread-safe.</li>
 * </ul>
 */
public interface LockStore {

    /**
     * Reads the current document of a space.
     *
     * @param space the space id, 1 to 191 characters
     * @return the version, the document and the store's current time; empty if the space does not exist
     * @throws dev.interlock.LockStoreException if the store cannot be reached or answers with an error
     */
    Optional<Stored> read(String space);

    /**
     * Replaces the document of a space if, and only if, its version is still {@code expectedVersion};
     * the version then becomes {@code expectedVersion + 1}.
     *
     * @param space           the space id
     * @param expectedVersion the version the caller read
     * @param newData         the new document
     * @return {@link CasResult#APPLIED} if this call changed the document, {@link CasResult#CONFLICT} if the
     *     version had moved on (or the store reported a retryable conflict, such as a deadlock, and rolled
     *     the change back), {@link CasResult#UNKNOWN} if the request may or may not have been applied (the
     *     connection was lost after the statement was sent)
     * @throws dev.interlock.LockStoreException if the store refused the write and nothing was changed
     */
    CasResult compareAndSet(String space, long expectedVersion, String newData);

    /**
     * Creates the space at version 0 with the given document, unless it already exists; an existing space is
     * left untouched. Safe to call concurrently from many processes.
     *
     * @param space       the space id
     * @param initialData the document of an empty space
     * @throws dev.interlock.LockStoreException if the store cannot be reached or refuses the write
     */
    void createSpaceIfAbsent(String space, String initialData);
}
