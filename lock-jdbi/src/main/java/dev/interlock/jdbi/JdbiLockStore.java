package dev.interlock.jdbi;

import dev.interlock.LockStoreException;
import dev.interlock.spi.CasResult;
import dev.interlock.spi.LockStore;
import dev.interlock.spi.Stored;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.StatementExceptions;
import org.jdbi.v3.core.statement.UnableToCreateStatementException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link LockStore} on MySQL 8.0+ and MariaDB 10.6+ (including Galera and Group Replication clusters),
 * through Jdbi and a JDBC driver (mysql-connector-j is the one tested).
 *
 * <pre>{@code
 * JdbiLockStore store = JdbiLockStore.builder(dataSource).build();   // refuses a read-only server
 * store.createSchema();                                             // or run schema-mysql.sql in a migration
 * LockManager locks = LockManager.builder(store).space("platform").build();
 * }</pre>
 *
 * <p>Each lock space is one row of a table (default {@value #DEFAULT_TABLE}; the DDL is the resource
 * {@value #SCHEMA_RESOURCE}). Every call takes a connection of its own from the {@link DataSource} (or
 * {@link Jdbi}), runs one statement in autocommit mode and gives the connection back: it never joins a
 * transaction the caller has open on another connection, and keeps no state in the session, so any
 * connection of a pool may serve any call.
 * <ul>
 *   <li>{@link #read}: {@code SELECT version, data, UTC_TIMESTAMP(6)}; the database's clock is the clock of
 *       leases, the same for every process on every host.</li>
 *   <li>{@link #compareAndSet}: {@code UPDATE ... SET data = ?, version = version + 1 WHERE id = ? AND
 *       version = ?}; one row changed is {@link CasResult#APPLIED} (the version always changes, so this holds
 *       with and without the driver's {@code useAffectedRows}). Deadlocks, lock wait timeouts and cluster
 *       certification conflicts are {@link CasResult#CONFLICT}; a connection lost after the statement was
 *       sent is {@link CasResult#UNKNOWN}; any other error is a {@link LockStoreException}.</li>
 *   <li>{@link #createSpaceIfAbsent}: an insert at version 0 that leaves an existing row alone.</li>
 * </ul>
 *
 * <p>Guards against a database that lost writes: {@link Builder#build()} refuses a read-only server (a
 * replica, or a demoted primary), and the store remembers the highest version it has seen of each space; if
 * the database later reports a lower one (a failover lost committed writes), it fails with a
 * {@link LockStoreException} rather than let fencing tokens be issued a second time.
 *
 * <p>Connection settings worth setting on the pool: a {@code socketTimeout} (so a lost reply is noticed;
 * the engine then reconciles), and a modest {@code innodb_lock_wait_timeout}. Do not lock rows of the lock
 * table in your own transactions ({@code SELECT ... FOR UPDATE}, or an uncommitted update): the store's writes
 * would wait for them, and report a conflict when the wait times out.
 *
 * <p>Thread-safe; create one per table and share it.
 */
public final class JdbiLockStore implements LockStore {

    /** The default table name. */
    public static final String DEFAULT_TABLE = "interlock_spaces";

    /** The class path resource holding the table's DDL, for Flyway or Liquibase migrations. */
    public static final String SCHEMA_RESOURCE = "dev/interlock/jdbi/schema-mysql.sql";

    /** Table names accepted by {@link Builder#tableName(String)}. */
    private static final Pattern TABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,63}");

    /** The longest space id the {@code id} column holds, in characters. */
    private static final int MAX_SPACE_LENGTH = 191;

    /** How often {@link #createSpaceIfAbsent} retries a deadlock or a lost reply before giving up. */
    private static final int CREATE_ATTEMPTS = 5;

    private static final Logger LOG = LoggerFactory.getLogger(JdbiLockStore.class);

    private final Jdbi jdbi;
    private final String table;
    private final String quotedTable;
    private final String readSql;
    private final String casSql;
    private final String insertSql;
    /** The highest version seen of each space, in this process: versions never go backwards. */
    private final ConcurrentMap<String, Long> highestSeen = new ConcurrentHashMap<>();

    private JdbiLockStore(Builder builder) {
        this.jdbi = builder.jdbi;
        this.table = builder.table;
        this.quotedTable = '`' + table + '`';
        this.readSql = "SELECT `version`, `data`, UTC_TIMESTAMP(6) FROM " + quotedTable + " WHERE `id` = ?";
        this.casSql = "UPDATE " + quotedTable
                + " SET `data` = ?, `version` = `version` + 1 WHERE `id` = ? AND `version` = ?";
        // Not INSERT IGNORE: IGNORE turns every error (a truncated id, a document the column rejects) into a
        // warning and a silently missing or mangled row; this form skips only the duplicate key.
        this.insertSql = "INSERT INTO " + quotedTable + " (`id`, `version`, `data`) VALUES (?, 0, ?)"
                + " ON DUPLICATE KEY UPDATE `id` = `id`";
    }

    /**
     * A store on a data source, with the default table. Checks the server at once (see {@link Builder#build()}).
     *
     * @param dataSource where connections come from; a pool is recommended
     * @return the store
     * @throws LockStoreException if the server cannot be reached or is read-only
     */
    public static JdbiLockStore create(DataSource dataSource) {
        return builder(dataSource).build();
    }

    /**
     * A store on a Jdbi, with the default table. Checks the server at once (see {@link Builder#build()}).
     *
     * @param jdbi where handles come from
     * @return the store
     * @throws LockStoreException if the server cannot be reached or is read-only
     */
    public static JdbiLockStore create(Jdbi jdbi) {
        return builder(jdbi).build();
    }

    /**
     * Starts configuring a store on a data source.
     *
     * @param dataSource where connections come from; a pool is recommended
     * @return a builder
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Jdbi.create(Objects.requireNonNull(dataSource, "dataSource")));
    }

    /**
     * Starts configuring a store on a Jdbi. The store uses the Jdbi's connection factory and configuration
     * (SQL loggers, statement customizers) but never its transactions.
     *
     * @param jdbi where handles come from
     * @return a builder
     */
    public static Builder builder(Jdbi jdbi) {
        return new Builder(Objects.requireNonNull(jdbi, "jdbi"));
    }

    /** @return the (unquoted) table name */
    public String tableName() {
        return table;
    }

    /**
     * The DDL of the table, as in {@value #SCHEMA_RESOURCE} with this store's table name.
     *
     * @return one {@code CREATE TABLE IF NOT EXISTS} statement, without comments or a trailing semicolon
     */
    public String schemaSql() {
        return schemaSql(table);
    }

    /**
     * The DDL of a lock table, as in {@value #SCHEMA_RESOURCE} with the given table name.
     *
     * @param tableName the table name, {@code [A-Za-z_][A-Za-z0-9_]{0,63}}
     * @return one {@code CREATE TABLE IF NOT EXISTS} statement, without comments or a trailing semicolon
     * @throws IllegalArgumentException if the name does not match the pattern
     */
    public static String schemaSql(String tableName) {
        checkTableName(tableName);
        String ddl = SchemaHolder.DDL;
        return ddl.replace('`' + DEFAULT_TABLE + '`', '`' + tableName + '`');
    }

    /**
     * Creates the table if it does not exist (an existing table is left as it is). Idempotent; safe to
     * call from several processes at once.
     *
     * @throws LockStoreException if the statement fails (for example for lack of the CREATE privilege)
     */
    public void createSchema() {
        String ddl = schemaSql();
        Handle handle = open("create lock table " + quotedTable);
        try {
            handle.execute(ddl);
        } catch (RuntimeException e) {
            throw new LockStoreException("could not create lock table " + quotedTable + ": "
                    + MysqlErrors.describe(e), MysqlErrors.cause(e), true);
        } finally {
            closeQuietly(handle);
        }
    }

    /**
     * Checks that the server accepts writes: none of {@code read_only}, {@code super_read_only} (MySQL),
     * {@code innodb_read_only} and the session's {@code transaction_read_only} (or {@code tx_read_only} on
     * older MariaDB) is on. {@link Builder#build()} calls it; call it again from a health check if you like.
     *
     * @throws LockStoreException if the server cannot be reached, or is read-only
     */
    public void verify() {
        Map<String, String> flags;
        Handle handle = open("check the server of lock table " + quotedTable);
        try {
            // SHOW VARIABLES rather than SELECT @@x: a variable one server lacks (super_read_only on MariaDB,
            // tx_read_only on MySQL 8) is then simply absent instead of an error.
            flags = handle.createQuery("SHOW VARIABLES WHERE Variable_name IN "
                            + "('read_only', 'super_read_only', 'innodb_read_only', 'transaction_read_only', "
                            + "'tx_read_only')")
                    .map((rs, ctx) -> Map.entry(rs.getString(1).toLowerCase(Locale.ROOT), rs.getString(2)))
                    .list().stream()
                    .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue, (a, b) -> a,
                            LinkedHashMap::new));
        } catch (RuntimeException e) {
            throw new LockStoreException("could not check the server of lock table " + quotedTable + ": "
                    + MysqlErrors.describe(e), MysqlErrors.cause(e), true);
        } finally {
            closeQuietly(handle);
        }
        Map<String, String> on = new LinkedHashMap<>();
        flags.forEach((name, value) -> {
            if ("ON".equalsIgnoreCase(value) || "1".equals(value)) {
                on.put(name, value);
            }
        });
        if (!on.isEmpty()) {
            throw new LockStoreException("refusing a read-only server for lock table " + quotedTable + ": "
                    + on.keySet().stream().map(n -> n + "=ON").collect(Collectors.joining(", "))
                    + " (a replica, or a primary demoted by a failover?); point the store at the primary",
                    null, true);
        }
        LOG.debug("server of lock table {} accepts writes: {}", quotedTable, flags);
    }

    /**
     * {@inheritDoc}
     *
     * <p>{@code now} is the database's {@code UTC_TIMESTAMP(6)} at the read.
     *
     * @throws LockStoreException also if the database reports a version lower than one this store has already
     *     seen of the space, or no row where it has seen one (a failover lost committed writes)
     */
    @Override
    public Optional<Stored> read(String space) {
        checkSpace(space);
        long floor = highestSeen.getOrDefault(space, -1L); // taken before the statement starts: see checkNotBehind
        String what = "read lock space '" + space + "' from " + quotedTable;
        Optional<Stored> result;
        Handle handle = open(what);
        try {
            result = handle.createQuery(readSql)
                    .bind(0, space)
                    .map((rs, ctx) -> new Stored(rs.getLong(1), rs.getString(2),
                            rs.getObject(3, LocalDateTime.class).toInstant(ZoneOffset.UTC)))
                    .findOne();
        } catch (RuntimeException e) {
            throw new LockStoreException("could not " + what + ": " + MysqlErrors.describe(e),
                    MysqlErrors.cause(e), true, MysqlErrors.isTransient(e));
        } finally {
            closeQuietly(handle);
        }
        if (result.isEmpty()) {
            if (floor > 0) {
                throw wentBackwards(space, floor, "no row");
            }
            return result;
        }
        long version = result.get().version();
        if (version < floor) {
            throw wentBackwards(space, floor, "version " + version);
        }
        highestSeen.merge(space, version, Math::max);
        return result;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Returns {@link CasResult#CONFLICT} without asking the database when {@code expectedVersion} is below a
     * version this store has already seen of the space: versions never go backwards, so such a write can only
     * fail, and if the database had lost writes it would re-issue a fencing token.
     */
    @Override
    public CasResult compareAndSet(String space, long expectedVersion, String newData) {
        checkSpace(space);
        Objects.requireNonNull(newData, "newData");
        if (expectedVersion < 0) {
            throw new IllegalArgumentException("expectedVersion must be >= 0, was " + expectedVersion);
        }
        long floor = highestSeen.getOrDefault(space, -1L);
        if (expectedVersion < floor) {
            return CasResult.CONFLICT;
        }
        String what = "compare-and-set lock space '" + space + "' at version " + expectedVersion;
        int rows;
        Handle handle = open(what);
        try {
            PreparedStatement statement;
            try {
                statement = handle.getConnection().prepareStatement(casSql);
                statement.setString(1, newData);
                statement.setString(2, space);
                statement.setLong(3, expectedVersion);
            } catch (SQLException e) {
                // Failed while preparing or binding: nothing was executed (with server-side prepared statements the
                // preparing is a round trip, which a dead connection fails: transient then).
                throw new LockStoreException("could not " + what + ": " + MysqlErrors.describe(e),
                        MysqlErrors.cause(e), true, MysqlErrors.isTransient(e));
            }
            // Plain JDBC executeUpdate(), not Jdbi's execute(): Connector/J's execute() asks the server whether
            // the session is read-only before every statement (an extra round trip, a third of an uncontended
            // write's time), executeUpdate() does not. A read-only server still refuses the UPDATE itself.
            try (statement) {
                rows = statement.executeUpdate();
            }
        } catch (SQLException | RuntimeException e) {
            if (e instanceof LockStoreException known) {
                throw known;
            }
            return writeFailed(what, e);
        } finally {
            // Quietly: once the statement has answered, a failure to give the connection back must not hide
            // the answer (or turn an applied write into an exception).
            closeQuietly(handle);
        }
        if (rows == 1) {
            highestSeen.merge(space, expectedVersion + 1, Math::max);
            return CasResult.APPLIED;
        }
        if (rows == 0) {
            return CasResult.CONFLICT;
        }
        throw new LockStoreException("could not " + what + ": the UPDATE changed " + rows + " rows; column `id` of "
                + quotedTable + " must be its primary key (see " + SCHEMA_RESOURCE + ")", null, false);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Retries deadlocks and lost replies a few times (the insert is idempotent).
     */
    @Override
    public void createSpaceIfAbsent(String space, String initialData) {
        checkSpace(space);
        Objects.requireNonNull(initialData, "initialData");
        String what = "create lock space '" + space + "' in " + quotedTable;
        for (int attempt = 1; ; attempt++) {
            RuntimeException failure;
            MysqlErrors.Kind kind;
            Handle handle = open(what);
            try {
                handle.createUpdate(insertSql).bind(0, space).bind(1, initialData).execute();
                return;
            } catch (UnableToCreateStatementException e) {
                throw new LockStoreException("could not " + what + ": " + MysqlErrors.describe(e),
                        MysqlErrors.cause(e), true);
            } catch (RuntimeException e) {
                failure = e;
                kind = MysqlErrors.classifyWrite(e);
            } finally {
                closeQuietly(handle);
            }
            if (kind == MysqlErrors.Kind.FAIL || attempt >= CREATE_ATTEMPTS) {
                String hint = MysqlErrors.isReadOnly(failure) ? " (the server is read-only)" : "";
                throw new LockStoreException("could not " + what + " after " + attempt + " attempt(s): "
                        + MysqlErrors.describe(failure) + hint, MysqlErrors.cause(failure),
                        kind != MysqlErrors.Kind.UNKNOWN, MysqlErrors.isTransient(failure));
            }
            LOG.debug("{} failed ({}), attempt {} of {}; retrying", what, MysqlErrors.describe(failure), attempt,
                    CREATE_ATTEMPTS);
            pause(attempt, what);
        }
    }

    @Override
    public String toString() {
        return "JdbiLockStore[" + table + "]";
    }

    private CasResult writeFailed(String what, Exception e) {
        MysqlErrors.Kind kind = MysqlErrors.classifyWrite(e);
        switch (kind) {
            case RETRY:
                LOG.debug("{}: retryable conflict ({})", what, MysqlErrors.describe(e));
                return CasResult.CONFLICT;
            case UNKNOWN:
                LOG.warn("{}: outcome unknown, the engine will reconcile ({})", what, MysqlErrors.describe(e));
                return CasResult.UNKNOWN;
            default:
                String hint = MysqlErrors.isReadOnly(e) ? " (the server is read-only: a replica, or a failover?)" : "";
                throw new LockStoreException("could not " + what + ": " + MysqlErrors.describe(e) + hint,
                        MysqlErrors.cause(e), true);
        }
    }

    /**
     * Opens a handle on a connection of its own, in autocommit mode. A failure here is before the statement
     * was sent, so nothing was changed.
     */
    private Handle open(String what) {
        Handle handle;
        try {
            handle = jdbi.open();
        } catch (RuntimeException e) {
            throw new LockStoreException("could not " + what + ": no connection: " + MysqlErrors.describe(e),
                    MysqlErrors.cause(e), true, MysqlErrors.isTransient(e));
        }
        try {
            // Jdbi's default exception text lists the bound arguments (whole documents); keep it out of logs.
            handle.getConfig(StatementExceptions.class).setMessageRendering(StatementExceptions.MessageRendering.NONE);
            ensureAutoCommit(handle);
            return handle;
        } catch (SQLException e) {
            closeQuietly(handle);
            throw new LockStoreException("could not " + what + ": " + MysqlErrors.describe(e),
                    MysqlErrors.cause(e), true, MysqlErrors.isTransient(e));
        } catch (RuntimeException e) {
            closeQuietly(handle);
            throw e;
        }
    }

    private static void closeQuietly(Handle handle) {
        try {
            handle.close();
        } catch (RuntimeException e) {
            LOG.debug("could not close a handle cleanly (the connection may be gone): {}", MysqlErrors.describe(e));
        }
    }

    /**
     * Makes the statement commit on its own. A pool may hand out connections with autocommit off (some
     * applications configure it so): switching it on commits nothing then, as a pooled connection carries no
     * open transaction. A connection that does (a transaction-aware data source proxy) is refused: the store
     * must not commit, or join, its caller's transaction.
     */
    private void ensureAutoCommit(Handle handle) throws SQLException {
        Connection connection = handle.getConnection();
        if (connection.getAutoCommit()) {
            return;
        }
        if (ConnectorJ.inTransaction(connection)) {
            throw new IllegalStateException("the data source of lock table " + quotedTable
                    + " handed out a connection inside an open transaction; the store must not join or commit its"
                    + " caller's transaction: give it a data source (pool) that hands out independent connections,"
                    + " not a transaction-aware proxy");
        }
        connection.setAutoCommit(true);
        // Put it back as we found it once the handle closes; Jdbi saw autocommit off at open, so it does not
        // treat the handle as having an open transaction of ours.
        handle.addCleanable(() -> connection.setAutoCommit(false));
    }

    private LockStoreException wentBackwards(String space, long seen, String now) {
        return new LockStoreException("lock space '" + space + "' in " + quotedTable + " went backwards: this store"
                + " has seen version " + seen + ", the database now has " + now + "; committed writes were lost"
                + " (a failover to a replica that lagged?) and fencing tokens could be issued twice. Refusing to"
                + " continue; an operator must repair the row (set its version above " + seen + ")", null, true);
    }

    private static void pause(int attempt, String what) {
        long maxMillis = Math.min(200, 10L << attempt);
        try {
            TimeUnit.MILLISECONDS.sleep(ThreadLocalRandom.current().nextLong(1, maxMillis + 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new LockStoreException("interrupted while retrying to " + what, e, true);
        }
    }

    /**
     * Checks a space id against what the {@code id} column can hold exactly: 1 to 191 characters, no unpaired
     * surrogate (it cannot be encoded), no trailing space (the column's collation, like every binary utf8mb4
     * collation MySQL and MariaDB share, pads with spaces, so "a" and "a " would be one row).
     */
    private static void checkSpace(String space) {
        Objects.requireNonNull(space, "space");
        int length = space.codePointCount(0, space.length());
        if (length == 0 || length > MAX_SPACE_LENGTH) {
            throw new IllegalArgumentException("space must be 1 to " + MAX_SPACE_LENGTH + " characters, was " + length);
        }
        if (space.endsWith(" ")) {
            throw new IllegalArgumentException("space must not end with a space character (the MySQL/MariaDB"
                    + " collation ignores trailing spaces), was '" + space + "'");
        }
        for (int i = 0; i < space.length(); i++) {
            char c = space.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < space.length() && Character.isLowSurrogate(space.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("space must not contain an unpaired surrogate, found one at index " + i);
            }
        }
    }

    private static String checkTableName(String tableName) {
        Objects.requireNonNull(tableName, "tableName");
        if (!TABLE_NAME.matcher(tableName).matches()) {
            throw new IllegalArgumentException("tableName must match " + TABLE_NAME.pattern() + ", was '"
                    + tableName + "'");
        }
        return tableName;
    }

    /** The DDL resource, loaded once. */
    private static final class SchemaHolder {
        static final String DDL = load();

        private static String load() {
            String text;
            try (InputStream in = JdbiLockStore.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
                if (in == null) {
                    throw new IllegalStateException("missing class path resource " + SCHEMA_RESOURCE);
                }
                text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException("could not read " + SCHEMA_RESOURCE, e);
            }
            String ddl = text.lines()
                    .filter(line -> !line.stripLeading().startsWith("--"))
                    .collect(Collectors.joining("\n"))
                    .strip();
            if (ddl.endsWith(";")) {
                ddl = ddl.substring(0, ddl.length() - 1).strip();
            }
            String marker = '`' + DEFAULT_TABLE + '`';
            int first = ddl.indexOf(marker);
            if (first < 0 || ddl.indexOf(marker, first + 1) >= 0 || ddl.contains(";")) {
                throw new IllegalStateException(SCHEMA_RESOURCE + " must hold one statement naming " + marker + " once");
            }
            return ddl;
        }
    }

    /** Connector/J specifics, used only when that driver is the one in use. */
    private static final class ConnectorJ {
        private static final boolean PRESENT = present();

        private static boolean present() {
            try {
                Class.forName("com.mysql.cj.jdbc.JdbcConnection", false, JdbiLockStore.class.getClassLoader());
                return true;
            } catch (ClassNotFoundException | LinkageError e) {
                return false;
            }
        }

        /** @return whether the server reported an open transaction on this connection (false if unknown) */
        static boolean inTransaction(Connection connection) {
            if (!PRESENT) {
                return false;
            }
            try {
                if (!connection.isWrapperFor(com.mysql.cj.jdbc.JdbcConnection.class)) {
                    return false;
                }
                com.mysql.cj.jdbc.JdbcConnection mysql = connection.unwrap(com.mysql.cj.jdbc.JdbcConnection.class);
                return mysql.getSession().getServerSession().inTransactionOnServer();
            } catch (SQLException | RuntimeException e) {
                return false;
            }
        }
    }

    /**
     * Configures a {@link JdbiLockStore}. Not thread-safe; build once and share the store.
     */
    public static final class Builder {
        private final Jdbi jdbi;
        private String table = DEFAULT_TABLE;

        private Builder(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        /**
         * @param tableName the table of lock spaces: {@code [A-Za-z_][A-Za-z0-9_]{0,63}} (it is spliced into
         *                  SQL, backtick-quoted); default {@value JdbiLockStore#DEFAULT_TABLE}
         * @return this
         * @throws IllegalArgumentException if the name does not match the pattern
         */
        public Builder tableName(String tableName) {
            this.table = checkTableName(tableName);
            return this;
        }

        /**
         * Builds the store and {@linkplain JdbiLockStore#verify() checks the server} with one connection: it must
         * be reachable and writable. The table itself may be created afterwards ({@link #createSchema()}).
         *
         * @return the store
         * @throws LockStoreException if the server cannot be reached or is read-only
         */
        public JdbiLockStore build() {
            JdbiLockStore store = new JdbiLockStore(this);
            store.verify();
            return store;
        }
    }
}
