package io.github.s3recon;

import java.io.Serializable;
import java.util.Map;
import java.util.Objects;

/**
 * One unit of parallel work: a contiguous key range of a source and destination pair, named by
 * bucket and prefix only. It holds no client and no secret, and is serializable, so that a
 * distributed engine (e.g. Apache Spark) can ship it to a worker that holds its own clients.
 *
 * <p>Immutable and thread-safe.
 *
 * @param index the shard's position in key order, from 0
 * @param sourceBucket the source bucket; not null
 * @param sourcePrefix the source prefix; not null
 * @param destinationBucket the destination bucket; not null
 * @param destinationPrefix the destination prefix; not null
 * @param range the keys, relative to the prefixes; not null
 * @param options settings of the run that a worker needs, as text; not null (copied)
 */
public record ShardSpec(int index, String sourceBucket, String sourcePrefix, String destinationBucket,
        String destinationPrefix, KeyRange range, Map<String, String> options) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Checks for null and copies the options. */
    public ShardSpec {
        if (index < 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "shard index must not be negative, was " + index);
        }
        Objects.requireNonNull(sourceBucket, "sourceBucket");
        Objects.requireNonNull(sourcePrefix, "sourcePrefix");
        Objects.requireNonNull(destinationBucket, "destinationBucket");
        Objects.requireNonNull(destinationPrefix, "destinationPrefix");
        Objects.requireNonNull(range, "range");
        options = Map.copyOf(Objects.requireNonNull(options, "options"));
    }

    /**
     * The shard of a source and destination pair for one range.
     *
     * @param index the shard's position
     * @param source the source; its client is not kept
     * @param destination the destination; its client is not kept
     * @param range the range
     * @return the shard
     */
    public static ShardSpec of(int index, S3Location source, S3Location destination, KeyRange range) {
        return new ShardSpec(index, source.bucket(), source.prefix(), destination.bucket(), destination.prefix(), range,
                Map.of());
    }
}
