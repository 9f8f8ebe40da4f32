package dev.interlock.memory;

import dev.interlock.LockManagerContract;
import dev.interlock.spi.LockStore;

class InMemoryLockManagerTest extends LockManagerContract {
    private final InMemoryLockStore store = new InMemoryLockStore();

    @Override
    protected LockStore store() {
        return store;
    }
}
