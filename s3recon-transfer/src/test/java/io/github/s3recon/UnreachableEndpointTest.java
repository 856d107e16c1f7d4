package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.testkit.EmbeddedS3;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.retry.RetryMode;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Hostile networks get their own codes, never LISTING_FAILED: a host name that does not resolve
 * (UNKNOWN_HOST), a server that accepts connections and never answers (TIMED_OUT, with the client's
 * API call timeouts) and a closed port (ENDPOINT_UNREACHABLE); each message names the bucket and the
 * endpoint, says what to check, and carries no secret. The destination keeps every object.
 */
class UnreachableEndpointTest {

    private static final String SECRET = "wJalrXUtnFEMI-K7MDENG-bPxRfiCYEXAMPLEKEY";

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private static S3AsyncClient client(URI endpoint, Duration attempt, Duration call) {
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, EmbeddedS3.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("AKIDEXAMPLE", SECRET)))
                .overrideConfiguration(o -> o.apiCallAttemptTimeout(attempt).apiCallTimeout(call)
                        .retryStrategy(RetryMode.STANDARD))
                .build();
    }

    /** Runs a migration from an unusable source to a destination with objects; returns what run() threw. */
    private S3ReconException runFrom(URI sourceEndpoint, Duration attempt, Duration call) {
        String dst = MigrationRunTest.bucket(s3, "unreachable-dst");
        for (int i = 0; i < 3; i++) {
            s3.put(dst, "in/" + i, ("object " + i).getBytes(UTF_8));
        }
        List<S3ReconException> thrown = new CopyOnWriteArrayList<>();
        try (S3AsyncClient source = client(sourceEndpoint, attempt, call);
                Migration m = Migration.builder().source(S3Location.of(source, "src", "in/"))
                        .destination(S3Location.of(s3.asyncClient(), dst, "in/"))
                        .workDirectory(work.resolve("work-" + System.nanoTime()))
                        .transferScheduler(MigrationRunTest.scheduler()).deleteExtraneous(true)
                        .maxDeletePercent(100).build()) {
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, thrown::add);
        }
        assertThat(s3.client().listObjectsV2Paginator(b -> b.bucket(dst)).contents().stream().count()).isEqualTo(3);
        S3ReconException e = thrown.get(0);
        assertThat(e.getMessage()).doesNotContain(SECRET).doesNotContain("LISTING_FAILED").contains("bucket 'src'");
        assertThat(e.toString()).doesNotContain(SECRET);
        return e;
    }

    @Test
    void anUnknownHostIsUnknownHost() {
        S3ReconException e = runFrom(URI.create("http://nonexistent.invalid:9000"), Duration.ofSeconds(5),
                Duration.ofSeconds(20));
        assertThat(e.code()).isEqualTo(ErrorCode.UNKNOWN_HOST);
        assertThat(e.getMessage()).contains("nonexistent.invalid").contains("does not resolve")
                .contains("check the endpoint URL");
    }

    @Test
    void aServerThatNeverAnswersTimesOut() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new CopyOnWriteArrayList<>();
            Thread acceptor = new Thread(() -> {
                while (!silent.isClosed()) {
                    try {
                        accepted.add(silent.accept()); // and never answer
                    } catch (IOException closed) {
                        return;
                    }
                }
            }, "silent-server");
            acceptor.setDaemon(true);
            acceptor.start();
            try {
                S3ReconException e = runFrom(URI.create("http://127.0.0.1:" + silent.getLocalPort()),
                        Duration.ofMillis(300), Duration.ofSeconds(1));
                assertThat(e.code()).isEqualTo(ErrorCode.TIMED_OUT);
                assertThat(e.getMessage()).contains("did not answer in time").contains("apiCallTimeout")
                        .contains("127.0.0.1:" + silent.getLocalPort());
                assertThat(accepted).isNotEmpty();
            } finally {
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }

    @Test
    void aClosedPortIsEndpointUnreachable() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort();
        }
        S3ReconException e = runFrom(URI.create("http://127.0.0.1:" + port), Duration.ofSeconds(5),
                Duration.ofSeconds(20));
        assertThat(e.code()).isEqualTo(ErrorCode.ENDPOINT_UNREACHABLE);
        assertThat(e.getMessage()).contains("cannot connect").contains("127.0.0.1:" + port)
                .contains("that the server is running");
    }
}
