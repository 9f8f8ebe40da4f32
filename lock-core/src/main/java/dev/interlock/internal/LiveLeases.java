package dev.interlock.internal;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;

/**
 * The leases a manager has granted and not yet released, by token. Leases granted by one combined write share
 * its token, so a grant is identified by its token and its lock name: one write never gives one holder two
 * grants of the same name. Thread-safe.
 */
final class LiveLeases {

    private final ConcurrentMap<Long, List<EngineLease>> byToken = new ConcurrentHashMap<>();

    void add(EngineLease lease) {
        byToken.compute(lease.token(), (t, leases) -> {
            List<EngineLease> more = leases == null ? new ArrayList<>(1) : new ArrayList<>(leases);
            more.add(lease);
            return List.copyOf(more);
        });
    }

    void remove(EngineLease lease) {
        byToken.computeIfPresent(lease.token(), (t, leases) -> {
            List<EngineLease> fewer = new ArrayList<>(leases);
            fewer.remove(lease);
            return fewer.isEmpty() ? null : List.copyOf(fewer);
        });
    }

    /** @return the live lease that owns this holder's grant of {@code name} with {@code token}, or null */
    EngineLease owner(long token, String name) {
        List<EngineLease> leases = byToken.get(token);
        if (leases != null) {
            for (EngineLease lease : leases) {
                if (lease.locks().containsKey(name)) {
                    return lease;
                }
            }
        }
        return null;
    }

    boolean isEmpty() {
        return byToken.isEmpty();
    }

    /** @return a copy of all live leases */
    List<EngineLease> all() {
        List<EngineLease> all = new ArrayList<>();
        byToken.values().forEach(all::addAll);
        return all;
    }
}
