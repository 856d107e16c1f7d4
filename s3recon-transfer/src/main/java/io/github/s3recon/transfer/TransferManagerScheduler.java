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
 * A copy engine built on the AWS SDK's {@code S3TransferManager} ({@code s3-transfer-manager}), as
 * an alternative to the built-in {@link SizeTieredScheduler}: each copy is one transfer manager
 * {@code copy} (server-side) or one {@code download} streamed into one {@code upload} (relayed),
 * and the transfer manager, with the client it wraps, decides how to split them.
 *
 * <pre>{@code
 * try (TransferManagerScheduler scheduler = TransferManagerScheduler.builder()
 *         .clients(TransferManagerScheduler.Clients.CRT)
 *         .maxConcurrency(64)
 *         .build()) {
 *     Migration.builder()...transferScheduler(scheduler).build().run();
 * }
 * }</pre>
 *
 * <h2>Clients</h2>
 * The transfer manager splits objects into parts only when the client it wraps can: a CRT-based
 * client ({@code S3AsyncClient.crtBuilder()}) or one built with {@code multipartEnabled(true)}.
 * {@link Clients#AS_GIVEN} (the default) wraps the locations' own clients, honouring every setting
 * they were built with (HTTP client, TLS, proxy, plugins), and sends one request per object
 * ({@code CopyObject}, or a GET streamed into one {@code PutObject}; at most 5 GiB each).
 * {@link Clients#MULTIPART} and {@link Clients#CRT} build a client per location for the session,
 * from the endpoint, region, credentials and checksum settings of the location's client (path-style
 * addressing and checksums only when required for endpoints other than AWS S3's, as
 * {@code S3Clients} sets them), and close it with the session; other settings of the given client
 * (its HTTP client, TLS trust, proxy, timeouts, plugins) are not carried over. Relayed reads use the
 * source's own client unless the clients are {@link Clients#CRT CRT} ones (ranged GETs in parallel).
 * Deletions and the source reads that decide a copy (HEAD, tags) always use the locations' own
 * clients; the transfer manager has no such operations.
 *
 * <h2>What it honours, and what it cannot</h2>
 * <ul>
 * <li>Server-side copies where the source and destination share an endpoint, region and access key
 * id (and {@link Builder#serverSideCopy} is on); else a relay through the JVM that streams the GET's
 * body into the upload, never through local disk.</li>
 * <li>Each submitted copy or deletion ends in exactly one outcome on the context's
 * {@code TransferOutcomes}; transient failures (5xx, 503 SlowDown, resets, timeouts) are retried
 * by the scheduler, whole object at a time, with exponential backoff and full jitter, each retry
 * reported as a {@code TransferRetried} and counted. With {@link Clients#AS_GIVEN} and
 * {@link Clients#MULTIPART} the SDK's own retries are off, so that every retry is counted; a
 * {@link Clients#CRT CRT} client retries parts by itself, unseen.</li>
 * <li>Reads carry {@code If-Match} on the listed ETag, and the copy request
 * {@code x-amz-copy-source-if-match}, so that an object that changed since the plan fails rather
 * than being copied as another version. The scheduler's own HEAD of the source (for its metadata)
 * carries {@code If-Match} too. A multipart copy made by the transfer manager's client
 * ({@link Clients#MULTIPART}/{@link Clients#CRT}, objects above the
 * {@linkplain Builder#multipartThreshold threshold}) passes the copy request's conditions on to its
 * parts as that client does; this scheduler cannot check each part itself.</li>
 * <li>Content headers, user metadata and tags are carried over, and the source's ETag and size
 * (with the source's full-object checksum where it stores one) recorded as the copy's
 * {@link io.github.s3recon.Fingerprint} wherever the copy's ETag may differ; relayed bytes are
 * checked against the source's stored full-object checksum of the session's algorithm. Uploads
 * send no checksum of their own (safe on S3-compatible servers that reject trailers); the
 * checksum computed while relaying is reported in {@code ObjectCopied}.</li>
 * <li>Deletions delete only the object the plan saw: a HEAD compares the ETag (else size and
 * LastModified) and the {@code DeleteObject} carries {@code If-Match} where the server accepts it.</li>
 * <li><b>Not honoured:</b> {@code UploadCheckpoints}: the transfer manager's multipart uploads
 * cannot be recorded part by part nor continued, so a resumed run copies such an object again from
 * its first byte. Each multipart-capable upload is announced with
 * {@code UploadCheckpoints.intent} first, so that the run's end (or its resume) aborts an upload
 * a kill left behind; a cancelled or failed upload is aborted by the transfer manager.
 * No byte budget: memory is bounded by the concurrency times what the client buffers per transfer
 * (one part per upload in flight for {@link Clients#MULTIPART}; the CRT's native buffers, set by its
 * own limits, for {@link Clients#CRT}). No request or byte rate limits, no adaptive concurrency
 * on throttling, no automatic switch to plain uploads for servers that store aws-chunked framing.</li>
 * </ul>
 *
 * <h2>Threads</h2>
 * Immutable and thread-safe; one scheduler may serve several sessions at once. A session keeps at
 * most {@link Builder#maxConcurrency} objects in flight ({@code copy} and {@code delete} block their
 * caller beyond it) and has one timer thread for backoffs; the transfer managers run on the SDK's
 * threads. The HTTP clients' connection pools should allow at least the concurrency on each side:
 * a relay holds its GET's connection until its upload has read the body.
 */
public final class TransferManagerScheduler implements TransferScheduler {

    /** Which clients the session's transfer managers wrap. */
    public enum Clients {
        /**
         * The locations' own clients, as they were built: one request per object, at most 5 GiB,
         * unless a client was itself built with {@code multipartEnabled(true)} or with
         * {@code crtBuilder()}.
         */
        AS_GIVEN,
        /**
         * A Java-based client with {@code multipartEnabled(true)} per location, built for the
         * session from the given client's endpoint, region, credentials and checksum settings:
         * parts of the {@linkplain Builder#partSize part size} above the
         * {@linkplain Builder#multipartThreshold threshold}, uploaded in parallel.
         */
        MULTIPART,
        /**
         * A CRT-based client ({@code S3AsyncClient.crtBuilder()}) per location, built for the
         * session from the given client's endpoint, region, credentials and checksum settings: native
         * HTTP, parallel ranged GETs and parallel part uploads, aimed at the
         * {@linkplain Builder#targetThroughputGbps target throughput}. Needs the {@code aws-crt}
         * native library for the platform.
         */
        CRT
    }

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final Clients clients;
    private final int maxConcurrency;
    private final long partSize;
    private final long multipartThreshold;
    private final double targetThroughputGbps;
    private final int maxAttempts;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final boolean copyTags;
    private final boolean serverSideCopy;
    private final Set<TransferManagerSchedulerSession> sessions = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private TransferManagerScheduler(Builder b) {
        this.clients = b.clients;
        this.maxConcurrency = b.maxConcurrency;
        this.partSize = b.partSize;
        this.multipartThreshold = b.multipartThreshold;
        this.targetThroughputGbps = b.targetThroughputGbps;
        this.maxAttempts = b.maxAttempts;
        this.initialBackoff = b.initialBackoff;
        this.maxBackoff = b.maxBackoff;
        this.copyTags = b.copyTags;
        this.serverSideCopy = b.serverSideCopy;
    }

    /**
     * Returns a builder with the defaults: the locations' own clients, 64 objects at once, parts of
     * 16 MiB from 16 MiB (for {@link Clients#MULTIPART} and {@link Clients#CRT}), a CRT target of
     * 10 Gbit/s, 10 attempts per object with backoff from 100 ms to 20 s, tags copied, server-side
     * copies where possible.
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
    public static TransferManagerScheduler withDefaults() {
        return builder().build();
    }

    /**
     * Opens a session: builds its clients (unless {@link Clients#AS_GIVEN}) and transfer managers.
     *
     * @param context the run's locations, checksum algorithm, outcomes, clock and upload records; not null
     * @return the session; the caller closes it
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code context} is
     *     null, this scheduler was closed, or a client cannot be built from the location's client
     */
    @Override
    public TransferSession open(TransferContext context) {
        S3ReconException.requireSetting(context, "context");
        if (closed) {
            throw closedScheduler();
        }
        TransferManagerSchedulerSession session = new TransferManagerSchedulerSession(this, context,
                SESSIONS.incrementAndGet());
        sessions.add(session);
        if (closed) {
            session.close();
            throw closedScheduler();
        }
        return session;
    }

    private static S3ReconException closedScheduler() {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the scheduler was closed; build a new one "
                + "with TransferManagerScheduler.builder()");
    }

    /** Cancels and closes every session still open; further {@link #open} calls fail. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (TransferManagerSchedulerSession session : sessions) {
            session.close();
        }
    }

    void closed(TransferManagerSchedulerSession session) {
        sessions.remove(session);
    }

    /**
     * Returns the lanes for {@code Migration.estimate()}: the multipart threshold, and the
     * concurrency for both sizes (this scheduler has one lane).
     *
     * @return the lanes
     */
    @Override
    public Lanes lanes() {
        return new Lanes(multipartThreshold, maxConcurrency, maxConcurrency);
    }

    Clients clients() {
        return clients;
    }

    int maxConcurrency() {
        return maxConcurrency;
    }

    long partSize() {
        return partSize;
    }

    long multipartThreshold() {
        return multipartThreshold;
    }

    double targetThroughputGbps() {
        return targetThroughputGbps;
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

    @Override
    public String toString() {
        return "TransferManagerScheduler{clients=" + clients + ", maxConcurrency=" + maxConcurrency + ", partSize="
                + DataSize.ofBytes(partSize) + ", multipartThreshold=" + DataSize.ofBytes(multipartThreshold)
                + ", targetThroughputGbps=" + targetThroughputGbps + ", maxAttempts=" + maxAttempts + ", backoff="
                + initialBackoff + ".." + maxBackoff + ", copyTags=" + copyTags + ", serverSideCopy="
                + serverSideCopy + "}";
    }

    /**
     * Configures a {@link TransferManagerScheduler}. Every setter checks its value at once and
     * throws {@link S3ReconException} with code {@code INVALID_CONFIGURATION} and a message that
     * names the setter and carries the value; checks across settings run in {@link #build()}.
     * Mutable, not thread-safe; {@link #build()} may be called more than once.
     */
    public static final class Builder {

        private Clients clients = Clients.AS_GIVEN;
        private int maxConcurrency = 64;
        private long partSize = 16L << 20;
        private long multipartThreshold = 16L << 20;
        private double targetThroughputGbps = 10;
        private int maxAttempts = 10;
        private Duration initialBackoff = Duration.ofMillis(100);
        private Duration maxBackoff = Duration.ofSeconds(20);
        private boolean copyTags = true;
        private boolean serverSideCopy = true;

        private Builder() {
        }

        /**
         * Sets which clients the transfer managers wrap. The default is {@link Clients#AS_GIVEN}.
         *
         * @param clients the kind; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if null
         */
        public Builder clients(Clients clients) {
            if (clients == null) {
                throw invalid("clients", "clients must not be null: AS_GIVEN, MULTIPART or CRT");
            }
            this.clients = clients;
            return this;
        }

        /**
         * Sets how many objects (copies and deletions) a session has in flight at once; the
         * transfer manager may run several parts of each. The default is 64.
         *
         * @param concurrency from 1 to 10,000
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if out of range
         */
        public Builder maxConcurrency(int concurrency) {
            if (concurrency < 1 || concurrency > 10_000) {
                throw invalid("maxConcurrency", "max concurrency must be from 1 to 10000, was " + concurrency);
            }
            this.maxConcurrency = concurrency;
            return this;
        }

        /**
         * Sets the part size of multipart uploads and copies made by {@link Clients#MULTIPART} and
         * {@link Clients#CRT} clients (their minimum part size). The default is 16 MiB.
         *
         * @param partSize from 5 MiB to 5 GiB; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if null or out of range
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
         * Sets the size from which {@link Clients#MULTIPART} and {@link Clients#CRT} clients split
         * an upload or a copy into parts. The default is 16 MiB.
         *
         * @param threshold from 1 byte to 5 GiB; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if null or out of range
         */
        public Builder multipartThreshold(DataSize threshold) {
            long bytes = requireSize(threshold, "multipart threshold", "multipartThreshold");
            if (bytes < 1 || bytes > SizeTieredScheduler.MAX_SINGLE_REQUEST) {
                throw invalid("multipartThreshold", "multipart threshold must be from 1 byte to 5GiB, was " + threshold);
            }
            this.multipartThreshold = bytes;
            return this;
        }

        /**
         * Sets the throughput a {@link Clients#CRT} client aims at, which sets how many connections
         * it opens. The default is 10 Gbit/s.
         *
         * @param gbps positive and finite, at most 1000
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if out of range
         */
        public Builder targetThroughputGbps(double gbps) {
            if (!(gbps > 0) || gbps > 1000) {
                throw invalid("targetThroughputGbps", "target throughput must be above 0 and at most 1000 Gbit/s, was "
                        + gbps);
            }
            this.targetThroughputGbps = gbps;
            return this;
        }

        /**
         * Sets how many times an object's copy or deletion is tried before it fails, counting the
         * first. The default is 10.
         *
         * @param attempts from 1 to 100
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if out of range
         */
        public Builder maxAttempts(int attempts) {
            if (attempts < 1 || attempts > 100) {
                throw invalid("maxAttempts", "max attempts must be from 1 to 100, was " + attempts);
            }
            this.maxAttempts = attempts;
            return this;
        }

        /**
         * Sets the backoff before the first retry; retry {@code n} waits a random time up to
         * {@code initial × 2^(n-1)}, at most the {@linkplain #maxBackoff maximum}. The default is 100 ms.
         *
         * @param initial positive; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if null or not positive
         */
        public Builder initialBackoff(Duration initial) {
            this.initialBackoff = requirePositive(initial, "initialBackoff", "initial backoff");
            return this;
        }

        /**
         * Sets the longest backoff between two attempts. The default is 20 s.
         *
         * @param max positive, at least the initial backoff (checked by {@link #build()}); not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if null or not positive
         */
        public Builder maxBackoff(Duration max) {
            this.maxBackoff = requirePositive(max, "maxBackoff", "max backoff");
            return this;
        }

        /**
         * Sets whether tags are copied (read with {@code GetObjectTagging}, which needs
         * {@code s3:GetObjectTagging}, where the source has or may have some). The default is true.
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
         * endpoint, region and access key id; off, every object is relayed. The default is true.
         *
         * @param serverSideCopy whether server-side copies may be used
         * @return this builder
         */
        public Builder serverSideCopy(boolean serverSideCopy) {
            this.serverSideCopy = serverSideCopy;
            return this;
        }

        /**
         * Builds the scheduler, after checking the settings against each other.
         *
         * @return a new, immutable scheduler
         * @throws S3ReconException with code {@code INVALID_CONFIGURATION} if the initial backoff
         *     exceeds the maximum
         */
        public TransferManagerScheduler build() {
            if (initialBackoff.compareTo(maxBackoff) > 0) {
                throw invalid("initialBackoff", "initial backoff " + initialBackoff + " must not exceed max backoff "
                        + maxBackoff + " (maxBackoff); lower the one or raise the other");
            }
            return new TransferManagerScheduler(this);
        }

        private static Duration requirePositive(Duration d, String setter, String name) {
            if (d == null) {
                throw invalid(setter, name + " must not be null");
            }
            if (d.isNegative() || d.isZero()) {
                throw invalid(setter, name + " must be positive, was " + d);
            }
            return d;
        }

        private static long requireSize(DataSize size, String name, String setter) {
            if (size == null) {
                throw invalid(setter, name + " must not be null");
            }
            return size.toBytes();
        }

        private static S3ReconException invalid(String setter, String message) {
            return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, message + " (set with " + setter + ")");
        }
    }
}
