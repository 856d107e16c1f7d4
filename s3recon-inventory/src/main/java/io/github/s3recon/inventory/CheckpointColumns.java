package io.github.s3recon.inventory;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * How {@link SqliteCheckpointStore} writes values into columns and reads them back: instants as
 * seconds and nanoseconds (exact, {@link Instant#MIN} and {@link Instant#MAX} included), keys as
 * their UTF-8 bytes, nulls apart from empty values. Stateless.
 */
final class CheckpointColumns {

    private CheckpointColumns() {
    }

    /** Reads an instant from two columns: seconds, then nanoseconds. */
    static Instant instant(ResultSet rows, int secondsColumn) throws SQLException {
        return Instant.ofEpochSecond(rows.getLong(secondsColumn), rows.getInt(secondsColumn + 1));
    }

    /** Writes an instant into two parameters: seconds, then nanoseconds; null writes two nulls. */
    static void setInstant(PreparedStatement statement, int secondsIndex, Instant at) throws SQLException {
        if (at == null) {
            statement.setNull(secondsIndex, Types.BIGINT);
            statement.setNull(secondsIndex + 1, Types.INTEGER);
        } else {
            statement.setLong(secondsIndex, at.getEpochSecond());
            statement.setInt(secondsIndex + 1, at.getNano());
        }
    }

    /** A key's UTF-8 bytes, or null; refuses a key with an unpaired surrogate (see {@link SqliteInventoryStore#utf8}). */
    static byte[] utf8OrNull(String key) {
        return key == null ? null : InventoryRows.utf8(key);
    }

    /** Reads a key stored as UTF-8 bytes. */
    static String key(ResultSet rows, int column) throws SQLException {
        return new String(rows.getBytes(column), StandardCharsets.UTF_8);
    }

    static String keyOrNull(ResultSet rows, int column) throws SQLException {
        byte[] bytes = rows.getBytes(column);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Reads bytes stored as a BLOB that is never null: the driver returns no array for an empty
     * BLOB, which is an empty array here, not a missing value.
     */
    static byte[] bytes(ResultSet rows, int column) throws SQLException {
        byte[] bytes = rows.getBytes(column);
        return bytes == null ? new byte[0] : bytes;
    }

    static void setNullableBytes(PreparedStatement statement, int index, byte[] value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BLOB);
        } else {
            statement.setBytes(index, value);
        }
    }

    static void setNullableString(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }
}
