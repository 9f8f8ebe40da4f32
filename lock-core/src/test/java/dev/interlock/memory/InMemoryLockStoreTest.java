package dev.interlock.memory;

import dev.interlock.spi.LockStore;
import dev.interlock.spi.LockStoreContract;

class InMemoryLockStoreTest extends LockStoreContract {
    private final InMemoryLockStore store = new InMemoryLockStore();

    @Override
    protected LockStore store() {
        return store;
    }
}
