package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A deletion re-checks the object it deletes: a destination object rewritten or deleted since the
 * plan (here, since the report that {@code repair} applies) is kept and reported, the others are
 * deleted, and the last line of the run's history counts both.
 */
class DeletionRecheckTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private final RecordingListener events = new RecordingListener();

    private Migration migration(String src, String dst) {
        return Migration.builder().source(S3Location.of(s3.asyncClient(), src, "in/"))
                .destination(S3Location.of(s3.asyncClient(), dst, "in/")).workDirectory(work.resolve("work"))
                .transferScheduler(SizeTieredScheduler.builder().build())
                .deleteExtraneous(true).maxDeletePercent(100)
                .listener(events)
                .build();
    }

    private TreeSet<String> keys(String bucket) {
        TreeSet<String> keys = new TreeSet<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            keys.add(o.key());
        }
        return keys;
    }

    @Test
    void anObjectRewrittenOrDeletedSinceThePlanIsKeptAndReported_theOthersAreDeleted() {
        String src = MigrationRunTest.bucket(s3, "recheck-src");
        String dst = MigrationRunTest.bucket(s3, "recheck-dst");
        for (int i = 0; i < 3; i++) {
            s3.put(src, "in/" + i, ("object " + i).getBytes(UTF_8));
            s3.put(dst, "in/" + i, ("object " + i).getBytes(UTF_8));
        }
        for (String extra : List.of("x1", "x2", "x3", "x4")) {
            s3.put(dst, "in/" + extra, ("old " + extra).getBytes(UTF_8));
        }
        try (Migration m = migration(src, dst)) {
            ReconciliationReport report = m.reconcile().report();
            assertThat(report.counts().extraInDestination()).isEqualTo(4);
            // Since the report: x2 rewritten (another user's new object), x4 deleted by someone else.
            s3.put(dst, "in/x2", "a new object, written after the plan".getBytes(UTF_8));
            s3.client().deleteObject(b -> b.bucket(dst).key("in/x4"));

            MigrationResult r = m.repair(report);

            assertThat(r.report().transfer().objectsDeleted()).isEqualTo(2);
            assertThat(r.report().transfer().objectsFailed()).isZero();
        }
        assertThat(keys(dst)).containsExactly("in/0", "in/1", "in/2", "in/x2");
        assertThat(s3.client().getObjectAsBytes(b -> b.bucket(dst).key("in/x2")).asUtf8String())
                .isEqualTo("a new object, written after the plan");
        List<ObjectFailed> failed = events.of(ObjectFailed.class);
        assertThat(events.of(ObjectDeleted.class)).extracting(ObjectDeleted::key).containsExactlyInAnyOrder("x1", "x3");
        assertThat(failed).extracting(ObjectFailed::key).containsExactlyInAnyOrder("x2", "x4");
        ObjectFailed x2 = failed.stream().filter(f -> f.key().equals("x2")).findFirst().orElseThrow();
        assertThat(x2.action()).isEqualTo(TransferAction.DELETE);
        assertThat(x2.error().code()).isEqualTo(ErrorCode.DELETE_FAILED);
        assertThat(x2.error().getMessage()).contains("kept 'x2', not deleted").contains("rewritten since the plan");
        assertThat(failed.stream().filter(f -> f.key().equals("x4")).findFirst().orElseThrow().error().getMessage())
                .contains("no longer at the destination");
        try (MigrationHistory history = MigrationHistory.open(work.resolve("work"))) {
            List<CheckpointStore.LogLine> log = history.log(history.latest().orElseThrow().runId());
            assertThat(log.get(log.size() - 1).message()).contains("2 deleted, 2 kept (changed since the plan), 0 failed");
        }
    }

    @Test
    void aRunWhosePlanIsCurrentDeletesEverythingItPlanned() {
        String src = MigrationRunTest.bucket(s3, "recheck-src");
        String dst = MigrationRunTest.bucket(s3, "recheck-dst");
        s3.put(src, "in/a", "a".getBytes(UTF_8));
        s3.put(dst, "in/a", "a".getBytes(UTF_8));
        s3.put(dst, "in/b", "b".getBytes(UTF_8));
        try (Migration m = migration(src, dst)) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsDeleted()).isEqualTo(1);
        }
        assertThat(keys(dst)).containsExactly("in/a");
        assertThat(events.of(ObjectFailed.class)).isEmpty();
    }
}
