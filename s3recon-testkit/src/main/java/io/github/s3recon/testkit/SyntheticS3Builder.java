package io.github.s3recon.testkit;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Configures and starts a {@link SyntheticS3}. Each setter checks its value at once; checks across
 * settings run in {@link #build()}.
 *
 * <p>Not thread-safe; a builder can build several independent servers.
 */
public final class SyntheticS3Builder {

    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    long objects = 10_000;
    long objectSize = -1;
    int objectsPerPrefix = 10_000;
    double missingRate;
    double extraRate;
    double sizeChangeRate;
    double contentChangeRate;
    Duration pageLatency = Duration.ZERO;
    int maxKeysPerPage = SyntheticListing.MAX_KEYS;
    String sourceBucket = SyntheticS3.DEFAULT_SOURCE_BUCKET;
    String destinationBucket = SyntheticS3.DEFAULT_DESTINATION_BUCKET;
    Instant lastModified = SyntheticS3.DEFAULT_LAST_MODIFIED;
    String sinkBucket;
    int taggedEvery;
    Clock clock = Clock.systemUTC();
    int threads = 32;
    int port;

    SyntheticS3Builder() {
    }

    /**
     * Sets the number of objects in the source bucket. Default 10,000.
     *
     * @param count 0 to {@link SyntheticS3#MAX_OBJECTS}
     * @return this builder
     */
    public SyntheticS3Builder objects(long count) {
        if (count < 0 || count > SyntheticS3.MAX_OBJECTS) {
            throw invalid("objects must be between 0 and " + SyntheticS3.MAX_OBJECTS + ", was " + count);
        }
        this.objects = count;
        return this;
    }

    /**
     * Gives every object of the source, and of the destination, one size, e.g. {@code 64L << 20}
     * for a memory test of large copies; a size-changed destination object is 1 to 4096 bytes
     * larger. The ETags are then the true MD5s of the bodies, which share one stream but for
     * their last 64 bytes (see the class comment); the first ETag asked for costs hashing one
     * object, about 2 s per GiB, once per server. Default: sizes vary as the class comment says,
     * and ETags are not MD5s.
     *
     * @param bytes 0 to {@link SyntheticS3#MAX_OBJECT_SIZE}
     * @return this builder
     */
    public SyntheticS3Builder objectSize(long bytes) {
        if (bytes < 0 || bytes > SyntheticS3.MAX_OBJECT_SIZE) {
            throw invalid("object size must be between 0 and " + SyntheticS3.MAX_OBJECT_SIZE + " bytes, was " + bytes);
        }
        this.objectSize = bytes;
        return this;
    }

    /**
     * Sets how many consecutive keys share one top-level prefix ({@code dNNNN/}). Default 10,000,
     * which gives 10,000 prefixes for 100M objects.
     *
     * @param count at least 1
     * @return this builder
     */
    public SyntheticS3Builder objectsPerPrefix(int count) {
        if (count < 1) {
            throw invalid("objects per prefix must be at least 1, was " + count);
        }
        this.objectsPerPrefix = count;
        return this;
    }

    /**
     * Sets the share of source keys that the destination lacks. Default 0.
     *
     * @param rate 0 to 1
     * @return this builder
     */
    public SyntheticS3Builder missingRate(double rate) {
        this.missingRate = checkRate("missing rate", rate);
        return this;
    }

    /**
     * Sets the share of source keys after which the destination holds an extra key. Default 0.
     *
     * @param rate 0 to 1
     * @return this builder
     */
    public SyntheticS3Builder extraRate(double rate) {
        this.extraRate = checkRate("extra rate", rate);
        return this;
    }

    /**
     * Sets the share of source keys whose destination copy has another size. Default 0.
     *
     * @param rate 0 to 1; with the missing and content-change rates at most 1
     * @return this builder
     */
    public SyntheticS3Builder sizeChangeRate(double rate) {
        this.sizeChangeRate = checkRate("size change rate", rate);
        return this;
    }

    /**
     * Sets the share of source keys whose destination copy has the same size and another ETag.
     * Default 0.
     *
     * @param rate 0 to 1; with the missing and size-change rates at most 1
     * @return this builder
     */
    public SyntheticS3Builder contentChangeRate(double rate) {
        this.contentChangeRate = checkRate("content change rate", rate);
        return this;
    }

    /**
     * Caps the keys per listing page below what clients ask for (S3 may return fewer than
     * {@code max-keys}): with small pages, a benchmark of parallel listing measures the latency
     * it hides rather than the CPU that parsing 1,000-key pages costs. Default 1,000.
     *
     * @param keys 1 to 1,000
     * @return this builder
     */
    public SyntheticS3Builder maxKeysPerPage(int keys) {
        if (keys < 1 || keys > SyntheticListing.MAX_KEYS) {
            throw invalid("max keys per page must be 1 to " + SyntheticListing.MAX_KEYS + ", was " + keys);
        }
        this.maxKeysPerPage = keys;
        return this;
    }

    /**
     * Sets how long the server waits before answering each listing page, e.g. 80 ms as AWS takes,
     * so that the speedup of parallel listing can be measured. The wait holds one server thread;
     * see {@link #threads(int)}. Default zero.
     *
     * @param latency not null, not negative
     * @return this builder
     */
    public SyntheticS3Builder pageLatency(Duration latency) {
        Objects.requireNonNull(latency, "latency");
        if (latency.isNegative()) {
            throw invalid("page latency must not be negative, was " + latency);
        }
        this.pageLatency = latency;
        return this;
    }

    /**
     * Sets the source bucket's name. Default {@value SyntheticS3#DEFAULT_SOURCE_BUCKET}.
     *
     * @param name a valid S3 bucket name; not null
     * @return this builder
     */
    public SyntheticS3Builder sourceBucket(String name) {
        this.sourceBucket = checkBucket(name);
        return this;
    }

    /**
     * Sets the destination bucket's name. Default {@value SyntheticS3#DEFAULT_DESTINATION_BUCKET}.
     *
     * @param name a valid S3 bucket name, other than the source's; not null
     * @return this builder
     */
    public SyntheticS3Builder destinationBucket(String name) {
        this.destinationBucket = checkBucket(name);
        return this;
    }

    /**
     * Adds a writable bucket, the sink (see the class comment), e.g. as the destination of a
     * copy from the source bucket. Default: none, every write is refused.
     *
     * @param name a valid S3 bucket name, other than the source's and the destination's; not null
     * @return this builder
     */
    public SyntheticS3Builder sinkBucket(String name) {
        this.sinkBucket = checkBucket(name);
        return this;
    }

    /**
     * Tags one synthetic object in every {@code n} (the n-th in key order, the 2n-th, ...) with
     * {@code synthetic=tagged}, as S3 would show it: {@code x-amz-tagging-count} on its GET and
     * HEAD (none on the others'), its tag set from GetObjectTagging, and copied with it into the
     * sink. Default 0: no object has tags.
     *
     * @param n 0 for none, else 1 or more
     * @return this builder
     */
    public SyntheticS3Builder taggedEvery(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("taggedEvery must be 0 (no tags) or positive, was " + n);
        }
        this.taggedEvery = n;
        return this;
    }

    /**
     * Sets the clock that dates the sink's writes (their LastModified, in whole seconds). Default
     * {@link Clock#systemUTC()}.
     *
     * @param clock not null
     * @return this builder
     */
    public SyntheticS3Builder clock(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
        return this;
    }

    /**
     * Sets the LastModified of every object, truncated to whole seconds as HTTP dates have no
     * fraction. Default {@link SyntheticS3#DEFAULT_LAST_MODIFIED}.
     *
     * @param instant not null
     * @return this builder
     */
    public SyntheticS3Builder lastModified(Instant instant) {
        this.lastModified = Objects.requireNonNull(instant, "instant").truncatedTo(ChronoUnit.SECONDS);
        return this;
    }

    /**
     * Sets the number of server threads, the most requests answered at once (idle keep-alive
     * connections hold none); more wait their turn. Writes to the sink are not counted: they are
     * answered at once, so that a relay's PUTs, waiting for bytes, cannot hold up the GETs that
     * would send them. Default 32.
     *
     * @param count at least 1
     * @return this builder
     */
    public SyntheticS3Builder threads(int count) {
        if (count < 1) {
            throw invalid("threads must be at least 1, was " + count);
        }
        this.threads = count;
        return this;
    }

    /**
     * Sets the port on 127.0.0.1; 0 (the default) picks a free one.
     *
     * @param port 0 to 65535
     * @return this builder
     */
    public SyntheticS3Builder port(int port) {
        if (port < 0 || port > 65535) {
            throw invalid("port must be 0 to 65535, was " + port);
        }
        this.port = port;
        return this;
    }

    /**
     * Starts a server on 127.0.0.1 and a free port.
     *
     * @return the running server; the caller closes it
     * @throws S3ReconException ({@link ErrorCode#INVALID_CONFIGURATION}) when the missing, size-
     *         and content-change rates add up to more than 1, or two buckets have one name
     * @throws UncheckedIOException when no port can be opened
     */
    public SyntheticS3 build() {
        double changed = missingRate + sizeChangeRate + contentChangeRate;
        if (changed > 1 + 1e-9) {
            throw invalid("missing rate + size change rate + content change rate must be at most 1, was "
                    + missingRate + " + " + sizeChangeRate + " + " + contentChangeRate + " = " + changed);
        }
        if (sourceBucket.equals(destinationBucket)) {
            throw invalid("source and destination buckets must differ, both were '" + sourceBucket + "'");
        }
        if (sourceBucket.equals(sinkBucket) || destinationBucket.equals(sinkBucket)) {
            throw invalid("the sink bucket must differ from the source and destination buckets, was '"
                    + sinkBucket + "'");
        }
        try {
            return new SyntheticS3(this);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open a port on 127.0.0.1 for SyntheticS3", e);
        }
    }

    private static double checkRate(String name, double rate) {
        if (!(rate >= 0 && rate <= 1)) {
            throw invalid(name + " must be between 0 and 1, was " + rate);
        }
        return rate;
    }

    private static String checkBucket(String name) {
        Objects.requireNonNull(name, "name");
        if (!BUCKET_NAME.matcher(name).matches()) {
            throw invalid("bucket name must be 3 to 63 lower-case letters, digits, '.' or '-', was '" + name + "'");
        }
        return name;
    }

    private static S3ReconException invalid(String message) {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, message);
    }
}
