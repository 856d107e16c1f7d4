package io.github.s3recon.inventory.internal;

import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.inventory.DirectRoute;
import io.github.s3recon.inventory.internal.ListObjectsV2PageParser.Page;
import java.net.ProxySelector;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscribers;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.model.EncodingType;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Fetches ListObjectsV2 pages over HTTP itself and parses them with {@link ListObjectsV2PageParser},
 * keeping the SDK for everything but the happy path: the request goes where the client's own
 * endpoint provider sends it, signed by the SDK's SigV4 signer with the client's credentials, and
 * any other outcome than a 200 that the parser takes on (another status, an I/O error, a timeout,
 * a body the parser leaves to the SDK, anything unexpected) fetches that page again through the
 * client's {@code listObjectsV2}, so the SDK's retries, error translation and unmarshalling apply.
 *
 * <h2>Where requests go</h2>
 * The first page for a (client, bucket) pair goes through the SDK, with a per-request plugin that
 * records the endpoint the client's endpoint provider resolves for it: path-style or
 * virtual-hosted, an {@code endpointOverride} or the standard AWS endpoint of the client's region
 * (e.g. {@code https://bucket.s3.eu-west-1.amazonaws.com}) alike, with the signing name and
 * region of that endpoint. Later pages of that pair, in any listing, go direct. Pairs whose
 * endpoint needs more than SigV4 (S3 Express, multi-region access points with SigV4a, endpoint
 * headers) and anonymous clients always use the SDK. After three direct failures in a row a pair
 * uses the SDK for the next 100 pages before it tries again, so a server that never answers
 * directly costs little.
 *
 * <p>Requests ask for {@code encoding-type=url} (and so do the SDK fallbacks), so that keys with
 * characters XML cannot carry list as well; the keys come out decoded either way.
 *
 * <h2>What the direct path honours, and where it steps aside</h2>
 * Taken from the client: its endpoint (override, region, path-style or virtual-hosted, as its
 * endpoint provider resolves it), its credentials provider (asked for every request, so rotating
 * credentials work) and SigV4 signing name and region, and its override headers. Shared with the
 * SDK's default HTTP clients: the JVM's proxy properties ({@code http(s).proxyHost},
 * {@code http.nonProxyHosts}, through the default proxy selector) and the JVM's TLS trust and key
 * stores ({@code javax.net.ssl.*}; the default SSL context). {@code AWS_CA_BUNDLE} is read by
 * neither the Java SDK nor this path.
 *
 * <p>Listed through the SDK instead, every page: anonymous clients; endpoints that need more than
 * SigV4 (S3 Express, SigV4a, endpoint headers); clients with a signer of their own or execution
 * interceptors other than the SDK's own ({@link #honoursClient}); and every client while a proxy
 * is set in the environment ({@code HTTPS_PROXY}, {@code HTTP_PROXY}, {@code ALL_PROXY}, any
 * case), which the SDK may use and the JDK's client does not.
 *
 * <p>Not seen by this path, as the client does not reveal it: settings given to the client's own
 * HTTP client (a {@code ProxyConfiguration}, trust managers, TLS key managers, connection limits)
 * and its API call timeouts (a direct request gives up after 60 seconds and falls back). A
 * connection the JVM's defaults cannot make (a proxy that must be used, a private CA) fails and
 * the page goes to the SDK, three such failures in a row pause the pair as said above; a client
 * whose HTTP client must carry every request (e.g. a proxy set there, for auditing) should be
 * listed with the SDK-only lister.
 *
 * <p>Thread-safe; one instance serves any number of listings and clients. {@link Listing}s are
 * not: one listing fetches one page at a time. Close the fetcher to stop its threads.
 */
public final class ListObjectsV2PageFetcher implements AutoCloseable {

    /** How long a direct request may take, headers and body, before its page goes to the SDK. */
    static final Duration DIRECT_TIMEOUT = Duration.ofSeconds(60);
    /** Larger bodies are not S3 listing pages; they go to the SDK. */
    private static final long MAX_BODY_BYTES = 64L << 20;
    private static final String USER_AGENT = "s3recon (ListObjectsV2 direct)";

    private final HttpClient http;
    private final ExecutorService executor;
    private final ScheduledExecutorService timer;
    private final DirectRoute.Table routes = new DirectRoute.Table();
    private final LongAdder directPages = new LongAdder();
    private final LongAdder sdkPages = new LongAdder();
    private final AtomicBoolean closed = new AtomicBoolean();

    private ListObjectsV2PageFetcher() {
        AtomicInteger threads = new AtomicInteger();
        this.executor = Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "s3recon-list-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "s3recon-list-timeouts");
            t.setDaemon(true);
            return t;
        });
        // Almost every timeout is cancelled; do not keep them queued for a minute.
        scheduler.setRemoveOnCancelPolicy(true);
        this.timer = scheduler;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(executor)
                .connectTimeout(Duration.ofSeconds(10)).followRedirects(HttpClient.Redirect.NEVER)
                .proxy(ProxySelector.getDefault() == null ? HttpClient.Builder.NO_PROXY : ProxySelector.getDefault())
                .build();
    }

    /**
     * Creates a fetcher with its own HTTP client and threads (daemon threads, started on demand, one
     * for each page in flight; idle ones end after a minute).
     *
     * @return the fetcher; the caller closes it
     */
    public static ListObjectsV2PageFetcher create() {
        return new ListObjectsV2PageFetcher();
    }

    /**
     * Starts a listing: the pages of one ListObjectsV2 request (with its StartAfter), fetched one
     * after another by continuation token.
     *
     * @param location where to list: client, bucket and prefix; not null
     * @param startAfter the whole key to start after, or null
     * @param maxKeys keys per page, 1 to 1,000
     * @param sdkEntry how a page that falls back to the SDK turns an SDK object into an entry
     *     (relative key), e.g. the SDK lister's own conversion; not null
     * @return the listing
     */
    public Listing listing(S3Location location, String startAfter, int maxKeys, Function<S3Object, ObjectEntry> sdkEntry) {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(sdkEntry, "sdkEntry");
        if (maxKeys < 1 || maxKeys > 1000) {
            throw new IllegalArgumentException("max keys must be 1 to 1000, was " + maxKeys);
        }
        return new Listing(location, startAfter, maxKeys, sdkEntry);
    }

    /**
     * Returns how many pages were fetched and parsed directly.
     *
     * @return the count since creation
     */
    public long directPages() {
        return directPages.sum();
    }

    /**
     * Returns how many pages went through the SDK: first pages of a (client, bucket) pair and
     * fallbacks.
     *
     * @return the count since creation
     */
    public long sdkPages() {
        return sdkPages.sum();
    }

    /** Stops the fetcher's threads; pages in flight go to the SDK or fail. Idempotent. */
    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            timer.shutdownNow();
            executor.shutdownNow();
        }
    }

    /**
     * The pages of one ListObjectsV2 request. Not thread-safe: fetch the next page once the
     * previous one has arrived (it carries the continuation token).
     */
    public final class Listing {
        private final S3Location location;
        private final String startAfter;
        private final int maxKeys;
        private final Function<S3Object, ObjectEntry> sdkEntry;
        private final ListObjectsV2PageParser parser;
        private final AtomicBoolean fetching = new AtomicBoolean();

        private Listing(S3Location location, String startAfter, int maxKeys, Function<S3Object, ObjectEntry> sdkEntry) {
            this.location = location;
            this.startAfter = startAfter;
            this.maxKeys = maxKeys;
            this.sdkEntry = sdkEntry;
            this.parser = new ListObjectsV2PageParser(location.prefix().length());
        }

        /**
         * Fetches one page.
         *
         * @param continuationToken the previous page's NextContinuationToken, or null for the first
         * @return the page; fails with what the SDK failed with (not yet translated)
         * @throws IllegalStateException when the previous page has not arrived yet
         */
        public CompletableFuture<Page> fetch(String continuationToken) {
            if (!fetching.compareAndSet(false, true)) {
                throw new IllegalStateException("fetch the next page of a listing once the previous one has arrived");
            }
            CompletableFuture<Page> page;
            try {
                DirectRoute route = routes.get(location.client(), location.bucket());
                if (route == null || !route.directAllowed()) {
                    // An unknown pair's first page also records where its later pages go.
                    page = viaSdk(continuationToken, route == null);
                } else {
                    CompletableFuture<Page> direct;
                    try {
                        direct = direct(route, continuationToken);
                    } catch (RuntimeException e) {
                        direct = CompletableFuture.failedFuture(e);
                    }
                    page = direct.handle((parsed, failure) -> {
                        if (failure == null) {
                            route.succeeded();
                            directPages.increment();
                            return CompletableFuture.completedFuture(parsed);
                        }
                        route.failed();
                        // Records where the SDK goes now: after a redirect to another region, the
                        // direct path follows.
                        return viaSdk(continuationToken, true);
                    }).thenCompose(Function.identity());
                }
            } catch (RuntimeException e) {
                page = CompletableFuture.failedFuture(e);
            }
            return page.whenComplete((p, e) -> fetching.set(false));
        }

        private CompletableFuture<Page> direct(DirectRoute route, String continuationToken) {
            S3ServiceClientConfiguration config = location.client().serviceClientConfiguration();
            IdentityProvider<? extends AwsCredentialsIdentity> credentials = config.credentialsProvider();
            return credentials.resolveIdentity().thenCompose(identity -> {
                HttpRequest request = signedRequest(route, config.overrideConfiguration(), identity, continuationToken);
                return send(request);
            }).thenApply(response -> {
                if (response.statusCode() != 200 || response.body() == null) {
                    throw new DirectFetchException("HTTP " + response.statusCode());
                }
                return parser.parse(response.body());
            });
        }

        /**
         * Sends on one of the fetcher's threads, blocking it until the body has arrived. Not
         * {@code sendAsync}: it hands every response to CompletableFuture's default executor,
         * which on a machine with two cores or fewer (common pool parallelism 1) starts a new
         * thread for each page.
         */
        private CompletableFuture<HttpResponse<byte[]>> send(HttpRequest request) {
            CompletableFuture<HttpResponse<byte[]>> response = new CompletableFuture<>();
            Future<?> task = executor.submit(() -> {
                try {
                    response.complete(http.send(request, info -> {
                        long length = info.headers().firstValueAsLong("Content-Length").orElse(-1);
                        Optional<String> encoding = info.headers().firstValue("Content-Encoding");
                        boolean readable = info.statusCode() == 200 && length <= MAX_BODY_BYTES
                                && (encoding.isEmpty() || encoding.get().equalsIgnoreCase("identity"));
                        // Any other answer is the SDK's to read; drain it so the connection stays usable.
                        return readable ? BodySubscribers.ofByteArray() : BodySubscribers.replacing(null);
                    }));
                } catch (Throwable e) { // an interrupt is the timeout below
                    response.completeExceptionally(e);
                }
            });
            // The JDK's timeout covers the headers only; a stalled body must not stall the listing.
            ScheduledFuture<?> timeout = timer.schedule(() -> {
                if (response.completeExceptionally(new DirectFetchException("no whole answer in " + DIRECT_TIMEOUT))) {
                    task.cancel(true);
                }
            }, DIRECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            response.whenComplete((r, e) -> timeout.cancel(false));
            return response;
        }

        private HttpRequest signedRequest(DirectRoute route, ClientOverrideConfiguration override,
                AwsCredentialsIdentity identity, String continuationToken) {
            // The parameters the SDK sends for the same page (it also repeats start-after with a
            // continuation token), plus encoding-type=url.
            SdkHttpRequest.Builder unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.GET).uri(route.url())
                    .appendRawQueryParameter("list-type", "2");
            if (route.url().getRawPath() == null || route.url().getRawPath().isEmpty()) {
                unsigned.encodedPath("/");
            }
            if (continuationToken != null) {
                unsigned.appendRawQueryParameter("continuation-token", continuationToken);
            }
            unsigned.appendRawQueryParameter("encoding-type", "url")
                    .appendRawQueryParameter("max-keys", Integer.toString(maxKeys));
            if (!location.prefix().isEmpty()) {
                unsigned.appendRawQueryParameter("prefix", location.prefix());
            }
            if (startAfter != null) {
                unsigned.appendRawQueryParameter("start-after", startAfter);
            }
            override.headers().forEach((name, values) -> values.forEach(v -> unsigned.appendHeader(name, v)));
            SdkHttpRequest signed = route.sign(unsigned.build(), identity);
            // The JDK sends exactly this URI (already encoded as it was signed).
            HttpRequest.Builder request = HttpRequest.newBuilder(signed.getUri()).GET().timeout(DIRECT_TIMEOUT)
                    .header("User-Agent", USER_AGENT);
            signed.forEachHeader((name, values) -> {
                // The JDK writes Host itself, from the same URI, as the signer computed it.
                if (!name.equalsIgnoreCase("Host")) {
                    values.forEach(v -> request.header(name, v));
                }
            });
            return request.build();
        }

        /** Fetches a page through the client; with capture, records the endpoint it resolves. */
        private CompletableFuture<Page> viaSdk(String continuationToken, boolean capture) {
            ListObjectsV2Request.Builder request = ListObjectsV2Request.builder().bucket(location.bucket())
                    .prefix(location.prefix().isEmpty() ? null : location.prefix()).maxKeys(maxKeys)
                    .startAfter(startAfter).continuationToken(continuationToken).encodingType(EncodingType.URL);
            AtomicReference<Endpoint> resolved = new AtomicReference<>();
            // A page the parser left to the SDK for keys that are not UTF-8 is refused here.
            request.overrideConfiguration(o -> {
                o.addPlugin(RawKeyCheck.plugin());
                if (capture) {
                    o.addPlugin(DirectRoute.recordEndpoint(resolved));
                }
            });
            return location.client().listObjectsV2(request.build()).thenApply(response -> {
                sdkPages.increment();
                if (capture) {
                    routes.learn(location.client(), location.bucket(), resolved.get());
                }
                return Page.of(response, sdkEntry);
            });
        }
    }

    /** Thrown inside the direct path; it only ever leads to the SDK fallback. */
    private static final class DirectFetchException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        DirectFetchException(String message) {
            super(message, null, false, false);
        }
    }
}
