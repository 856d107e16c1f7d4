package io.github.s3recon.internal;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** Answers {@link MergeDiff.DetailsLookup} questions with HeadObject requests. */
public final class HeadLookup implements MergeDiff.DetailsLookup {

    private final S3Location source;
    private final S3Location destination;

    /**
     * Creates a lookup on two locations.
     *
     * @param source the source
     * @param destination the destination
     */
    public HeadLookup(S3Location source, S3Location destination) {
        this.source = source;
        this.destination = destination;
    }

    @Override
    public Checksum checksum(MergeDiff.Side side, ObjectEntry entry) {
        HeadObjectResponse head = head(side, entry, null);
        return head == null ? null : checksumOf(head);
    }

    @Override
    public long firstPartSize(MergeDiff.Side side, ObjectEntry entry) {
        HeadObjectResponse head = head(side, entry, 1);
        return head == null || head.contentLength() == null ? 0 : head.contentLength();
    }

    private HeadObjectResponse head(MergeDiff.Side side, ObjectEntry entry, Integer partNumber) {
        S3Location location = side == MergeDiff.Side.SOURCE ? source : destination;
        try {
            return location.client().headObject(b -> b.bucket(location.bucket()).key(location.fullKey(entry.key()))
                    .checksumMode(ChecksumMode.ENABLED).partNumber(partNumber)).join();
        } catch (RuntimeException e) {
            Throwable t = S3Errors.unwrap(e);
            if (t instanceof NoSuchKeyException || (t instanceof S3Exception s && s.statusCode() < 500)) {
                return null; // gone since listed, or the server does not support the question: undecided
            }
            throw S3Errors.translate(t, location, "HeadObject of '" + location.fullKey(entry.key()) + "'");
        }
    }

    /**
     * Reads the checksum a HeadObject response carries.
     *
     * @param head the response
     * @return the checksum, or null
     */
    static Checksum checksumOf(HeadObjectResponse head) {
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
