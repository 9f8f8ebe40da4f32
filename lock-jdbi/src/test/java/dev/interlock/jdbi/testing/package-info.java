/**
 * Test support for code that needs a real MySQL or MariaDB, shipped in lock-jdbi's test-jar: the test database
 * ({@link dev.interlock.jdbi.testing.TestDatabase}: a URL from the environment, a Testcontainers MySQL, or an
 * embedded MariaDB) and a fault-injecting TCP proxy ({@link dev.interlock.jdbi.testing.FaultProxy}) for lost
 * requests and replies. Not API: free to change with the tests that use it.
 */
package dev.interlock.jdbi.testing;
