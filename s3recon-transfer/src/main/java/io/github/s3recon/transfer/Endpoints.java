package io.github.s3recon.transfer;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.IdentityProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3ServiceClientConfiguration;

/** Tells whether two clients reach the same service as the same principal, so the server can copy. */
final class Endpoints {

    private Endpoints() {
    }

    /**
     * Returns whether a server-side copy from one client's buckets to the other's can work: the
     * same client, or the same endpoint override (or none), region and access key id. Only the key
     * id is compared, never a secret, and neither is kept.
     *
     * @param a one client; not null
     * @param b the other; not null
     * @return true if they are the same service and principal; false when in doubt
     */
    static boolean sameService(S3AsyncClient a, S3AsyncClient b) {
        if (a == b) {
            return true;
        }
        try {
            S3ServiceClientConfiguration ca = a.serviceClientConfiguration();
            S3ServiceClientConfiguration cb = b.serviceClientConfiguration();
            if (!ca.endpointOverride().equals(cb.endpointOverride()) || !Objects.equals(ca.region(), cb.region())) {
                return false;
            }
            String keyA = accessKeyId(ca.credentialsProvider());
            return keyA != null && keyA.equals(accessKeyId(cb.credentialsProvider()));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /**
     * Returns whether a client reaches AWS S3 itself (no endpoint override, or an
     * {@code amazonaws.com} host), which sends {@code x-amz-tagging-count} on GET and HEAD exactly
     * when an object has tags, so that a missing count means none.
     *
     * @param client the client; not null
     * @return true for AWS S3; false for other servers and when in doubt
     */
    static boolean isAwsS3(S3AsyncClient client) {
        try {
            java.util.Optional<java.net.URI> endpoint = client.serviceClientConfiguration().endpointOverride();
            if (endpoint.isEmpty()) {
                return true;
            }
            String host = endpoint.get().getHost();
            return host != null && (host.endsWith(".amazonaws.com") || host.endsWith(".amazonaws.com.cn"));
        } catch (RuntimeException e) {
            return false;
        }
    }

    private static String accessKeyId(IdentityProvider<? extends AwsCredentialsIdentity> provider) {
        if (provider == null) {
            return null;
        }
        try {
            return provider.resolveIdentity().get(10, TimeUnit.SECONDS).accessKeyId();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        } catch (Exception e) {
            return null;
        }
    }
}
