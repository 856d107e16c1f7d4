package io.github.s3recon;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * What s3recon records in a copied object's user metadata about its source: the source's ETag and
 * size, and the checksum of the bytes as they were copied. It lets a later reconcile prove a copy
 * equal to its source (rule 5 of the content rules, {@link MatchRule#RECORDED_FINGERPRINT}) where
 * neither checksums nor ETags can, e.g. a multipart object copied with another part size.
 *
 * <p>Stored as three metadata entries ({@value #ETAG_KEY}, {@value #SIZE_KEY}, {@value #CHECKSUM_KEY};
 * S3 returns them as {@code x-amz-meta-*} headers). Immutable.
 *
 * @param sourceETag the source's ETag, without quotes; not null
 * @param size the source's size; not negative
 * @param checksum the full-object checksum of the copied bytes, or null when the bytes did not pass
 *     through s3recon (a server-side copy)
 */
public record Fingerprint(String sourceETag, long size, Checksum checksum) {

    /** The metadata key of the source's ETag. */
    public static final String ETAG_KEY = "s3recon-source-etag";
    /** The metadata key of the source's size. */
    public static final String SIZE_KEY = "s3recon-source-size";
    /** The metadata key of the checksum, as {@code ALGORITHM:base64}. */
    public static final String CHECKSUM_KEY = "s3recon-checksum";

    /** Validates the fields. */
    public Fingerprint {
        Objects.requireNonNull(sourceETag, "sourceETag");
        if (size < 0) {
            throw new IllegalArgumentException("size must not be negative, was " + size);
        }
        if (checksum != null && (!checksum.hasValue() || checksum.type() != ChecksumType.FULL_OBJECT)) {
            throw new IllegalArgumentException("a fingerprint's checksum is a full-object checksum with a value");
        }
    }

    /**
     * Returns the fingerprint of a source entry, with the checksum computed while copying it.
     *
     * @param source the source entry; not null
     * @param checksum the checksum of the copied bytes, or null
     * @return the fingerprint
     */
    public static Fingerprint of(ObjectEntry source, Checksum checksum) {
        return new Fingerprint(source.eTag(), source.size(), checksum);
    }

    /**
     * Returns the metadata entries that record this fingerprint.
     *
     * @return a new mutable map, in a stable order
     */
    public Map<String, String> toMetadata() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(ETAG_KEY, sourceETag);
        m.put(SIZE_KEY, Long.toString(size));
        if (checksum != null) {
            m.put(CHECKSUM_KEY, checksum.algorithm().name() + ":" + checksum.value());
        }
        return m;
    }

    /**
     * Reads a fingerprint from an object's user metadata (keys compared without case, as HTTP
     * headers are).
     *
     * @param metadata the user metadata; may be null
     * @return the fingerprint, or null when the metadata holds none or a malformed one
     */
    public static Fingerprint fromMetadata(Map<String, String> metadata) {
        if (metadata == null || metadata.isEmpty()) {
            return null;
        }
        String eTag = null;
        String size = null;
        String checksum = null;
        for (Map.Entry<String, String> e : metadata.entrySet()) {
            if (e.getKey() == null) {
                continue; // a header map may hold the status line under null
            }
            String k = e.getKey().toLowerCase(Locale.ROOT);
            if (k.equals(ETAG_KEY)) {
                eTag = e.getValue();
            } else if (k.equals(SIZE_KEY)) {
                size = e.getValue();
            } else if (k.equals(CHECKSUM_KEY)) {
                checksum = e.getValue();
            }
        }
        if (eTag == null || eTag.isEmpty() || size == null) {
            return null;
        }
        try {
            Checksum c = null;
            if (checksum != null) {
                int colon = checksum.indexOf(':');
                c = Checksum.of(ChecksumAlgorithm.valueOf(checksum.substring(0, colon)), ChecksumType.FULL_OBJECT,
                        checksum.substring(colon + 1));
            }
            return new Fingerprint(eTag, Long.parseLong(size), c);
        } catch (RuntimeException e) {
            return null; // written by someone else, or damaged: no proof either way
        }
    }
}
