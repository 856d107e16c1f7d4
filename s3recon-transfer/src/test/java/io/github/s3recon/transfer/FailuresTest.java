package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.net.SocketException;
import java.net.URI;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

class FailuresTest {

    private static final S3AsyncClient CLIENT = S3Clients.asyncClient(URI.create("http://127.0.0.1:9"),
            Region.US_EAST_1, AnonymousCredentialsProvider.create());
    private static final S3Location SOURCE = S3Location.of(CLIENT, "photos-old", "2024/");
    private static final S3Location DESTINATION = S3Location.of(CLIENT, "photos-new");

    @AfterAll
    static void close() {
        CLIENT.close();
    }

    static S3Exception s3(int status, String code, String message) {
        return (S3Exception) S3Exception.builder().statusCode(status).message(message)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode(code).errorMessage(message).build()).build();
    }

    @Test
    void throttlingServerErrorsAndBrokenConnectionsAreTransient() {
        assertThat(Failures.isTransient(s3(503, "SlowDown", "Please reduce your request rate."))).isTrue();
        assertThat(Failures.isTransient(s3(500, "InternalError", "oops"))).isTrue();
        assertThat(Failures.isTransient(s3(502, null, null))).isTrue();
        assertThat(Failures.isTransient(s3(504, null, null))).isTrue();
        assertThat(Failures.isTransient(s3(400, "RequestTimeout", "Your socket connection was not read"))).isTrue();
        assertThat(Failures.isTransient(SdkClientException.create("Unable to execute HTTP request",
                new SocketException("Connection reset")))).isTrue();
        assertThat(Failures.isTransient(new IOException("reset"))).isTrue();
        assertThat(Failures.isTransient(new ChecksumMismatchException("damaged"))).isTrue();
        // However wrapped.
        assertThat(Failures.isTransient(new CompletionException(new StepException(step(true, "GetObject"),
                s3(503, "SlowDown", "slow"))))).isTrue();
    }

    @Test
    void clientErrorsChangedSourcesAndCancellationsArePermanent() {
        assertThat(Failures.isTransient(s3(403, "AccessDenied", "Access Denied"))).isFalse();
        assertThat(Failures.isTransient(s3(404, "NoSuchKey", "The specified key does not exist."))).isFalse();
        assertThat(Failures.isTransient(s3(400, "InvalidArgument", "bad"))).isFalse();
        assertThat(Failures.isTransient(s3(412, "PreconditionFailed", "etag"))).isFalse();
        assertThat(Failures.isTransient(new SourceChangedException("its ETag is now x"))).isFalse();
        assertThat(Failures.isTransient(SdkClientException.create("body failed", new SourceChangedException("x"))))
                .isFalse();
        assertThat(Failures.isTransient(new CancellationException())).isFalse();
        assertThat(Failures.isTransient(SdkClientException.create("Unable to load credentials from any provider")))
                .isFalse();
        assertThat(Failures.isClientError(s3(403, "AccessDenied", "no"))).isTrue();
        assertThat(Failures.isClientError(s3(429, "TooManyRequests", "no"))).isFalse();
    }

    @Test
    void anErrorWithoutABodyIsJudgedByItsStatus() {
        // A HEAD's error response has no body, hence no S3 error code.
        S3Exception bodyless = (S3Exception) S3Exception.builder().statusCode(503).build();
        assertThat(Failures.isTransient(bodyless)).isTrue();
        assertThat(Failures.isThrottle(bodyless)).isTrue();
        assertThat(Failures.isUnsupportedOption(bodyless)).isFalse();
        assertThat(Failures.reason(bodyless)).isEqualTo("503");
        S3Exception forbidden = (S3Exception) S3Exception.builder().statusCode(403).build();
        assertThat(Failures.isTransient(forbidden)).isFalse();
        assertThat(Failures.describe(ErrorCode.COPY_FAILED, "a.jpg", new StepException(step(true, "HeadObject"),
                forbidden, 1, false)).getMessage()).contains("HeadObject of s3://photos-old/2024/a.jpg", "(403)",
                "s3:GetObject");
    }

    @Test
    void onlyThrottlingLowersTheConcurrency() {
        assertThat(Failures.isThrottle(s3(503, "SlowDown", "slow"))).isTrue();
        assertThat(Failures.isThrottle(s3(429, "TooManyRequests", "slow"))).isTrue();
        assertThat(Failures.isThrottle(s3(400, "ThrottlingException", "slow"))).isTrue();
        assertThat(Failures.isThrottle(s3(500, "InternalError", "oops"))).isFalse();
        assertThat(Failures.isThrottle(new IOException("reset"))).isFalse();
    }

    @Test
    void recognisesAServerThatRejectsAChecksumOption() {
        assertThat(Failures.isUnsupportedOption(s3(501, "NotImplemented", "trailers are not supported"))).isTrue();
        assertThat(Failures.isUnsupportedOption(s3(400, "InvalidRequest", "x-amz-checksum-type is not supported")))
                .isTrue();
        assertThat(Failures.isUnsupportedOption(s3(400, "BadRequest", "aws-chunked encoding is not supported")))
                .isTrue();
        assertThat(Failures.isUnsupportedOption(s3(403, "AccessDenied", "checksum"))).isFalse();
        // Damaged bytes are not an option the server lacks.
        S3Exception badDigest = s3(400, "BadDigest", "The CRC64NVME you specified did not match the calculated checksum.");
        assertThat(Failures.isUnsupportedOption(badDigest)).isFalse();
        assertThat(Failures.isDigestRejected(badDigest)).isTrue();
        assertThat(Failures.isDigestRejected(s3(400, "InvalidRequest", "The checksum you specified did not match")))
                .isTrue();
        assertThat(Failures.isDigestRejected(s3(400, "InvalidRequest", "x-amz-checksum-type is not supported")))
                .isFalse();
        assertThat(Failures.isUnsupportedOption(s3(400, "EntityTooLarge", "too large"))).isFalse();
        assertThat(Failures.isNotImplemented(s3(501, "NotImplemented", "tagging"))).isTrue();
        assertThat(Failures.isNotImplemented(s3(405, "MethodNotAllowed", "tagging"))).isTrue();
    }

    @Test
    void retryReasonsAreShortAndCarryNoSecrets() {
        assertThat(Failures.reason(s3(503, "SlowDown", "Please reduce your request rate."))).isEqualTo("503 SlowDown");
        assertThat(Failures.reason(SdkClientException.create("Unable to execute HTTP request",
                new SocketException("Connection reset")))).isEqualTo("SocketException: Connection reset");
    }

    private static Step step(boolean source, String operation) {
        return source ? new Step(SOURCE, true, operation, "2024/a.jpg", null)
                : new Step(DESTINATION, false, operation, "a.jpg", null);
    }

    @Test
    void anObjectsFailureNamesTheRequestTheBucketTheKeyTheServersWordsAndTheFix() {
        S3ReconException denied = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(step(false, "PutObject"), s3(403, "AccessDenied", "Access Denied"), 1, false));
        assertThat(denied.code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(denied.getMessage()).isEqualTo("copying 'a.jpg' failed: PutObject of s3://photos-new/a.jpg at "
                + "http://127.0.0.1:9 (the destination) failed (403 AccessDenied: Access Denied); grant the "
                + "destination's credentials s3:PutObject (and s3:PutObjectTagging for tagged objects) on bucket "
                + "'photos-new'");
        assertThat(denied.getCause()).isInstanceOf(S3Exception.class);

        S3ReconException gone = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(step(true, "GetObject"), s3(404, "NoSuchKey", "The specified key does not exist."),
                        1, false));
        assertThat(gone.code()).isEqualTo(ErrorCode.COPY_FAILED);
        assertThat(gone.getMessage()).contains("GetObject of s3://photos-old/2024/a.jpg", "(the source)",
                "404 NoSuchKey", "deleted from the source after it was listed");

        S3ReconException copyGone = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(new Step(DESTINATION, false, "CopyObject", "a.jpg", "s3://photos-old/2024/a.jpg"),
                        s3(404, "NoSuchKey", "gone"), 1, false));
        assertThat(copyGone.getMessage()).contains("CopyObject of s3://photos-old/2024/a.jpg to s3://photos-new/a.jpg",
                "deleted from the source");

        S3ReconException throttled = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(step(false, "UploadPart"), s3(503, "SlowDown", "Please reduce"), 10, true));
        assertThat(throttled.getMessage()).contains("after 10 attempts", "503 SlowDown",
                "lower the scheduler's concurrency or request rate");

        S3ReconException changed = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(step(true, "HeadObject"), s3(412, "PreconditionFailed", "At least one"), 1, false));
        assertThat(changed.getMessage()).contains("412", "changed after it was listed", "run again");

        S3ReconException noBucket = Failures.describe(ErrorCode.DELETE_FAILED, "a.jpg",
                new StepException(step(false, "DeleteObject"), s3(404, "NoSuchBucket", "no bucket"), 1, false));
        assertThat(noBucket.code()).isEqualTo(ErrorCode.BUCKET_NOT_FOUND);
        assertThat(noBucket.getMessage()).startsWith("deleting 'a.jpg' failed").contains("bucket 'photos-new' does "
                + "not exist: create it");

        S3ReconException credentials = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(step(true, "GetObject"), s3(403, "InvalidAccessKeyId", "unknown key"), 1, false));
        assertThat(credentials.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
        assertThat(credentials.getMessage()).contains("the source's credentials were rejected");

        S3ReconException unreachable = Failures.describe(ErrorCode.COPY_FAILED, "a.jpg",
                new StepException(step(true, "GetObject"), SdkClientException.create("Unable to execute HTTP request",
                        new java.net.ConnectException("Connection refused")), 10, true));
        assertThat(unreachable.code()).isEqualTo(ErrorCode.ENDPOINT_UNREACHABLE);
        assertThat(unreachable.getMessage()).contains("after 10 attempts", "ConnectException: Connection refused",
                "check that the endpoint is reachable");
    }
}
