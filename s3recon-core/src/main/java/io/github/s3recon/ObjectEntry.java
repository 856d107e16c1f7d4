package io.github.s3recon;

import java.time.Instant;
import java.util.Objects;

/**
 * One listed object: what a ListObjectsV2 page, an S3 Inventory row or a store says about it.
 *
 * <p>The key is relative to the {@link S3Location}'s prefix once it leaves a lister. The ETag is
 * kept without the surrounding quotes that S3 sends.
 *
 * @param key the object key; not null
 * @param size the size in bytes; not negative
 * @param eTag the entity tag without quotes; null when the source does not say
 * @param lastModified when the object was last written; null when the source does not say
 * @param storageClass the storage class, e.g. {@code STANDARD}; null when the source does not say
 * @param checksum the stored checksum; null when the object has none or the source does not say
 */
public record ObjectEntry(String key, long size, String eTag, Instant lastModified, String storageClass,
        Checksum checksum) {

    /** Validates the fields and strips the quotes around the ETag. */
    public ObjectEntry {
        Objects.requireNonNull(key, "key");
        if (size < 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "size must not be negative, was " + size + " for key '" + key + "'");
        }
        // Strip every layer so that copies (withKey, a report read back) leave the ETag unchanged.
        while (eTag != null && eTag.length() >= 2 && eTag.charAt(0) == '"' && eTag.charAt(eTag.length() - 1) == '"') {
            eTag = eTag.substring(1, eTag.length() - 1);
        }
    }

    /**
     * An entry with only a key, size and ETag, as tests and simple sources have it.
     *
     * @param key the key; not null
     * @param size the size; not negative
     * @param eTag the ETag; may be null
     * @return the entry
     */
    public static ObjectEntry of(String key, long size, String eTag) {
        return new ObjectEntry(key, size, eTag, null, null, null);
    }

    /**
     * Returns the number of parts of a multipart ETag ({@code <md5>-<parts>}), or 0 when the ETag is
     * not a multipart ETag.
     *
     * @return the part count, or 0
     */
    public int multipartPartCount() {
        if (eTag == null) {
            return 0;
        }
        int dash = eTag.lastIndexOf('-');
        if (dash != 32 || !isHex(eTag, 0, 32) || dash + 1 == eTag.length()) {
            return 0;
        }
        for (int i = dash + 1; i < eTag.length(); i++) {
            if (eTag.charAt(i) < '0' || eTag.charAt(i) > '9') {
                return 0;
            }
        }
        try {
            return Integer.parseInt(eTag, dash + 1, eTag.length(), 10);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Returns whether the ETag is a plain MD5 of the content (32 hex digits, no part suffix), as S3
     * gives for single-part uploads without SSE-KMS.
     *
     * @return true for a plain MD5 ETag
     */
    public boolean hasPlainMd5ETag() {
        return eTag != null && eTag.length() == 32 && isHex(eTag, 0, 32);
    }

    /**
     * Returns a copy with another key, e.g. relative to a prefix.
     *
     * @param newKey the key; not null
     * @return the copy
     */
    public ObjectEntry withKey(String newKey) {
        return new ObjectEntry(newKey, size, eTag, lastModified, storageClass, checksum);
    }

    /**
     * Returns a copy with another checksum.
     *
     * @param newChecksum the checksum; may be null
     * @return the copy
     */
    public ObjectEntry withChecksum(Checksum newChecksum) {
        return new ObjectEntry(key, size, eTag, lastModified, storageClass, newChecksum);
    }

    /** Bit {@code c - '0'} is set for each hex digit c: 0-9, A-F and a-f all lie within '0' + 63. */
    private static final long HEX_DIGITS = 0x3FFL | 0x3FL << ('A' - '0') | 0x3FL << ('a' - '0');

    private static boolean isHex(String s, int from, int to) {
        // Without a branch per character: ETags are random hex, so digits and letters alternate at
        // random and a branchy test mispredicts about a third of the time.
        long bad = 0;
        for (int i = from; i < to; i++) {
            int d = s.charAt(i) - '0';
            bad |= (d >>> 6) | (~HEX_DIGITS >>> d & 1);
        }
        return bad == 0;
    }
}
