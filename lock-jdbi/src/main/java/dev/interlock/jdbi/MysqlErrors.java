package dev.interlock.jdbi;

import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The one place that decides what an error from MySQL, MariaDB, Galera or Group Replication means for a
 * compare-and-set: try again, outcome unknown, or fail.
 *
 * <p>The rule behind it: a statement the server answered with an error did not commit, unless the error came
 * from the commit machinery itself (a commit hook, a cluster that lost its node, a kill, a shutdown), where
 * the write may already have reached other nodes. Whatever we cannot prove unapplied is {@link Kind#UNKNOWN}:
 * the engine then re-reads and reconciles, which is always safe; calling a maybe-applied write a conflict
 * could leave an orphan grant.
 */
final class MysqlErrors {

    /** What a failed write means. */
    enum Kind {
        /** Nothing was changed and the same write may succeed when retried on a fresh read. */
        RETRY,
        /** The write may or may not have been applied: its reply was lost or it was cut off mid-commit. */
        UNKNOWN,
        /** The server refused the write; nothing was changed and retrying alone will not help. */
        FAIL
    }

    /**
     * Rolled back as a whole, nothing changed, worth retrying:
     * 1213 ER_LOCK_DEADLOCK (InnoDB deadlock; also Galera's certification failure and brute-force abort,
     * "WSREP detected deadlock/conflict and aborted the transaction");
     * 1205 ER_LOCK_WAIT_TIMEOUT (a row lock wait, or Galera's wsrep_sync_wait timing out; in autocommit the
     * statement is the whole transaction);
     * 1020 ER_CHECKREAD (MariaDB's innodb_snapshot_isolation: the record changed since the snapshot);
     * 1412 ER_TABLE_DEF_CHANGED (a concurrent DDL; "please retry transaction");
     * 3101 ER_TRANSACTION_ROLLBACK_DURING_COMMIT (Group Replication: certification found a conflicting
     * transaction and rolled this one back on every member).
     */
    private static final Set<Integer> RETRY_CODES = Set.of(1213, 1205, 1020, 1412, 3101);

    /**
     * Errors from the commit path or the connection that do not prove the write was not applied:
     * 1047 ER_UNKNOWN_COM_ERROR (Galera "WSREP has not yet prepared node for application use": the node left
     * the primary component, possibly while this write was being replicated);
     * 1053 ER_SERVER_SHUTDOWN; 1180 ER_ERROR_DURING_COMMIT; 1317 ER_QUERY_INTERRUPTED (KILL QUERY);
     * 1927 ER_CONNECTION_KILLED (MariaDB); 1969 ER_STATEMENT_TIMEOUT (MariaDB max_statement_time);
     * 3024 ER_QUERY_TIMEOUT (MySQL max_execution_time);
     * 3100 ER_RUN_HOOK_ERROR (Group Replication's before_commit hook failed, e.g. the member is leaving the
     * group: the transaction may already have been sent to the group);
     * 4031 ER_CLIENT_INTERACTION_TIMEOUT (MySQL closed the idle connection).
     */
    private static final Set<Integer> UNKNOWN_CODES = Set.of(1047, 1053, 1180, 1317, 1927, 1969, 3024, 3100, 4031);

    /**
     * The server is read-only (a replica, or a primary demoted by a failover): 1290 ER_OPTION_PREVENTS_STATEMENT
     * (--read-only / --super-read-only), 1792 ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION, 1836 ER_READ_ONLY_MODE,
     * 1874 ER_INNODB_READ_ONLY. MySQL 8.0 started with {@code --innodb-read-only} answers an UPDATE with 1015
     * ER_CANT_LOCK "Can't lock file (errno: 165 - Table is read only)", which {@link #isReadOnly} recognises by its
     * text (1015 has other causes too).
     */
    private static final Set<Integer> READ_ONLY_CODES = Set.of(1290, 1792, 1836, 1874);

    /**
     * The account lacks a privilege on a table or column: 1142 ER_TABLEACCESS_DENIED_ERROR ("UPDATE command denied
     * to user ..."), 1143 ER_COLUMNACCESS_DENIED_ERROR. The server's message names the privilege and the table.
     */
    private static final Set<Integer> PRIVILEGE_CODES = Set.of(1142, 1143);

    /**
     * The account cannot log in or use the database: 1044 ER_DBACCESS_DENIED_ERROR, 1045 ER_ACCESS_DENIED_ERROR
     * (unknown account or wrong password), 1698 ER_ACCESS_DENIED_NO_PASSWORD_ERROR (e.g. MySQL's auth_socket).
     */
    private static final Set<Integer> LOGIN_CODES = Set.of(1044, 1045, 1698);

    /**
     * Credentials a driver may quote back from a connection string it could not use (Connector/J does, e.g.
     * "cannot handle a connection string 'jdbc:mysqlx://user:secret@host/db'"): the user-info part of a URL, and
     * password-like properties.
     */
    private static final Pattern URL_CREDENTIALS = Pattern.compile("//[^/\\s@'\"]*@");
    private static final Pattern PASSWORD_PROPERTY = Pattern.compile(
            "(?i)\\b(password\\d?|passwd|pwd)(\\s*[=:]\\s*)(?!\\s|YES\\b|NO\\b)[^&\\s'\",;)]+");

    /** Longest server message quoted in our exceptions; server messages may echo parts of a statement. */
    private static final int MAX_MESSAGE = 240;

    private MysqlErrors() {
    }

    /**
     * Classifies the failure of a write statement that was handed to the driver for execution.
     *
     * @param failure what the execution threw (a Jdbi exception wrapping a {@link SQLException}, usually)
     * @return what it means
     */
    static Kind classifyWrite(Throwable failure) {
        SQLException sql = findSqlException(failure);
        if (sql == null) {
            // Not a database answer at all (an I/O error without an SQLException, or a failure in some
            // statement customizer after execution): we cannot prove the write did not happen.
            return Kind.UNKNOWN;
        }
        for (SQLException e = sql; e != null; e = e.getNextException()) {
            int code = e.getErrorCode();
            if (RETRY_CODES.contains(code)) {
                return Kind.RETRY;
            }
            if (UNKNOWN_CODES.contains(code)) {
                return Kind.UNKNOWN;
            }
        }
        if (isConnectionFailure(sql) || hasIoCause(failure)) {
            return Kind.UNKNOWN;
        }
        String state = sql.getSQLState();
        if ("40001".equals(state)) {
            return Kind.RETRY; // serialization failure, whatever the vendor code
        }
        if (mentionsWsrep(sql)) {
            return Kind.UNKNOWN; // a Galera replication error we do not know by code: never guess "unapplied"
        }
        return Kind.FAIL;
    }

    /**
     * Whether a failed statement (a read, or a write handed to the driver) may succeed if tried again: a retryable
     * conflict, or a failure of the connection or the server's commit path; not an error that needs a person (a
     * privilege, a read-only server, a login refused, bad SQL).
     *
     * @param failure what the statement, or the connection attempt before it, threw
     * @return whether to try again
     */
    static boolean isTransient(Throwable failure) {
        // a login refused, a privilege missing or a read-only server anywhere in the chain (a pool may wrap them in
        // a transient-looking connection exception) needs a person
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                for (SQLException e = s; e != null; e = e.getNextException()) {
                    int code = e.getErrorCode();
                    if (LOGIN_CODES.contains(code) || PRIVILEGE_CODES.contains(code) || READ_ONLY_CODES.contains(code)) {
                        return false;
                    }
                }
            }
        }
        if (isReadOnly(failure)) {
            return false;
        }
        if (findSqlException(failure) == null) {
            return hasIoCause(failure); // not a database answer: transient only if the connection's I/O failed
        }
        return classifyWrite(failure) != Kind.FAIL;
    }

    /**
     * @return whether the failure is the connection being lost or timing out on the client side (as opposed
     *     to the server answering with an error)
     */
    static boolean isConnectionFailure(SQLException e) {
        if (e instanceof SQLRecoverableException            // Connector/J's CommunicationsException
                || e instanceof SQLTransientConnectionException
                || e instanceof SQLTimeoutException) {      // client query timeout: KILL QUERY races the commit
            return true;
        }
        String state = e.getSQLState();
        boolean connectionClass = state != null && state.startsWith("08");
        // Class 08 from the client (vendor code 0) is a lost or refused connection; from the server (with a
        // vendor code) it is, e.g., 1047 or 1053, handled by code above. Either way it is no proof of "unapplied".
        return connectionClass || (e instanceof SQLNonTransientConnectionException && e.getErrorCode() == 0);
    }

    /** @return whether the server refused the write because it is read-only */
    static boolean isReadOnly(Throwable failure) {
        SQLException sql = findSqlException(failure);
        return sql != null && (READ_ONLY_CODES.contains(sql.getErrorCode())
                || sql.getErrorCode() == 1015 && String.valueOf(sql.getMessage()).contains("read only"));
    }

    /** @return the outermost {@link SQLException} in the cause chain, or {@code null} */
    static SQLException findSqlException(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                return sql;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return null;
    }

    private static boolean hasIoCause(Throwable failure) {
        int depth = 0;
        for (Throwable t = failure; t != null && depth < 20; t = t.getCause(), depth++) {
            if (t instanceof IOException) {
                return true;
            }
        }
        return false;
    }

    private static boolean mentionsWsrep(SQLException e) {
        String message = e.getMessage();
        return message != null && message.toLowerCase(Locale.ROOT).contains("wsrep");
    }

    /**
     * Describes a failure for an exception message: SQL state, vendor code and a bounded excerpt of the
     * server's message. Never includes bound values (documents) or connection settings (passwords): Jdbi's
     * own exception text lists the bound arguments, so only the driver's exception is quoted, and credentials the
     * driver quotes from a connection string are {@linkplain #redact redacted}.
     *
     * @param failure the failure
     * @return e.g. {@code SQLState 40001, error 1213: Deadlock found when trying to get lock; ...}, followed by a
     *     hint in parentheses for a denied privilege or login
     */
    static String describe(Throwable failure) {
        SQLException sql = findSqlException(failure);
        if (sql == null) {
            return failure.getClass().getName() + ": " + excerpt(failure.getMessage());
        }
        return "SQLState " + sql.getSQLState() + ", error " + sql.getErrorCode() + ": " + excerpt(sql.getMessage())
                + accessHint(sql.getErrorCode());
    }

    /** What to do about a denied privilege or login; the server's own message says what was denied. */
    private static String accessHint(int code) {
        if (PRIVILEGE_CODES.contains(code)) {
            return " (the account lacks a privilege; the store needs SELECT, INSERT and UPDATE on its table,"
                    + " createSchema() also CREATE)";
        }
        if (code == 1044) {
            return " (check the account and its privileges: the store needs SELECT, INSERT and UPDATE on its table)";
        }
        if (LOGIN_CODES.contains(code)) {
            return " (check the account and its password)";
        }
        return "";
    }

    /**
     * Removes credentials from a text quoted from a driver or server.
     *
     * @param text a message, or {@code null}
     * @return the text with {@code //user:password@} reduced to {@code //***@} and {@code password=value} (and
     *     similar properties) to {@code password=***}
     */
    static String redact(String text) {
        if (text == null) {
            return null;
        }
        String out = URL_CREDENTIALS.matcher(text).replaceAll("//***@");
        return PASSWORD_PROPERTY.matcher(out).replaceAll("$1$2***");
    }

    /**
     * The cause to attach to a {@link dev.interlock.LockStoreException}: the driver's {@link SQLException} (or the
     * failure itself if there is none), unless a message in its chain quotes credentials; then a copy of the chain
     * with those messages redacted (same classes where they can be rebuilt, SQL states, vendor codes and stack
     * traces), so that logging the exception with its causes cannot leak a password.
     *
     * @param failure what failed
     * @return a cause safe to log
     */
    static Throwable cause(Throwable failure) {
        SQLException sql = findSqlException(failure);
        Throwable cause = sql != null ? sql : failure;
        for (Throwable t = cause; t != null; t = t.getCause()) {
            String message = t.getMessage();
            if (message != null && !message.equals(redact(message))) {
                return redactedCopy(cause, 0);
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return cause;
    }

    private static Throwable redactedCopy(Throwable t, int depth) {
        String message = redact(t.getMessage());
        Throwable copy;
        if (t instanceof SQLException sql) {
            copy = new SQLException(message, sql.getSQLState(), sql.getErrorCode());
        } else {
            copy = new Exception(t.getClass().getName() + (message == null ? "" : ": " + message));
        }
        copy.setStackTrace(t.getStackTrace());
        Throwable next = t.getCause();
        if (next != null && next != t && depth < 20) {
            copy.initCause(redactedCopy(next, depth + 1));
        }
        return copy;
    }

    private static String excerpt(String message) {
        if (message == null) {
            return "(no message)";
        }
        String oneLine = redact(message).replaceAll("\\s+", " ").trim();
        return oneLine.length() <= MAX_MESSAGE ? oneLine : oneLine.substring(0, MAX_MESSAGE) + "...";
    }
}
