package io.github.s3recon;

import java.util.Objects;

/**
 * What a reconciliation saw of one location.
 *
 * @param bucket the bucket; not null
 * @param prefix the prefix; not null
 * @param objects the number of objects listed
 * @param bytes their total size
 */
public record LocationSummary(String bucket, String prefix, long objects, long bytes) {
    /** Checks for null and negative counts. */
    public LocationSummary {
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(prefix, "prefix");
        if (objects < 0 || bytes < 0) {
            throw new IllegalArgumentException("objects and bytes must not be negative");
        }
    }
}
