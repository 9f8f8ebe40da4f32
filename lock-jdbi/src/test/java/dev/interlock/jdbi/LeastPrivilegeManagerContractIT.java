package dev.interlock.jdbi;

import dev.interlock.LockManagerContract;
import dev.interlock.spi.LockStore;
import org.junit.jupiter.api.BeforeAll;

/**
 * The lock manager contract of lock-core on the MySQL/MariaDB store, logged in as an account that holds only
 * SELECT, INSERT and UPDATE on the lock table, on a MariaDB whose grant tables are in force.
 */
class LeastPrivilegeManagerContractIT extends LockManagerContract {

    @BeforeAll
    static void theAccountHoldsOnlyWhatTheStoreNeeds() {
        LeastPrivilege.get().assertOnlyNeeded();
    }

    @Override
    protected LockStore store() {
        return LeastPrivilege.get().store();
    }
}
