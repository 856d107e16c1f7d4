package io.github.s3recon.transfer;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferScheduler;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The built-in copy engine: copies objects in two lanes by size, within a budget of bytes in
 * flight, server-side where it can and through a streaming relay where it must, with retries,
 * adaptive concurrency and checksums.
 *
 * <pre>{@code
 * SizeTieredScheduler scheduler = SizeTieredScheduler.builder()
 *         .smallObjectThreshold(DataSize.ofMebibytes(16))
 *         .partSize(DataSize.ofMebibytes(16))
 *         .maxInFlightBytes(DataSize.ofMebibytes(256))
 *         .smallObjectConcurrency(128)
 *         .largeObjectConcurrency(8)
 *         .build();
 * }</pre>
 *
 * <h2>Lanes</h2>
 * Objects smaller than the {@linkplain Builder#smallObjectThreshold threshold} are copied in one
 * request ({@code CopyObject}, or a GET then one PUT), many at once; larger ones as
 * multipart uploads whose parts ({@code UploadPartCopy}, or ranged GETs streamed into
 * {@code UploadPart}s) run in parallel. Each lane has its own queue, its own threads and its own
 * concurrency limit, and large parts must leave part of the byte budget to small objects, so small
 * objects never wait behind large ones.
 *
 * <h2>Memory</h2>
 * Relayed bytes are bounded by the {@linkplain Builder#maxInFlightBytes byte budget}: a small
 * object takes its size from the budget before its GET starts, a part takes its length, and both
 * give it back when they end; an object or part larger than the budget proceeds alone. A small
 * object is read whole into one array of its size, then written (so that a GET never holds a
 * connection while its PUT waits for one); a large object's parts stream, the GET's body being the
 * {@code UploadPart}'s body, read from the network only as fast as it is written. Either way the
 * heap holds at most the budget's worth of objects' bytes. Server-side copies move no bytes through
 * the JVM and take nothing from the budget. {@code copy} blocks its caller when its lane's queue is
 * full (back-pressure).
 *
 * <h2>Server-side or relay</h2>
 * When the source and destination are reached by the same client, or by clients with the same
 * endpoint, region and access key id, the server copies ({@code CopyObject} below the
 * {@linkplain Builder#multipartCopyThreshold multipart copy threshold}, 5 GiB by default,
 * {@code UploadPartCopy} parts in parallel above it, so objects over 5 GiB copy too). Otherwise the bytes are
 * relayed through the JVM, never through local disk.
 *
 * <h2>Integrity and what is preserved</h2>
 * A relay computes the session's checksum ({@code TransferContext.checksumAlgorithm()}, CRC64NVME by
 * default) over the bytes it moves and asks the destination to store it as a full-object checksum
 * (for multipart uploads, the CRCs of the parts are combined into the whole's); the value is checked
 * against what the destination computed and what the source stores (a mismatch is retried), and
 * reported in {@code ObjectCopied.checksum()}. Content type and the other content headers (encoding,
 * disposition, language, cache control, expires), user metadata and tags are carried over. The
 * source's ETag and size are recorded in the copy's user metadata ({@link io.github.s3recon.Fingerprint})
 * wherever the copy's ETag will not equal the source's (every relay, every multipart copy, every
 * copy of a multipart-uploaded object), with the checksum of the bytes written where it is known
 * before the write (small relays) and else the source's own full-object checksum where it has one.
 * Storage class, ACLs, encryption settings and object lock are not carried over. A server that
 * rejects a checksum option (some S3-compatible servers reject trailing checksums or checksum types)
 * is asked again without it, and the session remembers not to ask again. The first relayed writes
 * to a destination are checked afterwards (a HEAD): a server that stored the aws-chunked framing as
 * the object's bytes switches the session to plain uploads, and the objects are written again (see
 * {@link Builder#plainUploads}). A destination or source without object tagging (501) gets the objects
 * without tags, with one warning.
 *
 * <h2>Failures</h2>
 * 503 SlowDown, 5xx, timeouts, resets and other I/O errors are retried with exponential backoff and
 * full jitter, up to {@linkplain Builder#maxAttempts the attempts}; each retry is reported as a
 * {@code TransferRetried} and counted. Throttling halves the lane's concurrency, which then creeps
 * back. Permanent errors (403, 404, 400, a source that changed during the copy) fail that object
 * only, with an {@code ObjectFailed} naming the request, bucket, key and fix (code
 * {@code ACCESS_DENIED}, {@code INVALID_CREDENTIALS}, {@code BUCKET_NOT_FOUND} or
 * {@code ENDPOINT_UNREACHABLE} where one applies, else {@code COPY_FAILED} or {@code DELETE_FAILED};
 * {@code INTERRUPTED} after a cancellation); a failed multipart upload is aborted. Reads use
 * If-Match on the listed ETag, so an object that changes during its copy fails rather than being
 * written as a mix of two versions. A deletion deletes only the object it was given: a HEAD compares
 * its ETag (else size and LastModified), and the {@code DeleteObject} carries {@code If-Match} where
 * the server supports it; one rewritten or gone since is kept and reported
 * ({@code TransferTotals.deletionsKept()}). Each multipart upload is announced to the context's
 * {@code UploadCheckpoints} before it is created and carries {@code x-amz-meta-s3recon-run}, so that
 * an upload whose creation's answer was lost, or that a kill left without a record, is found and
 * aborted; a retried {@code CreateMultipartUpload} that left a second upload starts afresh. A
 * server-side copy that answers 404 although the source has the object is relayed instead. The SDK's own retries are turned off for the requests the
 * scheduler sends, so that every retry is the scheduler's and is counted. Events are stamped with
 * the context's clock; backoffs and rate limits wait in real time.
 *
 * <h2>Threads</h2>
 * Immutable and thread-safe; one scheduler may serve several sessions at once. Each session runs
 * on daemon threads of its own (one for the small lane, one per concurrent large object, one
 * timer) that its {@code close()} stops; {@link #close()} closes every session still open. The HTTP
 * client's connection pool should allow about as many connections as the two lanes' concurrency
 * (the SDK's Netty client allows 50 by default): requests beyond it wait for a connection. A
 * streamed part holds its GET's connection until its {@code UploadPart} ends, so where both sides
 * share one pool it needs more than twice the large lane's concurrency.
 */
public final class SizeTieredScheduler implements TransferScheduler {

    static final long MAX_SINGLE_REQUEST = 5L << 30;

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final long smallObjectThreshold;
    private final long multipartCopyThreshold;
    private final long partSize;
    private final long maxInFlightBytes;
    private final int smallObjectConcurrency;
    private final int largeObjectConcurrency;
    private final double maxRequestsPerSecond;
    private final long maxBytesPerSecond;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final boolean copyTags;
    private final boolean serverSideCopy;
    private final boolean plainUploads;
    private final boolean directRequests;
    private final java.util.concurrent.atomic.LongAdder directRequestsSent = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder directFallbacks = new java.util.concurrent.atomic.LongAdder();
    private final java.util.concurrent.atomic.LongAdder streamedObjects = new java.util.concurrent.atomic.LongAdder();
    private final Set<SizeTieredSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private SizeTieredScheduler(Builder b) {
        this.smallObjectThreshold = b.smallObjectThreshold;
        this.multipartCopyThreshold = b.multipartCopyThreshold;
        this.partSize = b.partSize;
        this.maxInFlightBytes = b.maxInFlightBytes;
        this.smallObjectConcurrency = b.smallObjectConcurrency;
        this.largeObjectConcurrency = b.largeObjectConcurrency;
        this.maxRequestsPerSecond = b.maxRequestsPerSecond;
        this.maxBytesPerSecond = b.maxBytesPerSecond;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.copyTags = b.copyTags;
        this.serverSideCopy = b.serverSideCopy;
        this.plainUploads = b.plainUploads;
        this.directRequests = b.directRequests;
    }

    /**
     * Returns a builder with the defaults: threshold and part size 16 MiB, a byte budget of
     * 256 MiB or a quarter of the JVM's maximum heap, whichever is smaller, 128 small objects and 8 large-object parts at once, no rate limits, 10 attempts per
     * request with backoff from 100 ms to 20 s, tags copied, server-side copies where possible.
     *
     * @return a new builder; not thread-safe
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns a scheduler with every default.
     *
     * @return a new scheduler
     */
    public static SizeTieredScheduler withDefaults() {
        return builder().build();
    }

    /**
     * Opens a session. Its threads start at once and run until the session is closed.
     *
     * @param context the run's locations, checksum algorithm, outcomes and clock; not null
     * @return the session; the caller closes it
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code context} is
     *     null or this scheduler was closed (build a new one)
     */
    @Override
    public TransferSession open(TransferContext context) {
        S3ReconException.requireSetting(context, "context");
        if (closed) {
            throw closedScheduler();
        }
        SizeTieredSession session = new SizeTieredSession(this, context, SESSIONS.incrementAndGet());
        sessions.add(session);
        if (closed) {
            session.close();
            throw closedScheduler();
        }
        return session;
    }

    private static S3ReconException closedScheduler() {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the scheduler was closed; build a new one "
                + "with SizeTieredScheduler.builder() (a migration closes the scheduler it created, never one "
                + "passed to Migration.Builder.transferScheduler)");
    }

    /** Cancels and closes every session still open; further {@link #open} calls fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (SizeTieredSession session : sessions) {
            session.close();
        }
    }

    void closed(SizeTieredSession session) {
        sessions.remove(session);
        directRequestsSent.add(session.direct.directRequests());
        directFallbacks.add(session.direct.fallbacks());
        streamedObjects.add(session.direct.streamedObjects());
        if (session.direct.firstFallback() != null) {
            firstFallback = session.direct.firstFallback();
        }
    }

    /** Requests of closed sessions sent directly (see {@link Builder#directRequests}); for tests and logs. */
    long directRequestsSent() {
        return directRequestsSent.sum();
    }

    /** Why the last closed session's first direct request that went through the SDK did; null if none. */
    String firstFallback() {
        return firstFallback;
    }

    private volatile String firstFallback;

    /** Small objects of closed sessions relayed as one stream from their GET into their PUT; for tests and logs. */
    long streamedObjects() {
        return streamedObjects.sum();
    }

    /** Direct requests of closed sessions that were sent again through the SDK. */
    long directFallbacks() {
        return directFallbacks.sum();
    }

    /**
     * Returns this scheduler's lanes: its small-object threshold and the concurrency of each lane.
     *
     * @return the lanes
     */
    @Override
    public Lanes lanes() {
        return new Lanes(smallObjectThreshold, smallObjectConcurrency, largeObjectConcurrency);
    }

    long smallObjectThreshold() {
        return smallObjectThreshold;
    }

    long multipartCopyThreshold() {
        return multipartCopyThreshold;
    }

    long partSize() {
        return partSize;
    }

    long maxInFlightBytes() {
        return maxInFlightBytes;
    }

    int smallObjectConcurrency() {
        return smallObjectConcurrency;
    }

    int largeObjectConcurrency() {
        return largeObjectConcurrency;
    }

    double maxRequestsPerSecond() {
        return maxRequestsPerSecond;
    }

    long maxBytesPerSecond() {
        return maxBytesPerSecond;
    }

    int maxAttempts() {
        return maxAttempts;
    }

    Duration initialBackoff() {
        return initialBackoff;
    }

    Duration maxBackoff() {
        return maxBackoff;
    }

    boolean copyTags() {
        return copyTags;
    }

    boolean serverSideCopy() {
        return serverSideCopy;
    }

    boolean plainUploads() {
        return plainUploads;
    }

    boolean directRequests() {
        return directRequests;
    }

    @Override
    public String toString() {
        return "SizeTieredScheduler{smallObjectThreshold=" + DataSize.ofBytes(smallObjectThreshold)
                + ", multipartCopyThreshold=" + DataSize.ofBytes(multipartCopyThreshold)
                + ", partSize=" + DataSize.ofBytes(partSize)
                + ", maxInFlightBytes=" + DataSize.ofBytes(maxInFlightBytes)
                + ", smallObjectConcurrency=" + smallObjectConcurrency + ", largeObjectConcurrency="
                + largeObjectConcurrency + ", maxRequestsPerSecond=" + (maxRequestsPerSecond == 0 ? "unlimited"
                        : maxRequestsPerSecond) + ", maxBytesPerSecond=" + (maxBytesPerSecond == 0 ? "unlimited"
                        : DataSize.ofBytes(maxBytesPerSecond)) + ", maxAttempts=" + maxAttempts + ", backoff="
                + initialBackoff + ".." + maxBackoff + ", copyTags=" + copyTags + ", serverSideCopy=" + serverSideCopy
                + ", plainUploads=" + plainUploads + ", directRequests=" + directRequests + "}";
    }

    /** The default byte budget for a heap of {@code maxHeap} bytes (see {@link Builder#maxInFlightBytes}). */
    static long defaultByteBudget(long maxHeap) {
        long quarter = maxHeap == Long.MAX_VALUE ? Long.MAX_VALUE : maxHeap / 4;
        return Math.max(16L << 20, Math.min(256L << 20, quarter));
    }

    /**
     * Configures a {@link SizeTieredScheduler}. Every setter checks its value at once and throws
     * {@link S3ReconException} with code {@code INVALID_CONFIGURATION} and a message that carries
     * the value; checks that involve several settings run in {@link #build()}. Mutable, not
     * thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {

        private long smallObjectThreshold = 16L << 20;
        private long multipartCopyThreshold = MAX_SINGLE_REQUEST;
        private long partSize = 16L << 20;
        private long maxInFlightBytes = defaultByteBudget(Runtime.getRuntime().maxMemory());
        private int smallObjectConcurrency = 128;
        private int largeObjectConcurrency = 8;
        private double maxRequestsPerSecond;
        private long maxBytesPerSecond;
        private int maxAttempts = 10;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(20);
        private boolean copyTags = true;
        private boolean serverSideCopy = true;
        private boolean plainUploads;
        private boolean directRequests = true;

        private Builder() {
        }

        /**
         * Sets the size from which objects are copied as multipart uploads; smaller ones are copied
         * in one request. The default is 16 MiB.
         *
         * @param threshold from 1 byte to 5 GiB (the largest single PUT or CopyObject); not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder smallObjectThreshold(DataSize threshold) {
            long bytes = requireSize(threshold, "small object threshold", "smallObjectThreshold");
            if (bytes < 1 || bytes > MAX_SINGLE_REQUEST) {
                throw invalid("smallObjectThreshold", "small object threshold must be from 1 byte to 5GiB (the largest single PUT), was "
                        + threshold);
            }
            this.smallObjectThreshold = bytes;
            return this;
        }

        /**
         * Sets the size from which server-side copies (same endpoint and credentials) are made as
         * multipart uploads of {@code UploadPartCopy} parts in parallel; smaller objects are copied
         * by one {@code CopyObject}, whatever the {@linkplain #smallObjectThreshold small-object
         * threshold}, since no bytes pass through the JVM. The default is 5 GiB, the largest object
         * {@code CopyObject} accepts, as rclone's copy cutoff; lower it to copy big objects faster
         * on servers that run parts in parallel (AWS S3).
         *
         * @param threshold from 1 byte to 5 GiB; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder multipartCopyThreshold(DataSize threshold) {
            long bytes = requireSize(threshold, "multipart copy threshold", "multipartCopyThreshold");
            if (bytes < 1 || bytes > MAX_SINGLE_REQUEST) {
                throw invalid("multipartCopyThreshold", "multipart copy threshold must be from 1 byte to 5GiB (the largest CopyObject), was "
                        + threshold);
            }
            this.multipartCopyThreshold = bytes;
            return this;
        }

        /**
         * Sets the preferred part size of multipart copies. An object that would need more than
         * 10,000 parts of this size (S3's limit) gets larger parts, in whole MiB. The default is
         * 16 MiB.
         *
         * @param partSize from 5 MiB to 5 GiB, S3's limits; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder partSize(DataSize partSize) {
            long bytes = requireSize(partSize, "part size", "partSize");
            if (bytes < PartPlan.MIN_PART_SIZE || bytes > PartPlan.MAX_PART_SIZE) {
                throw invalid("partSize", "part size must be from 5MiB to 5GiB, was " + partSize);
            }
            this.partSize = bytes;
            return this;
        }

        /**
         * Sets the byte budget: how many bytes relays may have in flight at once, which bounds the
         * memory a session uses. Large objects' parts leave the smaller of the threshold and half
         * the budget to small objects. An object or part larger than the budget still proceeds,
         * alone; a relayed object below the threshold but larger than the budget is streamed as a
         * multipart upload rather than held in memory. Server-side copies take nothing from it. The
         * default is 256 MiB or a quarter of the JVM's maximum heap ({@code -Xmx}), whichever is
         * smaller (at least 16 MiB): the relayed bytes are on the heap, next to the HTTP clients'
         * own buffers, and a budget near the heap's size fails copies with OutOfMemoryError
         * (measured: 8 MiB objects with a 256 MiB budget in a 384 MiB heap lost 3-13 of 60 copies
         * to it).
         *
         * @param budget at least 1 byte; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder maxInFlightBytes(DataSize budget) {
            long bytes = requireSize(budget, "in-flight byte budget", "maxInFlightBytes");
            if (bytes < 1) {
                throw invalid("maxInFlightBytes", "in-flight byte budget must be positive, was " + budget);
            }
            this.maxInFlightBytes = bytes;
            return this;
        }

        /**
         * Sets how many small objects are copied at once (the most; throttling lowers it for a
         * while). Deletions share this lane. The default is 128.
         *
         * @param concurrency from 1 to 10,000
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is out of
         *     range; the message names the setter and the value
         */
        public Builder smallObjectConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 10_000) {
                throw invalid("smallObjectConcurrency", "small object concurrency must be from 1 to 10000, was " + concurrency);
            }
            this.smallObjectConcurrency = concurrency;
            return this;
        }

        /**
         * Sets how many parts of large objects are transferred at once, over all large objects
         * (the most; throttling lowers it for a while); as many large objects may be in progress
         * at once. The default is 8.
         *
         * @param concurrency from 1 to 1,000
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is out of
         *     range; the message names the setter and the value
         */
        public Builder largeObjectConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 1_000) {
                throw invalid("largeObjectConcurrency", "large object concurrency must be from 1 to 1000, was " + concurrency);
            }
            this.largeObjectConcurrency = concurrency;
            return this;
        }

        /**
         * Limits the S3 requests per second of a session (both sides together), e.g. to spare a
         * server others use. The default, 0, is unlimited.
         *
         * @param requestsPerSecond 0 for unlimited, or positive and finite
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is out of
         *     range; the message names the setter and the value
         */
        public Builder maxRequestsPerSecond(double requestsPerSecond) {
            if (!(requestsPerSecond >= 0) || Double.isInfinite(requestsPerSecond)) {
                throw invalid("maxRequestsPerSecond", "max requests per second must be 0 (unlimited) or positive and finite, was "
                        + requestsPerSecond);
            }
            this.maxRequestsPerSecond = requestsPerSecond;
            return this;
        }

        /**
         * Limits the bytes copied per second by a session, relayed or server-side, counted when each
         * object or part starts. The default, 0, is unlimited.
         *
         * @param bytesPerSecond 0 for unlimited; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder maxBytesPerSecond(DataSize bytesPerSecond) {
            this.maxBytesPerSecond = requireSize(bytesPerSecond, "max bytes per second", "maxBytesPerSecond");
            return this;
        }

        /**
         * Sets how many times a request (or a relay's GET and PUT together) is tried before its
         * object fails, counting the first. The default is 10.
         *
         * @param attempts from 1 to 100
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is out of
         *     range; the message names the setter and the value
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw invalid("maxAttempts", "max attempts must be from 1 to 100, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Sets the backoff before the first retry; retry {@code n} waits a random time between zero
         * and {@code initial × 2^(n-1)}, at most the {@linkplain #maxBackoff maximum} (exponential
         * backoff with full jitter). The default is 100 ms.
         *
         * @param initial positive; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder initialBackoff(Duration initial) {
            if (initial == null) {
                throw invalid("initialBackoff", "initial backoff must not be null");
            }
            if (initial.isNegative() || initial.isZero()) {
                throw invalid("initialBackoff", "initial backoff must be positive, was " + initial);
            }
            this.initialBackoff = initial;
            return this;
        }

        /**
         * Sets the longest backoff between two attempts. The default is 20 s.
         *
         * @param max positive, and at least the initial backoff (checked by {@link #build()}); not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null or
         *     out of range; the message names the setter and the value
         */
        public Builder maxBackoff(Duration max) {
            if (max == null) {
                throw invalid("maxBackoff", "max backoff must not be null");
            }
            if (max.isNegative() || max.isZero()) {
                throw invalid("maxBackoff", "max backoff must be positive, was " + max);
            }
            this.maxBackoff = max;
            return this;
        }

        /**
         * Sets whether tags are copied. Relays read them with GetObjectTagging (which needs
         * {@code s3:GetObjectTagging}) when the source says it has some or does not say;
         * server-side copies of small objects copy them without reading. The default is true.
         *
         * @param copyTags whether to copy tags
         * @return this builder
         */
        public Builder copyTags(boolean copyTags) {
            this.copyTags = copyTags;
            return this;
        }

        /**
         * Sets whether objects are copied by the server where source and destination share an
         * endpoint and credentials. Turn it off where the destination's credentials cannot read the
         * source bucket; every object is then relayed. The default is true.
         *
         * @param serverSideCopy whether server-side copies may be used
         * @return this builder
         */
        public Builder serverSideCopy(boolean serverSideCopy) {
            this.serverSideCopy = serverSideCopy;
            return this;
        }

        /**
         * Sets whether relayed uploads are sent plain: {@code PutObject} with {@code Content-MD5}
         * and the bytes as they are, {@code UploadPart} and {@code CreateMultipartUpload} without a
         * checksum algorithm, never an {@code aws-chunked} body with a trailing checksum. The
         * destination then stores no CRC of the copy; the checksum computed while relaying is still
         * recorded in the copy's fingerprint and reported. Turn it on for servers that store the
         * aws-chunked framing as the object's bytes (s3rver 3.7 stores every object 51 bytes longer,
         * with {@code Content-Encoding: aws-chunked}) or reject trailers. The default is false:
         * checksums are sent, and the first relayed writes to each destination are checked (a HEAD:
         * the size the server reports, and that it did not keep the aws-chunked encoding); on a
         * mismatch the session switches to plain uploads by itself, copies those objects again, and
         * says so once in the log and in the run's history.
         *
         * @param plainUploads whether to send uploads without checksums
         * @return this builder
         */
        public Builder plainUploads(boolean plainUploads) {
            this.plainUploads = plainUploads;
            return this;
        }

        /**
         * Sets whether relays send their {@code GetObject}, {@code GetObjectTagging},
         * {@code PutObject} and {@code UploadPart} over the JDK's blocking {@code HttpURLConnection},
         * signed with SigV4 as the S3 client would sign them, instead of through the SDK's request
         * pipeline, which costs several times the CPU of a request of a few KiB and, over plain
         * HTTP, hashes every uploaded byte for the signature. A part of a large object is a ranged
         * GET streamed into its UploadPart on one thread, its checksum trailing in an
         * {@code aws-chunked} body. Only clients whose requests this reproduces go direct: SigV4 with
         * the client's own credentials provider, endpoint and region, no signer or execution
         * interceptor of the user's own, no proxy variables in the environment (the JDK reads the
         * JVM's {@code http(s).proxyHost} properties); other clients go through the SDK. A
         * server-side {@code CopyObject} goes direct where it keeps the source's metadata (a source
         * with a plain MD5 ETag); the parts of a multipart copy, and copies that replace the
         * metadata, go through the SDK. Where the JVM has not set {@code http.maxConnections}, the first direct
         * request sets it to 64 (the JDK otherwise keeps 5 idle connections per server). A direct answer of 404, 412, 429 or 5xx is taken as the SDK would take it
         * (retried with backoff); any other failure is sent again at once through the SDK, which
         * reports the error and drives the fallbacks as before; a pair whose direct requests keep
         * failing goes through the SDK for a while. The default is true; turn
         * it off to send every request through the SDK (e.g. to use the SDK's metrics or HTTP
         * client settings for every request).
         *
         * @param directRequests whether relays may bypass the SDK's pipeline
         * @return this builder
         */
        public Builder directRequests(boolean directRequests) {
            this.directRequests = directRequests;
            return this;
        }

        /**
         * Builds the scheduler, after checking the settings against each other.
         *
         * @return a new, immutable scheduler
         * @throws S3ReconException with code {@code INVALID_CONFIGURATION} if the initial backoff
         *     exceeds the maximum
         */
        public SizeTieredScheduler build() {
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw invalid("initialBackoff", "initial backoff " + initialBackoff + " must not exceed max backoff "
                        + maxBackoff + " (maxBackoff); lower the one or raise the other");
            }
            return new SizeTieredScheduler(this);
        }

        private static long requireSize(DataSize size, String name, String setter) {
            if (size == null) {
                throw invalid(setter, name + " must not be null");
            }
            return size.toBytes();
        }

        /** A bad setting; the message ends with the setter to change, e.g. "(set with maxAttempts)". */
        private static S3ReconException invalid(String setter, String message) {
            return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, message + " (set with " + setter + ")");
        }
    }
}
