package io.github.s3recon;

import java.net.URI;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.LegacyMd5Plugin;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3AsyncClientBuilder;
import software.amazon.awssdk.services.s3.S3BaseClientBuilder;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/**
 * Builds AWS SDK clients that work against S3-compatible servers (MinIO, Ceph, GCS, S3Mock).
 *
 * <p>Since 2.30 the SDK sends CRC checksums with aws-chunked bodies on every upload and stopped
 * sending {@code Content-MD5}; many S3-compatible servers reject those requests. Clients from here
 * compute and validate checksums only where an operation requires it, send {@code Content-MD5}
 * where S3 used to require it ({@link LegacyMd5Plugin}), and use path-style addressing, which
 * every S3-compatible server accepts. Against AWS itself, build clients as usual.
 *
 * <p>Clients are thread-safe; the caller owns and closes them.
 */
public final class S3Clients {

    private S3Clients() {
    }

    /**
     * Returns an async client for an S3-compatible endpoint.
     *
     * @param endpoint the endpoint, e.g. {@code http://localhost:9000}; not null
     * @param region the signing region; S3-compatible servers mostly accept {@code us-east-1}; not null
     * @param credentials the credentials; not null
     * @return a new client, owned by the caller
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if a parameter is null or
     *     the endpoint lacks a scheme or host
     */
    public static S3AsyncClient asyncClient(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        return configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, region, credentials).build();
    }

    /**
     * Returns a blocking client for an S3-compatible endpoint.
     *
     * @param endpoint the endpoint; not null
     * @param region the signing region; not null
     * @param credentials the credentials; not null
     * @return a new client, owned by the caller
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if a parameter is null or
     *     the endpoint lacks a scheme or host
     */
    public static S3Client client(URI endpoint, Region region, AwsCredentialsProvider credentials) {
        return configureForCompatibleEndpoint(S3Client.builder(), endpoint, region, credentials).build();
    }

    /**
     * Applies the settings for S3-compatible servers to a builder the caller goes on configuring
     * (HTTP client, timeouts, retries).
     *
     * @param builder an {@link S3AsyncClientBuilder} or {@link S3ClientBuilder}; not null
     * @param endpoint the endpoint; not null
     * @param region the signing region; not null
     * @param credentials the credentials; not null
     * @param <B> the builder type
     * @return the same builder
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if a parameter is null or
     *     the endpoint lacks a scheme or host
     */
    public static <B extends S3BaseClientBuilder<B, ?>> B configureForCompatibleEndpoint(B builder, URI endpoint,
            Region region, AwsCredentialsProvider credentials) {
        S3ReconException.requireSetting(builder, "builder");
        S3ReconException.requireSetting(endpoint, "endpoint");
        S3ReconException.requireSetting(region, "region");
        S3ReconException.requireSetting(credentials, "credentials");
        if (endpoint.getScheme() == null || endpoint.getHost() == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "endpoint '" + shown(endpoint)
                    + "' must be an absolute URI with scheme and host, e.g. http://localhost:9000");
        }
        builder.endpointOverride(endpoint)
                .region(region)
                .credentialsProvider(credentials)
                .forcePathStyle(true)
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .addPlugin(LegacyMd5Plugin.create());
        return builder;
    }

    /** A malformed endpoint as it may be shown: without what may be user-info, a query or a fragment. */
    private static String shown(URI endpoint) {
        String text = endpoint.toString();
        int cut = text.indexOf('?') >= 0 ? text.indexOf('?') : text.indexOf('#');
        text = cut >= 0 ? text.substring(0, cut) : text;
        int at = text.lastIndexOf('@');
        return at >= 0 ? "[redacted]@" + text.substring(at + 1) : text;
    }
}
