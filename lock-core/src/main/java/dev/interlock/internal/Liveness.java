package dev.interlock.internal;

import java.time.Instant;

/**
 * Decides whether another holder is provably dead, so that its grants may be removed.
 *
 * <p>The rule here needs nothing but the store's clock: a holder whose lease ({@code leaseUntil}) has run out
 * by the database's clock is dead. A holder without a lease is never judged dead by this rule.
 */
class Liveness {

    /**
     * @param record the holder's record
     * @param now    the store's clock at the read
     * @return why the holder is dead, or {@code null} if it may be alive
     */
    String deadReason(LockDocument.HolderRecord record, Instant now) {
        if (record.leaseUntil != null && !now.isBefore(record.leaseUntil)) {
            return "its lease ran out at " + record.leaseUntil + " (database time " + now + ")";
        }
        return null;
    }
}
