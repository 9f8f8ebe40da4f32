package dev.interlock.jdbi;

import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.LockStoreContract;

/** The store contract of lock-core, against the test database. */
class JdbiLockStoreContractIT extends LockStoreContract {

    @Override
    protected LockStore store() {
        return TestDatabase.get().store();
    }
}
