package io.github.s3recon.testkit;

import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

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
 * 16 KiB, 1% up to 1 MiB and 0.1% of 8 to 32 MiB. ETags are then 32 hex digits derived from the
 * content's seed: they look like MD5s but are not the MD5 of the body (hashing every body would
 * cost more than the listing), so a copy's true MD5 never equals its source's ETag. A GET streams
 * a deterministic body of exactly the object's size; a range gives the same bytes as that slice.
 *
 * <p>With {@link SyntheticS3Builder#objectSize(long)}, every object has that size (a size-changed destination
 * object 1 to 4096 bytes more) and its ETag <em>is</em> the MD5 of its body: bodies share one
 * stream but for their last 64 bytes, which are the object's own, so the MD5 state of the shared
 * part is computed once (on first use, about 2 s per GiB of object size) and each ETag then costs
 * microseconds. Copies of such objects can be verified by ETag, as on S3; but parts swapped
 * between two objects (not within one) would go unnoticed by the bytes alone.
 *
 * <h2>Sink</h2>
 * With {@link SyntheticS3Builder#sinkBucket(String)}, a third bucket accepts writes, so that copies from the
 * synthetic buckets (GET then PUT, or server-side copies) can be tested at any total size in a small
 * heap: request bodies are streamed through MD5 (and the checksum the client declared) and thrown
 * away, never held, at a cost of about one MD5 per byte to the server.
 *
 * <pre>{@code
 * try (SyntheticS3 s3 = SyntheticS3.builder().objects(1000).objectSize(64L << 20).sinkBucket("sink").build()) {
 *     // copy s3.sourceBucket() to s3.sinkBucket() in -Xmx256m, then:
 *     assertThat(s3.bytesWritten()).isEqualTo(1000 * (64L << 20));
 *     assertThat(s3.writeCounts()).hasSize(1000).allSatisfy((key, writes) -> assertThat(writes).isOne());
 *     // where an object was copied in one PUT, its ETag is the source's:
 *     assertThat(s3.object("sink", s3.key(0)).orElseThrow().eTag())
 *             .isEqualTo(s3.object(s3.sourceBucket(), s3.key(0)).orElseThrow().eTag());
 *     assertThat(s3.uploadsInProgress()).isZero();
 * }
 * }</pre>
 *
 * <p>The sink answers PutObject, CopyObject, CreateMultipartUpload, UploadPart,
 * UploadPartCopy, CompleteMultipartUpload, AbortMultipartUpload, DeleteObject, DeleteObjects,
 * Put/Get/DeleteObjectTagging, HeadObject and GetObject (also with {@code partNumber}), HeadBucket
 * and ListObjectsV2/V1 of what was written, in UTF-8 byte order. Bodies may be plain, HTTP-chunked
 * or {@code aws-chunked} as the AWS SDK sends them ({@code STREAMING-AWS4-HMAC-SHA256-PAYLOAD},
 * {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}, with or without a trailing checksum).
 *
 * <p>What S3 does, the sink does: an object's ETag is the MD5 of its bytes, a multipart object's the
 * MD5 of its parts' MD5s then {@code -N}; {@code Content-MD5}, {@code x-amz-checksum-*} (header or
 * trailer) and {@code x-amz-decoded-content-length} are checked (400 {@code BadDigest},
 * {@code IncompleteBody}); a checksum is kept and returned by PUT, by Complete (CRCs combined into a
 * full-object checksum, or a composite one), by HEAD with {@code x-amz-checksum-mode: ENABLED} and
 * in listings; Complete wants its parts in ascending order, with their ETags, all but the last of
 * at least 5 MiB ({@code InvalidPartOrder}, {@code InvalidPart}, {@code EntityTooSmall}); CopyObject
 * refuses sources over 5 GiB and copies onto themselves without a change; {@code If-None-Match: *}
 * and {@code If-Match} make writes conditional; user metadata ({@code x-amz-meta-*}), the content
 * type and tags (at most 10) are kept, copied or replaced by the metadata and tagging directives.
 *
 * <p>What it does not: it keeps no bytes, so a GET of a written key streams <em>filler</em> bytes of
 * the right size, under the remembered headers (without the checksum, which they would fail), not
 * the bytes written; deep verification against the sink is meaningless. A copy, having no bytes to
 * hash, keeps its source's ETag (S3 would give a copied multipart object a plain MD5), and keeps its
 * checksum only if of the algorithm asked; a part copied with UploadPartCopy gets an ETag derived
 * from the source's ETag and range, and no checksum, so the object completed from it has none.
 * Versioning, ACLs, ListParts, ListMultipartUploads and object lock are not implemented (501). The
 * sink keeps a small record per key written and per part of each upload in progress: O(keys),
 * meant for up to some hundred thousand keys. Counters ({@link #bytesWritten()},
 * {@link #writeCount(String)}, {@link #requestCount(FaultInjectingProxy.Operation)}) let tests assert
 * what was sent.
 *
 * <h2>Protocol</h2>
 * Path-style requests as the AWS SDK (with {@code forcePathStyle}, e.g. from
 * {@link io.github.s3recon.S3Clients}) and rclone send them: ListBuckets, HeadBucket,
 * GetBucketLocation, GetBucketVersioning (unversioned), ListObjectsV2 and ListObjects (V1) with
 * prefix, delimiter, start-after/marker, continuation token, max-keys (at most 1000) and
 * {@code encoding-type=url}, HeadObject and GetObject with a single byte range, {@code If-Match}
 * and {@code If-None-Match}, and GetObjectTagging (no tags). Keys come out in UTF-8 byte order; a
 * page starts by binary search over the key sequence, in O(log n). Any credentials are accepted,
 * signatures and payload hashes are not checked, and every write to the source and destination is
 * refused with 403 {@code AccessDenied}. Unknown buckets and keys give S3's 404
 * {@code NoSuchBucket} and {@code NoSuchKey}.
 *
 * <p>Thread-safe; it serves many keep-alive connections at once, answering at most
 * {@link SyntheticS3Builder#threads(int)} requests at a time besides writes to the sink. Memory depends on the
 * number of requests in flight, never on the object count or the bytes transferred; only the sink
 * keeps a record per key written. Methods never accept or return null unless they say
 * so. Close it to stop the server.
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

    /** The largest fixed object size a server accepts, S3's largest object: 5 TiB. */
    public static final long MAX_OBJECT_SIZE = 5L << 40;

    // S3's rules for new bucket names, simplified: 3 to 63 lower-case letters, digits, dots and hyphens.

    private final SyntheticDataset data;
    private final String sourceBucket;
    private final String destinationBucket;
    private final Instant lastModified;
    private final SyntheticSink sink;
    private final SyntheticHandler handler;
    private final HttpServer server;
    private final ExecutorService executor;
    private final AtomicBoolean closed = new AtomicBoolean();

    SyntheticS3(SyntheticS3Builder builder) throws IOException {
        this.data = new SyntheticDataset(builder.objects, builder.objectsPerPrefix, builder.missingRate,
                builder.sizeChangeRate, builder.contentChangeRate, builder.extraRate, builder.objectSize);
        this.sourceBucket = builder.sourceBucket;
        this.destinationBucket = builder.destinationBucket;
        this.lastModified = builder.lastModified;
        this.sink = builder.sinkBucket == null ? null : new SyntheticSink(builder.sinkBucket, builder.clock);
        this.handler = new SyntheticHandler(data, sourceBucket, destinationBucket, lastModified,
                builder.pageLatency.toNanos(), builder.threads, sink, builder.maxKeysPerPage, builder.taggedEvery);
        // The JDK server leaves Nagle's algorithm on unless told otherwise (read once per JVM): with
        // keep-alive, a response written as headers then body would wait for the client's delayed
        // ACK, 40 ms a page.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", builder.port), 1024);
        AtomicInteger threadNumber = new AtomicInteger();
        // Threads as needed: the handler bounds how many requests it answers at once, and must see
        // each request to tell writes to the sink, which the bound must not hold up, from the rest.
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "synthetic-s3-" + threadNumber.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", handler);
        server.start();
    }

    /**
     * Returns a builder with the defaults: 10,000 objects of varied sizes, 10,000 per prefix, no
     * differences, no page latency, buckets {@value #DEFAULT_SOURCE_BUCKET} and
     * {@value #DEFAULT_DESTINATION_BUCKET}, no sink, LastModified {@link #DEFAULT_LAST_MODIFIED},
     * the system clock, 32 threads.
     *
     * @return a new builder, not thread-safe
     */
    public static SyntheticS3Builder builder() {
        return new SyntheticS3Builder();
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
     * Returns the name of the sink bucket, the one that accepts writes.
     *
     * @return the name
     * @throws S3ReconException ({@link ErrorCode#INVALID_CONFIGURATION}) when the server was built
     *         without {@link SyntheticS3Builder#sinkBucket(String)}
     */
    public String sinkBucket() {
        return sink().bucket;
    }

    /**
     * Returns how many objects a bucket holds: {@code n} for the source,
     * {@code n - expectedMissing() + expectedExtra()} for the destination, the keys written and not
     * deleted for the sink (at this moment: writes may be in flight).
     *
     * @param bucket the source, destination or sink bucket's name; not null
     * @return the count
     * @throws S3ReconException ({@link ErrorCode#BUCKET_NOT_FOUND}) for any other name
     */
    public long objectCount(String bucket) {
        if (isSink(bucket)) {
            return sink.objectCount();
        }
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
     * (without quotes), LastModified and storage class {@code STANDARD}; a synthetic object has no
     * checksum, a written one the checksum it was written with (with its value). O(log n).
     *
     * @param bucket the source, destination or sink bucket's name; not null
     * @param key the key; not null
     * @return the object, or empty when the bucket does not hold the key
     * @throws S3ReconException ({@link ErrorCode#BUCKET_NOT_FOUND}) for another bucket name
     */
    public Optional<ObjectEntry> object(String bucket, String key) {
        Objects.requireNonNull(key, "key");
        if (isSink(bucket)) {
            return Optional.ofNullable(sink.entry(key));
        }
        boolean destination = isDestination(bucket);
        long pos = data.find(key.getBytes(StandardCharsets.UTF_8), new byte[data.maxKeyLength]);
        if (pos < 0 || !data.exists(destination, pos)) {
            return Optional.empty();
        }
        long size = data.size(destination, pos);
        return Optional.of(new ObjectEntry(key, size, data.eTag(data.seed(destination, pos), size), lastModified,
                "STANDARD", null));
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

    /**
     * Returns how many requests of an S3 operation the server has received, on any bucket, whatever
     * the answer; operations are told apart as {@link FaultInjectingProxy} tells them (tagging,
     * ListObjects V1 and bucket requests are {@link FaultInjectingProxy.Operation#OTHER OTHER}). E.g.
     * {@code requestCount(GET_OBJECT)} counts the source reads of a copy, and
     * {@code requestCount(UPLOAD_PART)} its parts, retries included.
     *
     * @param operation the operation; not null
     * @return the count since the start
     */
    public long requestCount(FaultInjectingProxy.Operation operation) {
        return handler.requestCount(Objects.requireNonNull(operation, "operation"));
    }

    /**
     * Returns how many body bytes GetObject answers have sent, from any bucket: what clients were sent,
     * not necessarily what they read, if they stopped early.
     *
     * @return the count since the start
     */
    public long bytesServed() {
        return handler.bytesServed();
    }

    /**
     * Returns how many payload bytes (without {@code aws-chunked} framing) the sink has received in
     * PutObject and UploadPart bodies, counted as they arrive, including bodies of requests that then
     * failed (a bad digest, a client gone) or were retried. Server-side copies move no bytes and add
     * nothing.
     *
     * @return the count since the start; 0 without a sink
     */
    public long bytesWritten() {
        return sink == null ? 0 : sink.bytesWritten();
    }

    /**
     * Returns how many times a key of the sink was written: successful PutObject, CopyObject and
     * CompleteMultipartUpload requests for it (parts are not writes of the object), deletions not
     * subtracted; as {@link FaultInjectingProxy#objectWrites(String, String)} counts, without a proxy.
     *
     * @param key the key; not null
     * @return the count since the start; 0 without a sink
     */
    public long writeCount(String key) {
        Objects.requireNonNull(key, "key");
        return sink == null ? 0 : sink.writeCount(key);
    }

    /**
     * Returns, for every key of the sink written at least once, how many times it was written, as
     * {@link #writeCount(String)} counts; to assert that no object was written twice.
     *
     * @return an immutable snapshot, keys in UTF-8 byte order; empty without a sink
     */
    public Map<String, Long> writeCounts() {
        return sink == null ? Map.of() : sink.writeCounts();
    }

    /**
     * Returns how many multipart uploads to the sink were created and neither completed nor aborted:
     * 0 after a run that cleans up after itself.
     *
     * @return the count at this moment; 0 without a sink
     */
    public long uploadsInProgress() {
        return sink == null ? 0 : sink.uploadsInProgress();
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
                + destinationBucket + (sink == null ? "" : ", sink " + sink.bucket) + "]";
    }

    private SyntheticSink sink() {
        if (sink == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, this + " has no sink bucket: build it with "
                    + "SyntheticS3.builder().sinkBucket(name)");
        }
        return sink;
    }

    private boolean isSink(String bucket) {
        return sink != null && sink.bucket.equals(Objects.requireNonNull(bucket, "bucket"));
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
                + sourceBucket + "' nor the destination '" + destinationBucket + "'"
                + (sink == null ? "" : " nor the sink '" + sink.bucket + "'") + " of " + this);
    }
}
