package io.github.s3recon.transfer;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;

/**
 * How a large object is cut into parts: all of {@link #partSize()} bytes but the last. Immutable.
 *
 * @param objectSize the object's size; positive
 * @param partSize the size of every part but the last
 * @param partCount the number of parts, at most {@value #MAX_PARTS}
 */
record PartPlan(long objectSize, long partSize, int partCount) {

    /** S3's limit on the parts of one upload. */
    static final int MAX_PARTS = 10_000;
    /** S3's smallest part, but the last. */
    static final long MIN_PART_SIZE = 5L << 20;
    /** S3's largest part, and largest single PUT or CopyObject. */
    static final long MAX_PART_SIZE = 5L << 30;

    private static final long MIB = 1L << 20;

    /**
     * Plans the parts of an object: the preferred part size, grown (in whole MiB) where the object
     * would otherwise need more than 10,000 parts.
     *
     * @param objectSize the object's size; positive
     * @param preferredPartSize the configured part size, 5 MiB to 5 GiB
     * @return the plan
     * @throws S3ReconException with {@code COPY_FAILED} for an object larger than 10,000 parts of 5 GiB
     */
    static PartPlan of(long objectSize, long preferredPartSize) {
        if (objectSize <= 0) {
            throw new IllegalArgumentException("a multipart object has at least one byte, was " + objectSize);
        }
        long partSize = preferredPartSize;
        if (ceilDiv(objectSize, partSize) > MAX_PARTS) {
            partSize = ceilDiv(ceilDiv(objectSize, MAX_PARTS), MIB) * MIB;
        }
        if (partSize > MAX_PART_SIZE) {
            throw new S3ReconException(ErrorCode.COPY_FAILED, "an object of " + objectSize
                    + " bytes needs more than 10,000 parts of 5 GiB, more than S3 stores in one object");
        }
        return new PartPlan(objectSize, partSize, (int) ceilDiv(objectSize, partSize));
    }

    /**
     * Returns the offset of a part's first byte.
     *
     * @param partNumber from 1
     * @return the offset
     */
    long offset(int partNumber) {
        return (partNumber - 1) * partSize;
    }

    /**
     * Returns a part's length.
     *
     * @param partNumber from 1
     * @return the bytes of that part
     */
    long length(int partNumber) {
        return Math.min(partSize, objectSize - offset(partNumber));
    }

    /**
     * Returns a part's HTTP range, e.g. {@code bytes=0-5242879}.
     *
     * @param partNumber from 1
     * @return the range header value
     */
    String range(int partNumber) {
        long from = offset(partNumber);
        return "bytes=" + from + "-" + (from + length(partNumber) - 1);
    }

    private static long ceilDiv(long a, long b) {
        return -Math.floorDiv(-a, b);
    }
}
