package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** {@link MigrationHistory#failuresFile} names a run's failures.jsonl only when objects failed and it exists. */
class MigrationHistoryFailuresFileTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private MigrationResult run(S3AsyncClient client, String src, String dst, Path workDirectory) {
        try (Migration m = Migration.builder().source(S3Location.of(client, src))
                .destination(S3Location.of(client, dst)).workDirectory(workDirectory)
                .transferScheduler(SizeTieredScheduler.builder().maxAttempts(1).build()).build()) {
            return m.run();
        }
    }

    @Test
    void aRunWithoutFailuresHasNoFailuresFile() {
        String src = MigrationRunTest.bucket(s3, "hist-ok-src");
        String dst = MigrationRunTest.bucket(s3, "hist-ok-dst");
        s3.put(src, "a.txt", "a".getBytes(UTF_8));
        MigrationResult r = run(s3.asyncClient(), src, dst, work);
        assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
        try (MigrationHistory history = MigrationHistory.open(work)) {
            String runId = history.latest().orElseThrow().runId();
            assertThat(history.runDirectory(runId)).isDirectory();
            assertThat(history.failuresFile(runId)).isEmpty();
            assertThat(history.failuresFile("no-such-run")).isEmpty();
        }
    }

    @Test
    void aRunWithAFailedObjectNamesItsFailuresFile() throws Exception {
        String src = MigrationRunTest.bucket(s3, "hist-fail-src");
        String dst = MigrationRunTest.bucket(s3, "hist-fail-dst");
        s3.put(src, "a.txt", "a".getBytes(UTF_8));
        s3.put(src, "b.txt", "b".getBytes(UTF_8));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.accessDenied(1.0).onlyFor(r -> r.key().equals("b.txt")
                    && r.bucket().equals(dst) && r.method() == FaultInjectingProxy.Method.PUT));
            try (S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                    EmbeddedS3.credentials())) {
                MigrationResult r = run(client, src, dst, work);
                assertThat(r.report().transfer().objectsFailed()).isEqualTo(1);
            }
        }
        try (MigrationHistory history = MigrationHistory.open(work)) {
            String runId = history.latest().orElseThrow().runId();
            Path file = history.failuresFile(runId).orElseThrow();
            assertThat(file).isEqualTo(history.runDirectory(runId).resolve("failures.jsonl"));
            assertThat(Files.readAllLines(file)).singleElement().asString().contains("\"key\":\"b.txt\"");
        }
    }
}
