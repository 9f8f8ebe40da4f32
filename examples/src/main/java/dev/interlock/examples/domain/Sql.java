package dev.interlock.examples.domain;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;

/**
 * Times in the database: every time column is a {@code DATETIME(6)} holding UTC, written either by the
 * database ({@code UTC_TIMESTAMP(6)}, one clock for every process) or from an {@link Instant}. Going through
 * {@link LocalDateTime} keeps the driver's and the session's time zones out of it.
 */
public final class Sql {
    private Sql() {
    }

    /**
     * @param e an exception from Jdbi or JDBC
     * @return whether a statement failed on a duplicate key (MySQL/MariaDB error 1062)
     */
    public static boolean isDuplicateKey(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException && ((SQLException) t).getErrorCode() == 1062) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param instant a time, or {@code null}
     * @return the value to bind to a {@code DATETIME(6)} column
     */
    public static LocalDateTime utc(Instant instant) {
        return instant == null ? null : LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
    }

    /**
     * @param rs     a result set on a row
     * @param column a {@code DATETIME(6)} column holding UTC
     * @return the time, or {@code null}
     * @throws SQLException if the column cannot be read
     */
    public static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime t = rs.getObject(column, LocalDateTime.class);
        return t == null ? null : t.toInstant(ZoneOffset.UTC);
    }
}
