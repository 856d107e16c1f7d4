package io.github.s3recon.testkit;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real HTTP proxy on the loopback interface that forwards S3 requests to a target server and,
 * by configuration, answers some of them itself the way S3 does when things go wrong.
 *
 * <pre>{@code
 * try (FaultInjectingProxy proxy = FaultInjectingProxy.start(EmbeddedS3.shared().endpoint())
 *         .seed(42)
 *         .inject(Fault.slowDown(0.10))
 *         .inject(Fault.resetMidBody(0.02).onlyFor(Method.PUT));
 *      S3Client client = S3Clients.client(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials())) {
 *     ...
 *     assertThat(proxy.injectedCount(Fault.Kind.SLOW_DOWN)).isPositive();
 *     assertThat(proxy.objectWrites("bucket")).allSatisfy((key, writes) -> assertThat(writes).isOne());
 * }
 * }</pre>
 *
 * <p>It forwards one request per connection (it asks the target to close after each response and
 * tells the client to do the same), so that every request can be inspected; clients reconnect as
 * they would after any {@code Connection: close}. Request bodies are streamed to the target as they
 * arrive and never held whole; {@code Expect: 100-continue}, chunked and fixed-length responses and
 * bodiless responses (HEAD, 204, 304) are relayed as they are.
 *
 * <p>Faults: rejecting every access key but one with S3's 403 {@code InvalidAccessKeyId}
 * ({@link #acceptOnlyAccessKey(String)}), and any number of {@link Fault} rules
 * ({@link #inject(Fault)}): 503 {@code SlowDown}, 500 {@code InternalError}, 403 {@code AccessDenied},
 * any other S3 error ({@link Fault#error}), connection resets before the response or in the middle of
 * its body, throttled response bodies and delayed responses; and, for ListObjectsV2 listings, page
 * by page ({@link Request#listingPage()}): a page truncated without a continuation token, a page
 * served again, a page cut short, a page whose connection closes mid-body, and 500s from the
 * second page on ({@link Fault#truncatedListingPage(int)} and its neighbours).
 * Each request gets at most one fault, chosen with one draw of a seedable {@link Random}
 * ({@link #seed(long)}): the probabilities of the rules that match a request add up, in the order
 * the rules were added, so {@code slowDown(0.10)} and {@code resetMidBody(0.02)} fault 10% and 2% of
 * the requests; where they add up to more than 1, earlier rules win.
 *
 * <p>Counters ({@link #requestCount()}, {@link #forwardedCount()}, {@link #injectedCount(Fault.Kind)},
 * {@link #forwardedCount(Operation, String, String)}, {@link #objectWrites(String)}) count from the
 * start or from the last {@link #reset()}. The per-object counts keep one entry per operation and
 * object forwarded, which suits tests of up to some hundred thousand objects.
 *
 * <p>Addressing is path style ({@code /bucket/key}), as {@code io.github.s3recon.S3Clients} and the
 * testkit servers use.
 *
 * <p>Thread-safe: any number of concurrent connections, and settings can change while requests flow
 * (a request uses the settings of the moment its head arrived). Null is rejected unless a method says
 * otherwise.
 */
public final class FaultInjectingProxy implements AutoCloseable {

    private static final Pattern ACCESS_KEY = Pattern.compile("Credential=([^/,\\s]+)/");
    private static final int BUFFER = 64 * 1024;
    /** How long a client has to finish sending a body the proxy answered without forwarding. */
    private static final int DRAIN_TIMEOUT_MILLIS = 10_000;
    /** Lets the bytes sent before a reset reach the client before the RST overtakes them. */
    private static final long PAUSE_BEFORE_RESET_MILLIS = 20;

    private final URI target;
    private final ServerSocket server;
    private final ExecutorService connections;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong forwarded = new AtomicLong();
    private final AtomicLong rejected = new AtomicLong();
    private final Map<Fault.Kind, AtomicLong> injected = new EnumMap<>(Fault.Kind.class);
    private final Map<ObjectTally, LongAdder> perObject = new ConcurrentHashMap<>();
    // Writes the target answered with 2xx: the object was then complete on the target.
    private final Map<ObjectTally, LongAdder> completedWrites = new ConcurrentHashMap<>();
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile String acceptedAccessKey;
    private volatile List<Fault> faults = List.of();
    private volatile String serverName;
    private volatile Random random = new Random();
    // ListObjectsV2 pages relayed: the index of the page each NextContinuationToken leads to, and
    // the body that carried it (page n - 1 for a repeated page n). Bounded: tests list few pages.
    private final Map<String, Integer> pageOfToken = new ConcurrentHashMap<>();
    private final Map<String, byte[]> bodyBeforeToken = new ConcurrentHashMap<>();
    private static final int MAX_REMEMBERED_PAGES = 10_000;
    private static final Pattern NEXT_TOKEN = Pattern.compile(
            "<NextContinuationToken>([^<]*)</NextContinuationToken>");

    private FaultInjectingProxy(URI target) throws IOException {
        this.target = target;
        for (Fault.Kind kind : Fault.Kind.values()) {
            injected.put(kind, new AtomicLong());
        }
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        AtomicInteger threads = new AtomicInteger();
        this.connections = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "fault-proxy-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        connections.execute(this::acceptLoop);
    }

    /**
     * Starts a proxy in front of a server, with no faults.
     *
     * @param target the server's endpoint, e.g. {@link EmbeddedS3#endpoint()}; not null
     * @return the running proxy; the caller closes it
     */
    public static FaultInjectingProxy start(URI target) {
        Objects.requireNonNull(target, "target");
        if (target.getHost() == null || target.getPort() < 0) {
            throw new IllegalArgumentException("target must be an absolute URI with host and port, was " + target);
        }
        try {
            return new FaultInjectingProxy(target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the proxy's port", e);
        }
    }

    /**
     * Returns the proxy's endpoint, to give to clients instead of the target's.
     *
     * @return e.g. {@code http://127.0.0.1:40123}
     */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getLocalPort());
    }

    /**
     * Answers every request signed with another access key id with 403 {@code InvalidAccessKeyId},
     * before any {@link Fault} applies; such requests are counted by {@link #rejectedCount()}.
     * For other credential errors, such as a wrong secret key, see {@link Fault#error}.
     * By default every key is accepted.
     *
     * @param accessKeyId the only accepted key id, or null to accept every key again
     * @return this proxy
     */
    public FaultInjectingProxy acceptOnlyAccessKey(String accessKeyId) {
        this.acceptedAccessKey = accessKeyId;
        return this;
    }

    /**
     * Makes every forwarded answer name another server in its {@code Server} header (replacing the
     * target's), to see how a client treats a server it recognises by name. Answers the proxy makes
     * itself (faults) are left as they are.
     *
     * @param server the header's value, or null to forward the target's own again
     * @return this proxy
     */
    public FaultInjectingProxy answerAsServer(String server) {
        this.serverName = server;
        return this;
    }

    /**
     * Adds a fault rule after the rules already added. It applies to requests whose head arrives
     * from now on.
     *
     * @param fault the rule; not null
     * @return this proxy
     */
    public FaultInjectingProxy inject(Fault fault) {
        Objects.requireNonNull(fault, "fault");
        synchronized (this) {
            List<Fault> next = new ArrayList<>(faults);
            next.add(fault);
            faults = List.copyOf(next);
        }
        return this;
    }

    /**
     * Removes every fault rule (not the access key check, nor the counters): from now on requests
     * are forwarded untouched.
     *
     * @return this proxy
     */
    public FaultInjectingProxy clearFaults() {
        faults = List.of();
        return this;
    }

    /**
     * Returns the fault rules in the order they apply.
     *
     * @return an immutable snapshot
     */
    public List<Fault> faults() {
        return faults;
    }

    /**
     * Makes the choice of faulted requests reproducible: replaces the random source with
     * {@code new Random(seed)}. Requests that arrive in the same order then get the same faults;
     * with concurrent requests the order, and so the choice, may vary. By default the source is an
     * unseeded {@link Random}.
     *
     * @param seed the seed
     * @return this proxy
     */
    public FaultInjectingProxy seed(long seed) {
        this.random = new Random(seed);
        return this;
    }

    /**
     * Returns how many requests reached the proxy (their head arrived), answered or forwarded.
     *
     * @return the count since the start or the last {@link #reset()}
     */
    public long requestCount() {
        return requests.get();
    }

    /**
     * Returns how many requests were forwarded to the target, including those whose response was
     * then reset, delayed or throttled.
     *
     * @return the count since the start or the last {@link #reset()}
     */
    public long forwardedCount() {
        return forwarded.get();
    }

    /**
     * Returns how many requests were answered with 403 {@code InvalidAccessKeyId} because of
     * {@link #acceptOnlyAccessKey(String)}.
     *
     * @return the count since the start or the last {@link #reset()}
     */
    public long rejectedCount() {
        return rejected.get();
    }

    /**
     * Returns how many requests got a fault of a kind.
     *
     * @param kind the kind; not null
     * @return the count since the start or the last {@link #reset()}
     */
    public long injectedCount(Fault.Kind kind) {
        return injected.get(Objects.requireNonNull(kind, "kind")).get();
    }

    /**
     * Returns how many requests got a fault, of any kind.
     *
     * @return the count since the start or the last {@link #reset()}
     */
    public long injectedCount() {
        return injected.values().stream().mapToLong(AtomicLong::get).sum();
    }

    /**
     * Returns how many requests of an operation on an object were forwarded to the target (whatever
     * the target answered, and whether or not the client saw the answer).
     *
     * @param operation the operation; not null
     * @param bucket the bucket; not null
     * @param key the object key, decoded; {@code ""} for operations on the bucket itself; not null
     * @return the count since the start or the last {@link #reset()}
     */
    public long forwardedCount(Operation operation, String bucket, String key) {
        Objects.requireNonNull(operation, "operation");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        long total = 0;
        for (Method method : Method.values()) {
            LongAdder count = perObject.get(new ObjectTally(method, operation, bucket, key));
            total += count == null ? 0 : count.sum();
        }
        return total;
    }

    /**
     * Returns how many requests with an HTTP method on an object were forwarded to the target, of
     * every operation (a PUT counts object PUTs, copies, parts, tagging...).
     *
     * @param method the method; not null
     * @param bucket the bucket; not null
     * @param key the object key, decoded; {@code ""} for requests on the bucket itself; not null
     * @return the count since the start or the last {@link #reset()}
     */
    public long forwardedCount(Method method, String bucket, String key) {
        Objects.requireNonNull(method, "method");
        Objects.requireNonNull(bucket, "bucket");
        Objects.requireNonNull(key, "key");
        long total = 0;
        for (Map.Entry<ObjectTally, LongAdder> e : perObject.entrySet()) {
            ObjectTally t = e.getKey();
            if (t.method() == method && t.bucket().equals(bucket) && t.key().equals(key)) {
                total += e.getValue().sum();
            }
        }
        return total;
    }

    /**
     * Returns how many times an object was written: forwarded {@link Operation#PUT_OBJECT},
     * {@link Operation#COPY_OBJECT} and {@link Operation#COMPLETE_MULTIPART_UPLOAD} requests for it
     * (parts are not writes of the object). A request forwarded and then reset counts: the target
     * may well have written the object.
     *
     * @param bucket the bucket; not null
     * @param key the object key, decoded; not null
     * @return the count since the start or the last {@link #reset()}
     */
    public long objectWrites(String bucket, String key) {
        long total = 0;
        for (Operation operation : Operation.values()) {
            if (operation.writesObject()) {
                total += forwardedCount(operation, bucket, key);
            }
        }
        return total;
    }

    /**
     * Returns, for every object of a bucket written at least once, how many times it was written,
     * as {@link #objectWrites(String, String)} counts; to assert that no object was written twice.
     *
     * @param bucket the bucket; not null
     * @return an immutable snapshot, keys in {@link String} order
     */
    public Map<String, Long> objectWrites(String bucket) {
        Objects.requireNonNull(bucket, "bucket");
        Map<String, Long> writes = new TreeMap<>();
        for (Map.Entry<ObjectTally, LongAdder> e : perObject.entrySet()) {
            ObjectTally t = e.getKey();
            if (t.operation().writesObject() && t.bucket().equals(bucket)) {
                writes.merge(t.key(), e.getValue().sum(), Long::sum);
            }
        }
        return Collections.unmodifiableMap(writes);
    }

    /**
     * Returns, for every object of a bucket that the target wrote at least once, how many writes
     * ({@link Operation#PUT_OBJECT}, {@link Operation#COPY_OBJECT},
     * {@link Operation#COMPLETE_MULTIPART_UPLOAD}) it answered with a 2xx status, whether or not the
     * answer reached the client: a count above 1 means the object was written again after it was
     * complete. Unlike {@link #objectWrites(String)}, a request cut off before the target answered
     * does not count.
     *
     * @param bucket the bucket; not null
     * @return an immutable snapshot, keys in {@link String} order
     */
    public Map<String, Long> completedObjectWrites(String bucket) {
        Objects.requireNonNull(bucket, "bucket");
        Map<String, Long> writes = new TreeMap<>();
        for (Map.Entry<ObjectTally, LongAdder> e : completedWrites.entrySet()) {
            ObjectTally t = e.getKey();
            if (t.bucket().equals(bucket)) {
                writes.merge(t.key(), e.getValue().sum(), Long::sum);
            }
        }
        return Collections.unmodifiableMap(writes);
    }

    /**
     * Sets every counter to zero. Requests in flight may still count afterwards.
     *
     * @return this proxy
     */
    public FaultInjectingProxy reset() {
        pageOfToken.clear();
        bodyBeforeToken.clear();
        requests.set(0);
        forwarded.set(0);
        rejected.set(0);
        injected.values().forEach(c -> c.set(0));
        perObject.clear();
        completedWrites.clear();
        return this;
    }

    // ---------------------------------------------------------------------------------------------
    // Public value types

    /** An HTTP method as S3 uses them; {@link #OTHER} for any other. */
    public enum Method {
        /** GET. */
        GET,
        /** HEAD. */
        HEAD,
        /** PUT. */
        PUT,
        /** POST. */
        POST,
        /** DELETE. */
        DELETE,
        /** Any other method (OPTIONS, ...). */
        OTHER;

        static Method of(String name) {
            return switch (name) {
                case "GET" -> GET;
                case "HEAD" -> HEAD;
                case "PUT" -> PUT;
                case "POST" -> POST;
                case "DELETE" -> DELETE;
                default -> OTHER;
            };
        }
    }

    /**
     * The S3 operation of a request, told from its method, path, query and headers (path style).
     * Operations the proxy does not tell apart are {@link #OTHER}.
     */
    public enum Operation {
        /** {@code GET /bucket?list-type=2}. */
        LIST_OBJECTS_V2,
        /** {@code GET /bucket/key} without a sub-resource such as {@code ?tagging}. */
        GET_OBJECT,
        /** {@code HEAD /bucket/key}. */
        HEAD_OBJECT,
        /** {@code PUT /bucket/key} without {@code x-amz-copy-source} nor a sub-resource. */
        PUT_OBJECT,
        /** {@code PUT /bucket/key} with {@code x-amz-copy-source}. */
        COPY_OBJECT,
        /** {@code POST /bucket/key?uploads}. */
        CREATE_MULTIPART_UPLOAD,
        /** {@code PUT /bucket/key?partNumber=N&uploadId=U}. */
        UPLOAD_PART,
        /** {@code PUT /bucket/key?partNumber=N&uploadId=U} with {@code x-amz-copy-source}. */
        UPLOAD_PART_COPY,
        /** {@code POST /bucket/key?uploadId=U}. */
        COMPLETE_MULTIPART_UPLOAD,
        /** {@code DELETE /bucket/key?uploadId=U}. */
        ABORT_MULTIPART_UPLOAD,
        /** {@code DELETE /bucket/key}. */
        DELETE_OBJECT,
        /** {@code POST /bucket?delete}. */
        DELETE_OBJECTS,
        /** Anything else: bucket operations, tagging, ACLs, ListObjects v1, ... */
        OTHER;

        boolean writesObject() {
            return this == PUT_OBJECT || this == COPY_OBJECT || this == COMPLETE_MULTIPART_UPLOAD;
        }
    }

    /**
     * What a fault rule sees of a request: its head, parsed. Immutable.
     *
     * @param method the HTTP method; not null
     * @param operation the S3 operation; not null
     * @param path the request path as sent, still percent-encoded, e.g. {@code /bucket/a%20b}; not null
     * @param query the query string as sent, without {@code ?}; {@code ""} if none; not null
     * @param bucket the bucket, decoded; {@code ""} for requests on the service; not null
     * @param key the object key, decoded; {@code ""} for requests on a bucket or the service; not null
     * @param listingPage for a ListObjectsV2 request, the 0-based index of the page it asks for within
     *     its listing: 0 without {@code continuation-token} (with or without {@code start-after}),
     *     otherwise one more than the page whose {@code NextContinuationToken} this proxy relayed; -1
     *     for other requests and for a token the proxy never relayed. Retries of a page get the same
     *     index.
     */
    public record Request(Method method, Operation operation, String path, String query, String bucket,
            String key, int listingPage) {

        /**
         * A request that is not a placed listing page ({@link #listingPage()} is -1).
         *
         * @param method the HTTP method; not null
         * @param operation the S3 operation; not null
         * @param path the request path as sent; not null
         * @param query the query string as sent; not null
         * @param bucket the bucket, decoded; not null
         * @param key the object key, decoded; not null
         */
        public Request(Method method, Operation operation, String path, String query, String bucket, String key) {
            this(method, operation, path, query, bucket, key, -1);
        }

        /** Validates the components. */
        public Request {
            Objects.requireNonNull(method, "method");
            Objects.requireNonNull(operation, "operation");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(query, "query");
            Objects.requireNonNull(bucket, "bucket");
            Objects.requireNonNull(key, "key");
        }

        /**
         * Tells whether the query has a parameter, with or without a value.
         *
         * @param name the parameter name, e.g. {@code "uploadId"}; not null
         * @return true if present
         */
        public boolean hasQueryParameter(String name) {
            return queryParameters(query).containsKey(Objects.requireNonNull(name, "name"));
        }
    }

    /**
     * One fault rule: what to do (the {@link Kind} and its parameters), to which share of requests
     * ({@link #probability()}), and to which requests ({@link #condition()}). Immutable and
     * thread-safe if its condition is; built with the static factories and narrowed with
     * {@code onlyFor}:
     *
     * <pre>{@code
     * Fault.slowDown(0.10)
     * Fault.resetMidBody(0.02).onlyFor(Method.PUT)
     * Fault.throttle(1.0, 64 * 1024).onlyFor(Operation.GET_OBJECT)
     * Fault.internalError(0.05).onlyFor(r -> r.key().startsWith("logs/"))
     * }</pre>
     *
     * @param kind what the proxy does; not null
     * @param probability the share of matching requests faulted, 0 to 1
     * @param bytesPerSecond for {@link Kind#THROTTLE}, the response body rate, positive; otherwise 0
     * @param delay for {@link Kind#DELAY}, the pause before the response, positive; otherwise zero;
     *     not null
     * @param condition which requests the rule applies to; must be fast, not block and not throw;
     *     not null
     * @param reply for {@link Kind#ERROR}, the error answer; otherwise null
     */
    public record Fault(Kind kind, double probability, long bytesPerSecond, Duration delay,
            Predicate<Request> condition, ErrorReply reply) {

        /** What a fault does to a request. */
        public enum Kind {
            /** Answers 503 {@code SlowDown} ("Please reduce your request rate.") without forwarding. */
            SLOW_DOWN,
            /** Answers 500 {@code InternalError} without forwarding. */
            INTERNAL_ERROR,
            /** Answers 403 {@code AccessDenied} without forwarding: a permanent error, not to be retried. */
            ACCESS_DENIED,
            /**
             * Forwards the request, waits for the target's response head (so the target has acted),
             * then resets the client's connection (RST) before sending it anything.
             */
            RESET_BEFORE_RESPONSE,
            /**
             * Forwards the request and relays the response head and about half of the body (the
             * first half of a fixed-length body, half of the first chunk of a chunked one, half of
             * the head when there is no body), then resets the client's connection (RST): the client
             * never sees a whole response.
             */
            RESET_MID_BODY,
            /** Forwards the request and relays the response body at most {@code bytesPerSecond}. */
            THROTTLE,
            /**
             * Forwards the request and relays the whole response with one byte of its body flipped
             * (the last byte of a fixed-length body, the first of one that runs to the connection's
             * end; a chunked body goes unchanged), headers untouched: bytes damaged on the way,
             * which only a checksum can tell.
             */
            CORRUPT_BODY,
            /** Forwards the request and waits {@code delay} before relaying the final response. */
            DELAY,
            /**
             * Answers with the rule's {@link ErrorReply} (any status, S3 error code and message)
             * without forwarding, e.g. 403 {@code SignatureDoesNotMatch} or 404 {@code NoSuchBucket}.
             */
            ERROR,
            /**
             * Forwards a ListObjectsV2 request and relays its page with {@code IsTruncated} set to
             * {@code true} and the {@code NextContinuationToken} removed: a listing that cannot go on.
             */
            TRUNCATED_LISTING_PAGE,
            /**
             * Answers a ListObjectsV2 request for page {@code n} with page {@code n - 1} again, as the
             * proxy relayed it (with its continuation token, which leads to page {@code n} again);
             * forwards when the proxy has not relayed page {@code n - 1}.
             */
            REPEATED_LISTING_PAGE,
            /**
             * Forwards a ListObjectsV2 request and relays the first half of its page, with a
             * {@code Content-Length} that says so: a whole HTTP response whose XML ends early.
             */
            LISTING_CUT_SHORT,
            /**
             * Forwards a ListObjectsV2 request, relays the head with the page's full
             * {@code Content-Length} and half of the body, then closes the connection normally (FIN,
             * not a reset): the client sees the body end early.
             */
            LISTING_CLOSED_MID_BODY
        }

        /**
         * An S3 error answer: the HTTP status and the {@code Code} and {@code Message} of the error
         * XML (sent without a body to a HEAD request, as S3 does).
         *
         * @param status the HTTP status, 300 to 599
         * @param code the S3 error code, e.g. {@code "SignatureDoesNotMatch"}; not null or blank, no
         *     XML markup
         * @param message the message; not null, no XML markup
         */
        public record ErrorReply(int status, String code, String message) {

            /** Validates the components, with messages that carry the value. */
            public ErrorReply {
                if (status < 300 || status > 599) {
                    throw new IllegalArgumentException("status must be 300 to 599, was " + status);
                }
                Objects.requireNonNull(code, "code");
                Objects.requireNonNull(message, "message");
                if (code.isBlank() || (code + message).chars().anyMatch(c -> c == '<' || c == '>' || c == '&')) {
                    throw new IllegalArgumentException("code must not be blank and neither code nor message may "
                            + "contain XML markup, were '" + code + "' and '" + message + "'");
                }
            }
        }

        /**
         * A rule without an error reply, for every kind but {@link Kind#ERROR}.
         *
         * @param kind what the proxy does; not null, not {@link Kind#ERROR}
         * @param probability the share of matching requests faulted, 0 to 1
         * @param bytesPerSecond for {@link Kind#THROTTLE}, positive; otherwise 0
         * @param delay for {@link Kind#DELAY}, positive; otherwise zero; not null
         * @param condition which requests the rule applies to; not null
         */
        public Fault(Kind kind, double probability, long bytesPerSecond, Duration delay,
                Predicate<Request> condition) {
            this(kind, probability, bytesPerSecond, delay, condition, null);
        }

        /** Validates the components, with messages that carry the value. */
        public Fault {
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(delay, "delay");
            Objects.requireNonNull(condition, "condition");
            if (!(probability >= 0 && probability <= 1)) {
                throw new IllegalArgumentException("probability must be between 0 and 1, was " + probability);
            }
            if (kind == Kind.THROTTLE ? bytesPerSecond <= 0 : bytesPerSecond != 0) {
                throw new IllegalArgumentException(kind == Kind.THROTTLE
                        ? "bytes per second must be positive, was " + bytesPerSecond
                        : "bytes per second applies to THROTTLE only, was " + bytesPerSecond + " for " + kind);
            }
            if (kind == Kind.DELAY ? delay.isNegative() || delay.isZero() : !delay.isZero()) {
                throw new IllegalArgumentException(kind == Kind.DELAY
                        ? "delay must be positive, was " + delay
                        : "delay applies to DELAY only, was " + delay + " for " + kind);
            }
            if ((kind == Kind.ERROR) != (reply != null)) {
                throw new IllegalArgumentException(kind == Kind.ERROR ? "an ERROR rule needs a reply"
                        : "a reply applies to ERROR only, was " + reply + " for " + kind);
            }
        }

        /**
         * Answers a share of requests with an S3 error of any status and code, without forwarding;
         * e.g. {@code error(1.0, 403, "SignatureDoesNotMatch", "The request signature we calculated does not
         * match the signature you provided.")} for credentials with a wrong secret key, or
         * {@code error(1.0, 404, "NoSuchBucket", "The specified bucket does not exist")}.
         *
         * @param probability the share of matching requests, 0 to 1
         * @param status the HTTP status, 300 to 599
         * @param code the S3 error code; not null or blank, no XML markup
         * @param message the error message; not null, no XML markup
         * @return the rule, for every request
         */
        public static Fault error(double probability, int status, String code, String message) {
            return new Fault(Kind.ERROR, probability, 0, Duration.ZERO, r -> true,
                    new ErrorReply(status, code, message));
        }

        /**
         * Answers a share of requests with 503 {@code SlowDown}, as S3 does when throttling.
         *
         * @param probability the share of matching requests, 0 to 1
         * @return the rule, for every request
         */
        public static Fault slowDown(double probability) {
            return new Fault(Kind.SLOW_DOWN, probability, 0, Duration.ZERO, r -> true);
        }

        /**
         * Answers a share of requests with 500 {@code InternalError}.
         *
         * @param probability the share of matching requests, 0 to 1
         * @return the rule, for every request
         */
        public static Fault internalError(double probability) {
            return new Fault(Kind.INTERNAL_ERROR, probability, 0, Duration.ZERO, r -> true);
        }

        /**
         * Answers a share of requests with 403 {@code AccessDenied}, as S3 does for a missing
         * permission: a permanent error that a client must not retry.
         *
         * @param probability the share of matching requests, 0 to 1
         * @return the rule, for every request
         */
        public static Fault accessDenied(double probability) {
            return new Fault(Kind.ACCESS_DENIED, probability, 0, Duration.ZERO, r -> true);
        }

        /**
         * Resets a share of connections after the target acted on the request, before the client
         * gets any response: the client cannot tell whether, say, its PUT happened.
         *
         * @param probability the share of matching requests, 0 to 1
         * @return the rule, for every request
         */
        public static Fault resetBeforeResponse(double probability) {
            return new Fault(Kind.RESET_BEFORE_RESPONSE, probability, 0, Duration.ZERO, r -> true);
        }

        /**
         * Resets a share of connections in the middle of the response body, see {@link Kind#RESET_MID_BODY}.
         *
         * @param probability the share of matching requests, 0 to 1
         * @return the rule, for every request
         */
        public static Fault resetMidBody(double probability) {
            return new Fault(Kind.RESET_MID_BODY, probability, 0, Duration.ZERO, r -> true);
        }

        /**
         * Flips one byte of the response bodies of a share of requests, see {@link Kind#CORRUPT_BODY}.
         *
         * @param probability the share of matching requests, 0 to 1
         * @return the rule, for every request
         */
        public static Fault corruptBody(double probability) {
            return new Fault(Kind.CORRUPT_BODY, probability, 0, Duration.ZERO, r -> true);
        }

        /**
         * Relays the response bodies of a share of requests at a limited rate: a body of {@code n}
         * bytes takes at least {@code n / bytesPerSecond} seconds.
         *
         * @param probability the share of matching requests, 0 to 1
         * @param bytesPerSecond the rate; positive
         * @return the rule, for every request
         */
        public static Fault throttle(double probability, long bytesPerSecond) {
            return new Fault(Kind.THROTTLE, probability, bytesPerSecond, Duration.ZERO, r -> true);
        }

        /**
         * Delays the responses of a share of requests.
         *
         * @param probability the share of matching requests, 0 to 1
         * @param delay the pause between the target's response and its relay; positive; not null
         * @return the rule, for every request
         */
        public static Fault delay(double probability, Duration delay) {
            return new Fault(Kind.DELAY, probability, 0, delay, r -> true);
        }

        /**
         * Relays page {@code n} of every ListObjectsV2 listing with {@code IsTruncated=true} and no
         * {@code NextContinuationToken}, see {@link Kind#TRUNCATED_LISTING_PAGE}; each time it is
         * asked for (retries too).
         *
         * @param n the 0-based page index, see {@link Request#listingPage()}; not negative
         * @return the rule, for ListObjectsV2 pages with that index
         */
        public static Fault truncatedListingPage(int n) {
            return listingFault(Kind.TRUNCATED_LISTING_PAGE, n);
        }

        /**
         * Answers page {@code n} (at least 1) of every ListObjectsV2 listing with page {@code n - 1}
         * again, see {@link Kind#REPEATED_LISTING_PAGE}: the keys go back and the continuation token
         * repeats.
         *
         * @param n the 0-based page index, see {@link Request#listingPage()}; at least 1
         * @return the rule, for ListObjectsV2 pages with that index
         */
        public static Fault repeatedListingPage(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("the repeated page must be 1 or later, was " + n);
            }
            return listingFault(Kind.REPEATED_LISTING_PAGE, n);
        }

        /**
         * Relays half of page {@code n} of every ListObjectsV2 listing as if it were the whole body
         * (a consistent {@code Content-Length}), see {@link Kind#LISTING_CUT_SHORT}: the client reads
         * XML that ends early.
         *
         * @param n the 0-based page index, see {@link Request#listingPage()}; not negative
         * @return the rule, for ListObjectsV2 pages with that index
         */
        public static Fault listingCutShort(int n) {
            return listingFault(Kind.LISTING_CUT_SHORT, n);
        }

        /**
         * Closes the connection in the middle of page {@code n}'s body, for every ListObjectsV2
         * listing, see {@link Kind#LISTING_CLOSED_MID_BODY}.
         *
         * @param n the 0-based page index, see {@link Request#listingPage()}; not negative
         * @return the rule, for ListObjectsV2 pages with that index
         */
        public static Fault listingClosedMidBody(int n) {
            return listingFault(Kind.LISTING_CLOSED_MID_BODY, n);
        }

        /**
         * Answers every ListObjectsV2 page after the first of each listing (and every retry of it)
         * with 500 {@code InternalError}: a listing that fails midway, for good.
         *
         * @return the rule, for ListObjectsV2 pages with an index of 1 or more
         */
        public static Fault internalErrorOnLaterListingPages() {
            return new Fault(Kind.INTERNAL_ERROR, 1.0, 0, Duration.ZERO,
                    r -> r.operation() == Operation.LIST_OBJECTS_V2 && r.listingPage() >= 1);
        }

        private static Fault listingFault(Kind kind, int n) {
            if (n < 0) {
                throw new IllegalArgumentException("the page index must not be negative, was " + n);
            }
            return new Fault(kind, 1.0, 0, Duration.ZERO,
                    r -> r.operation() == Operation.LIST_OBJECTS_V2 && r.listingPage() == n);
        }

        /**
         * Returns this rule limited to the requests with an HTTP method (and its current condition).
         *
         * @param method the method; not null
         * @return a new rule
         */
        public Fault onlyFor(Method method) {
            Objects.requireNonNull(method, "method");
            return onlyFor(r -> r.method() == method);
        }

        /**
         * Returns this rule limited to the requests of an S3 operation (and its current condition),
         * e.g. {@link Operation#LIST_OBJECTS_V2} or {@link Operation#GET_OBJECT}.
         *
         * @param operation the operation; not null
         * @return a new rule
         */
        public Fault onlyFor(Operation operation) {
            Objects.requireNonNull(operation, "operation");
            return onlyFor(r -> r.operation() == operation);
        }

        /**
         * Returns this rule limited to the requests that also satisfy a condition.
         *
         * @param condition fast, non-blocking and not throwing; not null
         * @return a new rule
         */
        public Fault onlyFor(Predicate<Request> condition) {
            Objects.requireNonNull(condition, "condition");
            return new Fault(kind, probability, bytesPerSecond, delay, this.condition.and(condition), reply);
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Connection handling

    /** One forwarded request's identity for the per-object counts. */
    private record ObjectTally(Method method, Operation operation, String bucket, String key) {
    }

    /** A parsed request head. */
    private record Head(String text, Request request, Map<String, String> headers) {
        String header(String name) {
            return headers.get(name);
        }
    }

    /** The client's connection has to be reset: thrown out of the relay at the cut point. */
    private static final class ResetSignal extends IOException {
        ResetSignal() {
            super("reset injected");
        }

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // a signal, not an error
        }
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                connections.execute(() -> handle(client));
            } catch (IOException e) {
                return; // closed
            } catch (java.util.concurrent.RejectedExecutionException e) {
                return; // closing
            }
        }
    }

    private void handle(Socket client) {
        boolean reset = false;
        try {
            client.setTcpNoDelay(true);
            InputStream in = new BufferedInputStream(client.getInputStream(), BUFFER);
            String text = readHead(in);
            if (text == null) {
                return;
            }
            requests.incrementAndGet();
            Head head = placeListingPage(parse(text));
            String accepted = acceptedAccessKey;
            if (accepted != null) {
                Matcher m = ACCESS_KEY.matcher(text);
                String presented = m.find() ? m.group(1) : null;
                if (!accepted.equals(presented)) {
                    rejected.incrementAndGet();
                    answerAndDrain(client, in, head, 403, "InvalidAccessKeyId",
                            "The AWS Access Key Id you provided does not exist in our records.");
                    return;
                }
            }
            Fault fault = choose(head.request());
            if (fault != null) {
                injected.get(fault.kind()).incrementAndGet();
                switch (fault.kind()) {
                    case SLOW_DOWN -> {
                        answerAndDrain(client, in, head, 503, "SlowDown", "Please reduce your request rate.");
                        return;
                    }
                    case INTERNAL_ERROR -> {
                        answerAndDrain(client, in, head, 500, "InternalError",
                                "We encountered an internal error. Please try again.");
                        return;
                    }
                    case ACCESS_DENIED -> {
                        answerAndDrain(client, in, head, 403, "AccessDenied", "Access Denied");
                        return;
                    }
                    case ERROR -> {
                        Fault.ErrorReply reply = fault.reply();
                        answerAndDrain(client, in, head, reply.status(), reply.code(), reply.message());
                        return;
                    }
                    case REPEATED_LISTING_PAGE -> {
                        String token = queryParameters(head.request().query()).get("continuation-token");
                        byte[] previous = token == null ? null : bodyBeforeToken.get(token);
                        if (previous != null) {
                            OutputStream out = client.getOutputStream();
                            out.write(("HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\n"
                                    + "x-amz-request-id: fault-injecting-proxy\r\nContent-Length: " + previous.length
                                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
                            out.write(previous);
                            out.flush();
                            return;
                        }
                        // Forwarded below: the proxy has not seen the page before.
                    }
                    default -> {
                        // Forwarded below.
                    }
                }
            }
            forward(client, in, head, fault);
        } catch (ResetSignal e) {
            reset = true;
        } catch (IOException | RuntimeException e) {
            // The client or the target went away; the client sees the reset as S3 clients do.
        } finally {
            close(client, reset);
            open.remove(client);
        }
    }

    private Fault choose(Request request) {
        List<Fault> rules = faults;
        if (rules.isEmpty()) {
            return null;
        }
        double draw = random.nextDouble();
        double upTo = 0;
        for (Fault rule : rules) {
            if (rule.probability() > 0 && rule.condition().test(request)) {
                upTo += rule.probability();
                if (draw < upTo) {
                    return rule;
                }
            }
        }
        return null;
    }

    private void forward(Socket client, InputStream clientIn, Head head, Fault fault) throws IOException {
        Socket upstream = new Socket();
        open.add(upstream);
        try (upstream) {
            upstream.setTcpNoDelay(true);
            upstream.connect(new InetSocketAddress(target.getHost(), target.getPort()), 5_000);
            OutputStream upOut = upstream.getOutputStream();
            upOut.write(withConnectionClose(head.text()).getBytes(StandardCharsets.ISO_8859_1));
            upOut.flush();
            forwarded.incrementAndGet();
            Request r = head.request();
            perObject.computeIfAbsent(new ObjectTally(r.method(), r.operation(), r.bucket(), r.key()),
                    t -> new LongAdder()).increment();
            // The body streams through as the client sends it (after a 100 Continue, if it asked
            // for one): never held whole.
            connections.execute(() -> {
                try {
                    clientIn.transferTo(upOut);
                } catch (IOException e) {
                    // Either side closed; the response relay ends too.
                }
            });
            relayResponse(head, new BufferedInputStream(upstream.getInputStream(), BUFFER),
                    client.getOutputStream(), fault);
        } finally {
            open.remove(upstream);
        }
    }

    private void relayResponse(Head request, InputStream upIn, OutputStream clientOut, Fault fault)
            throws IOException {
        Fault.Kind kind = fault == null ? null : fault.kind();
        while (true) {
            String text = readHead(upIn);
            if (text == null) {
                throw new IOException("the target closed the connection before responding");
            }
            int status = statusOf(text);
            if (status >= 100 && status < 200 && status != 101) {
                clientOut.write(text.getBytes(StandardCharsets.ISO_8859_1));
                clientOut.flush();
                continue;
            }
            String server = serverName;
            if (server != null) {
                text = withServer(text, server);
            }
            Request answered = request.request();
            if (status >= 200 && status < 300 && answered.operation() != null
                    && answered.operation().writesObject()) {
                completedWrites.computeIfAbsent(new ObjectTally(answered.method(), answered.operation(),
                        answered.bucket(), answered.key()), t -> new LongAdder()).increment();
            }
            if (kind == Fault.Kind.RESET_BEFORE_RESPONSE) {
                throw new ResetSignal();
            }
            if (kind == Fault.Kind.DELAY) {
                sleep(fault.delay().toMillis());
            }
            Map<String, String> headers = headersOf(text);
            boolean hasBody = request.request().method() != Method.HEAD && status != 204 && status != 304;
            String transferEncoding = headers.getOrDefault("transfer-encoding", "").toLowerCase(Locale.ROOT);
            boolean chunked = hasBody && transferEncoding.contains("chunked");
            long length = -1;
            if (hasBody && !chunked && headers.containsKey("content-length")) {
                length = Long.parseLong(headers.get("content-length").trim());
            }
            if (hasBody && status == 200 && answered.operation() == Operation.LIST_OBJECTS_V2) {
                relayListingPage(answered, text, upIn, clientOut, fault, chunked, length);
                return;
            }
            byte[] responseHead = withConnectionClose(text).getBytes(StandardCharsets.ISO_8859_1);
            boolean emptyBody = !hasBody || length == 0;
            if (kind == Fault.Kind.RESET_MID_BODY && emptyBody) {
                clientOut.write(responseHead, 0, responseHead.length / 2);
                clientOut.flush();
                throw new ResetSignal();
            }
            clientOut.write(responseHead);
            clientOut.flush();
            if (emptyBody) {
                return;
            }
            BodySink sink = new BodySink(clientOut, kind == Fault.Kind.THROTTLE ? fault.bytesPerSecond() : 0);
            if (kind == Fault.Kind.RESET_MID_BODY && length > 0) {
                sink.cutAfter = length / 2;
            }
            if (kind == Fault.Kind.CORRUPT_BODY) {
                sink.flipAt = chunked ? -1 : length > 0 ? length - 1 : 0;
            }
            if (chunked) {
                relayChunked(upIn, sink, kind == Fault.Kind.RESET_MID_BODY);
            } else if (length >= 0) {
                relayFixed(upIn, sink, length);
            } else {
                relayUntilEnd(upIn, sink, kind == Fault.Kind.RESET_MID_BODY);
            }
            sink.flush();
            return;
        }
    }

    /** Tells the index of a ListObjectsV2 request's page from its continuation token. */
    private Head placeListingPage(Head head) {
        Request r = head.request();
        if (r.operation() != Operation.LIST_OBJECTS_V2) {
            return head;
        }
        String token = queryParameters(r.query()).get("continuation-token");
        int page = token == null || token.isEmpty() ? 0 : pageOfToken.getOrDefault(token, -1);
        return new Head(head.text(), new Request(r.method(), r.operation(), r.path(), r.query(), r.bucket(),
                r.key(), page), head.headers());
    }

    /**
     * Relays a ListObjectsV2 page read whole (pages are small): learns where its continuation token
     * leads, applies a listing fault, and sends it with a Content-Length; the other faults that
     * act on a body (reset, throttle) apply as to any body.
     */
    private void relayListingPage(Request request, String head, InputStream upIn, OutputStream clientOut,
            Fault fault, boolean chunked, long length) throws IOException {
        byte[] body = readWhole(upIn, chunked, length);
        Matcher m = NEXT_TOKEN.matcher(new String(body, StandardCharsets.UTF_8));
        if (m.find() && request.listingPage() >= 0) {
            String token = xmlUnescape(m.group(1));
            if (pageOfToken.size() > MAX_REMEMBERED_PAGES) {
                pageOfToken.clear();
                bodyBeforeToken.clear();
            }
            pageOfToken.put(token, request.listingPage() + 1);
            bodyBeforeToken.put(token, body);
        }
        Fault.Kind kind = fault == null ? null : fault.kind();
        long declared = -1;
        if (kind == Fault.Kind.TRUNCATED_LISTING_PAGE) {
            String xml = new String(body, StandardCharsets.UTF_8);
            xml = NEXT_TOKEN.matcher(xml).replaceAll("");
            xml = xml.replaceAll("<IsTruncated>[^<]*</IsTruncated>", "<IsTruncated>true</IsTruncated>");
            if (!xml.contains("<IsTruncated>")) {
                xml = xml.replace("</ListBucketResult>", "<IsTruncated>true</IsTruncated></ListBucketResult>");
            }
            body = xml.getBytes(StandardCharsets.UTF_8);
        } else if (kind == Fault.Kind.LISTING_CUT_SHORT) {
            body = java.util.Arrays.copyOf(body, body.length / 2);
        } else if (kind == Fault.Kind.LISTING_CLOSED_MID_BODY) {
            declared = body.length;
            body = java.util.Arrays.copyOf(body, body.length / 2);
        }
        StringBuilder newHead = new StringBuilder();
        for (String line : withConnectionClose(head).split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (!line.isEmpty() && !lower.startsWith("content-length:") && !lower.startsWith("transfer-encoding:")) {
                newHead.append(line).append("\r\n");
            }
        }
        newHead.append("Content-Length: ").append(declared >= 0 ? declared : body.length).append("\r\n\r\n");
        clientOut.write(newHead.toString().getBytes(StandardCharsets.ISO_8859_1));
        clientOut.flush();
        BodySink sink = new BodySink(clientOut, kind == Fault.Kind.THROTTLE ? fault.bytesPerSecond() : 0);
        if (kind == Fault.Kind.RESET_MID_BODY) {
            sink.cutAfter = body.length / 2;
        }
        sink.write(body, 0, body.length);
        sink.flush();
        // LISTING_CLOSED_MID_BODY: the connection closes (FIN) with the body short of its length.
    }

    private static byte[] readWhole(InputStream in, boolean chunked, long length) throws IOException {
        if (length >= 0 && !chunked) {
            return in.readNBytes((int) length);
        }
        if (!chunked) {
            return in.readAllBytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            int size = Integer.parseInt((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            if (size == 0) {
                while (!readLine(in).isEmpty()) {
                    // Trailers are dropped.
                }
                return out.toByteArray();
            }
            out.write(in.readNBytes(size));
            readLine(in);
        }
    }

    private static String xmlUnescape(String s) {
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&apos;", "'")
                .replace("&amp;", "&");
    }

    private static void relayFixed(InputStream in, BodySink sink, long length) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long left = length;
        while (left > 0) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (n < 0) {
                throw new IOException("the target closed the connection " + left + " bytes before the body's end");
            }
            sink.write(buffer, 0, n);
            left -= n;
        }
    }

    private static void relayChunked(InputStream in, BodySink sink, boolean cutInFirstChunk) throws IOException {
        boolean first = true;
        while (true) {
            String sizeLine = readLine(in);
            int semicolon = sizeLine.indexOf(';');
            long size = Long.parseLong((semicolon < 0 ? sizeLine : sizeLine.substring(0, semicolon)).trim(), 16);
            byte[] line = (sizeLine + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
            if (first && cutInFirstChunk) {
                // Half of the first chunk's data; an empty chunked body is cut before its last chunk.
                sink.cutAfter = sink.written + (size == 0 ? 0 : line.length + size / 2);
                first = false;
            }
            sink.write(line, 0, line.length);
            if (size == 0) {
                String trailer;
                do {
                    trailer = readLine(in);
                    byte[] bytes = (trailer + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
                    sink.write(bytes, 0, bytes.length);
                } while (!trailer.isEmpty());
                return;
            }
            relayFixed(in, sink, size + 2); // the data and its CRLF
        }
    }

    private static void relayUntilEnd(InputStream in, BodySink sink, boolean cutInFirstRead) throws IOException {
        byte[] buffer = new byte[BUFFER];
        int n;
        boolean first = true;
        while ((n = in.read(buffer)) >= 0) {
            if (first && cutInFirstRead) {
                sink.cutAfter = n / 2;
            }
            first = false;
            sink.write(buffer, 0, n);
        }
        if (first && cutInFirstRead) {
            throw new ResetSignal();
        }
    }

    /** Writes a response body to the client, throttled, and signals the reset at the cut point. */
    private static final class BodySink {
        private final OutputStream out;
        private final long bytesPerSecond;
        private final long startNanos = System.nanoTime();
        long written;
        long cutAfter = -1;
        /** The offset of the body's byte to flip; -1 for none. */
        long flipAt = -1;

        BodySink(OutputStream out, long bytesPerSecond) {
            this.out = out;
            this.bytesPerSecond = bytesPerSecond;
        }

        void write(byte[] bytes, int offset, int length) throws IOException {
            if (flipAt >= written && flipAt < written + length) {
                bytes = java.util.Arrays.copyOfRange(bytes, offset, offset + length);
                offset = 0;
                bytes[(int) (flipAt - written)] ^= 0x01;
            }
            if (cutAfter >= 0 && written + length >= cutAfter) {
                int part = (int) (cutAfter - written);
                out.write(bytes, offset, part);
                out.flush();
                throw new ResetSignal();
            }
            if (bytesPerSecond <= 0) {
                out.write(bytes, offset, length);
                written += length;
                return;
            }
            // Slices of a tenth of a second's worth, each sent no earlier than the rate allows, so
            // that n bytes take at least n / rate seconds.
            int slice = (int) Math.max(1, Math.min(BUFFER, bytesPerSecond / 10));
            for (int done = 0; done < length; ) {
                int n = Math.min(slice, length - done);
                long dueNanos = startNanos + (long) ((written + n) * 1e9 / bytesPerSecond);
                long waitNanos = dueNanos - System.nanoTime();
                if (waitNanos > 0) {
                    sleep(TimeUnit.NANOSECONDS.toMillis(waitNanos) + 1);
                }
                out.write(bytes, offset + done, n);
                out.flush();
                written += n;
                done += n;
            }
        }

        void flush() throws IOException {
            out.flush();
        }
    }

    /**
     * Answers without forwarding, then reads and discards what the client still sends (the body
     * it may have started before the answer) until it closes: closing with unread bytes would
     * reset the connection and the client might never see the answer.
     */
    private static void answerAndDrain(Socket client, InputStream in, Head head, int status, String code,
            String message) throws IOException {
        answer(client.getOutputStream(), head.request().method() == Method.HEAD, status, code, message);
        client.shutdownOutput();
        client.setSoTimeout(DRAIN_TIMEOUT_MILLIS);
        byte[] buffer = new byte[BUFFER];
        while (in.read(buffer) >= 0) {
            // Discard.
        }
    }

    private static void answer(OutputStream out, boolean isHead, int status, String code, String message)
            throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>"
                + message + "</Message><RequestId>fault-injecting-proxy</RequestId>"
                + "<HostId>fault-injecting-proxy</HostId></Error>")
                .getBytes(StandardCharsets.UTF_8);
        String response = "HTTP/1.1 " + status + " " + reason(status) + "\r\n"
                + "Content-Type: application/xml\r\n"
                + "x-amz-request-id: fault-injecting-proxy\r\n"
                + "x-amz-id-2: fault-injecting-proxy\r\n"
                + "Content-Length: " + (isHead ? 0 : body.length) + "\r\n"
                + "Connection: close\r\n\r\n";
        out.write(response.getBytes(StandardCharsets.ISO_8859_1));
        if (!isHead) {
            out.write(body);
        }
        out.flush();
    }

    private static String reason(int status) {
        return switch (status) {
            case 301 -> "Moved Permanently";
            case 400 -> "Bad Request";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "Not Found";
            case 409 -> "Conflict";
            case 501 -> "Not Implemented";
            case 500 -> "Internal Server Error";
            case 503 -> "Slow Down";
            default -> "Error";
        };
    }

    private static void close(Socket client, boolean reset) {
        try {
            if (reset) {
                // Let the bytes already sent arrive, then reset: SO_LINGER 0 makes close() send RST.
                sleep(PAUSE_BEFORE_RESET_MILLIS);
                client.setSoLinger(true, 0);
            }
            client.close();
        } catch (IOException e) {
            // Already gone.
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    // ---------------------------------------------------------------------------------------------
    // HTTP parsing

    private static Head parse(String text) throws IOException {
        int lineEnd = text.indexOf("\r\n");
        String[] requestLine = text.substring(0, lineEnd).split(" ");
        if (requestLine.length != 3) {
            throw new IOException("malformed request line");
        }
        Map<String, String> headers = headersOf(text);
        String requestTarget = requestLine[1];
        if (requestTarget.startsWith("http://") || requestTarget.startsWith("https://")) {
            int slash = requestTarget.indexOf('/', requestTarget.indexOf("//") + 2);
            requestTarget = slash < 0 ? "/" : requestTarget.substring(slash);
        }
        int question = requestTarget.indexOf('?');
        String path = question < 0 ? requestTarget : requestTarget.substring(0, question);
        String query = question < 0 ? "" : requestTarget.substring(question + 1);
        String trimmed = path.startsWith("/") ? path.substring(1) : path;
        int slash = trimmed.indexOf('/');
        String bucket = percentDecode(slash < 0 ? trimmed : trimmed.substring(0, slash));
        String key = slash < 0 ? "" : percentDecode(trimmed.substring(slash + 1));
        Method method = Method.of(requestLine[0]);
        Operation operation = operationOf(method, bucket, key, queryParameters(query).keySet(),
                headers.containsKey("x-amz-copy-source"));
        return new Head(text, new Request(method, operation, path, query, bucket, key), headers);
    }

    private static final Set<String> OBJECT_SUBRESOURCES = Set.of("acl", "tagging", "attributes", "legal-hold",
            "retention", "torrent", "restore", "select", "uploads", "uploadId", "partNumber");

    private static Operation operationOf(Method method, String bucket, String key, Set<String> query,
            boolean copySource) {
        if (bucket.isEmpty()) {
            return Operation.OTHER;
        }
        if (key.isEmpty()) {
            if (method == Method.GET && query.contains("list-type")) {
                return Operation.LIST_OBJECTS_V2;
            }
            if (method == Method.POST && query.contains("delete")) {
                return Operation.DELETE_OBJECTS;
            }
            return Operation.OTHER;
        }
        boolean upload = query.contains("uploadId");
        boolean plain = query.stream().noneMatch(OBJECT_SUBRESOURCES::contains);
        return switch (method) {
            case GET -> plain || (query.contains("partNumber") && !upload) ? Operation.GET_OBJECT : Operation.OTHER;
            case HEAD -> Operation.HEAD_OBJECT;
            case PUT -> upload && query.contains("partNumber")
                    ? (copySource ? Operation.UPLOAD_PART_COPY : Operation.UPLOAD_PART)
                    : plain ? (copySource ? Operation.COPY_OBJECT : Operation.PUT_OBJECT) : Operation.OTHER;
            case POST -> query.contains("uploads") ? Operation.CREATE_MULTIPART_UPLOAD
                    : upload ? Operation.COMPLETE_MULTIPART_UPLOAD : Operation.OTHER;
            case DELETE -> upload ? Operation.ABORT_MULTIPART_UPLOAD
                    : plain ? Operation.DELETE_OBJECT : Operation.OTHER;
            case OTHER -> Operation.OTHER;
        };
    }

    private static Map<String, String> queryParameters(String query) {
        Map<String, String> parameters = new HashMap<>();
        if (query.isEmpty()) {
            return parameters;
        }
        for (String pair : query.split("&")) {
            int equals = pair.indexOf('=');
            parameters.put(percentDecode(equals < 0 ? pair : pair.substring(0, equals)),
                    equals < 0 ? "" : percentDecode(pair.substring(equals + 1)));
        }
        return parameters;
    }

    /** Decodes %XX escapes as UTF-8; unlike URLDecoder, leaves '+' alone, as S3 paths mean it. */
    private static String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length()) {
                int high = Character.digit(s.charAt(i + 1), 16);
                int low = Character.digit(s.charAt(i + 2), 16);
                if (high >= 0 && low >= 0) {
                    out.write(high * 16 + low);
                    i += 2;
                    continue;
                }
            }
            byte[] bytes = String.valueOf(c).getBytes(StandardCharsets.UTF_8);
            out.write(bytes, 0, bytes.length);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int statusOf(String responseHead) throws IOException {
        String[] parts = responseHead.substring(0, responseHead.indexOf("\r\n")).split(" ", 3);
        try {
            return Integer.parseInt(parts[1]);
        } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("malformed status line");
        }
    }

    /** Header names in lower case; of repeated headers, the last. */
    private static Map<String, String> headersOf(String head) {
        Map<String, String> headers = new HashMap<>();
        String[] lines = head.split("\r\n");
        for (int i = 1; i < lines.length; i++) {
            int colon = lines[i].indexOf(':');
            if (colon > 0) {
                headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        lines[i].substring(colon + 1).trim());
            }
        }
        return headers;
    }

    /** A response head whose Server header names the given server (added where the target sent none). */
    private static String withServer(String head, String server) {
        StringBuilder out = new StringBuilder(head.length() + 20);
        String[] lines = head.split("\r\n");
        out.append(lines[0]).append("\r\n").append("Server: ").append(server).append("\r\n");
        for (int i = 1; i < lines.length; i++) {
            if (!lines[i].isEmpty() && !lines[i].regionMatches(true, 0, "server:", 0, 7)) {
                out.append(lines[i]).append("\r\n");
            }
        }
        return out.append("\r\n").toString();
    }

    private static String withConnectionClose(String head) {
        StringBuilder out = new StringBuilder(head.length() + 20);
        for (String line : head.split("\r\n")) {
            String lower = line.toLowerCase(Locale.ROOT);
            if (line.isEmpty() || lower.startsWith("connection:") || lower.startsWith("keep-alive:")) {
                continue;
            }
            out.append(line).append("\r\n");
        }
        return out.append("Connection: close\r\n\r\n").toString();
    }

    /** Reads up to and including the blank line that ends an HTTP head; null at a clean end of stream. */
    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream(1024);
        int state = 0;
        int b;
        while ((b = in.read()) != -1) {
            head.write(b);
            state = switch (state) {
                case 0, 2 -> b == '\r' ? state + 1 : 0;
                case 1 -> b == '\n' ? 2 : 0;
                case 3 -> b == '\n' ? 4 : 0;
                default -> 0;
            };
            if (state == 4) {
                return head.toString(StandardCharsets.ISO_8859_1);
            }
            if (head.size() > 64 * 1024) {
                throw new IOException("head over 64 KiB");
            }
        }
        if (head.size() > 0) {
            throw new IOException("the connection closed in the middle of a head");
        }
        return null;
    }

    /** Reads one CRLF-terminated line, without the CRLF. */
    private static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder(16);
        int b;
        while ((b = in.read()) != -1) {
            if (b == '\n') {
                int end = line.length();
                return end > 0 && line.charAt(end - 1) == '\r' ? line.substring(0, end - 1) : line.toString();
            }
            line.append((char) b);
            if (line.length() > 8 * 1024) {
                throw new IOException("chunk line over 8 KiB");
            }
        }
        throw new IOException("the target closed the connection in the middle of a chunked body");
    }

    /** Stops accepting, drops the connections in flight and closes the proxy. */
    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // Closing a server socket fails only if already closed.
        }
        connections.shutdownNow();
        for (Socket socket : open) {
            try {
                socket.close();
            } catch (IOException e) {
                // Already gone.
            }
        }
    }
}
