package io.github.s3recon.inventory;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;

/**
 * Listed entries as inventory rows and back: keys as UTF-8 bytes (so that SQLite sorts them in S3's
 * order), instants as seconds and nanos, checksums as three columns. Stateless.
 */
final class InventoryRows {

    private InventoryRows() {
    }

    /**
     * Returns a key's UTF-8 bytes. A string with an unpaired surrogate has no UTF-8 form: it is
     * refused rather than stored with a replacement character, which would change the key.
     */
    static byte[] utf8(String key) {
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < key.length() && Character.isLowSurrogate(key.charAt(i + 1))) {
                    i++;
                } else {
                    throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "key '" + key
                            + "' has an unpaired surrogate (U+" + Integer.toHexString(c).toUpperCase()
                            + ") at index " + i + ", so it is not valid Unicode and has no UTF-8 form;"
                            + " S3 keys are UTF-8: fix the source of this key");
                }
            }
        }
        return key.getBytes(StandardCharsets.UTF_8);
    }

    static void bind(PreparedStatement statement, ObjectEntry entry, byte[] key) throws SQLException {
        statement.setBytes(1, key);
        statement.setLong(2, entry.size());
        setNullableString(statement, 3, entry.eTag());
        Instant lastModified = entry.lastModified();
        if (lastModified == null) {
            statement.setNull(4, Types.BIGINT);
            statement.setNull(5, Types.INTEGER);
        } else {
            // Seconds and nanoseconds: exact for every Instant, and compact.
            statement.setLong(4, lastModified.getEpochSecond());
            statement.setInt(5, lastModified.getNano());
        }
        setNullableString(statement, 6, entry.storageClass());
        Checksum checksum = entry.checksum();
        if (checksum == null) {
            statement.setNull(7, Types.VARCHAR);
            statement.setNull(8, Types.VARCHAR);
            statement.setNull(9, Types.VARCHAR);
        } else {
            // Enum names rather than ordinals: readable, and safe if the enums grow.
            statement.setString(7, checksum.algorithm().name());
            statement.setString(8, checksum.type().name());
            setNullableString(statement, 9, checksum.value());
        }
    }

    private static void setNullableString(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    static ObjectEntry toEntry(ResultSet row) throws SQLException {
        String key = new String(row.getBytes(1), StandardCharsets.UTF_8);
        long size = row.getLong(2);
        String eTag = row.getString(3);
        long seconds = row.getLong(4);
        Instant lastModified = row.wasNull() ? null : Instant.ofEpochSecond(seconds, row.getInt(5));
        String storageClass = row.getString(6);
        String algorithm = row.getString(7);
        Checksum checksum = algorithm == null ? null : new Checksum(ChecksumAlgorithm.valueOf(algorithm),
                ChecksumType.valueOf(row.getString(8)), row.getString(9));
        return new ObjectEntry(key, size, eTag, lastModified, storageClass, checksum);
    }
}
