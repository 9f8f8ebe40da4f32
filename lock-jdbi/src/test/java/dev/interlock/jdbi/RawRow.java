package dev.interlock.jdbi;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import javax.sql.DataSource;

/**
 * A lock-space row exactly as the database holds it: its version and the bytes of its {@code data} column
 * ({@code null} for SQL NULL), read with a statement of its own, so that tests can tell a row was left alone
 * byte for byte.
 *
 * @param version the version column
 * @param data    the bytes of the data column, or {@code null}
 * @param sha256  the server's SHA-256 of the data column (hex), or {@code null}
 */
record RawRow(long version, byte[] data, String sha256) {

    /**
     * @param data  where the table is
     * @param table the table name (an identifier from the test itself)
     * @param space the row's id
     * @param bytes whether to fetch the whole column (false for huge ones: the server's hash is compared then)
     * @return the row
     * @throws SQLException if it cannot be read
     * @throws IllegalStateException if there is no such row
     */
    static RawRow read(DataSource data, String table, String space, boolean bytes) throws SQLException {
        try (Connection c = data.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT version, " + (bytes ? "CAST(data AS BINARY)" : "NULL")
                     + ", SHA2(data, 256) FROM `" + table + "` WHERE id = ?")) {
            ps.setString(1, space);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no row '" + space + "' in " + table);
                }
                return new RawRow(rs.getLong(1), rs.getBytes(2), rs.getString(3));
            }
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RawRow r && r.version == version && Arrays.equals(r.data, data)
                && java.util.Objects.equals(r.sha256, sha256);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(version) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "RawRow[version " + version + ", " + (data == null ? "data not fetched" : data.length + " bytes")
                + ", sha256 " + sha256 + "]";
    }
}
