package io.github.s3recon.postgres;

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
 * How {@link PostgresCheckpointStore} writes values into columns and reads them back: instants as
 * seconds and nanoseconds (exact, {@link Instant#MIN} and {@link Instant#MAX} included), keys as
 * their UTF-8 bytes (refusing a key with an unpaired surrogate, which has none), free texts as
 * UTF-8 bytes, nulls apart from empty values. Stateless.
 */
final class PgColumns {

    private PgColumns() {
    }

    static Instant instant(ResultSet rows, int secondsColumn) throws SQLException {
        return Instant.ofEpochSecond(rows.getLong(secondsColumn), rows.getInt(secondsColumn + 1));
    }

    static void setInstant(PreparedStatement statement, int secondsIndex, Instant at) throws SQLException {
        if (at == null) {
            statement.setNull(secondsIndex, Types.BIGINT);
            statement.setNull(secondsIndex + 1, Types.INTEGER);
        } else {
            statement.setLong(secondsIndex, at.getEpochSecond());
            statement.setInt(secondsIndex + 1, at.getNano());
        }
    }

    /** A key's UTF-8 bytes; checked when the change is written, so that its writer is told, not a commit. */
    static byte[] utf8(String key) {
        try {
            ByteBuffer bytes = StandardCharsets.UTF_8.newEncoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).encode(CharBuffer.wrap(key));
            byte[] array = new byte[bytes.remaining()];
            bytes.get(array);
            return array;
        } catch (CharacterCodingException e) {
            throw S3ReconException.invalidConfiguration("key", key.replaceAll("[\\uD800-\\uDFFF]", "?"),
                    "has an unpaired surrogate, which has no UTF-8 form: S3 keys are UTF-8");
        }
    }

    static byte[] utf8OrNull(String key) {
        return key == null ? null : utf8(key);
    }

    /** A free text (a message, an error) as UTF-8; an unpaired surrogate becomes {@code ?}. */
    static byte[] text(String text) {
        return text == null ? null : text.getBytes(StandardCharsets.UTF_8);
    }

    static String string(ResultSet rows, int column) throws SQLException {
        byte[] bytes = rows.getBytes(column);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    /** Bytes stored in a column that is never null. */
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
}
