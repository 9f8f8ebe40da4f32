package dev.interlock.jdbi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.mysql.cj.jdbc.exceptions.MySQLTimeoutException;
import dev.interlock.jdbi.MysqlErrors.Kind;
import java.io.EOFException;
import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransactionRollbackException;
import org.junit.jupiter.api.Test;

/**
 * The error table, with the exceptions MySQL Connector/J builds for each server answer (same classes,
 * SQL states and vendor codes). The real-database tests cover the ones a single server can produce.
 */
class MysqlErrorsTest {

    /** As Jdbi wraps driver errors. */
    private static RuntimeException wrapped(SQLException e) {
        return new RuntimeException("statement failed", e);
    }

    @Test
    void conflictsThatRolledBackAreRetried() {
        assertEquals(Kind.RETRY, MysqlErrors.classifyWrite(wrapped(new SQLTransactionRollbackException(
                "Deadlock found when trying to get lock; try restarting transaction", "40001", 1213))));
        assertEquals(Kind.RETRY, MysqlErrors.classifyWrite(wrapped(new SQLTransactionRollbackException(
                "WSREP detected deadlock/conflict and aborted the transaction. Try restarting the transaction",
                "40001", 1213))));
        assertEquals(Kind.RETRY, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Lock wait timeout exceeded; try restarting transaction", "HY000", 1205))));
        assertEquals(Kind.RETRY, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Record has changed since last read in table 'interlock_spaces'", "HY000", 1020))));
        assertEquals(Kind.RETRY, MysqlErrors.classifyWrite(wrapped(new SQLTransactionRollbackException(
                "Plugin instructed the server to rollback the current transaction.", "40000", 3101))));
        assertEquals(Kind.RETRY, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "serialization failure", "40001", 0))));
    }

    @Test
    void lostConnectionsAndCommitPathErrorsAreUnknown() {
        // Connector/J's CommunicationsException is an SQLRecoverableException with SQLState 08S01 and code 0.
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLRecoverableException(
                "Communications link failure", "08S01", 0, new EOFException("Can not read response")))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLNonTransientConnectionException(
                "No operations allowed after connection closed.", "08003", 0))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Communications link failure", "08S01", 0, new SocketTimeoutException("Read timed out")))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new MySQLTimeoutException())),
                "a client-side query timeout sends KILL QUERY, which races the commit");
        // Galera: the node left the primary component, possibly while replicating this very write.
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLNonTransientConnectionException(
                "WSREP has not yet prepared node for application use", "08S01", 1047))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Error on observer while running replication hook 'before_commit'.", "HY000", 3100))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Got error 6 during COMMIT", "HY000", 1180))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Query execution was interrupted", "70100", 1317))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Server shutdown in progress", "08S01", 1053))));
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "WSREP replication failed. Check your wsrep connection state and retry the query.", "HY000", 1))),
                "an unknown Galera error is never taken for 'not applied'");
        assertEquals(Kind.UNKNOWN, MysqlErrors.classifyWrite(new IllegalStateException("no SQLException at all")));
    }

    @Test
    void refusalsFail() {
        assertEquals(Kind.FAIL, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Table 'test.nope' doesn't exist", "42S02", 1146))));
        SQLException readOnly = new SQLException(
                "The MySQL server is running with the --read-only option so it cannot execute this statement",
                "HY000", 1290);
        assertEquals(Kind.FAIL, MysqlErrors.classifyWrite(wrapped(readOnly)));
        assertTrue(MysqlErrors.isReadOnly(wrapped(readOnly)));
        assertTrue(MysqlErrors.isReadOnly(wrapped(new SQLException("Cannot execute statement in a READ ONLY transaction.",
                "25006", 1792))));
        assertFalse(MysqlErrors.isReadOnly(wrapped(new SQLException("x", "42S02", 1146))));
        // MySQL 8.0 with --innodb-read-only; 1015 for another reason is not read-only
        assertTrue(MysqlErrors.isReadOnly(wrapped(new SQLException("Can't lock file (errno: 165 - Table is read only)",
                "HY000", 1015))));
        assertFalse(MysqlErrors.isReadOnly(wrapped(new SQLException("Can't lock file (errno: 11)", "HY000", 1015))));

        // transient: what may pass; not: what needs a person, wherever it sits in the chain
        assertTrue(MysqlErrors.isTransient(wrapped(new java.sql.SQLRecoverableException("Communications link failure",
                "08S01", 0))));
        assertTrue(MysqlErrors.isTransient(wrapped(new SQLException("Deadlock found", "40001", 1213))));
        assertFalse(MysqlErrors.isTransient(wrapped(new SQLException("UPDATE command denied", "42000", 1142))));
        assertFalse(MysqlErrors.isTransient(wrapped(new java.sql.SQLTransientConnectionException("pool: no connection",
                "08001", 0, new SQLException("Access denied for user", "28000", 1045)))));
        assertFalse(MysqlErrors.isTransient(wrapped(readOnly)));
        assertFalse(MysqlErrors.isTransient(new IllegalStateException("a bug, not the database")));
        assertTrue(MysqlErrors.isTransient(new IllegalStateException("wrapped",
                new java.io.EOFException("connection closed"))));
        assertEquals(Kind.FAIL, MysqlErrors.classifyWrite(wrapped(new SQLException(
                "Invalid JSON text: \"Invalid value.\" at position 0 in value for column 'interlock_spaces.data'.",
                "22032", 3140))));
    }

    @Test
    void describeNamesStateCodeAndABoundedMessage() {
        SQLException e = new SQLException("Deadlock found when trying to get lock; try restarting transaction",
                "40001", 1213);
        assertEquals("SQLState 40001, error 1213: Deadlock found when trying to get lock; try restarting transaction",
                MysqlErrors.describe(wrapped(e)));
        String longMessage = "x".repeat(10_000);
        String described = MysqlErrors.describe(wrapped(new SQLException(longMessage, "HY000", 1)));
        assertTrue(described.length() < 400, described.length() + " characters");
        assertTrue(described.endsWith("..."));
        assertEquals("java.lang.IllegalStateException: boom",
                MysqlErrors.describe(new IllegalStateException("boom")));
    }

    @Test
    void deniedPrivilegesAndLoginsComeWithAHint() {
        assertEquals("SQLState 42000, error 1142: UPDATE command denied to user 'app'@'localhost' for table"
                + " `db`.`interlock_spaces` (the account lacks a privilege; the store needs SELECT, INSERT and UPDATE"
                + " on its table, createSchema() also CREATE)", MysqlErrors.describe(wrapped(new SQLException(
                "UPDATE command denied to user 'app'@'localhost' for table `db`.`interlock_spaces`", "42000", 1142))));
        assertTrue(MysqlErrors.describe(new SQLException("SELECT command denied to user 'app'@'localhost' for column"
                + " 'data' in table 'interlock_spaces'", "42000", 1143)).endsWith("createSchema() also CREATE)"));
        assertEquals("SQLState 28000, error 1045: Access denied for user 'app'@'localhost' (using password: YES)"
                + " (check the account and its password)", MysqlErrors.describe(new SQLException(
                "Access denied for user 'app'@'localhost' (using password: YES)", "28000", 1045)));
        assertTrue(MysqlErrors.describe(new SQLException("Access denied for user 'app'@'%' to database 'db'",
                "42000", 1044)).endsWith("(check the account and its privileges: the store needs SELECT, INSERT and"
                + " UPDATE on its table)"));
        assertEquals(Kind.FAIL, MysqlErrors.classifyWrite(wrapped(new SQLException("UPDATE command denied", "42000",
                1142))), "nothing was written");
    }

    @Test
    void credentialsQuotedByTheDriverAreRedacted() {
        assertEquals("Connector/J cannot handle a connection string 'jdbc:mysqlx://***@localhost:3306/db'.",
                MysqlErrors.redact("Connector/J cannot handle a connection string"
                        + " 'jdbc:mysqlx://app:s3cr3t@localhost:3306/db'."));
        assertEquals("near 'jdbc:mysql://localhost/db?user=app&password=***&x=1'", MysqlErrors.redact(
                "near 'jdbc:mysql://localhost/db?user=app&password=s3cr3t&x=1'"));
        assertEquals("(host=h,port=1,password=***)", MysqlErrors.redact("(host=h,port=1,password=s3cr3t)"));
        assertEquals("PWD: ***, passwd=***", MysqlErrors.redact("PWD: s3cr3t, passwd=s3cr3t"));
        for (String harmless : new String[] {"Access denied for user 'app'@'localhost' (using password: YES)",
            "Communications link failure", "jdbc:mysql://localhost:3306/db?sslMode=DISABLED", "user@example.com"}) {
            assertEquals(harmless, MysqlErrors.redact(harmless));
        }
        assertFalse(MysqlErrors.describe(new SQLException("Connector/J cannot handle a connection string"
                + " 'jdbc:mysqlx://app:s3cr3t@localhost/db'.", "08001", 0)).contains("s3cr3t"));
    }

    @Test
    void aCauseThatQuotesCredentialsIsReplacedByARedactedCopy() {
        SQLException quoting = new SQLException("Connector/J cannot handle a connection string"
                + " 'jdbc:mysqlx://app:s3cr3t@localhost/db'.", "08001", 0,
                new IllegalArgumentException("bad url password=s3cr3t"));
        Throwable cause = MysqlErrors.cause(new RuntimeException("wrapped", quoting));
        assertTrue(cause instanceof SQLException);
        assertEquals("08001", ((SQLException) cause).getSQLState());
        assertEquals("Connector/J cannot handle a connection string 'jdbc:mysqlx://***@localhost/db'.",
                cause.getMessage());
        assertEquals("java.lang.IllegalArgumentException: bad url password=***", cause.getCause().getMessage());
        assertEquals(quoting.getStackTrace().length, cause.getStackTrace().length);
        SQLException plain = new SQLException("Deadlock found", "40001", 1213);
        assertSame(plain, MysqlErrors.cause(new RuntimeException(plain)), "kept as it is when it quotes nothing");
    }

    @Test
    void findsTheDriverExceptionUnderWrappers() {
        SQLException sql = new SQLException("x", "HY000", 1);
        assertSame(sql, MysqlErrors.findSqlException(new RuntimeException(new RuntimeException(sql))));
        assertNull(MysqlErrors.findSqlException(new RuntimeException("none")));
    }
}
