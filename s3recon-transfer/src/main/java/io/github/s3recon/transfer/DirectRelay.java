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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.checksums.SdkChecksum;
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
    private final DirectRoute.Table routes = new DirectRoute.Table();
    private final LongAdder direct = new LongAdder();
    private final LongAdder fellBack = new LongAdder();
    private final LongAdder streamed = new LongAdder();
    private final AtomicReference<String> firstFallback = new AtomicReference<>();
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SizeTieredScheduler.class);

    /**
     * @param enabled false sends every request through the SDK (no client, no threads)
     */
    DirectRelay(boolean enabled) {
        this.enabled = enabled;
        if (!enabled) {
            this.executor = null;
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

    /** Whole objects whose GET streamed into their PUT ({@link #relayObject}). */
    long streamedObjects() {
        return streamed.sum();
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
    private AwsCredentialsIdentity identity(S3Location location) {
        return credentials.computeIfAbsent(location.client(),
                client -> client.serviceClientConfiguration().credentialsProvider()).resolveIdentity().join();
    }

    private final Map<software.amazon.awssdk.services.s3.S3AsyncClient,
            software.amazon.awssdk.identity.spi.IdentityProvider<? extends AwsCredentialsIdentity>> credentials =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** What a part relayed directly left at the destination: its ETag, and the checksum it computed (null for none). */
    record PartSent(String eTag, String checksum) {
    }

    /** A relay's definitive answer (an {@link S3Exception}, or the caller's refusal) from one side: the source's GET or the write. */
    static final class PartAnswered extends RuntimeException {
        private static final long serialVersionUID = 1L;
        private final boolean source;

        PartAnswered(boolean source, RuntimeException answer) {
            super(answer.getMessage(), answer, false, false);
            this.source = source;
        }

        /** Whether the source's GET gave the answer, rather than the destination's write. */
        boolean source() {
            return source;
        }
    }

    /**
     * Relays one part of a multipart upload on one thread: a ranged GET whose body streams straight
     * into an UploadPart, through one buffer, with no copy of the part in memory. The bytes feed
     * {@code checksum} as they pass; with {@code trailer} set they also go as {@code aws-chunked}
     * with that checksum trailing (unsigned chunks, {@link DirectRoute#signWithTrailer}), which the
     * destination checks and answers with.
     *
     * @param from the source's route, direct allowed
     * @param source the source
     * @param key the source's full key
     * @param ifMatch the quoted ETag the object must still have
     * @param range the {@code Range} header, {@code bytes=first-last}
     * @param length the part's length
     * @param to the destination's route, direct allowed
     * @param destination the destination
     * @param destinationKey the destination's full key
     * @param uploadId the multipart upload
     * @param number the part's number
     * @param checksum fed with every byte relayed; not null
     * @param trailer the algorithm of a trailing checksum, or null to send none
     * @return the part's ETag and the destination's checksum; fails with a {@link PartAnswered}
     *     for a side's definitive answer, else (any other status, a broken connection) with a
     *     {@link DirectFailure}, after which the caller sends the part again through the SDK
     */
    CompletableFuture<PartSent> relayPart(DirectRoute from, S3Location source, String key, String ifMatch,
            String range, long length, DirectRoute to, S3Location destination, String destinationKey,
            String uploadId, int number, SdkChecksum checksum, ChecksumAlgorithm trailer) {
        return onRelayThread("UploadPart", () -> {
            SdkHttpRequest get = from.sign(request(from, key, SdkHttpMethod.GET).putHeader("Range", range)
                    .putHeader("If-Match", ifMatch).build(), identity(source));
            SdkHttpRequest put = request(to, destinationKey, SdkHttpMethod.PUT)
                    .appendRawQueryParameter("partNumber", Integer.toString(number))
                    .appendRawQueryParameter("uploadId", uploadId)
                    .putHeader("Content-Length", Long.toString(length)).build();
            HttpHeaders answer = stream(get, length, "UploadPart", to, identity(destination), trailer,
                    headers -> new Write(put, List.of(checksum), null));
            return new PartSent(answer.firstValue("ETag").orElse(null),
                    trailer == null ? null : answer.firstValue(Checksums.header(trailer)).orElse(null));
        });
    }

    /**
     * What a streamed object's PUT carries, decided from the source's answer before its first byte
     * is sent.
     *
     * @param request the PutObject request whose fields go as headers (those of {@link #PUT_FIELDS})
     * @param feed the checksums every byte feeds as it passes; the first, of the trailer's
     *     algorithm, is the trailer's value
     * @param beforeLastBytes run once the source's last bytes have been read and before they are
     *     written; what it throws cuts the PUT short, so that the destination stores nothing
     */
    record ObjectWrite(PutObjectRequest request, List<SdkChecksum> feed, Runnable beforeLastBytes) {
    }

    /** A streamed object: the source's answer as the SDK would have described it, and the destination's. */
    record ObjectSent(GetObjectResponse source, PutObjectResponse destination) {
    }

    /**
     * Relays a whole object on one thread: its GET streams straight into its PUT through one
     * buffer, as {@code aws-chunked} with the checksum trailing, so that no copy of the object is
     * held. The PUT is planned from the source's answer ({@code plan}, which checks it and may
     * refuse it); the plan's check before the last bytes can still stop the write.
     *
     * @param from the source's route, direct allowed
     * @param source the source
     * @param key the source's full key
     * @param ifMatch the quoted ETag the object must still have
     * @param length the object's size; above 0
     * @param to the destination's route, direct allowed
     * @param destination the destination
     * @param plan the PUT for the source's answer; throws a {@link DirectFailure} to leave the
     *     object to another path, anything else as the source's definitive answer
     * @param trailer the algorithm of the trailing checksum; not null
     * @return both answers; fails with a {@link PartAnswered} for a side's definitive answer (or the
     *     plan's refusal, on the source's side), else with a {@link DirectFailure}
     */
    CompletableFuture<ObjectSent> relayObject(DirectRoute from, S3Location source, String key, String ifMatch,
            long length, DirectRoute to, S3Location destination,
            java.util.function.Function<GetObjectResponse, ObjectWrite> plan, ChecksumAlgorithm trailer) {
        return onRelayThread("PUT", () -> {
            SdkHttpRequest get = from.sign(request(from, key, SdkHttpMethod.GET).putHeader("If-Match", ifMatch)
                    .putHeader("x-amz-checksum-mode", "ENABLED").build(), identity(source));
            AtomicReference<GetObjectResponse> described = new AtomicReference<>();
            HttpHeaders answer = stream(get, length, "PUT", to, identity(destination), trailer, headers -> {
                described.set(S3Answers.described(headers, length));
                ObjectWrite write = plan.apply(described.get());
                String unknown = unknownPutField(write.request());
                if (unknown != null) {
                    throw new DirectFailure("PutObject field " + unknown, false);
                }
                return new Write(putRequest(to, write.request()).putHeader("Content-Length", Long.toString(length))
                        .build(), write.feed(), write.beforeLastBytes());
            });
            streamed.increment();
            return new ObjectSent(described.get(), putResponse(answer));
        });
    }

    /** A relay's work on one of the relay's threads, its failures sorted as {@link #relayPart} says. */
    private <T> CompletableFuture<T> onRelayThread(String what, java.util.concurrent.Callable<T> work) {
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                try {
                    done.complete(work.call());
                } catch (DirectFailure | PartAnswered e) {
                    done.completeExceptionally(e);
                } catch (Throwable e) { // an I/O failure, a timeout, or close() disconnecting it
                    done.completeExceptionally(new DirectFailure(what + " relay failed: " + e));
                }
            });
        } catch (RejectedExecutionException closed) {
            done.completeExceptionally(new DirectFailure(what + " relay failed: the relay is closed", false));
        }
        return done;
    }

    /**
     * The write a relay sends once the source has answered: unsigned, the checksums its bytes feed
     * (the first is the trailer's, of its algorithm), and the check before the last bytes go.
     */
    private record Write(SdkHttpRequest unsigned, List<SdkChecksum> feed, Runnable beforeLastBytes) {
    }

    /**
     * Streams a signed GET's body into a write planned from its answer's headers, on the calling
     * thread. The GET must answer 200 or 206 with {@code length} bytes and the ETag it asked for.
     *
     * @return the write's answer headers (a 200)
     */
    private HttpHeaders stream(SdkHttpRequest get, long length, String what, DirectRoute to,
            AwsCredentialsIdentity destinationIdentity, ChecksumAlgorithm trailer,
            java.util.function.Function<HttpHeaders, Write> planned) throws java.io.IOException {
        HttpURLConnection in = http.open(get);
        HttpURLConnection out = null;
        boolean inRead = false;
        boolean outRead = false;
        try {
            int status = in.getResponseCode();
            if (status != 206 && status != 200) {
                DirectHttp.Answer answer = DirectHttp.answer(in, status, -1);
                inRead = answer.body() != null;
                throw side(true, S3Answers.answered("GetObject", answer));
            }
            if (in.getContentLengthLong() != length) {
                throw new DirectFailure("a GET of " + length + " bytes came back with " + in.getContentLengthLong());
            }
            // If-Match makes the server refuse another version; one that ignores it is caught here.
            String eTag = in.getHeaderField("ETag");
            String expected = get.firstMatchingHeader("If-Match").orElse(null);
            if (eTag != null && expected != null && !SourceObject.unquote(eTag).equals(SourceObject.unquote(expected))) {
                throw new PartAnswered(true, new SourceChangedException("its ETag is now " + eTag
                        + ", it was listed with " + expected));
            }
            Write write;
            try {
                write = planned.apply(DirectHttp.headersOf(in));
            } catch (DirectFailure | PartAnswered e) {
                throw e;
            } catch (RuntimeException refused) {
                throw new PartAnswered(true, refused);
            }
            RelayedStream body = new RelayedStream(in.getInputStream(), length, write.feed(), write.beforeLastBytes());
            SdkHttpRequest put;
            String trailerName = null;
            if (trailer == null) {
                put = to.sign(write.unsigned(), destinationIdentity);
            } else {
                // The header the SDK sends with a trailer (S3Mock stores the checksum only with it).
                SdkHttpRequest unsigned = write.unsigned().toBuilder()
                        .putHeader("x-amz-sdk-checksum-algorithm", Checksums.toSdk(trailer).toString()).build();
                // Signed by the SDK (headers, framed Content-Length); framed here (AwsChunkedBody).
                software.amazon.awssdk.http.auth.spi.signer.SignedRequest signed = to.signWithTrailer(unsigned,
                        destinationIdentity, Checksums.sdkAlgorithm(trailer), () -> NOT_READ);
                if (signed == null) {
                    throw new DirectFailure(what + " with a trailing checksum cannot be signed for "
                            + write.unsigned().getUri().getScheme() + " on port " + write.unsigned().port(), false);
                }
                put = signed.request();
                trailerName = Checksums.header(trailer);
                long framed = AwsChunkedBody.framedLength(length, trailerName,
                        Checksums.base64(Checksums.newChecksum(trailer)).length());
                if (!put.firstMatchingHeader("Content-Length").equals(java.util.Optional.of(Long.toString(framed)))) {
                    throw new DirectFailure(what + " framed to " + framed + " bytes, signed for "
                            + put.firstMatchingHeader("Content-Length").orElse("no length"), false);
                }
            }
            out = http.open(put);
            out.setDoOutput(true);
            out.setFixedLengthStreamingMode(put.firstMatchingHeader("Content-Length").map(Long::parseLong).orElse(length));
            try (java.io.OutputStream o = out.getOutputStream()) {
                byte[] buffer = new byte[PART_BUFFER];
                if (trailerName == null) {
                    for (int n; (n = body.read(buffer)) > 0; ) {
                        o.write(buffer, 0, n);
                    }
                } else {
                    SdkChecksum trailing = write.feed().get(0);
                    AwsChunkedBody.write(body, length, o, trailerName, () -> Checksums.base64(trailing), buffer);
                }
            } catch (java.io.IOException | RuntimeException e) {
                // The write is cut short (fewer bytes than its Content-Length): nothing is stored.
                if (body.stopped != null) {
                    throw new PartAnswered(true, body.stopped);
                }
                throw e;
            }
            body.close(); // read to its end: the GET's connection goes back to the pool
            inRead = true;
            int putStatus = out.getResponseCode();
            DirectHttp.Answer answer = DirectHttp.answer(out, putStatus, -1);
            outRead = answer.body() != null;
            if (putStatus != 200) {
                throw side(false, S3Answers.answered(what, answer));
            }
            direct.add(2);
            return answer.headers();
        } finally {
            http.done(in, inRead);
            if (out != null) {
                http.done(out, outRead);
            }
        }
    }

    /** A definitive answer as the side's {@link PartAnswered}; a {@link DirectFailure} stays one. */
    private static RuntimeException side(boolean source, RuntimeException answer) {
        return answer instanceof DirectFailure ? answer : new PartAnswered(source, answer);
    }

    /** The payload given to the signer, which wraps it without reading it (the relay frames its body itself). */
    private static final java.io.InputStream NOT_READ = new java.io.InputStream() {
        @Override
        public int read() throws java.io.IOException {
            throw new java.io.IOException("the relay frames its body itself");
        }
    };

    /** One buffer between a GET and its write: the size of the JDK's socket writes, and of a chunk. */
    private static final int PART_BUFFER = AwsChunkedBody.CHUNK;

    /**
     * A relayed body as it comes from the source: counted (no more, no fewer bytes than expected),
     * fed to the relay's checksums, and checked once more before its last bytes are given out.
     */
    private static final class RelayedStream extends java.io.FilterInputStream {
        private final List<SdkChecksum> feed;
        private final Runnable beforeLastBytes;
        private long remaining;
        /** What the last check threw; the write was then cut short. */
        volatile RuntimeException stopped;

        RelayedStream(java.io.InputStream in, long length, List<SdkChecksum> feed, Runnable beforeLastBytes) {
            super(in);
            this.remaining = length;
            this.feed = feed;
            this.beforeLastBytes = beforeLastBytes;
        }

        @Override
        public int read() throws java.io.IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws java.io.IOException {
            if (remaining == 0) {
                if (in.read() >= 0) {
                    throw new java.io.IOException("the source sent more than the expected bytes");
                }
                return -1;
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw new java.io.IOException("the source's body ended " + remaining + " bytes short");
            }
            for (SdkChecksum c : feed) {
                c.update(b, off, n);
            }
            remaining -= n;
            if (remaining == 0 && beforeLastBytes != null) {
                try {
                    beforeLastBytes.run();
                } catch (RuntimeException e) {
                    stopped = e;
                    throw new java.io.IOException("the relay stopped before its last bytes: " + e.getMessage());
                }
            }
            return n;
        }
    }

    /** A PUT's answer as the SDK would have described it: the ETag and the checksums the server computed. */
    private static PutObjectResponse putResponse(HttpHeaders h) {
        PutObjectResponse.Builder r = PutObjectResponse.builder().eTag(h.firstValue("ETag").orElse(null));
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            h.firstValue(Checksums.header(a)).ifPresent(v -> Checksums.setIn(r, a, v));
        }
        return r.build();
    }

    /** The first field set in a PutObject request that a direct PUT does not send; null if none. */
    private static String unknownPutField(PutObjectRequest request) {
        for (SdkField<?> field : request.sdkFields()) {
            if (!PUT_FIELDS.contains(field.memberName()) && field.getValueOrDefault(request) != null) {
                return field.memberName();
            }
        }
        return null;
    }

    /** A PutObject request's fields as an unsigned PUT's headers (no body, no checksum). */
    private static SdkHttpRequest.Builder putRequest(DirectRoute route, PutObjectRequest request) {
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
