package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The deletion guards, each checked before the first write: an empty source deletes nothing unless
 * allowed, no more than maxDeletes objects and no more than maxDeletePercent of the destination; each
 * refusal names the number, the setting and the plan to look at, and leaves the destination as it was.
 */
class DeletionGuardsTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private String src;
    private String dst;
    private final RecordingListener events = new RecordingListener();

    /** {@code sourceKeys} of the destination's {@code destinationKeys} keys also in the source (same bytes). */
    private void seed(int destinationKeys, int sourceKeys) {
        src = MigrationRunTest.bucket(s3, "guard-src");
        dst = MigrationRunTest.bucket(s3, "guard-dst");
        for (int i = 0; i < destinationKeys; i++) {
            byte[] content = ("object " + i).getBytes(UTF_8);
            s3.put(dst, "in/" + i, content);
            if (i < sourceKeys) {
                s3.put(src, "in/" + i, content);
            }
        }
        s3.put(src, "elsewhere/not-in-scope", "x".getBytes(UTF_8));
    }

    private Migration migration(S3AsyncClient client, Consumer<Migration.Builder> options) {
        Migration.Builder b = Migration.builder().source(S3Location.of(client, src, "in/"))
                .destination(S3Location.of(client, dst, "in/")).workDirectory(work.resolve("work"))
                .transferScheduler(SizeTieredScheduler.builder().build())
                .listener(events);
        options.accept(b);
        return b.build();
    }

    private Map<String, String> contents(String bucket) {
        Map<String, String> m = new TreeMap<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            m.put(o.key(), s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asUtf8String());
        }
        return m;
    }

    /** Runs through a proxy that counts writes, expects a refusal, and checks that nothing was written. */
    private S3ReconException refused(Consumer<Migration.Builder> options) {
        Map<String, String> before = contents(dst);
        S3ReconException[] thrown = new S3ReconException[1];
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(client, options)) {
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> thrown[0] = e);
            assertThat(proxy.objectWrites(dst)).as("writes to the destination").isEmpty();
        }
        assertThat(contents(dst)).isEqualTo(before);
        assertThat(events.finished()).hasSize(1);
        assertThat(events.finished().get(0).state()).isEqualTo(MigrationState.FAILED);
        return thrown[0];
    }

    @Test
    void anEmptySourceNeverDeletesUnlessAllowed() {
        seed(50, 0);
        S3ReconException e = refused(b -> b.deleteExtraneous(true).maxDeletes(10_000).maxDeletePercent(100));
        assertThat(e.code()).isEqualTo(ErrorCode.EMPTY_SOURCE);
        assertThat(e.getMessage()).contains("all 50 objects").contains("allowEmptySource(true)")
                .contains("planned.jsonl").contains("s3://" + src + "/in/");
    }

    @Test
    void anEmptySourceEmptiesTheDestinationWhenAllowed_andTheLastLinesCountTheDeletions() {
        seed(50, 0);
        String runId;
        try (Migration m = migration(s3.asyncClient(),
                b -> b.deleteExtraneous(true).allowEmptySource(true).maxDeletePercent(100))) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsDeleted()).isEqualTo(50);
        }
        assertThat(contents(dst)).isEmpty();
        try (MigrationHistory history = MigrationHistory.open(work.resolve("work"))) {
            runId = history.latest().orElseThrow().runId();
            List<CheckpointStore.LogLine> log = history.log(runId);
            assertThat(log.get(log.size() - 1).message()).contains("0 copied, 50 deleted, 0 failed");
        }
    }

    @Test
    void aRunThatWouldDeleteMostOfTheDestinationIsRefused() {
        seed(10, 4);
        S3ReconException e = refused(b -> b.deleteExtraneous(true).maxDeletes(10_000));
        assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_DELETES);
        assertThat(e.getMessage()).contains("deletes 6 of the 10 objects").contains("(60%)")
                .contains("maxDeletePercent (50%)").contains("raise maxDeletePercent to 60").contains("planned.jsonl");
    }

    @Test
    void maxDeletesNamesTheNumberAndTheSetting() {
        seed(10, 8);
        S3ReconException e = refused(b -> b.deleteExtraneous(true).maxDeletes(1));
        assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_DELETES);
        assertThat(e.getMessage()).contains("deletes 2 objects").contains("maxDeletes (1)")
                .contains("raise maxDeletes to 2");
    }

    @Test
    void deletionsWithinBothGuardsGoAhead() {
        seed(10, 6);
        try (Migration m = migration(s3.asyncClient(), b -> b.deleteExtraneous(true))) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsDeleted()).isEqualTo(4);
        }
        assertThat(contents(dst)).containsOnlyKeys("in/0", "in/1", "in/2", "in/3", "in/4", "in/5");
    }

    @Test
    void builderRefusesAShareOutOfRange() {
        assertThatThrownBy(() -> Migration.builder().maxDeletePercent(101)).isInstanceOfSatisfying(
                S3ReconException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("101");
        assertThatThrownBy(() -> Migration.builder().maxDeletePercent(-1)).isInstanceOf(S3ReconException.class);
    }

    @Test
    void validateWarnsAboutAnEmptySourceAndALargeShare() {
        seed(10, 0);
        try (Migration m = migration(s3.asyncClient(), b -> b.deleteExtraneous(true))) {
            Check deletions = deletions(m.validate());
            assertThat(deletions.status()).isEqualTo(Status.WARN);
            assertThat(deletions.detail()).contains("lists no object").contains("all 10 objects");
            assertThat(deletions.hint()).contains("allowEmptySource(true)");
        }
        seed(10, 3);
        try (Migration m = migration(s3.asyncClient(), b -> b.deleteExtraneous(true).maxDeletes(100))) {
            Check deletions = deletions(m.validate());
            assertThat(deletions.status()).isEqualTo(Status.WARN);
            assertThat(deletions.detail()).contains("delete 7 of the 10 objects").contains("70%");
            assertThat(deletions.hint()).contains("maxDeletePercent (50%)");
        }
        try (Migration m = migration(s3.asyncClient(), b -> b.deleteExtraneous(true).maxDeletePercent(80))) {
            assertThat(deletions(m.validate()).status()).isEqualTo(Status.PASS);
        }
        try (Migration m = migration(s3.asyncClient(), b -> b.deleteExtraneous(false))) {
            assertThat(deletions(m.validate()).detail()).contains("deleteExtraneous is off");
        }
    }

    private static Check deletions(ValidationReport report) {
        return report.checks().stream().filter(c -> c.name().equals(ValidationReport.DELETIONS)).findFirst()
                .orElseThrow();
    }
}
