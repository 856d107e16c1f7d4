package io.github.s3recon;

/** The checksum algorithms that S3 can store with an object. */
public enum ChecksumAlgorithm {
    /** CRC-64/NVME, S3's default for new uploads; always a full-object checksum. */
    CRC64NVME,
    /** CRC-32 (IEEE). */
    CRC32,
    /** CRC-32C (Castagnoli). */
    CRC32C,
    /** SHA-1. */
    SHA1,
    /** SHA-256. */
    SHA256
}
