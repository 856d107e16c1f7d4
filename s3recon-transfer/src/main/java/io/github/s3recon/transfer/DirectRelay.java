package io.github.s3recon.transfer;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.S3Location;
import io.github.s3recon.inventory.DirectRoute;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpResponse.BodySubscribers;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
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
 * A small relay's GET and PUT sent over the JDK's own {@link HttpClient}, signed as the client
 * would sign them ({@link DirectRoute}), instead of through the SDK's per-request pipeline, which
 * for objects of a few KiB costs several times the CPU of the request itself (JFR of a 50 KiB relay:
 * the SDK's handler, interceptor and future chain on every sampled stack, none of it I/O).
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
    private static final String USER_AGENT = "s3recon (direct relay)";

    /** The PutObject fields a direct PUT sends; a request with any other set goes through the SDK. */
    private static final Set<String> PUT_FIELDS = Set.of("Bucket", "Key", "ContentLength", "ContentType",
            "ContentEncoding", "ContentDisposition", "ContentLanguage", "CacheControl", "Expires", "Metadata",
            "Tagging", "ContentMD5", "ChecksumAlgorithm");

    private final boolean enabled;
    private final HttpClient http;
    private final ExecutorService executor;
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
            this.http = null;
            this.executor = null;
            return;
        }
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3recon-relay-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
                .proxy(ProxySelector.getDefault() == null ? HttpClient.Builder.NO_PROXY : ProxySelector.getDefault())
                .build();
    }

    /**
     * Returns the route of a location's (client, bucket) pair.
     *
     * @return the route; null if none was learned yet; {@link DirectRoute#SDK_ONLY} when disabled
     */
    DirectRoute route(S3Location location) {
        return enabled ? routes.get(location.client(), location.bucket()) : DirectRoute.SDK_ONLY;
    }

    /** Learns a pair's route from what an SDK request to it resolved (null: through the SDK for good). */
    void learn(S3Location location, Endpoint endpoint) {
        routes.learn(location.client(), location.bucket(), endpoint);
    }

    /** A plugin for an SDK request that records the endpoint it resolves, for {@link #learn}. */
    static software.amazon.awssdk.core.SdkPlugin recordEndpoint(AtomicReference<Endpoint> resolved) {
        return DirectRoute.recordEndpoint(resolved);
    }

    /** Requests sent directly, and direct requests that failed and went through the SDK instead. */
    long directRequests() {
        return direct.sum();
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
            return send(route.sign(unsigned.build(), identity), HttpRequest.BodyPublishers.noBody(), "GET");
        }, info -> info.statusCode() != 200 ? BodySubscribers.ofByteArray()
                : info.headers().firstValueAsLong("Content-Length").orElse(-1) == length ? new Fill((int) length)
                : BodySubscribers.replacing((byte[]) null))
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw answered("GET", response);
                    }
                    if (response.body() == null) {
                        throw new DirectFailure("GET answered a body of another length than " + length);
                    }
                    direct.increment();
                    return new Got(described(response.headers(), length), response.body());
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
        for (SdkField<?> field : request.sdkFields()) {
            if (!PUT_FIELDS.contains(field.memberName()) && field.getValueOrDefault(request) != null) {
                return CompletableFuture.failedFuture(new DirectFailure("PutObject field " + field.memberName(), false));
            }
        }
        return exchange(location, "PUT", identity -> {
            SdkHttpRequest.Builder unsigned = request(route, request.key(), SdkHttpMethod.PUT);
            header(unsigned, "Content-Type", request.contentType());
            header(unsigned, "Content-Encoding", request.contentEncoding());
            header(unsigned, "Content-Disposition", request.contentDisposition());
            header(unsigned, "Content-Language", request.contentLanguage());
            header(unsigned, "Cache-Control", request.cacheControl());
            header(unsigned, "Expires", request.expires() == null ? null
                    : DateUtils.formatRfc822Date(request.expires()));
            header(unsigned, "Content-MD5", request.contentMD5());
            header(unsigned, "x-amz-tagging", request.tagging());
            if (request.hasMetadata()) {
                request.metadata().forEach((k, v) -> unsigned.putHeader("x-amz-meta-" + k, v));
            }
            if (checksum != null) {
                unsigned.putHeader(Checksums.header(algorithm), checksum);
            }
            return send(route.sign(unsigned.build(), identity), slices(bytes), "PUT");
        }, HttpResponse.BodyHandlers.ofByteArray())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw answered("PUT", response);
                    }
                    direct.increment();
                    HttpHeaders h = response.headers();
                    PutObjectResponse.Builder r = PutObjectResponse.builder().eTag(h.firstValue("ETag").orElse(null));
                    for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
                        h.firstValue(Checksums.header(a)).ifPresent(v -> Checksums.setIn(r, a, v));
                    }
                    return r.build();
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
        return exchange(location, "GetObjectTagging", identity -> send(route.sign(request(route, key, SdkHttpMethod.GET)
                .appendRawQueryParameter("tagging", null).build(), identity), HttpRequest.BodyPublishers.noBody(), "GET"),
                info -> BodySubscribers.ofByteArray())
                .thenApply(response -> {
                    if (response.statusCode() != 200) {
                        throw answered("GetObjectTagging", response);
                    }
                    direct.increment();
                    return parseTagging(response.body());
                });
    }

    /**
     * Statuses whose answer is the server's word on the object or on its load, taken as the SDK
     * would take it (an {@link S3Exception}: retried with backoff, throttling steering the lane,
     * 404 and 412 read as a changed source, 501 as a missing feature). Any other (a redirect, 400,
     * 403, ...) may be the direct path's own doing and goes to the SDK instead.
     */
    private static final Set<Integer> DEFINITIVE = Set.of(404, 412, 429, 500, 501, 502, 503, 504);

    /** The failure for a direct answer other than 200. */
    static RuntimeException answered(String what, HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (!DEFINITIVE.contains(status)) {
            return new DirectFailure(what + " answered " + status);
        }
        String[] error = errorOf(response.body());
        String requestId = response.headers().firstValue("x-amz-request-id").orElse(null);
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(error[0]).errorMessage(error[1])
                .serviceName("S3").sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build();
        return S3Exception.builder().statusCode(status).requestId(requestId).awsErrorDetails(details)
                .message((error[1] == null ? "HTTP " + status : error[1]) + " (Service: S3, Status Code: " + status
                        + ", Request ID: " + requestId + ", sent directly)")
                .build();
    }

    /** The code and message of an S3 error document; nulls where the body has none. */
    static String[] errorOf(byte[] xml) {
        String[] error = new String[2];
        if (xml == null || xml.length == 0) {
            return error;
        }
        try {
            javax.xml.stream.XMLStreamReader r = XML.createXMLStreamReader(new java.io.ByteArrayInputStream(xml));
            int depth = 0;
            while (r.hasNext()) {
                int event = r.next();
                if (event == javax.xml.stream.XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    if (depth == 2 && r.getLocalName().equals("Code")) {
                        error[0] = r.getElementText();
                        depth--;
                    } else if (depth == 2 && r.getLocalName().equals("Message")) {
                        error[1] = r.getElementText();
                        depth--;
                    }
                } else if (event == javax.xml.stream.XMLStreamConstants.END_ELEMENT) {
                    depth--;
                }
            }
        } catch (javax.xml.stream.XMLStreamException | RuntimeException e) {
            // Not an S3 error document (a proxy's HTML page): the status alone says it.
        }
        return error;
    }

    /**
     * Reads {@code <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>}; an empty body
     * (S3Mock's answer for an untagged object, which the SDK reads as no tags) is no tags.
     */
    static List<Tag> parseTagging(byte[] xml) {
        List<Tag> tags = new java.util.ArrayList<>();
        if (xml.length == 0) {
            return tags;
        }
        try {
            javax.xml.stream.XMLStreamReader r = XML.createXMLStreamReader(new java.io.ByteArrayInputStream(xml));
            String key = null;
            String value = null;
            while (r.hasNext()) {
                if (r.next() != javax.xml.stream.XMLStreamConstants.START_ELEMENT) {
                    if (r.getEventType() == javax.xml.stream.XMLStreamConstants.END_ELEMENT
                            && r.getLocalName().equals("Tag")) {
                        if (key == null) {
                            throw new DirectFailure("a Tag without a Key");
                        }
                        tags.add(Tag.builder().key(key).value(value == null ? "" : value).build());
                        key = null;
                        value = null;
                    }
                    continue;
                }
                switch (r.getLocalName()) {
                    case "Key" -> key = r.getElementText();
                    case "Value" -> value = r.getElementText();
                    default -> {
                    }
                }
            }
        } catch (javax.xml.stream.XMLStreamException e) {
            throw new DirectFailure("unreadable Tagging document: " + e.getMessage());
        }
        return tags;
    }

    private static final javax.xml.stream.XMLInputFactory XML = xmlFactory();

    private static javax.xml.stream.XMLInputFactory xmlFactory() {
        javax.xml.stream.XMLInputFactory f = javax.xml.stream.XMLInputFactory.newFactory();
        // An S3 answer has no DTD; none is read.
        f.setProperty(javax.xml.stream.XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(javax.xml.stream.XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return f;
    }

    /**
     * Resolves the client's credentials, builds the signed request with them and sends it; a
     * failure to get an answer at all (or in {@link #TIMEOUT}) is a {@link DirectFailure}.
     */
    private <T> CompletableFuture<HttpResponse<T>> exchange(S3Location location, String what,
            java.util.function.Function<AwsCredentialsIdentity, HttpRequest> signed, HttpResponse.BodyHandler<T> body) {
        return location.client().serviceClientConfiguration().credentialsProvider().resolveIdentity()
                .thenCompose(identity -> send(signed.apply(identity), body))
                .handle((response, failure) -> {
                    if (failure != null) {
                        throw new DirectFailure(what + " failed: " + failure);
                    }
                    return response;
                });
    }

    /**
     * Sends on one of the relay's threads, blocking it until the whole answer has arrived. Not
     * {@code sendAsync}: the JDK client hands every async answer to CompletableFuture's default
     * executor, which on a machine with two cores or fewer (common pool parallelism 1) starts a
     * new thread for each answer — measured with async-profiler as a tenth of a small relay's CPU.
     * The pool's threads are reused (the fast lister does the same, for the same reason).
     */
    private <T> CompletableFuture<HttpResponse<T>> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
        CompletableFuture<HttpResponse<T>> response = new CompletableFuture<>();
        Future<?> task;
        try {
            task = executor.submit(() -> {
                try {
                    response.complete(http.send(request, body));
                } catch (Throwable e) { // an interrupt is the timeout below, or close()
                    response.completeExceptionally(e);
                }
            });
        } catch (RejectedExecutionException closed) {
            response.completeExceptionally(closed);
            return response;
        }
        // The request's own timeout covers the headers only; a stalled body must not hold a lane.
        response.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .whenComplete((r, e) -> {
                    if (e != null) {
                        task.cancel(true);
                    }
                });
        return response;
    }

    private static SdkHttpRequest.Builder request(DirectRoute route, String key, SdkHttpMethod method) {
        URI url = route.url();
        String base = url.getRawPath() == null ? "" : url.getRawPath();
        if (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        // The path the SDK's marshaller writes for {Key+}: every byte but '/' percent-encoded.
        return SdkHttpRequest.builder().method(method).uri(url)
                .encodedPath(base + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
    }

    /**
     * The body as slices of the array itself: the JDK's {@code BodyPublishers.ofByteArray} copies
     * the whole body first, which would hold every small object twice, outside the byte budget (an
     * OutOfMemoryError with 8 MiB objects in a 512 MiB heap).
     */
    static HttpRequest.BodyPublisher slices(byte[] bytes) {
        if (bytes.length == 0) {
            return HttpRequest.BodyPublishers.noBody();
        }
        return HttpRequest.BodyPublishers.fromPublisher(subscriber -> subscriber.onSubscribe(new Flow.Subscription() {
            private int next;
            private boolean done;

            @Override
            public synchronized void request(long n) {
                if (done) {
                    return;
                }
                if (n <= 0) {
                    done = true;
                    subscriber.onError(new IllegalArgumentException("request(" + n + "): must be positive"));
                    return;
                }
                while (n-- > 0 && next < bytes.length && !done) {
                    int length = Math.min(SLICE, bytes.length - next);
                    ByteBuffer slice = ByteBuffer.wrap(bytes, next, length).slice();
                    next += length;
                    subscriber.onNext(slice);
                }
                if (next >= bytes.length && !done) {
                    done = true;
                    subscriber.onComplete();
                }
            }

            @Override
            public synchronized void cancel() {
                done = true;
            }
        }), bytes.length);
    }

    private static final int SLICE = 64 << 10;

    private static void header(SdkHttpRequest.Builder request, String name, String value) {
        if (value != null) {
            request.putHeader(name, value);
        }
    }

    /** The JDK request for a signed one; it writes Host and Content-Length itself, from the same URI and body. */
    private static HttpRequest send(SdkHttpRequest signed, HttpRequest.BodyPublisher body, String method) {
        HttpRequest.Builder request = HttpRequest.newBuilder(signed.getUri()).method(method, body).timeout(TIMEOUT)
                .header("User-Agent", USER_AGENT);
        signed.forEachHeader((name, values) -> {
            if (!name.equalsIgnoreCase("Host")) {
                values.forEach(v -> request.header(name, v));
            }
        });
        return request.build();
    }

    /** The headers of a GET's answer as the SDK's unmarshaller would have set them. */
    private static GetObjectResponse described(HttpHeaders h, long length) {
        Map<String, String> metadata = new HashMap<>();
        for (Map.Entry<String, List<String>> e : h.map().entrySet()) {
            String name = e.getKey();
            if (name.regionMatches(true, 0, "x-amz-meta-", 0, 11) && !e.getValue().isEmpty()) {
                metadata.put(name.substring(11), e.getValue().get(0));
            }
        }
        GetObjectResponse.Builder r = GetObjectResponse.builder().contentLength(length)
                .eTag(h.firstValue("ETag").orElse(null))
                .contentType(h.firstValue("Content-Type").orElse(null))
                .contentEncoding(h.firstValue("Content-Encoding").orElse(null))
                .contentDisposition(h.firstValue("Content-Disposition").orElse(null))
                .contentLanguage(h.firstValue("Content-Language").orElse(null))
                .cacheControl(h.firstValue("Cache-Control").orElse(null))
                .expiresString(h.firstValue("Expires").orElse(null))
                .checksumType(h.firstValue("x-amz-checksum-type").orElse(null))
                .metadata(metadata);
        h.firstValue("x-amz-tagging-count").ifPresent(count -> {
            try {
                r.tagCount(Integer.valueOf(count.trim()));
            } catch (NumberFormatException e) {
                throw new DirectFailure("x-amz-tagging-count " + count);
            }
        });
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            h.firstValue(Checksums.header(a)).ifPresent(v -> Checksums.setIn(r, a, v));
        }
        return r.build();
    }

    @Override
    public void close() {
        if (executor != null) {
            executor.shutdownNow();
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

    /**
     * Fills one array of the announced length: no growing buffer, no copy at the end (the byte
     * budget has accounted for exactly this array).
     */
    private static final class Fill implements BodySubscriber<byte[]> {
        private final byte[] bytes;
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private int filled;

        Fill(int length) {
            this.bytes = new byte[length];
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription subscription) {
            subscription.request(Long.MAX_VALUE);
        }

        @Override
        public void onNext(List<ByteBuffer> buffers) {
            for (ByteBuffer b : buffers) {
                int n = b.remaining();
                if (n > bytes.length - filled) {
                    result.completeExceptionally(new DirectFailure("the body ran longer than its Content-Length"));
                    return;
                }
                b.get(bytes, filled, n);
                filled += n;
            }
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            if (filled != bytes.length) {
                result.completeExceptionally(new DirectFailure("the body ended after " + filled + " of "
                        + bytes.length + " bytes"));
            } else {
                result.complete(bytes);
            }
        }
    }
}
