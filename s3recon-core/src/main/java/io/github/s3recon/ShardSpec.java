package io.github.s3recon;

import java.io.Serializable;
import java.util.Map;

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

    /**
     * Checks for null and copies the options.
     *
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the index is negative,
     *     a field is null, or an option's name or value is null
     */
    public ShardSpec {
        if (index < 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "shard index must not be negative, was " + index);
        }
        S3ReconException.requireSetting(sourceBucket, "sourceBucket");
        S3ReconException.requireSetting(sourcePrefix, "sourcePrefix");
        S3ReconException.requireSetting(destinationBucket, "destinationBucket");
        S3ReconException.requireSetting(destinationPrefix, "destinationPrefix");
        S3ReconException.requireSetting(range, "range");
        S3ReconException.requireSetting(options, "options");
        for (Map.Entry<String, String> option : options.entrySet()) {
            if (option.getKey() == null || option.getValue() == null) {
                throw S3ReconException.invalidConfiguration("options", option.getKey() + "=" + option.getValue(),
                        "must not hold a null name or value");
            }
        }
        options = Map.copyOf(options);
    }

    /**
     * The shard of a source and destination pair for one range.
     *
     * @param index the shard's position
     * @param source the source; its client is not kept
     * @param destination the destination; its client is not kept
     * @param range the range
     * @return the shard
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the index is negative
     *     or a parameter is null
     */
    public static ShardSpec of(int index, S3Location source, S3Location destination, KeyRange range) {
        S3ReconException.requireSetting(source, "source");
        S3ReconException.requireSetting(destination, "destination");
        return new ShardSpec(index, source.bucket(), source.prefix(), destination.bucket(), destination.prefix(), range,
                Map.of());
    }
}
