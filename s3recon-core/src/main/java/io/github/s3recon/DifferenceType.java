package io.github.s3recon;

/** The kinds of {@link Difference}, named as they appear in reports. */
public enum DifferenceType {
    /** The source has the key, the destination does not. */
    MISSING_IN_DESTINATION,
    /** The destination has the key, the source does not. */
    EXTRA_IN_DESTINATION,
    /** Both have the key with different sizes. */
    SIZE_MISMATCH,
    /** Both have the key with equal sizes and fingerprints that prove different content. */
    CONTENT_MISMATCH,
    /** The content differs and the destination was last written before the source. */
    STALE,
    /** Sizes are equal but no comparable fingerprint exists on both sides. */
    UNVERIFIED
}
