package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.S3Clients;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.S3Exception;

/** TestServerMain runs a server in a process of its own that other processes reach. */
class TestServerMainTest {

    private static final Pattern READY =
            Pattern.compile("S3RECON_TEST_SERVER kind=(\\w+) endpoint=(http://127\\.0\\.0\\.1:\\d+)");

    @TempDir
    Path temp;

    private Process launch(String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(ProcessHandle.current().info().command().orElse("java"));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(TestServerMain.class.getName());
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectError(temp.resolve("stderr.txt").toFile()).start();
    }

    /** Reads standard output until the ready line; fails after 60 s or if the process ends first. */
    private static URI awaitReady(Process process, String kind) throws Exception {
        BufferedReader out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        CompletableFuture<URI> ready = CompletableFuture.supplyAsync(() -> {
            try {
                for (String line; (line = out.readLine()) != null; ) {
                    Matcher m = READY.matcher(line);
                    if (m.matches()) {
                        assertThat(m.group(1)).isEqualTo(kind);
                        return URI.create(m.group(2));
                    }
                }
                throw new AssertionError("the server process ended before it was ready");
            } catch (IOException e) {
                throw new AssertionError(e);
            }
        });
        // A Spring Boot server (S3Mock) can take over a minute to start on a busy 2-core machine.
        return ready.get(180, TimeUnit.SECONDS);
    }

    private static S3Client client(URI endpoint, String accessKey, String secretKey) {
        return S3Clients.client(endpoint, EmbeddedS3.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey)));
    }

    private static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void s3proxyProcessChecksCredentials() throws Exception {
        Path data = temp.resolve("data");
        Process process = launch("--kind", "s3proxy", "--port", "0", "--access-key", "proc-access",
                "--secret-key", "proc-secret", "--bucket", "proc-bucket", "--data-dir", data.toString());
        try {
            URI endpoint = awaitReady(process, "s3proxy");
            try (S3Client right = client(endpoint, "proc-access", "proc-secret");
                    S3Client wrong = client(endpoint, "proc-access", "not-the-secret")) {
                right.putObject(p -> p.bucket("proc-bucket").key("a b+c"), RequestBody.fromString("payload"));
                assertThat(right.getObjectAsBytes(g -> g.bucket("proc-bucket").key("a b+c")).asUtf8String())
                        .isEqualTo("payload");
                assertThatThrownBy(() -> wrong.getObjectAsBytes(g -> g.bucket("proc-bucket").key("a b+c")))
                        .isInstanceOfSatisfying(S3Exception.class, e -> {
                            assertThat(e.statusCode()).isEqualTo(403);
                            assertThat(e.awsErrorDetails().errorCode())
                                    .isIn("SignatureDoesNotMatch", "InvalidAccessKeyId");
                        });
            }
        } finally {
            stop(process);
        }
        assertThat(Files.readString(temp.resolve("stderr.txt"))).doesNotContain("proc-secret");
        assertThat(data).isDirectory(); // --data-dir is kept
    }

    @Test
    void s3mockProcessServesObjects() throws Exception {
        Process process = launch("--kind", "s3mock", "--bucket", "mock-bucket");
        try {
            URI endpoint = awaitReady(process, "s3mock");
            try (S3Client any = client(endpoint, "any", "thing")) {
                any.putObject(p -> p.bucket("mock-bucket").key("k"), RequestBody.fromString("v"));
                assertThat(any.getObjectAsBytes(g -> g.bucket("mock-bucket").key("k")).asUtf8String()).isEqualTo("v");
            }
        } finally {
            stop(process);
        }
    }

    @Test
    void badArgumentsExitWithStatus2() throws Exception {
        Process process = launch("--kind", "s3mock", "--access-key", "a", "--secret-key", "s");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isEqualTo(2);
        assertThat(Files.readString(temp.resolve("stderr.txt"))).contains("s3mock does not check credentials");
    }
}
