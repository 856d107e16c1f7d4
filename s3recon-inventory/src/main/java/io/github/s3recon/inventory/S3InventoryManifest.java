package io.github.s3recon.inventory;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;

/**
 * A verified {@code manifest.json} of a CSV S3 Inventory report: which bucket it lists, its
 * columns, and its data files with their sizes and MD5s.
 *
 * @param sourceBucket the bucket the report lists
 * @param destinationBucket the bucket S3 delivered it to, as S3 wrote it (an ARN); may be null
 * @param version the manifest format version, e.g. {@code 2016-11-30}; may be null
 * @param creationTime when S3 began scanning the bucket; null when the manifest does not say
 * @param schema the columns
 * @param files the data files, in manifest order
 */
record S3InventoryManifest(String sourceBucket, String destinationBucket, String version, Instant creationTime,
        S3InventorySchema schema, List<DataFile> files) {

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * One gzip-compressed CSV file of a report.
     *
     * @param key its key in the bucket S3 delivered the report to
     * @param size its size in bytes, or -1 when the manifest does not say
     * @param md5 the lower-case hex MD5 of its bytes
     */
    record DataFile(String key, long size, String md5) {
    }

    /**
     * Reads, verifies against {@code manifest.checksum} and parses a manifest.
     *
     * @param source where the report is
     * @return the manifest
     * @throws S3ReconException if the manifest is missing, does not match its checksum, is not a CSV
     *     report, or lacks a field
     */
    static S3InventoryManifest read(S3InventorySource source) {
        byte[] bytes = source.manifest();
        String where = source.manifestName();
        String expected = new String(source.manifestChecksum(), StandardCharsets.US_ASCII).trim()
                .toLowerCase(Locale.ROOT);
        String actual = md5Hex(bytes);
        if (!expected.equals(actual)) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory manifest " + where
                    + " does not match its manifest.checksum (MD5 " + actual + ", expected '" + expected
                    + "'): it was changed or cut short; use the report as S3 Inventory delivered it, or a newer one");
        }
        JsonNode root;
        try {
            root = JSON.readTree(bytes);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory manifest " + where + " is not JSON: "
                    + e.getMessage() + "; use a manifest.json that S3 Inventory wrote", e);
        }
        if (root == null || !root.isObject()) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory manifest " + where
                    + " is not a JSON object; use a manifest.json that S3 Inventory wrote");
        }
        String format = text(root, "fileFormat", where, true);
        if (!"CSV".equalsIgnoreCase(format)) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "inventory manifest " + where + " is of an "
                    + format + " report; s3recon reads CSV reports only: set the inventory configuration's output "
                    + "format to CSV and use a report delivered after that");
        }
        S3InventorySchema schema = S3InventorySchema.parse(text(root, "fileSchema", where, true), where);
        JsonNode filesNode = root.get("files");
        if (filesNode == null || !filesNode.isArray()) {
            throw missing("files", where);
        }
        List<DataFile> files = new ArrayList<>(filesNode.size());
        for (JsonNode file : filesNode) {
            String key = text(file, "key", where, true);
            String md5 = text(file, "MD5checksum", where, true).trim().toLowerCase(Locale.ROOT);
            JsonNode size = file.get("size");
            files.add(new DataFile(key, size != null && size.canConvertToLong() ? size.asLong() : -1, md5));
        }
        return new S3InventoryManifest(text(root, "sourceBucket", where, true),
                text(root, "destinationBucket", where, false), text(root, "version", where, false),
                creationTime(root, where), schema, List.copyOf(files));
    }

    /**
     * Returns the lower-case hex MD5 of some bytes.
     *
     * @param bytes the bytes
     * @return 32 hex digits
     */
    static String md5Hex(byte[] bytes) {
        return HexFormat.of().formatHex(md5().digest(bytes));
    }

    /**
     * Returns a new MD5 digest.
     *
     * @return the digest
     */
    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    private static Instant creationTime(JsonNode root, String where) {
        String value = text(root, "creationTimestamp", where, false);
        if (value == null) {
            return null;
        }
        try {
            // Milliseconds since the epoch, written as a string.
            return Instant.ofEpochMilli(Long.parseLong(value.trim()));
        } catch (NumberFormatException e) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "inventory manifest " + where
                    + " has creationTimestamp '" + value + "', not milliseconds since the epoch; use a manifest "
                    + "that S3 Inventory wrote", e);
        }
    }

    private static String text(JsonNode node, String field, String where, boolean required) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull() || value.isContainerNode() || value.asText().isEmpty()) {
            if (required) {
                throw missing(field, where);
            }
            return null;
        }
        return value.asText();
    }

    private static S3ReconException missing(String field, String where) {
        return new S3ReconException(ErrorCode.LISTING_FAILED, "inventory manifest " + where + " has no valid '"
                + field + "' field; use a manifest.json that S3 Inventory wrote");
    }
}
