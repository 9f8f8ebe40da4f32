package dev.interlock;

/**
 * Hears about events of one {@link LockManager}. Every method has an empty default; override what you need.
 *
 * <p>Methods are called on the thread that observed the event, after the store operation finished; they
 * must be quick and must not throw (an exception is logged and ignored).
 */
public interface LockListener {

    /**
     * A lease of this manager was found lost: its grants were removed by someone else.
     *
     * @param lease  the lost lease
     * @param reason how it was noticed, e.g. {@code "release found the grants gone"}
     */
    default void leaseLost(Lease lease, String reason) {
    }

    /**
     * This manager removed the grants of a holder it judged dead.
     *
     * @param holderId the reaped holder
     * @param holder   its identity
     * @param locks    the names it held
     * @param why      the rule that judged it dead
     */
    default void holderReaped(String holderId, Holder holder, java.util.Collection<String> locks, String why) {
    }
}
