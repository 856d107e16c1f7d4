package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.S3Clients;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Method;
import java.time.Duration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** {@link Fault#error}: any S3 error answer, e.g. the credential errors that the embedded server never gives. */
class FaultInjectingProxyErrorTest {

    private static final String BUCKET = "testkit-fault-proxy-error";

    private static final EmbeddedS3 s3 = EmbeddedS3.shared();

    @BeforeAll
    static void createBucket() {
        s3.createBucket(BUCKET);
    }

    private static S3Client noRetryClient(FaultInjectingProxy proxy) {
        return S3Clients.configureForCompatibleEndpoint(S3Client.builder(), proxy.endpoint(), EmbeddedS3.REGION,
                EmbeddedS3.credentials()).overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @Test
    void answersWithTheGivenStatusCodeAndMessageWithoutForwarding() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.error(1.0, 403,
                "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided."));
                S3Client client = noRetryClient(proxy)) {
            assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(BUCKET)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SignatureDoesNotMatch");
                        assertThat(e.awsErrorDetails().errorMessage()).startsWith("The request signature");
                    });
            // A HEAD gets the status without a body, as from S3.
            assertThatThrownBy(() -> client.headBucket(b -> b.bucket(BUCKET)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(403));
            assertThat(proxy.injectedCount(Fault.Kind.ERROR)).isEqualTo(2);
            assertThat(proxy.forwardedCount()).isZero();
        }
    }

    @Test
    void limitedToAMethodTheOthersAreForwarded() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.error(1.0, 404, "NoSuchBucket", "The specified bucket does not exist").onlyFor(Method.PUT));
                S3Client client = noRetryClient(proxy)) {
            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key("k"), RequestBody.fromString("x")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(404);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchBucket");
                    });
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET)).contents()).isEmpty();
            assertThat(proxy.forwardedCount()).isOne();
            assertThat(proxy.objectWrites(BUCKET, "k")).isZero();
        }
    }

    @Test
    void repliesAreValidatedAtOnceWithTheValue() {
        assertThatThrownBy(() -> Fault.error(1.0, 200, "Ok", "fine")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 200");
        assertThatThrownBy(() -> Fault.error(1.0, 403, " ", "m")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Fault.error(1.0, 403, "A<b>", "m")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("A<b>");
        assertThatThrownBy(() -> new Fault(Fault.Kind.ERROR, 1.0, 0, Duration.ZERO, r -> true))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("needs a reply");
        assertThat(Fault.error(0.5, 500, "X", "y").onlyFor(Method.GET).reply())
                .isEqualTo(new Fault.ErrorReply(500, "X", "y"));
    }
}
