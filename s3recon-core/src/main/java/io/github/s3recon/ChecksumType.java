package io.github.s3recon;

/** Whether a stored checksum covers the whole object or is a checksum of part checksums. */
public enum ChecksumType {
    /** The checksum of the object's bytes, whatever the upload's part layout: comparable across layouts. */
    FULL_OBJECT,
    /** A checksum of the parts' checksums (a multipart upload): comparable only with the same part layout. */
    COMPOSITE
}
