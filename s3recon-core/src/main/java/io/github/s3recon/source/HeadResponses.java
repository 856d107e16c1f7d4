package io.github.s3recon.source;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ObjectEntry;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/**
 * Reads what a HeadObject response says about an object into s3recon's model: its
 * {@link ObjectEntry} and its {@link Checksum}. One definition for every piece of code that asks
 * S3 for an object's attributes (the S3 bucket source, the engine's lookups during the diff).
 *
 * <p>Stateless and thread-safe.
 */
public final class HeadResponses {

    private HeadResponses() {
    }

    /**
     * Returns the entry a HeadObject response describes: size, ETag (without quotes), last
     * modified, storage class and checksum, each null where the response does not carry it (a
     * missing {@code Content-Length} counts as 0 bytes).
     *
     * @param key the key to give the entry, relative to the location's prefix; not null
     * @param head the response; not null
     * @return the entry
     */
    public static ObjectEntry entry(String key, HeadObjectResponse head) {
        long size = head.contentLength() == null ? 0 : head.contentLength();
        return new ObjectEntry(key, size, head.eTag(), head.lastModified(), head.storageClassAsString(),
                checksum(head));
    }

    /**
     * Returns the checksum a HeadObject response carries (asked for with {@code ChecksumMode.ENABLED}).
     * CRC64NVME is always a full-object checksum; for the others the response's checksum type is
     * used, or, when the server does not send one, a {@code -N} suffix marks a composite checksum.
     *
     * @param head the response; not null
     * @return the checksum, or null when the response carries none
     */
    public static Checksum checksum(HeadObjectResponse head) {
        ChecksumType type = head.checksumType() == null ? null : switch (head.checksumType()) {
            case FULL_OBJECT -> ChecksumType.FULL_OBJECT;
            case COMPOSITE -> ChecksumType.COMPOSITE;
            default -> null;
        };
        if (head.checksumCRC64NVME() != null) {
            return Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, head.checksumCRC64NVME());
        }
        String[] values = {head.checksumCRC32(), head.checksumCRC32C(), head.checksumSHA1(), head.checksumSHA256()};
        ChecksumAlgorithm[] algorithms = {ChecksumAlgorithm.CRC32, ChecksumAlgorithm.CRC32C, ChecksumAlgorithm.SHA1,
            ChecksumAlgorithm.SHA256};
        for (int i = 0; i < values.length; i++) {
            if (values[i] != null) {
                // A "-N" suffix marks a composite checksum when the server does not send the type.
                ChecksumType t = type != null ? type
                        : values[i].matches(".*-\\d+$") ? ChecksumType.COMPOSITE : ChecksumType.FULL_OBJECT;
                return Checksum.of(algorithms[i], t, values[i]);
            }
        }
        return null;
    }
}
