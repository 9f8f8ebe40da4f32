package dev.interlock;

/** How a lock is held. */
public enum LockMode {
    /** Held by one grant at a time; conflicts with every other grant of the same name. */
    EXCLUSIVE,
    /** Held by any number of grants at once; conflicts only with an exclusive grant of the same name. */
    SHARED;

    /**
     * @param other the mode of an existing grant
     * @return whether a request in this mode can be granted beside a grant in {@code other} mode
     */
    public boolean compatibleWith(LockMode other) {
        return this == SHARED && other == SHARED;
    }
}
