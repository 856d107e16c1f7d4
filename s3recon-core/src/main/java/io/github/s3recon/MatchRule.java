package io.github.s3recon;

/**
 * The rule that proved a key's source and destination equal, in the order the rules are tried
 * (see {@link MergeDiff}).
 */
public enum MatchRule {
    /** Both objects are empty: equal sizes of zero prove equal content. */
    EMPTY,
    /** Both carry a full-object checksum of the same algorithm, and the values are equal. */
    FULL_OBJECT_CHECKSUM,
    /** Both ETags are plain MD5s of the content, and they are equal. */
    PLAIN_ETAG,
    /** Both are multipart uploads of the same layout, and their ETags are equal. */
    MULTIPART_ETAG,
    /** The fingerprint that s3recon recorded at copy time matches the source. */
    RECORDED_FINGERPRINT,
    /** Both objects were read and their contents compared. */
    DEEP,
    /** Only the sizes were compared ({@link Verification#SIZE}): nothing is missing, the content is not proved. */
    SIZE
}
