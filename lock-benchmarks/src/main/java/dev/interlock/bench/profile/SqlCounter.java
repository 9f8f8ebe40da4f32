package dev.interlock.bench.profile;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;

/**
 * Counts and times what every implementation sends to the database, at the JDBC level (so it sees Interlock's
 * store, whatever the engine above it does, the same way as the baselines): statements by their first keyword, the
 * rows they changed (a compare-and-set that changed none lost), transaction control ({@code setAutoCommit},
 * {@code commit}), and pool check-outs and check-ins. Used in profile runs only (system property
 * {@value #PROPERTY}); the measured runs use the pool unwrapped.
 *
 * <p>Times are wall-clock time inside the JDBC call, including the wait for the server. Thread-safe; the counts are
 * global to the JVM.
 */
public final class SqlCounter {

    /** The system property that makes benchmark states wrap their pool. */
    public static final String PROPERTY = "interlock.bench.countSql";

    /** What was sent. */
    public enum Kind {
        /** A {@code SELECT}. */
        SELECT,
        /** An {@code INSERT} (also {@code INSERT IGNORE}, {@code ... ON DUPLICATE KEY}). */
        INSERT,
        /** An {@code UPDATE}. */
        UPDATE,
        /** A {@code DELETE}. */
        DELETE,
        /** {@code setAutoCommit}, {@code commit}, {@code rollback}. */
        TRANSACTION,
        /** Taking a connection from the pool ({@code getConnection}). */
        CHECKOUT,
        /** Giving it back ({@code close}; the pool may reset session state then). */
        CHECKIN,
        /** Anything else ({@code SET}, {@code SHOW}, DDL). */
        OTHER
    }

    private static final int KINDS = Kind.values().length;
    private static final LongAdder[] COUNT = adders();
    private static final LongAdder[] NANOS = adders();
    private static final LongAdder[] NO_ROWS = adders();

    private SqlCounter() {
    }

    private static LongAdder[] adders() {
        LongAdder[] a = new LongAdder[KINDS];
        for (int i = 0; i < KINDS; i++) {
            a[i] = new LongAdder();
        }
        return a;
    }

    /** @return whether profile counting is on in this JVM */
    public static boolean enabled() {
        return Boolean.getBoolean(PROPERTY);
    }

    /**
     * The counters at one moment; subtract two to get what happened in between.
     *
     * @param count  calls per kind
     * @param nanos  time inside the calls per kind
     * @param noRows statements per kind that changed no row
     */
    public record Snapshot(long[] count, long[] nanos, long[] noRows) {
        /**
         * @param earlier an earlier snapshot
         * @return what happened since it
         */
        public Snapshot minus(Snapshot earlier) {
            long[] c = new long[KINDS];
            long[] n = new long[KINDS];
            long[] z = new long[KINDS];
            for (int i = 0; i < KINDS; i++) {
                c[i] = count[i] - earlier.count[i];
                n[i] = nanos[i] - earlier.nanos[i];
                z[i] = noRows[i] - earlier.noRows[i];
            }
            return new Snapshot(c, n, z);
        }

        /** @return calls of a kind */
        public long count(Kind kind) {
            return count[kind.ordinal()];
        }

        /** @return nanoseconds inside calls of a kind */
        public long nanos(Kind kind) {
            return nanos[kind.ordinal()];
        }

        /** @return statements of a kind that changed no row */
        public long noRows(Kind kind) {
            return noRows[kind.ordinal()];
        }
    }

    /** @return the counters now */
    public static Snapshot snapshot() {
        long[] c = new long[KINDS];
        long[] n = new long[KINDS];
        long[] z = new long[KINDS];
        for (int i = 0; i < KINDS; i++) {
            c[i] = COUNT[i].sum();
            n[i] = NANOS[i].sum();
            z[i] = NO_ROWS[i].sum();
        }
        return new Snapshot(c, n, z);
    }

    /**
     * @param sql a statement
     * @return its kind, by its first keyword
     */
    public static Kind kindOf(String sql) {
        int i = 0;
        int n = sql.length();
        while (i < n) {
            char ch = sql.charAt(i);
            if (Character.isWhitespace(ch) || ch == '(') {
                i++;
            } else if (sql.startsWith("/*", i)) {
                int end = sql.indexOf("*/", i + 2);
                i = end < 0 ? n : end + 2;
            } else if (sql.startsWith("--", i) || ch == '#') {
                int end = sql.indexOf('\n', i);
                i = end < 0 ? n : end + 1;
            } else {
                break;
            }
        }
        int j = i;
        while (j < n && Character.isLetter(sql.charAt(j))) {
            j++;
        }
        return switch (sql.substring(i, j).toUpperCase(Locale.ROOT)) {
            case "SELECT" -> Kind.SELECT;
            case "INSERT", "REPLACE" -> Kind.INSERT;
            case "UPDATE" -> Kind.UPDATE;
            case "DELETE" -> Kind.DELETE;
            case "COMMIT", "ROLLBACK", "BEGIN", "START" -> Kind.TRANSACTION;
            default -> Kind.OTHER;
        };
    }

    private static void record(Kind kind, long nanos) {
        COUNT[kind.ordinal()].increment();
        NANOS[kind.ordinal()].add(nanos);
    }

    /**
     * @param dataSource a data source
     * @return the same, counting
     */
    public static DataSource wrap(DataSource dataSource) {
        return (DataSource) Proxy.newProxyInstance(SqlCounter.class.getClassLoader(), new Class<?>[] {DataSource.class},
                new Handler(dataSource) {
                    @Override
                    Object call(Method method, Object[] args) throws Throwable {
                        if (method.getName().equals("getConnection")) {
                            long t0 = System.nanoTime();
                            Connection c = (Connection) forward(method, args);
                            record(Kind.CHECKOUT, System.nanoTime() - t0);
                            return connection(c);
                        }
                        return forward(method, args);
                    }
                });
    }

    private static Connection connection(Connection target) {
        return (Connection) Proxy.newProxyInstance(SqlCounter.class.getClassLoader(), new Class<?>[] {Connection.class},
                new Handler(target) {
                    @Override
                    Object call(Method method, Object[] args) throws Throwable {
                        String name = method.getName();
                        switch (name) {
                            case "prepareStatement":
                                return statement((Statement) forward(method, args), PreparedStatement.class,
                                        kindOf((String) args[0]));
                            case "createStatement":
                                return statement((Statement) forward(method, args), Statement.class, null);
                            case "setAutoCommit":
                            case "commit":
                            case "rollback":
                                return timed(Kind.TRANSACTION, method, args);
                            case "close":
                                return timed(Kind.CHECKIN, method, args);
                            default:
                                return forward(method, args);
                        }
                    }
                });
    }

    private static Statement statement(Statement target, Class<? extends Statement> type, Kind prepared) {
        return (Statement) Proxy.newProxyInstance(SqlCounter.class.getClassLoader(), new Class<?>[] {type},
                new Handler(target) {
                    private Kind last = prepared;
                    private boolean rowsPending;

                    @Override
                    Object call(Method method, Object[] args) throws Throwable {
                        String name = method.getName();
                        if (name.startsWith("execute")) {
                            Kind kind = args != null && args.length > 0 && args[0] instanceof String sql ? kindOf(sql) : prepared;
                            if (kind == null) {
                                kind = Kind.OTHER;
                            }
                            last = kind;
                            long t0 = System.nanoTime();
                            Object result = forward(method, args);
                            record(kind, System.nanoTime() - t0);
                            rowsPending = false;
                            if (result instanceof Integer rows) {
                                noteRows(kind, rows);
                            } else if (result instanceof Long rows) {
                                noteRows(kind, rows);
                            } else if (result instanceof Boolean) {
                                rowsPending = true; // execute(): the count comes from getUpdateCount()
                            }
                            return result;
                        }
                        if (name.equals("getUpdateCount") && rowsPending) {
                            rowsPending = false;
                            Object result = forward(method, args);
                            noteRows(last, ((Number) result).longValue());
                            return result;
                        }
                        return forward(method, args);
                    }
                });
    }

    private static void noteRows(Kind kind, long rows) {
        if (rows == 0 && (kind == Kind.UPDATE || kind == Kind.INSERT || kind == Kind.DELETE)) {
            NO_ROWS[kind.ordinal()].increment();
        }
    }

    /** Forwards to a target; identity for equals and hashCode. */
    private abstract static class Handler implements InvocationHandler {
        final Object target;

        Handler(Object target) {
            this.target = target;
        }

        abstract Object call(Method method, Object[] args) throws Throwable;

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            return switch (method.getName()) {
                case "equals" -> args != null && args.length == 1 && proxy == args[0];
                case "hashCode" -> System.identityHashCode(proxy);
                case "toString" -> "Counting[" + target + "]";
                default -> call(method, args);
            };
        }

        Object forward(Method method, Object[] args) throws Throwable {
            try {
                return method.invoke(target, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        Object timed(Kind kind, Method method, Object[] args) throws Throwable {
            long t0 = System.nanoTime();
            try {
                return forward(method, args);
            } finally {
                record(kind, System.nanoTime() - t0);
            }
        }
    }
}
