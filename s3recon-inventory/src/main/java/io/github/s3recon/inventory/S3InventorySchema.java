package io.github.s3recon.inventory;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * The columns of a CSV inventory, from the manifest's {@code fileSchema}, and the mapping of one
 * row to an {@link ObjectEntry}.
 *
 * <p>Columns are found by name, so any subset and order that S3 writes works; columns this class
 * does not use (ReplicationStatus, EncryptionStatus, ObjectLock*, IntelligentTieringAccessTier,
 * BucketKeyStatus, ObjectAccessControlList, ObjectOwner, LifecycleExpirationDate and any that AWS
 * adds later) are parsed as CSV and dropped. Immutable and thread-safe.
 */
final class S3InventorySchema {

    static final String KEY = "Key";
    static final String IS_LATEST = "IsLatest";
    static final String IS_DELETE_MARKER = "IsDeleteMarker";
    static final String SIZE = "Size";
    static final String LAST_MODIFIED_DATE = "LastModifiedDate";
    static final String E_TAG = "ETag";
    static final String STORAGE_CLASS = "StorageClass";
    static final String IS_MULTIPART_UPLOADED = "IsMultipartUploaded";
    static final String CHECKSUM_ALGORITHM = "ChecksumAlgorithm";

    /** A row that is not the latest version of a live object: the listing leaves it out. */
    static final ObjectEntry SKIPPED = ObjectEntry.of("", 0, null);

    private final List<String> columns;
    private final boolean[] wanted;
    private final int key;
    private final int size;
    private final int isLatest;
    private final int isDeleteMarker;
    private final int lastModified;
    private final int eTag;
    private final int storageClass;
    private final int isMultipart;
    private final int checksumAlgorithm;

    private S3InventorySchema(List<String> columns) {
        this.columns = List.copyOf(columns);
        this.wanted = new boolean[columns.size()];
        this.key = want(KEY);
        this.size = want(SIZE);
        this.isLatest = want(IS_LATEST);
        this.isDeleteMarker = want(IS_DELETE_MARKER);
        this.lastModified = want(LAST_MODIFIED_DATE);
        this.eTag = want(E_TAG);
        this.storageClass = want(STORAGE_CLASS);
        this.isMultipart = want(IS_MULTIPART_UPLOADED);
        this.checksumAlgorithm = want(CHECKSUM_ALGORITHM);
    }

    /**
     * Parses a CSV manifest's {@code fileSchema}: column names separated by commas.
     *
     * @param fileSchema e.g. {@code "Bucket, Key, Size, LastModifiedDate, ETag"}
     * @param manifest where the manifest is, for messages
     * @return the schema
     * @throws S3ReconException if a column repeats or Key or Size is missing
     */
    static S3InventorySchema parse(String fileSchema, String manifest) {
        List<String> columns = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (String column : fileSchema.split(",", -1)) {
            String name = column.trim();
            if (name.isEmpty() || !seen.add(name.toLowerCase(Locale.ROOT))) {
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the fileSchema of inventory manifest "
                        + manifest + " has an empty or repeated column ('" + fileSchema
                        + "'): use a manifest that S3 Inventory wrote");
            }
            columns.add(name);
        }
        S3InventorySchema schema = new S3InventorySchema(columns);
        if (schema.key < 0 || schema.size < 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "inventory manifest " + manifest
                    + " has no " + (schema.key < 0 ? "Key" : "Size") + " column (fileSchema '" + fileSchema
                    + "'): objects cannot be compared without it; add the Size optional field to the inventory "
                    + "configuration and use a report delivered after that");
        }
        return schema;
    }

    /**
     * Returns the column names in file order.
     *
     * @return an unmodifiable list
     */
    List<String> columns() {
        return columns;
    }

    /**
     * Returns a new array for the fields of one row.
     *
     * @return an array with one slot per column
     */
    String[] newRow() {
        return new String[columns.size()];
    }

    /**
     * Returns which columns the mapping reads; the CSV reader makes Strings of these only.
     *
     * @return the shared flags; do not modify
     */
    boolean[] wanted() {
        return wanted;
    }

    /**
     * Maps one row.
     *
     * @param row the fields, as the CSV reader filled them
     * @return the entry with its full (decoded) key, or {@link #SKIPPED} for a row that is not the
     *     latest version or is a delete marker
     * @throws IllegalArgumentException with a message naming the column, for a value that cannot be
     *     parsed; the caller adds the file and line
     */
    ObjectEntry toEntry(String[] row) {
        // An inventory of all versions lists old versions and delete markers too; a listing shows
        // what a GET of the key returns: the latest version, unless that is a delete marker.
        if (isDeleteMarker >= 0 && isTrue(row[isDeleteMarker])) {
            return SKIPPED;
        }
        if (isLatest >= 0 && isFalse(row[isLatest])) {
            return SKIPPED;
        }
        String encodedKey = row[key];
        if (encodedKey == null || encodedKey.isEmpty()) {
            throw new IllegalArgumentException("the Key column is empty");
        }
        String objectKey = decodeKey(encodedKey);
        String sizeText = row[size];
        if (sizeText == null || sizeText.isEmpty()) {
            throw new IllegalArgumentException("the Size column of key '" + objectKey + "' is empty");
        }
        long bytes;
        try {
            bytes = Long.parseLong(sizeText.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("the Size column of key '" + objectKey + "' is '" + sizeText
                    + "', not a number");
        }
        if (bytes < 0) {
            throw new IllegalArgumentException("the Size column of key '" + objectKey + "' is negative: " + bytes);
        }
        String tag = text(eTag, row);
        return new ObjectEntry(objectKey, bytes, tag, instant(row, objectKey), text(storageClass, row),
                checksum(row, tag));
    }

    /**
     * Decodes the Key column. S3 Inventory URL-encodes keys in CSV reports the way HTML forms do
     * ({@code application/x-www-form-urlencoded}): a space becomes {@code +} and a literal plus
     * {@code %2B}, so {@code +} decodes to a space, as {@link URLDecoder} does.
     *
     * @param encoded the column's text
     * @return the key
     * @throws IllegalArgumentException for a malformed escape
     */
    static String decodeKey(String encoded) {
        if (encoded.indexOf('%') < 0 && encoded.indexOf('+') < 0) {
            return encoded;
        }
        try {
            return URLDecoder.decode(encoded, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the Key column '" + encoded + "' is not URL-encoded: "
                    + e.getMessage());
        }
    }

    /**
     * Maps a ChecksumAlgorithm value to the model; null for none or one this version does not know.
     *
     * @param value e.g. {@code CRC64NVME}, {@code crc32c}, {@code CRC64_NVME}
     * @return the algorithm, or null
     */
    static ChecksumAlgorithm algorithm(String value) {
        if (value == null) {
            return null;
        }
        String normalized = value.trim().toUpperCase(Locale.ROOT).replace("_", "").replace("-", "");
        return switch (normalized) {
            case "CRC64NVME" -> ChecksumAlgorithm.CRC64NVME;
            case "CRC32" -> ChecksumAlgorithm.CRC32;
            case "CRC32C" -> ChecksumAlgorithm.CRC32C;
            case "SHA1" -> ChecksumAlgorithm.SHA1;
            case "SHA256" -> ChecksumAlgorithm.SHA256;
            default -> null;
        };
    }

    private Checksum checksum(String[] row, String tag) {
        ChecksumAlgorithm algorithm = checksumAlgorithm < 0 ? null : algorithm(row[checksumAlgorithm]);
        if (algorithm == null) {
            return null;
        }
        // An inventory names the algorithm but neither the value nor the type. CRC64NVME is always
        // full-object; otherwise a multipart upload's checksum is composite unless told otherwise,
        // as S3ObjectLister decides for servers that omit the type. Calling a composite checksum
        // full-object would compare it with full-object values and report false mismatches.
        boolean multipart = isMultipart >= 0 && row[isMultipart] != null && !row[isMultipart].isEmpty()
                ? isTrue(row[isMultipart])
                : tag != null && tag.contains("-");
        ChecksumType type = algorithm == ChecksumAlgorithm.CRC64NVME || !multipart
                ? ChecksumType.FULL_OBJECT : ChecksumType.COMPOSITE;
        return new Checksum(algorithm, type, null);
    }

    private Instant instant(String[] row, String objectKey) {
        String value = text(lastModified, row);
        if (value == null) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            try {
                return OffsetDateTime.parse(value).toInstant();
            } catch (DateTimeParseException again) {
                throw new IllegalArgumentException("the LastModifiedDate column of key '" + objectKey + "' is '"
                        + value + "', not an ISO-8601 date-time");
            }
        }
    }

    private static String text(int column, String[] row) {
        if (column < 0) {
            return null;
        }
        String value = row[column];
        return value == null || value.isEmpty() ? null : value;
    }

    private static boolean isTrue(String value) {
        return value != null && value.trim().equalsIgnoreCase("true");
    }

    private static boolean isFalse(String value) {
        return value != null && value.trim().equalsIgnoreCase("false");
    }

    private int want(String name) {
        for (int i = 0; i < columns.size(); i++) {
            if (columns.get(i).equalsIgnoreCase(name)) {
                wanted[i] = true;
                return i;
            }
        }
        return -1;
    }
}
