package io.github.s3recon.inventory;

import java.net.URI;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.endpoints.AwsEndpointAttribute;
import software.amazon.awssdk.awscore.endpoints.authscheme.EndpointAuthScheme;
import software.amazon.awssdk.awscore.endpoints.authscheme.SigV4AuthScheme;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.core.client.config.SdkAdvancedClientOption;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;

/**
 * Where and how requests for one (client, bucket) pair may be sent over the JDK's own HTTP client
 * instead of the SDK's pipeline: the bucket's endpoint as the client's endpoint provider resolved
 * it for an earlier request, and the SigV4 settings of that endpoint. Requests sent so are signed
 * with the client's credentials as the SDK's {@link AwsV4HttpSigner} signs them (by {@link SigV4},
 * tested against it; bodies with a trailing checksum by the SDK's signer itself), so that they are
 * what the client would send, minus the SDK's per-request cost. Clients whose requests the direct path could
 * not reproduce get {@link #SDK_ONLY}. Shared by the fast lister's pages and the transfer's small
 * relays.
 *
 * <p>Thread-safe. A route counts its failures: after {@value #FAILURES_BEFORE_PAUSE} in a row it
 * steps aside for {@value #PAUSED_REQUESTS} requests, which go through the SDK (which then says
 * what is wrong), then tries again.
 */
public final class DirectRoute {

    /** Failures in a row after which a route steps aside for a while. */
    public static final int FAILURES_BEFORE_PAUSE = 3;
    /** How many requests a paused route leaves to the SDK. */
    public static final int PAUSED_REQUESTS = 100;

    /** The route of a pair whose requests always go through the SDK. */
    public static final DirectRoute SDK_ONLY = new DirectRoute(null, null, null, false);

    /**
     * Proxy variables in the environment, which the SDK's HTTP clients may read and the JDK's HTTP
     * client does not (it reads the JVM's {@code http(s).proxyHost} properties, as the SDK's do).
     */
    static final boolean PROXY_IN_ENVIRONMENT = proxyInEnvironment(System.getenv());

    private static final AwsV4HttpSigner SIGNER = AwsV4HttpSigner.create();

    private final URI url;
    private final String signingName;
    private final String signingRegion;
    private final boolean doubleUrlEncode;
    private final SigV4 sigV4;
    private final AtomicInteger failuresInARow = new AtomicInteger();
    private final AtomicInteger pausedRequests = new AtomicInteger();

    private DirectRoute(URI url, String signingName, String signingRegion, boolean doubleUrlEncode) {
        this.url = url;
        this.signingName = signingName;
        this.signingRegion = signingRegion;
        this.doubleUrlEncode = doubleUrlEncode;
        this.sigV4 = url == null ? null : new SigV4(signingRegion, signingName, doubleUrlEncode);
    }

    /**
     * Returns the route of an endpoint the SDK resolved, or {@link #SDK_ONLY} where the direct path
     * would not do what the client does: an endpoint that needs more than SigV4 or headers of its
     * own, an anonymous client, a client with its own signer or execution interceptors, or proxy
     * settings in the environment.
     *
     * @param endpoint what the client's endpoint provider resolved; null gives SDK_ONLY
     * @param client the client; not null
     * @return the route; never null
     */
    public static DirectRoute of(Endpoint endpoint, S3AsyncClient client) {
        S3ServiceClientConfiguration config = client.serviceClientConfiguration();
        if (endpoint == null || endpoint.endpointUrl() == null || !endpoint.headers().isEmpty()
                || config.credentialsProvider() instanceof AnonymousCredentialsProvider
                || !honoursClient(config.overrideConfiguration()) || PROXY_IN_ENVIRONMENT) {
            return SDK_ONLY;
        }
        URI url = endpoint.endpointUrl().toUri();
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return SDK_ONLY;
        }
        String signingName = "s3";
        String signingRegion = config.region() == null ? null : config.region().id();
        // S3 signs without double URL-encoding the path.
        boolean doubleUrlEncode = false;
        List<EndpointAuthScheme> schemes = endpoint.attribute(AwsEndpointAttribute.AUTH_SCHEMES);
        if (schemes != null && !schemes.isEmpty()) {
            if (!(schemes.get(0) instanceof SigV4AuthScheme v4)) {
                return SDK_ONLY;
            }
            if (v4.signingName() != null) {
                signingName = v4.signingName();
            }
            if (v4.signingRegion() != null) {
                signingRegion = v4.signingRegion();
            }
            if (v4.isDisableDoubleEncodingSet()) {
                doubleUrlEncode = !v4.disableDoubleEncoding();
            }
        }
        if (!signingName.equals("s3") || signingRegion == null) {
            return SDK_ONLY;
        }
        return new DirectRoute(url, signingName, signingRegion, doubleUrlEncode);
    }

    /**
     * Returns the bucket's endpoint, e.g. {@code http://host:9000/bucket} (path style) or
     * {@code https://bucket.s3.eu-west-1.amazonaws.com}.
     *
     * @return the URL; null only for {@link #SDK_ONLY}
     */
    public URI url() {
        return url;
    }

    /**
     * Signs a request with SigV4 as the client would, with an unsigned payload
     * ({@code x-amz-content-sha256: UNSIGNED-PAYLOAD}; a body's integrity is the business of its
     * {@code Content-MD5} or checksum header, which is signed): the SDK's signature for the same
     * request, computed by {@link SigV4} at a fraction of the SDK signer's cost.
     *
     * @param unsigned the request with every header it is sent with but Host; not null
     * @param identity the client's credentials, resolved for this request; not null
     * @return the signed request; its URI is exactly what must be sent
     */
    public SdkHttpRequest sign(SdkHttpRequest unsigned, AwsCredentialsIdentity identity) {
        return sign(unsigned, identity, java.time.Instant.now());
    }

    /** {@link #sign(SdkHttpRequest, AwsCredentialsIdentity)} at a given time (for tests). */
    SdkHttpRequest sign(SdkHttpRequest unsigned, AwsCredentialsIdentity identity, java.time.Instant now) {
        return sigV4.sign(unsigned, identity, "UNSIGNED-PAYLOAD", now);
    }

    /**
     * Signs a request whose body goes as {@code aws-chunked} with a trailing checksum and an
     * unsigned payload ({@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}), as the client sends a streamed
     * body with a checksum over HTTPS: the signer frames the body and computes the checksum of the
     * bytes as they pass. Over plain HTTP the SDK's signer would sign every chunk instead, hashing
     * every byte with SHA-256; the signature does not cover the scheme, so an {@code http} request
     * is signed as the same request over {@code https} and sent as it was.
     *
     * @param unsigned the request with every header it is sent with but Host, including the
     *     body's {@code Content-Length}; not null
     * @param identity the client's credentials, resolved for this request; not null
     * @param algorithm the trailing checksum's algorithm; not null
     * @param body the body, read once as the request is written; not null
     * @return the signed request (its {@code Content-Length} is the framed length) and the framed
     *     body; null where the request's Host could not be signed so (an {@code http} URL on port
     *     443: send it another way)
     */
    public software.amazon.awssdk.http.auth.spi.signer.SignedRequest signWithTrailer(SdkHttpRequest unsigned,
            AwsCredentialsIdentity identity, software.amazon.awssdk.checksums.spi.ChecksumAlgorithm algorithm,
            software.amazon.awssdk.http.ContentStreamProvider body) {
        boolean plain = unsigned.protocol().equalsIgnoreCase("http");
        if (plain && unsigned.port() == 443) {
            return null; // as https, the Host header would lose its port
        }
        // Host is "host" for http on 80 and https on 443, "host:port" for any other port on both.
        SdkHttpRequest signable = !plain ? unsigned
                : unsigned.toBuilder().protocol("https").port(unsigned.port() == 80 ? 443 : unsigned.port()).build();
        software.amazon.awssdk.http.auth.spi.signer.SignedRequest signed = SIGNER.sign(r -> r.identity(identity)
                .request(signable).payload(body)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, signingName)
                .putProperty(AwsV4HttpSigner.REGION_NAME, signingRegion)
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, doubleUrlEncode)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, algorithm));
        if (!plain) {
            return signed;
        }
        return signed.toBuilder().request(signed.request().toBuilder().protocol(unsigned.protocol())
                .port(unsigned.port()).build()).build();
    }

    /**
     * Tells whether this request may go direct; a paused route says no (and counts the request).
     *
     * @return false for {@link #SDK_ONLY} and while paused
     */
    public boolean directAllowed() {
        if (this == SDK_ONLY) {
            return false;
        }
        // Racy by a request or two under concurrency, which does not matter.
        if (pausedRequests.get() > 0) {
            pausedRequests.decrementAndGet();
            return false;
        }
        return true;
    }

    /** Records a direct request that worked. */
    public void succeeded() {
        failuresInARow.set(0);
    }

    /** Records a direct request that did not, which its caller then sent through the SDK. */
    public void failed() {
        if (failuresInARow.incrementAndGet() >= FAILURES_BEFORE_PAUSE) {
            pausedRequests.set(PAUSED_REQUESTS);
            // One more failure after the pause pauses again.
            failuresInARow.set(FAILURES_BEFORE_PAUSE - 1);
        }
    }

    boolean sameAs(DirectRoute other) {
        return this == other || (url != null && url.equals(other.url) && signingName.equals(other.signingName)
                && signingRegion.equals(other.signingRegion) && doubleUrlEncode == other.doubleUrlEncode);
    }

    /**
     * Returns a plugin for one SDK request that records the endpoint the client's provider
     * resolves for it, to learn a route from.
     *
     * @param resolved where to record it; not null
     * @return the plugin
     */
    public static SdkPlugin recordEndpoint(AtomicReference<Endpoint> resolved) {
        return config -> {
            if (config instanceof S3ServiceClientConfiguration.Builder s3
                    && s3.endpointProvider() instanceof S3EndpointProvider provider) {
                s3.endpointProvider((S3EndpointProvider) params -> provider.resolveEndpoint(params)
                        .thenApply(endpoint -> {
                            resolved.set(endpoint);
                            return endpoint;
                        }));
            }
        };
    }

    static boolean proxyInEnvironment(Map<String, String> environment) {
        for (String name : List.of("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY")) {
            for (String spelled : List.of(name, name.toLowerCase(Locale.ROOT))) {
                String value = environment.get(spelled);
                if (value != null && !value.isBlank()) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * Whether a direct request is what the client would send: no signer of the user's own
     * ({@code SdkAdvancedClientOption.SIGNER}) and no execution interceptor but the SDK's own
     * (those of {@code software.amazon.awssdk}, e.g. {@code LegacyMd5Plugin}'s, which adds the
     * {@code Content-MD5} that direct writes always carry): a user's interceptor may change the
     * request, so such clients go through the SDK.
     */
    static boolean honoursClient(ClientOverrideConfiguration override) {
        if (override == null) {
            return true;
        }
        if (override.advancedOption(SdkAdvancedClientOption.SIGNER).isPresent()) {
            return false;
        }
        for (ExecutionInterceptor interceptor : override.executionInterceptors()) {
            if (!interceptor.getClass().getName().startsWith("software.amazon.awssdk.")) {
                return false;
            }
        }
        return true;
    }

    /**
     * The routes learned so far, per client and bucket. Weak keys: a client the caller dropped
     * takes its routes with it. Thread-safe.
     */
    public static final class Table {
        private final Map<S3AsyncClient, Map<String, DirectRoute>> routes =
                Collections.synchronizedMap(new WeakHashMap<>());

        /**
         * Returns the route learned for a pair.
         *
         * @param client the client; not null
         * @param bucket the bucket; not null
         * @return the route, or null if none was learned yet (send through the SDK and learn one)
         */
        public DirectRoute get(S3AsyncClient client, String bucket) {
            Map<String, DirectRoute> byBucket = routes.get(client);
            return byBucket == null ? null : byBucket.get(bucket);
        }

        /**
         * Learns a pair's route from the endpoint an SDK request resolved. The same route again
         * keeps its failure count, so that a pair failing directly pauses.
         *
         * @param client the client; not null
         * @param bucket the bucket; not null
         * @param endpoint the endpoint, or null (the pair then stays with the SDK)
         */
        public void learn(S3AsyncClient client, String bucket, Endpoint endpoint) {
            DirectRoute route = of(endpoint, client);
            routes.computeIfAbsent(client, c -> new ConcurrentHashMap<>())
                    .merge(bucket, route, (old, fresh) -> old.sameAs(fresh) ? old : fresh);
        }
    }
}
