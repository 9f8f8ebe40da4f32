package dev.interlock.internal;

import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.spi.LockStore;
import java.time.Duration;

/**
 * The validated settings of one {@link LockEngine}; built by {@link dev.interlock.LockManager.Builder}.
 *
 * @param store           the store
 * @param space           the space id
 * @param holder          the process identity
 * @param minBackoff      the first wait between attempts
 * @param maxBackoff      the largest wait between attempts
 * @param maxCasAttempts  compare-and-set conflicts in a row before giving up (non-waiting calls)
 * @param maxDocumentSize the largest document read or written, in characters
 * @param listener        the event listener
 */
public record EngineConfig(LockStore store, String space, Holder holder, Duration minBackoff, Duration maxBackoff,
                           int maxCasAttempts, int maxDocumentSize, LockListener listener) {
}
