/**
 * Interlock's public API: inter-process locks kept in one versioned document per lock space.
 *
 * <p>Start at {@link dev.interlock.LockManager#builder(dev.interlock.spi.LockStore)}.
 */
package dev.interlock;
