package io.github.s3recon.internal;

import io.github.s3recon.S3Errors;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The translation of failures as the SDK reports them (exception chains built as the SDK builds
 * them; the end-to-end cases against real sockets are in UnreachableEndpointTest): each network
 * failure has its own code wherever its cause sits, and nothing secret is quoted.
 */
class S3ErrorsTest {

    private static S3AsyncClient client;
    private static S3Location location;

    @BeforeAll
    static void client() {
        client = S3AsyncClient.builder().region(Region.US_EAST_1).credentialsProvider(AnonymousCredentialsProvider.create())
                .endpointOverride(URI.create("http://AKIAABCDEFGHIJKLMNOP:s3cr3t@minio.example.com:9000/?token=t0k"))
                .forcePathStyle(true).build();
        location = S3Location.of(client, "bkt", "p/");
    }

    @AfterAll
    static void close() {
        client.close();
    }

    private static S3ReconException translate(Throwable t) {
        S3ReconException e = S3Errors.translate(new CompletionException(t), location, "listing");
        assertThat(e.getMessage()).contains("bucket 'bkt' at http://minio.example.com:9000/").doesNotContain("s3cr3t")
                .doesNotContain("AKIA").doesNotContain("t0k");
        return e;
    }

    @Test
    void anUnknownHostAnywhereInTheCausesIsUnknownHost() {
        S3ReconException e = translate(SdkClientException.builder().message("Unable to execute HTTP request")
                .cause(new IOException("wrapped", new UnknownHostException("minio.example.com"))).build());
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_HOST);
        assertThat(e.getMessage()).contains("'minio.example.com'", "does not resolve", "check the endpoint URL");
    }

    @Test
    void timeoutsAreTimedOut() {
        for (Throwable t : new Throwable[] {ApiCallTimeoutException.create(1000), ApiCallAttemptTimeoutException.create(500),
                SdkClientException.create("Unable to execute HTTP request", new SocketTimeoutException("Read timed out"))}) {
            S3ReconException e = translate(t);
            assertThat(e.code()).as(t.toString()).isEqualTo(ErrorCode.TIMED_OUT);
            assertThat(e.getMessage()).contains("did not answer in time", "apiCallTimeout");
        }
    }

    @Test
    void aRefusedConnectionIsEndpointUnreachableEvenAfterTheCallTimedOut() {
        S3ReconException e = translate(SdkClientException.create("Unable to execute HTTP request",
                new ConnectException("Connection refused")));
        assertThat(e.code()).isEqualTo(ErrorCode.ENDPOINT_UNREACHABLE);
        assertThat(e.getMessage()).contains("cannot connect", "the server is running");
        // Retries of a refused connection that ran out of time: the refusal is the diagnosis.
        ApiCallTimeoutException late = ApiCallTimeoutException.builder().message("timed out")
                .cause(new ConnectException("Connection refused")).build();
        assertThat(translate(late).code()).isEqualTo(ErrorCode.ENDPOINT_UNREACHABLE);
    }

    @Test
    void serverMessagesAndOtherFailuresAreRedacted() {
        S3Exception server = (S3Exception) S3Exception.builder().statusCode(500)
                .awsErrorDetails(AwsErrorDetails.builder().errorCode("InternalError")
                        .errorMessage("failed at https://x/?X-Amz-Signature=abc Signature=0123abcd").build()).build();
        S3ReconException e = translate(server);
        assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED);
        assertThat(e.getMessage()).contains("500 InternalError").doesNotContain("0123abcd").doesNotContain("X-Amz-Signature");

        S3ReconException other = translate(SdkClientException.create("Could not parse XML response at "
                + "http://user:pw@h/b?X-Amz-Credential=AKIAABCDEFGHIJKLMNOP"));
        assertThat(other.code()).isEqualTo(ErrorCode.LISTING_FAILED);
        assertThat(other.getMessage()).contains("Could not parse XML response", "check the server")
                .doesNotContain("pw@").doesNotContain("X-Amz-Credential");
    }

    @Test
    void oursComeThroughTheSdksWrapping() {
        S3ReconException ours = new S3ReconException(ErrorCode.LISTING_FAILED, "the key 'bad%FFkey' is not UTF-8");
        assertThat(S3Errors.translate(SdkClientException.create("interceptor failed", ours), location, "listing"))
                .isSameAs(ours);
    }
}
