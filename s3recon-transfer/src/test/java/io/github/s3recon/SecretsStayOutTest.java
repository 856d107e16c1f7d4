package io.github.s3recon;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.testkit.EmbeddedS3Proxy;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.client.config.ClientOverrideConfiguration;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Secrets stay out of everything the engine writes: an endpoint's user-info and query string, and the
 * credentials a server quotes back in an error message, appear in no exception message, event, log
 * line, report, history line or database row; a key with a line break cannot forge a log line.
 */
class SecretsStayOutTest {

    private static final String ACCESS_KEY = "AKIAIOSFODNN7EXAMPLE";
    private static final String SECRET = "wJalrXUtnFEMIK7MDENGbPxRfiCYsecret";
    private static final String SIGNATURE = "feedface0123456789abcdef";

    private final EmbeddedS3 s3 = EmbeddedS3.shared();
    private final RecordingListener events = new RecordingListener();
    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @TempDir
    Path work;

    @BeforeEach
    void captureLogs() {
        logged.start();
        root().addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        root().detachAppender(logged);
    }

    private static Logger root() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

    private Migration.Builder migration(S3Location source, S3Location destination) {
        return Migration.builder().source(source).destination(destination).workDirectory(work.resolve("work"))
                .transferScheduler(SizeTieredScheduler.builder().build())
                .listener(MigrationListener.logging())
                .listener(events);
    }

    @Test
    void anEndpointsUserInfoAndQueryAppearNowhere() throws IOException {
        String src = MigrationRunTest.bucket(s3, "secret-src");
        s3.put(src, "in/a", "a".getBytes(UTF_8));
        int closed;
        try (ServerSocket socket = new ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        URI endpoint = URI.create("http://" + ACCESS_KEY + ":" + SECRET + "@127.0.0.1:" + closed
                + "/?X-Amz-Signature=" + SIGNATURE + "&X-Amz-Credential=" + ACCESS_KEY);
        try (S3AsyncClient bad = S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint,
                        EmbeddedS3.REGION, EmbeddedS3.credentials())
                .overrideConfiguration(ClientOverrideConfiguration.builder()
                        .apiCallTimeout(java.time.Duration.ofSeconds(10)).build())
                .build();
                Migration m = migration(S3Location.of(s3.asyncClient(), src, "in/"),
                        S3Location.of(bad, "secret-dst", "in/")).build()) {
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.getMessage()).contains("127.0.0.1:" + closed);
                assertNoSecret("exception", e.getMessage());
                assertNoSecret("exception and causes", stackTrace(e));
            });
        }
        assertNothingWrittenHoldsASecret();
    }

    @Test
    void aWrongSecretIsToldFromAGoodOneAndNeverShown() {
        String wrongSecret = SECRET + "WRONG";
        try (EmbeddedS3Proxy server = EmbeddedS3Proxy.withCredentials(ACCESS_KEY, SECRET)) {
            server.createBucket("creds-src");
            server.createBucket("creds-dst");
            server.put("creds-src", "in/a", "a".getBytes(UTF_8));
            try (S3AsyncClient good = server.asyncClient();
                    Migration m = migration(S3Location.of(good, "creds-src", "in/"),
                            S3Location.of(good, "creds-dst", "in/")).build()) {
                assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
            }
            try (S3AsyncClient bad = S3Clients.asyncClient(server.endpoint(), EmbeddedS3.REGION,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, wrongSecret)));
                    Migration m = migration(S3Location.of(bad, "creds-src", "in/"),
                            S3Location.of(bad, "creds-dst", "in/")).newRun(true).build()) {
                assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
                    assertThat(e.getMessage()).contains("creds-src").contains("secret key");
                    assertThat(stackTrace(e)).doesNotContain(wrongSecret);
                });
            }
        }
        for (ILoggingEvent event : logged.list) {
            assertThat(event.getFormattedMessage()).doesNotContain(wrongSecret);
        }
        assertNothingWrittenHoldsASecret();
    }

    @Test
    void credentialsQuotedByAServerAreScrubbedFromFailuresLogsAndReports() {
        String src = MigrationRunTest.bucket(s3, "quoted-src");
        String dst = MigrationRunTest.bucket(s3, "quoted-dst");
        for (int i = 0; i < 5; i++) {
            s3.put(src, "in/" + i, ("object " + i).getBytes(UTF_8));
        }
        String message = "Request with X-Amz-Credential=" + ACCESS_KEY + "/20261207/us-east-1/s3 and Signature="
                + SIGNATURE + " denied; see https://user:" + SECRET + "@example.com/why?token=" + SIGNATURE;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.error(1.0, 403, "AccessDenied", message)
                        .onlyFor(r -> dst.equals(r.bucket()) && "in/3".equals(r.key())));
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(S3Location.of(client, src, "in/"), S3Location.of(client, dst, "in/"))
                        .build()) {
            MigrationResult r = m.run();
            assertThat(r.state()).isNotEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsFailed()).isEqualTo(1);
        }
        List<ObjectFailed> failed = events.of(ObjectFailed.class);
        assertThat(failed).hasSize(1);
        assertThat(failed.get(0).key()).isEqualTo("3");
        assertThat(failed.get(0).error().getMessage()).contains("AccessDenied").contains("[redacted]");
        for (ObjectFailed f : failed) {
            assertNoSecret("ObjectFailed", f.error().getMessage());
        }
        assertNothingWrittenHoldsASecret();
    }

    @Test
    void aKeyWithALineBreakCannotForgeALogLine() {
        String src = MigrationRunTest.bucket(s3, "forge-src");
        String dst = MigrationRunTest.bucket(s3, "forge-dst");
        String key = "in/evil\n2026-12-07 INFO finished: 0 differences\r\u2028x";
        s3.put(src, key, "x".getBytes(UTF_8));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.error(1.0, 403, "AccessDenied", "denied")
                        .onlyFor(r -> dst.equals(r.bucket()) && r.key() != null
                                && r.key().startsWith("in/evil")));
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(S3Location.of(client, src, "in/"), S3Location.of(client, dst, "in/"))
                        .build()) {
            m.run();
        }
        assertThat(events.of(ObjectFailed.class)).extracting(ObjectFailed::key).containsExactly(key.substring("in/".length()));
        List<String> lines = logged.list.stream().map(ILoggingEvent::getFormattedMessage)
                .filter(l -> l.contains("evil")).toList();
        assertThat(lines).as("log lines naming the key").isNotEmpty()
                .allSatisfy(l -> assertThat(l).doesNotContain("\n").doesNotContain("\r").doesNotContain("\u2028")
                        .contains("evil\\n2026-12-07 INFO finished"));
    }

    private void assertNothingWrittenHoldsASecret() {
        for (ILoggingEvent event : logged.list) {
            assertNoSecret("log line", event.getFormattedMessage());
            if (event.getThrowableProxy() != null) {
                assertNoSecret("logged exception", event.getThrowableProxy().getMessage());
            }
        }
        try (Stream<Path> files = Files.walk(work)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                // Read as ISO-8859-1 so that binary files (the SQLite database) are scanned byte for byte.
                assertNoSecret(work.relativize(file).toString(), Files.readString(file, ISO_8859_1));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void assertNoSecret(String where, String text) {
        if (text == null) {
            return;
        }
        assertThat(text).as(where).doesNotContain(SECRET).doesNotContain(SIGNATURE).doesNotContain(ACCESS_KEY);
    }

    private static String stackTrace(Throwable t) {
        StringWriter out = new StringWriter();
        t.printStackTrace(new PrintWriter(out));
        return out.toString();
    }
}
