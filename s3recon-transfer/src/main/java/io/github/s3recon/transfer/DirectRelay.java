package io.github.s3recon.transfer;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.S3Location;
import io.github.s3recon.inventory.DirectRoute;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.http.HttpHeaders;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.core.SdkField;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.utils.DateUtils;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * A small relay's GET and PUT sent over the JDK's blocking {@link HttpURLConnection}, signed as the
 * client would sign them ({@link DirectRoute}), instead of through the SDK's per-request pipeline,
 * which for objects of a few KiB costs several times the CPU of the request itself (JFR of a 50 KiB
 * relay: the SDK's handler, interceptor and future chain on every sampled stack, none of it I/O).
 *
 * <p>Why this client and not the JDK's {@code java.net.http.HttpClient}, which this class used
 * first: a blocking connection reads the body from the socket straight into the object's array and
 * writes it from there, where the asynchronous client passes every 16 KiB through its selector
 * thread, a flow of buffers and a hand-off to the caller. Measured with the copy benchmark's bare
 * relays ({@code compare-copy.sh}, 2026-12-07, idle machine): 10,000 x 50 KiB at 1,776 against 877
 * objects/s, 200 x 8 MiB at 408 against 257 MB/s, with 1.6 against 4.2 CPU seconds per GB.
 *
 * <p>The JDK keeps only 5 idle connections per server unless the system property
 * {@code http.maxConnections} says otherwise; with dozens of relays in flight the rest would be
 * opened anew for every request (a fifth slower at 10,000 small objects). The first
 * {@code DirectRelay} therefore sets it to {@value #KEEP_ALIVE} where the JVM has not set it
 * (it must be set before the first {@code HttpURLConnection} of the JVM to count; set it on the
 * command line to choose another value).
 *
 * <p>A 200 with a body of the listed length for a GET, a 200 for a PUT, is taken; so is the
 * server's word on the object or its load (404, 412, 429, 5xx), as the {@link S3Exception} the SDK
 * would raise. Anything else (another status, a reset, a header the JDK will not send, a request
 * field this class does not know) fails with a {@link DirectFailure}, and the caller sends the same
 * request through the SDK, which then reads the error and learns the server's capabilities as it
 * always did. A route whose direct requests keep failing steps aside
 * for a while ({@link DirectRoute#failed()}). Where a pair has no route yet, the caller's SDK request
 * records the endpoint it resolves ({@link #recordEndpoint}) and {@link #learn}s it.
 *
 * <p>Thread-safe; one per transfer session, closed with it.
 */
final class DirectRelay implements AutoCloseable {

    /**
     * The largest object whose GET and PUT go direct: the default small-object threshold, so every
     * relay held in memory at the defaults. (At 1 MiB until the byte budget followed the heap: 8 MiB
     * objects under a 256 MiB budget in a 384-512 MiB heap ran out of memory, more often on this
     * path than through the SDK. With the heap-sized budget, 60 x 8 MiB arrive in a 256 MiB heap,
     * with a fifth less CPU than through the SDK.)
     */
    static final long MAX_SIZE = 16L << 20;

    /** Headers and body, or none of it: a stalled answer goes to the SDK after this. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    /** Idle connections the JDK keeps per server, where the JVM says nothing ({@code http.maxConnections}). */
    static final int KEEP_ALIVE = 64;


    /** The PutObject fields a direct PUT sends; a request with any other set goes through the SDK. */
    private static final Set<String> PUT_FIELDS = Set.of("Bucket", "Key", "ContentLength", "ContentType",
            "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl", "Expires", "Metadata",
            "Tagging", "ContentMD5", "ChecksumAlgorithm");

    private final boolean enabled;
    private final ExecutorService executor;
    private final DirectHttp http = new DirectHttp();
    private final DirectStreams streams;
    private final DirectRoute.Table routes = new DirectRoute.Table();
    private final LongAdder direct = new LongAdder();
    private final LongAdder fellBack = new LongAdder();
    private final AtomicReference<String> firstFallback = new AtomicReference<>();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SizeTieredScheduler.class);

    /**
     * @param enabled false sends every request through the SDK (no client, no threads)
     */
    DirectRelay(boolean enabled) {
        this.enabled = enabled;
        if (!enabled) {
            this.executor = null;
            this.streams = null;
            return;
        }
        if (System.getProperty("http.maxConnections") == null) {
            System.setProperty("http.maxConnections", Integer.toString(KEEP_ALIVE));
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3recon-relay-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.streams = new DirectStreams(http, executor, this::identity, direct);
    }

    /**
     * Returns the route of a location's (client, bucket) pair.
     *
     * @return the route; null if none was learned yet; {@link DirectRoute#SDK_ONLY} when disabled
     */
    DirectRoute route(S3Location location) {
        return enabled ? routes.get(location.client(), location.bucket()) : DirectRoute.SDK_ONLY;
    }

    /**
     * Returns the route of a location's pair once it is known, so that only one request per pair
     * goes through the SDK to learn it: at the start of a relay dozens of objects would otherwise
     * all be sent through the SDK (a sixth of 200 x 8 MiB), each warming up a path used once.
     *
     * @return a future of the route, completed at once where it is known; completed at once with
     *     null where the caller is to learn it (send through the SDK, then {@link #learn} or
     *     {@link #learnFailed}); else completed when the request learning it ends: with its route,
     *     or with null if it failed (the caller then learns it too)
     */
    CompletableFuture<DirectRoute> routeOnceKnown(S3Location location) {
        DirectRoute known = route(location);
        if (known != null) {
            return CompletableFuture.completedFuture(known);
        }
        CompletableFuture<DirectRoute> mine = new CompletableFuture<>();
        CompletableFuture<DirectRoute> pending = learning.putIfAbsent(pair(location), mine);
        if (pending != null) {
            return pending;
        }
        // Learned between the two looks: nothing to learn.
        known = route(location);
        if (known != null) {
            learning.remove(pair(location), mine);
            mine.complete(known);
            return mine;
        }
        return CompletableFuture.completedFuture(null);
    }

    /** Requests waiting for a pair's route, by (client, bucket); one request learns it. */
    private final Map<List<Object>, CompletableFuture<DirectRoute>> learning =
            new java.util.concurrent.ConcurrentHashMap<>();

    private static List<Object> pair(S3Location location) {
        return List.of(location.client(), location.bucket());
    }

    /** Learns a pair's route from what an SDK request to it resolved (null: through the SDK for good). */
    void learn(S3Location location, Endpoint endpoint) {
        routes.learn(location.client(), location.bucket(), endpoint);
        CompletableFuture<DirectRoute> pending = learning.remove(pair(location));
        if (pending != null) {
            pending.complete(route(location));
        }
    }

    /** The request learning a pair's route failed: whoever waited for it learns it themselves. */
    void learnFailed(S3Location location) {
        CompletableFuture<DirectRoute> pending = learning.remove(pair(location));
        if (pending != null) {
            pending.complete(null);
        }
    }

    /** A plugin for an SDK request that records the endpoint it resolves, for {@link #learn}. */
    static software.amazon.awssdk.core.SdkPlugin recordEndpoint(AtomicReference<Endpoint> resolved) {
        return DirectRoute.recordEndpoint(resolved);
    }

    /** Requests sent directly, and direct requests that failed and went through the SDK instead. */
    long directRequests() {
        return direct.sum();
    }

    /** Whole objects whose GET streamed into their PUT ({@link DirectStreams#relayObject}). */
    long streamedObjects() {
        return streams == null ? 0 : streams.streamedObjects();
    }

    /**
     * Returns the relays of a GET streamed into a write (parts of large objects, whole objects).
     *
     * @return the streams; null when direct requests are off
     */
    DirectStreams streams() {
        return streams;
    }

    long fallbacks() {
        return fellBack.sum();
    }

    /** Counts a direct request that the caller sent through the SDK after all, and says why once. */
    void fellBack(DirectRoute route, Throwable failure) {
        fellBack.increment();
        route.failed();
        String reason = String.valueOf(Failures.root(failure).getMessage());
        if (firstFallback.compareAndSet(null, reason)) {
            LOG.debug("a direct request went through the SDK instead: {}", reason);
        }
    }

    /** Why the first direct request that went through the SDK after all did so; null if none did. */
    String firstFallback() {
        return firstFallback.get();
    }

    /** What a direct GET brought: the answer as the SDK would have described it, and the bytes. */
    record Got(GetObjectResponse response, byte[] bytes) {
    }

    /**
     * GETs a whole object that must still have the listed ETag, asking for its stored checksum.
     *
     * @param route the pair's route; direct allowed
     * @param location the source
     * @param key the full key
     * @param ifMatch the quoted ETag it must have; null for none
     * @param length the length its body must have (at most {@code Integer.MAX_VALUE - 8})
     * @return the answer; fails with a {@link DirectFailure} on anything but a whole 200
     */
    CompletableFuture<Got> get(DirectRoute route, S3Location location, String key, String ifMatch, long length) {
        return exchange(location, "GET", identity -> {
            SdkHttpRequest.Builder unsigned = request(route, key, SdkHttpMethod.GET)
                    .putHeader("x-amz-checksum-mode", "ENABLED");
            if (ifMatch != null) {
                unsigned.putHeader("If-Match", ifMatch);
            }
            return route.sign(unsigned.build(), identity);
        }, null, length)
                .thenApply(response -> {
                    if (response.status() != 200) {
                        throw S3Answers.answered("GET", response);
                    }
                    if (response.body() == null) {
                        throw new DirectFailure("GET answered a body of another length than " + length);
                    }
                    direct.increment();
                    return new Got(S3Answers.described(response.headers(), length), response.body());
                });
    }

    /**
     * PUTs an object's bytes with the fields of a {@link PutObjectRequest} as headers.
     *
     * @param route the pair's route; direct allowed
     * @param location the destination
     * @param request the request the SDK would have sent; its fields are checked against {@link #PUT_FIELDS}
     * @param bytes the body
     * @param algorithm the algorithm of {@code checksum}; null for none
     * @param checksum the body's checksum, sent as {@code x-amz-checksum-*} (no trailer, no
     *     aws-chunked framing: the bytes are known before the write); null for none
     * @return the answer, with the ETag and the checksum the server computed; fails with a
     *     {@link DirectFailure} on anything but a 200
     */
    CompletableFuture<PutObjectResponse> put(DirectRoute route, S3Location location, PutObjectRequest request,
            byte[] bytes, ChecksumAlgorithm algorithm, String checksum) {
        String unknown = unknownPutField(request);
        if (unknown != null) {
            return CompletableFuture.failedFuture(new DirectFailure("PutObject field " + unknown, false));
        }
        return exchange(location, "PUT", identity -> {
            SdkHttpRequest.Builder unsigned = putRequest(route, request);
            if (checksum != null) {
                unsigned.putHeader(Checksums.header(algorithm), checksum);
            }
            return route.sign(unsigned.build(), identity);
        }, bytes, -1)
                .thenApply(response -> {
                    if (response.status() != 200) {
                        throw S3Answers.answered("PUT", response);
                    }
                    direct.increment();
                    return putResponse(response.headers());
                });
    }

    /**
     * GETs an object's tags ({@code GetObjectTagging}).
     *
     * @param route the pair's route; direct allowed
     * @param location the source
     * @param key the full key
     * @return the tags, none for an empty set; fails with a {@link DirectFailure} on anything but a
     *     200 with a readable {@code Tagging} document
     */
    CompletableFuture<List<Tag>> tags(DirectRoute route, S3Location location, String key) {
        return exchange(location, "GetObjectTagging", identity -> route.sign(request(route, key, SdkHttpMethod.GET)
                .appendRawQueryParameter("tagging", null).build(), identity), null, -1)
                .thenApply(response -> {
                    if (response.status() != 200) {
                        throw S3Answers.answered("GetObjectTagging", response);
                    }
                    direct.increment();
                    if (response.body() == null) {
                        throw new DirectFailure("GetObjectTagging answered more than " + DirectHttp.ERROR_BODY_LIMIT + " bytes");
                    }
                    return S3Answers.parseTagging(response.body());
                });
    }

    /** The CopyObject fields a direct copy sends; a request with any other set goes through the SDK. */
    private static final Set<String> COPY_FIELDS = Set.of("SourceBucket", "SourceKey", "DestinationBucket",
            "DestinationKey", "CopySourceIfMatch", "ChecksumAlgorithm", "TaggingDirective");

    /**
     * Copies an object within one endpoint ({@code CopyObject}): a PUT with the copy source in
     * {@code x-amz-copy-source}, no body.
     *
     * @param route the destination's route; direct allowed
     * @param destination the destination
     * @param request the request the SDK would have sent; its fields are checked against {@link #COPY_FIELDS}
     * @return the answer's ETag; fails with a {@link DirectFailure} on anything but a 200 carrying a
     *     {@code CopyObjectResult}, or with the {@link S3Exception} of a definitive status or of an
     *     {@code Error} document in a 200 (S3 may fail a copy after it answered 200; taken as a 500)
     */
    CompletableFuture<String> copy(DirectRoute route, S3Location destination,
            software.amazon.awssdk.services.s3.model.CopyObjectRequest request) {
        for (SdkField<?> field : request.sdkFields()) {
            Object value = field.getValueOrDefault(request);
            // An unset map or list is an empty "auto construct" one, not null.
            if (!COPY_FIELDS.contains(field.memberName()) && value != null
                    && !(value instanceof software.amazon.awssdk.core.util.SdkAutoConstructMap)
                    && !(value instanceof software.amazon.awssdk.core.util.SdkAutoConstructList)) {
                return CompletableFuture.failedFuture(new DirectFailure("CopyObject field " + field.memberName(), false));
            }
        }
        return exchange(destination, "CopyObject", identity -> {
            SdkHttpRequest.Builder unsigned = request(route, request.destinationKey(), SdkHttpMethod.PUT)
                    // As the SDK writes it: the bucket encoded, then the key with its slashes kept.
                    .putHeader("x-amz-copy-source", SdkHttpUtils.urlEncode(request.sourceBucket()) + "/"
                            + SdkHttpUtils.urlEncodeIgnoreSlashes(request.sourceKey()));
            header(unsigned, "x-amz-copy-source-if-match", request.copySourceIfMatch());
            header(unsigned, "x-amz-checksum-algorithm", request.checksumAlgorithmAsString());
            header(unsigned, "x-amz-tagging-directive", request.taggingDirectiveAsString());
            return route.sign(unsigned.build(), identity);
        }, new byte[0], -1)
                .thenApply(response -> {
                    if (response.status() != 200) {
                        throw S3Answers.answered("CopyObject", response);
                    }
                    // S3 keeps a long copy's connection alive with spaces before the document.
                    byte[] document = S3Answers.withoutLeadingSpace(response.body());
                    String root = S3Answers.rootOf(document);
                    if ("Error".equals(root)) {
                        String[] error = S3Answers.errorOf(document);
                        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(error[0]).errorMessage(error[1])
                                .serviceName("S3").sdkHttpResponse(SdkHttpResponse.builder().statusCode(500).build())
                                .build();
                        throw S3Exception.builder().statusCode(500).awsErrorDetails(details)
                                .message((error[1] == null ? "CopyObject failed" : error[1])
                                        + " (Service: S3, Status Code: 200 with an Error document, sent directly)")
                                .build();
                    }
                    if (!"CopyObjectResult".equals(root)) {
                        throw new DirectFailure("CopyObject answered 200 without a CopyObjectResult");
                    }
                    direct.increment();
                    return response.headers().firstValue("ETag").orElse(null);
                });
    }

    /**
     * Resolves the client's credentials, signs the request with them and sends it on one of the
     * relay's threads, which blocks until the whole answer is read; a failure to get an answer at
     * all is a {@link DirectFailure}. Blocking, not asynchronous: besides the per-byte cost (see the
     * class comment), the JDK's asynchronous client hands every answer to CompletableFuture's
     * default executor, which on two cores or fewer starts a thread per answer.
     *
     * @param body the request body, null for none
     * @param length for a GET of an object, the length its 200 must have (the body is read into an
     *     array of exactly that size); -1 to read any answer's body whole
     */
    private CompletableFuture<DirectHttp.Answer> exchange(S3Location location, String what,
            java.util.function.Function<AwsCredentialsIdentity, SdkHttpRequest> signer, byte[] body, long length) {
        CompletableFuture<DirectHttp.Answer> answer = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    answer.complete(http.send(signer.apply(identity(location)), body, length));
                } catch (DirectFailure e) {
                    answer.completeExceptionally(e);
                } catch (Throwable e) { // an I/O failure, a timeout, or close() disconnecting it
                    answer.completeExceptionally(new DirectFailure(what + " failed: " + e));
                }
            });
        } catch (RejectedExecutionException closed) {
            answer.completeExceptionally(new DirectFailure(what + " failed: the relay is closed", false));
        }
        return answer;
    }

    /**
     * The client's credentials for one request. The provider is looked up once per client: the
     * client builds a new configuration object for every {@code serviceClientConfiguration()} call
     * (a twentieth of a small relay's CPU when asked per request).
     */
    AwsCredentialsIdentity identity(S3Location location) {
        return credentials.computeIfAbsent(location.client(),
                client -> client.serviceClientConfiguration().credentialsProvider()).resolveIdentity().join();
    }

    private final Map<software.amazon.awssdk.services.s3.S3AsyncClient,
            software.amazon.awssdk.identity.spi.IdentityProvider<? extends AwsCredentialsIdentity>> credentials =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** A PUT's answer as the SDK would have described it: the ETag and the checksums the server computed. */
    static PutObjectResponse putResponse(HttpHeaders h) {
        PutObjectResponse.Builder r = PutObjectResponse.builder().eTag(h.firstValue("ETag").orElse(null));
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            h.firstValue(Checksums.header(a)).ifPresent(v -> Checksums.setIn(r, a, v));
        }
        return r.build();
    }

    /** The first field set in a PutObject request that a direct PUT does not send; null if none. */
    static String unknownPutField(PutObjectRequest request) {
        for (SdkField<?> field : request.sdkFields()) {
            if (!PUT_FIELDS.contains(field.memberName()) && field.getValueOrDefault(request) != null) {
                return field.memberName();
            }
        }
        return null;
    }

    /** A PutObject request's fields as an unsigned PUT's headers (no body, no checksum). */
    static SdkHttpRequest.Builder putRequest(DirectRoute route, PutObjectRequest request) {
        SdkHttpRequest.Builder unsigned = request(route, request.key(), SdkHttpMethod.PUT);
        header(unsigned, "Content-Type", request.contentType());
        header(unsigned, "Content-Encoding", request.contentEncoding());
        header(unsigned, "Content-Disposition", request.contentDisposition());
        header(unsigned, "Content-Language", request.contentLanguage());
        header(unsigned, "Cache-Control", request.cacheControl());
        header(unsigned, "Expires", request.expires() == null ? null : DateUtils.formatRfc822Date(request.expires()));
        header(unsigned, "Content-MD5", request.contentMD5());
        header(unsigned, "x-amz-tagging", request.tagging());
        if (request.hasMetadata()) {
            request.metadata().forEach((k, v) -> unsigned.putHeader("x-amz-meta-" + k, v));
        }
        return unsigned;
    }

    static SdkHttpRequest.Builder request(DirectRoute route, String key, SdkHttpMethod method) {
        URI url = route.url();
        String base = url.getRawPath() == null ? "" : url.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        // The path the SDK's marshaller writes for {Key+}: every byte but '/' percent-encoded.
        return SdkHttpRequest.builder().method(method).uri(url)
                .encodedPath(base + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
    }

    private static void header(SdkHttpRequest.Builder request, String name, String value) {
        if (value != null) {
            request.putHeader(name, value);
        }
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
            http.close();
        }
    }

    /** A direct request that did not give a plain answer; it only ever leads to the SDK. */
    static final class DirectFailure extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean sent;

        /** A request that was sent and got no plain answer. */
        DirectFailure(String message) {
            this(message, true);
        }

        DirectFailure(String message, boolean sent) {
            super(message, null, false, false);
            this.sent = sent;
        }

        /** Whether the request went out (and so its failure is a retry); false if it was never sent. */
        boolean sent() {
            return sent;
        }
    }
}
