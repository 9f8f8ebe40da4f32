package dev.interlock;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A set of lock names, each with a {@link LockMode}, granted all-or-nothing in one compare-and-set.
 *
 * <pre>{@code
 * LockRequest request = LockRequest.exclusive("app:3f2a").and(LockRequest.shared("platform"));
 * }</pre>
 *
 * <p>Names are 1 to {@value #MAX_NAME_LENGTH} characters (Unicode code points) of any text except control
 * characters, invisible format characters (bidi controls, zero-width characters) and line or paragraph separators,
 * which would spoof the log lines quoting a name; a request holds 1 to {@value #MAX_NAMES} names. Bad input is rejected here with an
 * {@link IllegalArgumentException}, before any store is touched. Immutable and thread-safe.
 *
 * @param locks the names and their modes, sorted by name
 */
public record LockRequest(Map<String, LockMode> locks) {

    /** The longest lock name, in characters. */
    public static final int MAX_NAME_LENGTH = Names.MAX_NAME_LENGTH;
    /** The most names one request may hold. */
    public static final int MAX_NAMES = 1000;

    /**
     * Validates and copies the names. 
     *
     * @param locks the names and their modes, sorted by name
     * @throws IllegalArgumentException if the map is empty, too large, or a name is invalid
     * @throws NullPointerException     if the map, a name or a mode is null
     */
    public LockRequest {
        Objects.requireNonNull(locks, "locks");
        if (locks.isEmpty()) {
            throw new IllegalArgumentException("a lock request needs at least one lock name");
        }
        if (locks.size() > MAX_NAMES) {
            throw new IllegalArgumentException("a lock request may hold at most " + MAX_NAMES + " names, had "
                    + locks.size());
        }
        TreeMap<String, LockMode> copy = new TreeMap<>();
        for (Map.Entry<String, LockMode> e : locks.entrySet()) {
            String name = Names.check("lock name", e.getKey(), MAX_NAME_LENGTH);
            copy.put(name, Objects.requireNonNull(e.getValue(), () -> "mode of lock " + Names.quoteShort(name)));
        }
        locks = Collections.unmodifiableSortedMap(copy);
    }

    /**
     * Checks a lock name: 1 to {@value #MAX_NAME_LENGTH} characters, no control characters, no format characters
     * (Unicode category Cf: bidi controls, zero-width characters), no line or paragraph separators, no unpaired
     * surrogates.
     *
     * @param name the name
     * @return the name
     * @throws IllegalArgumentException saying what is wrong with it
     * @throws NullPointerException     if it is null
     */
    public static String checkName(String name) {
        return Names.check("lock name", name, MAX_NAME_LENGTH);
    }

    /**
     * @param name the lock name
     * @return a request for one exclusive lock
     */
    public static LockRequest exclusive(String name) {
        return new LockRequest(Map.of(Names.check("lock name", name, MAX_NAME_LENGTH), LockMode.EXCLUSIVE));
    }

    /**
     * @param name the lock name
     * @return a request for one shared lock
     */
    public static LockRequest shared(String name) {
        return new LockRequest(Map.of(Names.check("lock name", name, MAX_NAME_LENGTH), LockMode.SHARED));
    }

    /**
     * Combines two requests into one, granted all-or-nothing.
     *
     * @param other more names
     * @return a request for the names of both
     * @throws IllegalArgumentException if a name appears in both with different modes (ask for it once, in
     *                                  the mode you need), or the result would exceed {@value #MAX_NAMES} names
     */
    public LockRequest and(LockRequest other) {
        Objects.requireNonNull(other, "other");
        TreeMap<String, LockMode> merged = new TreeMap<>(locks);
        for (Map.Entry<String, LockMode> e : other.locks.entrySet()) {
            LockMode previous = merged.putIfAbsent(e.getKey(), e.getValue());
            if (previous != null && previous != e.getValue()) {
                throw new IllegalArgumentException("lock " + Names.quoteShort(e.getKey()) + " is requested both "
                        + previous + " and " + e.getValue() + "; request it once, in the mode you need");
            }
        }
        return new LockRequest(merged);
    }

    /**
     * @param name another lock name
     * @return this request plus an exclusive lock on {@code name}
     */
    public LockRequest andExclusive(String name) {
        return and(exclusive(name));
    }

    /**
     * @param name another lock name
     * @return this request plus a shared lock on {@code name}
     */
    public LockRequest andShared(String name) {
        return and(shared(name));
    }

    /** @return e.g. {@code app:3f2a (EXCLUSIVE), platform (SHARED)} */
    @Override
    public String toString() {
        StringBuilder out = new StringBuilder();
        int shown = 0;
        for (Map.Entry<String, LockMode> e : locks.entrySet()) {
            if (shown == 10) {
                return out.append(" and ").append(locks.size() - shown).append(" more").toString();
            }
            if (shown++ > 0) {
                out.append(", ");
            }
            out.append(e.getKey()).append(" (").append(e.getValue()).append(')');
        }
        return out.toString();
    }
}
