package io.github.s3recon.cli;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3ReconException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import picocli.CommandLine.Option;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.ProfileCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.profiles.ProfileFile;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;

/**
 * Where each side's server is and which credentials reach it, the way operators configure the
 * AWS CLI: flags for both sides, flags per side, then the standard {@code AWS_*} variables and
 * {@code ~/.aws} files through the SDK's default providers. Credentials are never taken from a
 * flag, so they never show in a process list.
 *
 * <p>An endpoint (a flag, {@code AWS_ENDPOINT_URL_S3} or {@code AWS_ENDPOINT_URL}) means an
 * S3-compatible server: its client gets path-style addressing, checksums only when required and
 * {@code Content-MD5} ({@link S3Clients}). Without one, the client is an ordinary AWS client.
 * A picocli mixin; not thread-safe.
 */
public final class ConnectionOptions {

    /** The connection pool of each client unless {@code --max-connections} says otherwise. */
    static final int DEFAULT_MAX_CONNECTIONS = 256;

    @Option(names = "--endpoint-url", paramLabel = "URL",
            description = "S3-compatible endpoint of both sides, e.g. http://localhost:9000 "
                    + "(default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, else AWS S3)")
    String endpoint;

    @Option(names = "--source-endpoint-url", paramLabel = "URL", description = "endpoint of the source only")
    String sourceEndpoint;

    @Option(names = "--destination-endpoint-url", paramLabel = "URL", description = "endpoint of the destination only")
    String destinationEndpoint;

    @Option(names = "--profile", paramLabel = "NAME",
            description = "profile of ~/.aws/credentials and ~/.aws/config for both sides "
                    + "(default: AWS_PROFILE, else the SDK's default chain: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, "
                    + "profiles, SSO, instance roles)")
    String profile;

    @Option(names = "--source-profile", paramLabel = "NAME", description = "profile of the source only")
    String sourceProfile;

    @Option(names = "--destination-profile", paramLabel = "NAME", description = "profile of the destination only")
    String destinationProfile;

    @Option(names = "--region", paramLabel = "REGION",
            description = "signing region of both sides (default: AWS_REGION, the profile's region, else us-east-1)")
    String region;

    @Option(names = "--source-region", paramLabel = "REGION", description = "region of the source only")
    String sourceRegion;

    @Option(names = "--destination-region", paramLabel = "REGION", description = "region of the destination only")
    String destinationRegion;

    @Option(names = "--max-connections", paramLabel = "N",
            description = "connection pool of each client (default: " + DEFAULT_MAX_CONNECTIONS + ")")
    Integer maxConnections;

    /** The side a client is for. */
    enum Side { SOURCE, DESTINATION }

    /** What identifies one client: two sides with equal settings share it (and copy server-side). */
    private record Settings(URI endpoint, String profile, Region region) {
    }

    /**
     * Opens the clients of both sides: one shared client when both sides have the same settings.
     *
     * @param env the environment, for {@code AWS_ENDPOINT_URL*}; not null
     * @return the clients; close them
     * @throws S3ReconException with {@code INVALID_CONFIGURATION} naming the flag of a malformed value
     */
    Clients open(Map<String, String> env) {
        Settings source = settings(Side.SOURCE, env);
        Settings destination = settings(Side.DESTINATION, env);
        Map<Settings, S3AsyncClient> opened = new LinkedHashMap<>();
        // The clients' event loops, closed by Clients.close() at once: a client closing event loops
        // of its own waits two seconds (Netty's quiet period) before the command can end.
        SdkEventLoopGroup loops = SdkEventLoopGroup.builder().build();
        try {
            S3AsyncClient s = opened.computeIfAbsent(source, settings -> client(settings, loops));
            S3AsyncClient d = opened.computeIfAbsent(destination, settings -> client(settings, loops));
            return new Clients(s, d, new ArrayList<>(opened.values()), loops);
        } catch (RuntimeException e) {
            opened.values().forEach(S3AsyncClient::close);
            shutDown(loops);
            throw e;
        }
    }

    /**
     * Opens the client of the source only.
     *
     * @param env the environment; not null
     * @return the client; close it
     */
    S3AsyncClient openSource(Map<String, String> env) {
        return client(settings(Side.SOURCE, env), null);
    }

    /** Stops event loops with no quiet period (every client using them is closed), waiting a few seconds at most. */
    private static void shutDown(SdkEventLoopGroup loops) {
        loops.eventLoopGroup().shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly(5_000);
    }

    /**
     * Returns what names a side's server in the default work directory's name: its endpoint
     * (without user-info), or "aws" and the region. Never a credential.
     */
    String serverIdentity(Side side, Map<String, String> env) {
        Settings s = settings(side, env);
        return s.endpoint() != null ? Redact.endpoint(s.endpoint()) : "aws:" + s.region().id();
    }

    private Settings settings(Side side, Map<String, String> env) {
        boolean src = side == Side.SOURCE;
        String endpointFlag = src ? "--source-endpoint-url" : "--destination-endpoint-url";
        String e = src ? sourceEndpoint : destinationEndpoint;
        if (e == null) {
            e = endpoint;
            endpointFlag = "--endpoint-url";
        }
        if (e == null) {
            e = env.get("AWS_ENDPOINT_URL_S3");
            endpointFlag = "AWS_ENDPOINT_URL_S3";
        }
        if (e == null) {
            e = env.get("AWS_ENDPOINT_URL");
            endpointFlag = "AWS_ENDPOINT_URL";
        }
        URI uri = e == null || e.isBlank() ? null : endpoint(e, endpointFlag);
        String p = first(src ? sourceProfile : destinationProfile, profile);
        String r = first(src ? sourceRegion : destinationRegion, region);
        return new Settings(uri, p, r != null ? region(r, src ? "--source-region" : "--destination-region")
                : defaultRegion(p, env));
    }

    private static URI endpoint(String text, String flag) {
        URI uri;
        try {
            uri = new URI(text.trim());
        } catch (URISyntaxException e) {
            throw S3ReconException.invalidConfiguration(flag, Redact.text(text),
                    "must be a URL like http://localhost:9000");
        }
        if (uri.getRawUserInfo() != null) {
            throw S3ReconException.invalidConfiguration(flag, Redact.text(text),
                    "must not hold credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY or use --profile");
        }
        if (uri.getScheme() == null || uri.getHost() == null
                || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))) {
            throw S3ReconException.invalidConfiguration(flag, Redact.text(text),
                    "must be an http or https URL with a host, like http://localhost:9000");
        }
        return uri;
    }

    private static Region region(String id, String flag) {
        if (!id.matches("[a-z0-9-]{1,64}")) {
            throw S3ReconException.invalidConfiguration(flag, id, "must be a region name like us-east-1");
        }
        return Region.of(id);
    }

    /**
     * AWS_REGION, AWS_DEFAULT_REGION, the profile's region, else us-east-1. Not the SDK's chain:
     * its last step asks the EC2 instance metadata service, which costs seconds off EC2.
     */
    private static Region defaultRegion(String profile, Map<String, String> env) {
        for (String name : new String[] {"AWS_REGION", "AWS_DEFAULT_REGION"}) {
            String r = env.get(name);
            if (r != null && !r.isBlank()) {
                return region(r.trim(), name);
            }
        }
        try {
            String name = profile != null ? profile : env.getOrDefault("AWS_PROFILE", "default");
            return ProfileFile.defaultProfileFile().profile(name).flatMap(p -> p.property("region"))
                    .map(r -> region(r.trim(), "region of profile " + name)).orElse(Region.US_EAST_1);
        } catch (RuntimeException unreadable) {
            return Region.US_EAST_1;
        }
    }

    private S3AsyncClient client(Settings s, SdkEventLoopGroup loops) {
        int pool = maxConnections == null ? DEFAULT_MAX_CONNECTIONS : maxConnections;
        if (pool < 1) {
            throw S3ReconException.invalidConfiguration("--max-connections", pool, "must be 1 or more");
        }
        AwsCredentialsProvider credentials = s.profile() != null
                ? ProfileCredentialsProvider.builder().profileName(s.profile()).build()
                : DefaultCredentialsProvider.builder().build();
        try {
            credentials.resolveCredentials();
        } catch (RuntimeException none) {
            throw new S3ReconException(ErrorCode.INVALID_CREDENTIALS, "no credentials found"
                    + (s.profile() != null ? " in profile '" + s.profile() + "'" : "")
                    + ": set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or pass --profile "
                    + "(--source-profile, --destination-profile)");
        }
        NettyNioAsyncHttpClient.Builder http = NettyNioAsyncHttpClient.builder().maxConcurrency(pool);
        if (loops != null) {
            http.eventLoopGroup(loops);
        }
        S3AsyncClientBuilder b = S3AsyncClient.builder().httpClientBuilder(http);
        if (s.endpoint() != null) {
            S3Clients.configureForCompatibleEndpoint(b, s.endpoint(), s.region(), credentials);
        } else {
            b.region(s.region()).credentialsProvider(credentials);
        }
        return b.build();
    }

    private static String first(String a, String b) {
        return a != null ? a : b;
    }

    /**
     * The clients of both sides.
     *
     * @param source the source's client
     * @param destination the destination's client (the same instance when the settings are equal)
     * @param owned every distinct client, closed by {@link #close()}
     * @param loops the clients' event loops, stopped by {@link #close()} after the clients
     */
    record Clients(S3AsyncClient source, S3AsyncClient destination, List<S3AsyncClient> owned,
            SdkEventLoopGroup loops) implements AutoCloseable {
        Clients {
            Objects.requireNonNull(source);
            Objects.requireNonNull(destination);
            Objects.requireNonNull(loops);
        }

        @Override
        public void close() {
            try {
                owned.forEach(S3AsyncClient::close);
            } finally {
                shutDown(loops);
            }
        }
    }
}
