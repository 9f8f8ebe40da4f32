package dev.interlock.jdbi;

import dev.interlock.spi.LockStore;
import dev.interlock.spi.LockStoreContract;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract of lock-core, logged in as an account that holds only SELECT, INSERT and UPDATE on the
 * lock table, on a MariaDB whose grant tables are in force.
 */
class LeastPrivilegeStoreContractIT extends LockStoreContract {

    @BeforeAll
    static void theAccountHoldsOnlyWhatTheStoreNeeds() {
        LeastPrivilege.get().assertOnlyNeeded();
    }

    @Override
    protected LockStore store() {
        return LeastPrivilege.get().store();
    }
}
