package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.S3Clients;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

class EmbeddedS3ProxyTest {

    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.UTF_8);

    private static S3Client clientWith(EmbeddedS3Proxy server, String accessKey, String secretKey) {
        return S3Clients.client(server.endpoint(), EmbeddedS3.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    }

    @Test
    void checksSignaturesWhenGivenCredentials() {
        try (EmbeddedS3Proxy server = EmbeddedS3Proxy.withCredentials("right-access", "right-secret")) {
            server.createBucket("bkt");
            server.put("bkt", "k", HELLO);
            assertThat(server.client().getObjectAsBytes(g -> g.bucket("bkt").key("k")).asByteArray()).isEqualTo(HELLO);

            try (S3Client wrongSecret = clientWith(server, "right-access", "wrong-secret");
                    S3Client wrongKey = clientWith(server, "wrong-access", "right-secret")) {
                assertThatThrownBy(() -> wrongSecret.getObjectAsBytes(g -> g.bucket("bkt").key("k")))
                        .isInstanceOfSatisfying(S3Exception.class, e -> {
                            assertThat(e.statusCode()).isEqualTo(403);
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                        });
                assertThatThrownBy(() -> wrongSecret.putObject(p -> p.bucket("bkt").key("other"),
                        RequestBody.fromBytes(HELLO)))
                        .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
                assertThatThrownBy(() -> wrongKey.listObjectsV2(l -> l.bucket("bkt")))
                        .isInstanceOfSatisfying(S3Exception.class, e -> {
                            assertThat(e.statusCode()).isEqualTo(403);
                            assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId");
                        });
            }
            assertThat(server.client().listObjectsV2(l -> l.bucket("bkt")).contents()).hasSize(1);
        }
    }

    @Test
    void acceptsAnyCredentialsByDefault() {
        try (EmbeddedS3Proxy server = EmbeddedS3Proxy.start();
                S3Client other = clientWith(server, "any", "thing")) {
            server.createBucket("bkt");
            server.put("bkt", "k", HELLO);
            assertThat(other.getObjectAsBytes(g -> g.bucket("bkt").key("k")).asByteArray()).isEqualTo(HELLO);
        }
    }

    @Test
    void answersPartNumberQuestionsOnMultipartObjectsWithNotImplemented() {
        // The quirk HeadLookup has to cope with (documented on EmbeddedS3Proxy).
        try (EmbeddedS3Proxy server = EmbeddedS3Proxy.start()) {
            server.createBucket("bkt");
            server.putMultipart("bkt", "m", new byte[EmbeddedS3.MIN_PART_SIZE + 10], EmbeddedS3.MIN_PART_SIZE);
            assertThat(server.client().headObject(h -> h.bucket("bkt").key("m")).eTag()).endsWith("-2\"");
            assertThatThrownBy(() -> server.client().headObject(h -> h.bucket("bkt").key("m").partNumber(1)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(501));
        }
    }

    @Test
    void listsInUtf16OrderAndHasNoTagging() {
        try (EmbeddedS3Proxy server = EmbeddedS3Proxy.start()) {
            server.createBucket("bkt");
            server.put("bkt", "\uFFFD", HELLO);
            server.put("bkt", "\uD83D\uDE00", HELLO);
            // UTF-8 byte order would put U+FFFD (EF BF BD) before U+1F600 (F0 9F 98 80).
            assertThat(server.client().listObjectsV2(l -> l.bucket("bkt")).contents())
                    .extracting(o -> o.key()).containsExactly("\uD83D\uDE00", "\uFFFD");
            assertThatThrownBy(() -> server.client().getObjectTagging(g -> g.bucket("bkt").key("\uFFFD")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(501));
        }
    }

    @Test
    void rejectsBadArguments() {
        assertThatThrownBy(() -> EmbeddedS3Proxy.withCredentials("", "s")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> EmbeddedS3Proxy.start(0, "a", null, null)).isInstanceOf(IllegalArgumentException.class);
    }
}
