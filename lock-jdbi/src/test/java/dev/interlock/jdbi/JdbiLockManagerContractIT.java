package dev.interlock.jdbi;

import dev.interlock.LockManagerContract;
import dev.interlock.jdbi.testing.TestDatabase;
import dev.interlock.spi.LockStore;

/** The lock manager contract of lock-core, on the MySQL/MariaDB store and the test database. */
class JdbiLockManagerContractIT extends LockManagerContract {

    @Override
    protected LockStore store() {
        return TestDatabase.get().store();
    }
}
