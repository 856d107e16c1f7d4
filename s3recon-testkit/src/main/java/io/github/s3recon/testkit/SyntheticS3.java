package io.github.s3recon.testkit;

import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * A synthetic S3 endpoint on the loopback interface that answers from a deterministic generator
 * instead of stored objects, so that listing, diffing and estimating 10M-100M objects can be tested
 * and benchmarked with a small, constant heap.
 *
 * <pre>{@code
 * try (SyntheticS3 s3 = SyntheticS3.builder().objects(10_000_000).missingRate(0.001).extraRate(0.0005)
 *         .sizeChangeRate(0.0002).contentChangeRate(0.0001).pageLatency(Duration.ofMillis(80)).build();
 *      S3Client client = S3Clients.client(s3.endpoint(), Region.US_EAST_1, anyCredentials)) {
 *     // reconcile s3.sourceBucket() against s3.destinationBucket(), then:
 *     assertThat(report.missing()).isEqualTo(s3.expectedMissing());
 * }
 * }</pre>
 *
 * <h2>Buckets</h2>
 * The <em>source</em> bucket holds {@code n} objects, {@link #key(long) key(0)} to
 * {@code key(n-1)}. The <em>destination</em> bucket is the source with differences injected at the
 * configured rates, each chosen by the index alone (so the same on every run):
 * <ul>
 *   <li>missing: {@code key(i)} is absent from the destination;
 *   <li>size changed: same key, another size and ETag;
 *   <li>content changed: same key and size, another ETag (and body);
 *   <li>extra: the destination also holds {@code key(i) + "-extra+é"}, which sorts right after
 *       {@code key(i)}; the '+' and the non-ASCII letter exercise URL and UTF-8 encoding.
 * </ul>
 * Missing, size changed and content changed are disjoint; extras are independent of them. Each count
 * is exactly {@code round(n × rate)} (the classes clamped so that together they never exceed
 * {@code n}), and {@link #expectedMissing()} and its siblings return those counts, so tests can
 * assert exact reconciliation results. Both buckets have the same LastModified, so a changed object
 * is a content or size mismatch, never stale.
 *
 * <h2>Keys</h2>
 * {@code key(i) = "d" + (i / objectsPerPrefix) + "/obj-" + i}, the directory number zero-padded
 * to at least 4 digits and the index to 10, e.g. {@code d0012/obj-0000123456} with the default
 * 10,000 objects per prefix: keys ascend with the index in UTF-8 byte order, and 100M objects fall
 * into 10,000 top-level prefixes for delimiter listings. Sizes vary: about 3% empty, most up to
 * 16 KiB, 1% up to 1 MiB and 0.1% of 8 to 32 MiB. ETags are 32 hex digits derived from the
 * content's seed (MD5-looking, not the MD5 of the body); a GET streams a deterministic body of
 * exactly the object's size.
 *
 * <h2>Protocol</h2>
 * Path-style requests as the AWS SDK (with {@code forcePathStyle}, e.g. from
 * {@link io.github.s3recon.S3Clients}) and rclone send them: ListBuckets, HeadBucket,
 * GetBucketLocation, GetBucketVersioning (unversioned), ListObjectsV2 and ListObjects (V1) with
 * prefix, delimiter, start-after/marker, continuation token, max-keys (at most 1000) and
 * {@code encoding-type=url}, HeadObject and GetObject with a single byte range. Keys come out in
 * UTF-8 byte order; a page starts by binary search over the key sequence, in O(log n). Any
 * credentials are accepted, signatures are not checked, and every write is refused with 403
 * {@code AccessDenied}. Unknown buckets and keys give S3's 404 {@code NoSuchBucket} and
 * {@code NoSuchKey}.
 *
 * <p>Thread-safe; it serves many keep-alive connections at once on a fixed pool of threads. Memory
 * depends on the number of requests in flight, never on the object count. Methods never accept or
 * return null unless they say so. Close it to stop the server.
 */
public final class SyntheticS3 implements AutoCloseable {

    /** The default name of the source bucket. */
    public static final String DEFAULT_SOURCE_BUCKET = "synthetic-source";

    /** The default name of the destination bucket. */
    public static final String DEFAULT_DESTINATION_BUCKET = "synthetic-destination";

    /** The default LastModified of every object: 2024-01-01T00:00:00Z. */
    public static final Instant DEFAULT_LAST_MODIFIED = Instant.parse("2024-01-01T00:00:00Z");

    /** The largest object count a server accepts: 3,000,000,000. */
    public static final long MAX_OBJECTS = SyntheticDataset.MAX_OBJECTS;

    // S3's rules for new bucket names, simplified: 3 to 63 lower-case letters, digits, dots and hyphens.
    private static final Pattern BUCKET_NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");

    private final SyntheticDataset data;
    private final String sourceBucket;
    private final String destinationBucket;
    private final Instant lastModified;
    private final SyntheticHandler handler;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    private SyntheticS3(Builder builder) throws IOException {
        this.data = new SyntheticDataset(builder.objects, builder.objectsPerPrefix, builder.missingRate,
                builder.sizeChangeRate, builder.contentChangeRate, builder.extraRate);
        this.sourceBucket = builder.sourceBucket;
        this.destinationBucket = builder.destinationBucket;
        this.lastModified = builder.lastModified;
        this.handler = new SyntheticHandler(data, sourceBucket, destinationBucket, lastModified,
                builder.pageLatency.toNanos(), builder.threads);
        // The JDK server leaves Nagle's algorithm on unless told otherwise (read once per JVM): with
        // keep-alive, a response written as headers then body would wait for the client's delayed
        // ACK, 40 ms a page.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", builder.port), 1024);
        AtomicInteger threadNumber = new AtomicInteger();
        this.executor = Executors.newFixedThreadPool(builder.threads, r -> {
            Thread t = new Thread(r, "synthetic-s3-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
    }

    /**
     * Returns a builder with the defaults: 10,000 objects, 10,000 per prefix, no differences, no page
     * latency, buckets {@value #DEFAULT_SOURCE_BUCKET} and {@value #DEFAULT_DESTINATION_BUCKET},
     * LastModified {@link #DEFAULT_LAST_MODIFIED}, 32 threads.
     *
     * @return a new builder, not thread-safe
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the endpoint to give clients, with path-style addressing.
     *
     * @return e.g. {@code http://127.0.0.1:40123}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /**
     * Returns the name of the source bucket, which holds every generated object.
     *
     * @return the name
     */
    public String sourceBucket() {
        return sourceBucket;
    }

    /**
     * Returns the name of the destination bucket, the source with the injected differences.
     *
     * @return the name
     */
    public String destinationBucket() {
        return destinationBucket;
    }

    /**
     * Returns how many objects a bucket holds: {@code n} for the source,
     * {@code n - expectedMissing() + expectedExtra()} for the destination.
     *
     * @param bucket the source or destination bucket's name; not null
     * @return the count
     * @throws S3ReconException ({@link ErrorCode#BUCKET_NOT_FOUND}) for any other name
     */
    public long objectCount(String bucket) {
        return data.count(isDestination(bucket));
    }

    /**
     * Returns how many source keys the destination lacks.
     *
     * @return {@code round(n × missingRate)}
     */
    public long expectedMissing() {
        return data.missing;
    }

    /**
     * Returns how many keys only the destination has.
     *
     * @return {@code round(n × extraRate)}
     */
    public long expectedExtra() {
        return data.extra;
    }

    /**
     * Returns how many keys both buckets have with different sizes (and ETags).
     *
     * @return {@code round(n × sizeChangeRate)}, clamped to the indices not missing
     */
    public long expectedSizeMismatch() {
        return data.sizeChanged;
    }

    /**
     * Returns how many keys both buckets have with the same size and different ETags.
     *
     * @return {@code round(n × contentChangeRate)}, clamped to the indices neither missing nor
     *         size-changed
     */
    public long expectedContentMismatch() {
        return data.contentChanged;
    }

    /**
     * Returns how many keys both buckets have with the same size, ETag and LastModified.
     *
     * @return {@code n} minus the missing, size-changed and content-changed counts
     */
    public long expectedMatched() {
        return data.n - data.missing - data.sizeChanged - data.contentChanged;
    }

    /**
     * Returns the key of source object {@code index}. Keys ascend with the index in UTF-8 byte order.
     *
     * @param index 0 to {@code objectCount(sourceBucket()) - 1}
     * @return the key, e.g. {@code d0012/obj-0000123456}
     * @throws IndexOutOfBoundsException for an index outside the source
     */
    public String key(long index) {
        Objects.checkIndex(index, data.n);
        byte[] key = new byte[data.maxKeyLength];
        int length = data.writeKey(2 * index, key);
        return new String(key, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Returns an object as a listing of its bucket shows it, without a request: key, size, ETag
     * (without quotes), LastModified and storage class {@code STANDARD}; no checksum. O(log n).
     *
     * @param bucket the source or destination bucket's name; not null
     * @param key the key; not null
     * @return the object, or empty when the bucket does not hold the key
     * @throws S3ReconException ({@link ErrorCode#BUCKET_NOT_FOUND}) for another bucket name
     */
    public Optional<ObjectEntry> object(String bucket, String key) {
        boolean destination = isDestination(bucket);
        Objects.requireNonNull(key, "key");
        long pos = data.find(key.getBytes(StandardCharsets.UTF_8), new byte[data.maxKeyLength]);
        if (pos < 0 || !data.exists(destination, pos)) {
            return Optional.empty();
        }
        return Optional.of(new ObjectEntry(key, data.size(destination, pos),
                SyntheticDataset.eTag(data.seed(destination, pos)), lastModified, "STANDARD", null));
    }

    /**
     * Returns the LastModified of every object in both buckets.
     *
     * @return the instant, in whole seconds
     */
    public Instant lastModified() {
        return lastModified;
    }

    /**
     * Returns how many HTTP requests the server has received, answered or refused; e.g. to count
     * the pages of a listing.
     *
     * @return the count
     */
    public long requestCount() {
        return handler.requestCount();
    }

    /** Stops the server at once; requests in flight are cut. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            server.stop(0);
            executor.shutdownNow();
        }
    }

    @Override
    public String toString() {
        return "SyntheticS3[" + endpoint() + ", " + data.n + " objects, " + sourceBucket + " -> "
                + destinationBucket + "]";
    }

    private boolean isDestination(String bucket) {
        Objects.requireNonNull(bucket, "bucket");
        if (bucket.equals(destinationBucket)) {
            return true;
        }
        if (bucket.equals(sourceBucket)) {
            return false;
        }
        throw new S3ReconException(ErrorCode.BUCKET_NOT_FOUND, "bucket '" + bucket + "' is neither the source '"
                + sourceBucket + "' nor the destination '" + destinationBucket + "' of " + this);
    }

    /**
     * Configures and starts a {@link SyntheticS3}. Each setter checks its value at once; checks across
     * settings run in {@link #build()}.
     *
     * <p>Not thread-safe; a builder can build several independent servers.
     */
    public static final class Builder {

        private long objects = 10_000;
        private int objectsPerPrefix = 10_000;
        private double missingRate;
        private double extraRate;
        private double sizeChangeRate;
        private double contentChangeRate;
        private Duration pageLatency = Duration.ZERO;
        private String sourceBucket = DEFAULT_SOURCE_BUCKET;
        private String destinationBucket = DEFAULT_DESTINATION_BUCKET;
        private Instant lastModified = DEFAULT_LAST_MODIFIED;
        private int threads = 32;
        private int port;

        private Builder() {
        }

        /**
         * Sets the number of objects in the source bucket. Default 10,000.
         *
         * @param count 0 to {@link SyntheticS3#MAX_OBJECTS}
         * @return this builder
         */
        public Builder objects(long count) {
            if (count < 0 || count > MAX_OBJECTS) {
                throw invalid("objects must be between 0 and " + MAX_OBJECTS + ", was " + count);
            }
            this.objects = count;
            return this;
        }

        /**
         * Sets how many consecutive keys share one top-level prefix ({@code dNNNN/}). Default 10,000,
         * which gives 10,000 prefixes for 100M objects.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder objectsPerPrefix(int count) {
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
        public Builder missingRate(double rate) {
            this.missingRate = checkRate("missing rate", rate);
            return this;
        }

        /**
         * Sets the share of source keys after which the destination holds an extra key. Default 0.
         *
         * @param rate 0 to 1
         * @return this builder
         */
        public Builder extraRate(double rate) {
            this.extraRate = checkRate("extra rate", rate);
            return this;
        }

        /**
         * Sets the share of source keys whose destination copy has another size. Default 0.
         *
         * @param rate 0 to 1; with the missing and content-change rates at most 1
         * @return this builder
         */
        public Builder sizeChangeRate(double rate) {
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
        public Builder contentChangeRate(double rate) {
            this.contentChangeRate = checkRate("content change rate", rate);
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
        public Builder pageLatency(Duration latency) {
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
        public Builder sourceBucket(String name) {
            this.sourceBucket = checkBucket(name);
            return this;
        }

        /**
         * Sets the destination bucket's name. Default {@value SyntheticS3#DEFAULT_DESTINATION_BUCKET}.
         *
         * @param name a valid S3 bucket name, other than the source's; not null
         * @return this builder
         */
        public Builder destinationBucket(String name) {
            this.destinationBucket = checkBucket(name);
            return this;
        }

        /**
         * Sets the LastModified of every object, truncated to whole seconds as HTTP dates have no
         * fraction. Default {@link SyntheticS3#DEFAULT_LAST_MODIFIED}.
         *
         * @param instant not null
         * @return this builder
         */
        public Builder lastModified(Instant instant) {
            this.lastModified = Objects.requireNonNull(instant, "instant").truncatedTo(ChronoUnit.SECONDS);
            return this;
        }

        /**
         * Sets the number of server threads, the most requests answered at once (idle keep-alive
         * connections hold none). Default 32.
         *
         * @param count at least 1
         * @return this builder
         */
        public Builder threads(int count) {
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
        public Builder port(int port) {
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
         *         and content-change rates add up to more than 1, or both buckets have one name
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
}
