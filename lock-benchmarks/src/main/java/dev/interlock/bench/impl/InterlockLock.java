package dev.interlock.bench.impl;

import dev.interlock.Holder;
import dev.interlock.Lease;
import dev.interlock.LockManager;
import dev.interlock.LockMode;
import dev.interlock.LockRequest;
import dev.interlock.jdbi.JdbiLockStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Interlock as an application uses it: one {@link JdbiLockStore} on the pool and one {@link LockManager} per
 * process and space, shared by all threads, with its default settings.
 */
final class InterlockLock implements BenchLock {

    private final BenchEnv env;
    private final JdbiLockStore store;
    private final LockManager manager;
    private final List<LockManager> others = new ArrayList<>();

    InterlockLock(BenchEnv env) {
        this.env = env;
        this.store = JdbiLockStore.create(env.dataSource());
        this.manager = LockManager.builder(store).space(env.space()).holder(Holder.currentProcess("bench")).build();
    }

    @Override
    public Impl impl() {
        return Impl.INTERLOCK;
    }

    @Override
    public Held tryAcquire(String name) {
        Optional<Lease> lease = manager.tryAcquire(LockRequest.exclusive(name));
        return lease.<Held>map(l -> l::close).orElse(null);
    }

    @Override
    public Held acquire(String name, Duration maxWait) throws InterruptedException {
        Lease lease = manager.acquire(LockRequest.exclusive(name), maxWait);
        return lease::close;
    }

    @Override
    public AutoCloseable holdOthers(List<String> names) {
        // Another manager (another holder id) in this process: alive, so never reaped.
        LockManager other = LockManager.builder(store).space(env.space()).holder(Holder.currentProcess("filler"))
                .build();
        synchronized (others) {
            others.add(other);
        }
        for (int from = 0; from < names.size(); from += LockRequest.MAX_NAMES) {
            Map<String, LockMode> batch = new LinkedHashMap<>();
            for (String name : names.subList(from, Math.min(names.size(), from + LockRequest.MAX_NAMES))) {
                batch.put(name, LockMode.EXCLUSIVE);
            }
            if (other.tryAcquire(new LockRequest(batch)).isEmpty()) {
                throw new IllegalStateException("filler locks of " + env.space() + " are taken already");
            }
        }
        return other::close;
    }

    @Override
    public void close() {
        manager.close();
        synchronized (others) {
            others.forEach(LockManager::close);
        }
    }
}
