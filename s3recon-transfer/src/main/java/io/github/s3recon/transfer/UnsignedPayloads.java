package io.github.s3recon.transfer;

import java.util.concurrent.CompletableFuture;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.core.SdkPlugin;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.scheme.AwsV4AuthScheme;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignRequest;
import software.amazon.awssdk.http.auth.spi.signer.AsyncSignedRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignRequest;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.identity.spi.IdentityProviders;

/**
 * Signs the relayed writes (PutObject, UploadPart) over plain HTTP as over HTTPS: headers signed,
 * the body not ({@code UNSIGNED-PAYLOAD}, or {@code STREAMING-UNSIGNED-PAYLOAD-TRAILER} with a
 * checksum trailer). Over HTTP the SDK otherwise signs every chunk of the body, SHA-256 over every
 * byte plus an HMAC per chunk, which took a large share of a relay's CPU. Used only on requests
 * whose body carries a checksum (a trailer, or Content-MD5) that the server checks, so that a
 * corrupted body is still refused; what payload signing adds over that is protection against a
 * tampering man in the middle, which plain HTTP gives up anyway (it can read and answer as the
 * server).
 *
 * <p>The signer signs a copy of the request marked {@code https} (the signature covers the
 * method, path, query and headers, not the scheme) and returns it marked {@code http} again. Not
 * applied to endpoints on a default port, where the Host header the signer computes for HTTPS would
 * differ. Stateless and thread-safe.
 */
final class UnsignedPayloads {

    private static final Signer SIGNER = new Signer();
    private static final SdkPlugin PLUGIN = config -> config.putAuthScheme(new Scheme());

    private UnsignedPayloads() {
    }

    /**
     * Returns an override configuration that adds this signing to another.
     *
     * @param base the override configuration to extend; not null
     * @return a new configuration
     */
    static AwsRequestOverrideConfiguration on(AwsRequestOverrideConfiguration base) {
        return base.toBuilder().addPlugin(PLUGIN).build();
    }

    /** The signer, for tests. */
    static AwsV4HttpSigner signer() {
        return SIGNER;
    }

    private static boolean plainHttp(SdkHttpRequest request) {
        return "http".equals(request.protocol()) && request.port() != 80 && request.port() > 0;
    }

    private static SdkHttpRequest as(SdkHttpRequest request, String protocol) {
        int port = request.port();
        return request.toBuilder().protocol(protocol).port(port).build();
    }

    private static final class Scheme implements AwsV4AuthScheme {
        @Override
        public String schemeId() {
            return AwsV4AuthScheme.SCHEME_ID;
        }

        @Override
        public IdentityProvider<AwsCredentialsIdentity> identityProvider(IdentityProviders providers) {
            return providers.identityProvider(AwsCredentialsIdentity.class);
        }

        @Override
        public AwsV4HttpSigner signer() {
            return SIGNER;
        }
    }

    private static final class Signer implements AwsV4HttpSigner {
        private final AwsV4HttpSigner delegate = AwsV4HttpSigner.create();

        @Override
        public SignedRequest sign(SignRequest<? extends AwsCredentialsIdentity> request) {
            if (!plainHttp(request.request())) {
                return delegate.sign(request);
            }
            SignedRequest signed = delegate.sign(copy(request, as(request.request(), "https")));
            return signed.copy(b -> b.request(as(signed.request(), "http")));
        }

        @Override
        public CompletableFuture<AsyncSignedRequest> signAsync(AsyncSignRequest<? extends AwsCredentialsIdentity> request) {
            if (!plainHttp(request.request())) {
                return delegate.signAsync(request);
            }
            return delegate.signAsync(copy(request, as(request.request(), "https")))
                    .thenApply(signed -> signed.copy(b -> b.request(as(signed.request(), "http"))));
        }

        @SuppressWarnings("unchecked")
        private static <T extends AwsCredentialsIdentity> SignRequest<T> copy(SignRequest<T> request,
                SdkHttpRequest http) {
            return request.copy(b -> b.request(http));
        }

        @SuppressWarnings("unchecked")
        private static <T extends AwsCredentialsIdentity> AsyncSignRequest<T> copy(AsyncSignRequest<T> request,
                SdkHttpRequest http) {
            return request.copy(b -> b.request(http));
        }
    }
}
