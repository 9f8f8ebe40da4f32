package dev.interlock.internal;

import dev.interlock.Holder;
import dev.interlock.LockListener;
import dev.interlock.ProcessProbe;
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
 * @param listener        the event listener, or null for none
 * @param listenerExecutor where events are delivered, or null for the manager's own thread
 * @param probe           what this host can tell about processes
 * @param lease           the lease of this holder's locks, or null for none
 * @param renewEvery      how often the lease is renewed (null without a lease)
 * @param sweepEvery      how often to reap in the background, or null for never
 * @param fair            whether blocked acquire calls queue in the space
 */
public record EngineConfig(LockStore store, String space, Holder holder, Duration minBackoff, Duration maxBackoff,
                           int maxCasAttempts, int maxDocumentSize, LockListener listener,
                           java.util.concurrent.Executor listenerExecutor, ProcessProbe probe,
                           Duration lease, Duration renewEvery, Duration sweepEvery, boolean fair) {
}
