package io.github.s3recon.inventory.jdbc;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * How a {@link JdbcCheckpointStore} writes values into columns and reads them back: instants as
 * seconds and nanoseconds (exact, {@link Instant#MIN} and {@link Instant#MAX} included), keys as
 * their UTF-8 bytes, free texts as text or as UTF-8 bytes (the backend's choice), nulls apart from
 * empty values. Immutable.
 */
final class JdbcColumns {

    private final boolean textAsBytes;

    JdbcColumns(boolean textAsBytes) {
        this.textAsBytes = textAsBytes;
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

    /**
     * A key's UTF-8 bytes; called when a change is written, so that a key that cannot be stored is
     * refused to its writer, not to a commit.
     *
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} for an unpaired surrogate
     */
    static byte[] utf8(String key) {
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(key));
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            return array;
        } catch (CharacterCodingException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "key '"
                    + key.replaceAll("[\\uD800-\\uDFFF]", "?") + "' has an unpaired surrogate, so it is not valid"
                    + " Unicode and has no UTF-8 form; S3 keys are UTF-8: fix the source of this key");
        }
    }

    static byte[] utf8OrNull(String key) {
        return key == null ? null : utf8(key);
    }

    /** Reads a key stored as UTF-8 bytes, or null. */
    static String key(ResultSet rows, int column) throws SQLException {
        byte[] bytes = rows.getBytes(column);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /**
     * Reads bytes stored in a column that is never null: a driver may return no array for an
     * empty value (SQLite's does), which is an empty array here, not a missing value.
     */
    static byte[] bytes(ResultSet rows, int column) throws SQLException {
        byte[] bytes = rows.getBytes(column);
        return bytes == null ? new byte[0] : bytes;
    }

    static void setNullableBytes(PreparedStatement statement, int index, byte[] value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BINARY);
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

    /**
     * A free text (a message, an error) in the form {@link #setText} binds: the text, or its UTF-8
     * bytes (an unpaired surrogate becomes {@code ?}); converted when a change is written.
     */
    Object text(String text) {
        return textAsBytes && text != null ? text.getBytes(StandardCharsets.UTF_8) : text;
    }

    /** Binds a free text converted by {@link #text}; null binds null. */
    void setText(PreparedStatement statement, int index, Object text) throws SQLException {
        if (textAsBytes) {
            setNullableBytes(statement, index, (byte[]) text);
        } else {
            setNullableString(statement, index, (String) text);
        }
    }

    /** Reads a free text, or null. */
    String text(ResultSet rows, int column) throws SQLException {
        return textAsBytes ? key(rows, column) : rows.getString(column);
    }
}
