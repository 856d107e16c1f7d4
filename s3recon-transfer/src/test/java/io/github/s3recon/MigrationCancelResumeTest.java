package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * cancel() from another thread, then a resume on the same work directory: nothing lost, nothing
 * written twice, the multipart upload under way continued; a resume with another configuration is
 * refused, and a new run abandons the old one; the run history records all of it.
 */
class MigrationCancelResumeTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final int SMALL = 60;
    private static final int LARGE = 2;
    private static FaultInjectingProxy proxy;
    private static S3AsyncClient throughProxy;
    private static String source;

    @TempDir
    Path work;

    @BeforeAll
    static void seed() {
        proxy = FaultInjectingProxy.start(S3.endpoint());
        // Another access key: the engine relays rather than copying on the server.
        throughProxy = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("other-key", "other-secret")));
        source = MigrationRunTest.bucket(S3, "cancel-src");
        Random random = new Random(11);
        for (int i = 0; i < SMALL; i++) {
            byte[] content = new byte[100 + random.nextInt(2000)];
            random.nextBytes(content);
            S3.put(source, "s/" + i, content);
        }
        for (int i = 0; i < LARGE; i++) {
            byte[] content = new byte[16 * 1024 * 1024];
            random.nextBytes(content);
            S3.put(source, "large/" + i, content);
        }
    }

    @AfterAll
    static void stop() {
        if (throughProxy != null) {
            throughProxy.close();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    private Migration.Builder builder(String destination, MigrationListener listener) {
        return Migration.builder().source(S3Location.of(S3.asyncClient(), source))
                .destination(S3Location.of(throughProxy, destination)).workDirectory(work)
                .listener(listener)
                .transferScheduler(SizeTieredScheduler.builder().smallObjectThreshold(DataSize.ofMebibytes(6))
                        .partSize(DataSize.ofMebibytes(5)).smallObjectConcurrency(2).largeObjectConcurrency(1)
                        .maxBytesPerSecond(DataSize.ofMebibytes(10)).build());
    }

    /** Cancels from another thread once a part of a large object has been sent. */
    private MigrationListener cancelling(AtomicReference<Migration> migration, String destination,
            List<RunFinished> finished) {
        AtomicInteger started = new AtomicInteger();
        return new MigrationListener() {
            @Override
            public void onObjectCopied(ObjectCopied event) {
                if (event.key().startsWith("s/") && started.incrementAndGet() == 1) {
                    Thread t = new Thread(() -> {
                        long deadline = System.nanoTime() + 60_000_000_000L;
                        while (System.nanoTime() < deadline
                                && proxy.forwardedCount(Operation.UPLOAD_PART, destination, "large/0")
                                        + proxy.forwardedCount(Operation.UPLOAD_PART, destination, "large/1") < 2) {
                            Thread.onSpinWait();
                        }
                        migration.get().cancel();
                    }, "canceller");
                    t.setDaemon(true);
                    t.start();
                }
            }

            @Override
            public void onFinished(RunFinished event) {
                finished.add(event);
            }
        };
    }

    @Test
    void cancelThenResumeCopiesEverythingOnceAndContinuesTheUpload() {
        String destination = MigrationRunTest.bucket(S3, "cancel-dst");
        AtomicReference<Migration> current = new AtomicReference<>();
        List<RunFinished> finished = new CopyOnWriteArrayList<>();
        try (Migration m = builder(destination, cancelling(current, destination, finished)).build()) {
            current.set(m);
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
                assertThat(e.getMessage()).contains("resume");
            });
        }
        assertThat(finished).singleElement().satisfies(f -> assertThat(f.state()).isEqualTo(MigrationState.CANCELLED));
        List<String> underWay = new java.util.ArrayList<>();
        for (String key : List.of("large/0", "large/1")) {
            if (proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, key) > 0
                    && proxy.forwardedCount(Operation.COMPLETE_MULTIPART_UPLOAD, destination, key) == 0) {
                underWay.add(key);
            }
        }
        assertThat(underWay).as("a multipart upload was under way at the cancel").isNotEmpty();
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                .as("the cancel kept the upload for the resume").isNotEmpty();

        String runId;
        try (MigrationHistory history = MigrationHistory.open(work)) {
            CheckpointStore.RunRecord run = history.latest().orElseThrow();
            assertThat(run.state()).isEqualTo(MigrationState.CANCELLED);
            runId = run.runId();
            Map<CheckpointStore.TaskState, Long> tasks = history.taskCounts(runId);
            assertThat(tasks.get(CheckpointStore.TaskState.DONE)).as("tasks " + tasks).isPositive()
                    .isLessThan(SMALL + LARGE);
            assertThat(tasks.get(CheckpointStore.TaskState.PENDING)).isZero(); // pending ones are not saved
        }

        RecordingListener resumed = new RecordingListener();
        try (Migration m = builder(destination, resumed).build()) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().counts().differences()).isZero();
            assertThat(r.report().transfer().objectsCopied()).as("copied over both attempts").isEqualTo(SMALL + LARGE);
        }
        Map<String, Long> writes = proxy.completedObjectWrites(destination);
        assertThat(writes).hasSize(SMALL + LARGE);
        assertThat(writes.values()).as("writes per object " + writes).allMatch(n -> n == 1);
        for (String key : underWay) {
            assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, key)).as(key).isEqualTo(1);
        }
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();

        try (MigrationHistory history = MigrationHistory.open(work)) {
            assertThat(history.runs()).singleElement().satisfies(run -> {
                assertThat(run.runId()).isEqualTo(runId);
                assertThat(run.state()).isEqualTo(MigrationState.COMPLETED);
                assertThat(run.attempts()).isEqualTo(2);
                assertThat(run.configuration()).contains(source).contains(destination)
                        .doesNotContain(EmbeddedS3.SECRET_ACCESS_KEY).doesNotContain("other-secret");
            });
            assertThat(history.report(runId)).hasValueSatisfying(json -> assertThat(json)
                    .contains("\"state\" : \"COMPLETED\"").contains("\"objectsCopied\" : " + (SMALL + LARGE)));
            assertThat(history.log(runId)).extracting(CheckpointStore.LogLine::message)
                    .contains("state LISTING", "state TRANSFERRING", "cancelled", "state VERIFYING")
                    .anyMatch(l -> l.startsWith("resuming at stage transfer"));
        }
    }

    @Test
    void aResumeWithAnotherConfigurationIsRefusedUntilANewRunIsAskedFor() {
        String destination = MigrationRunTest.bucket(S3, "conflict-dst");
        AtomicReference<Migration> current = new AtomicReference<>();
        try (Migration m = builder(destination, cancelling(current, destination, new CopyOnWriteArrayList<>()))
                .build()) {
            current.set(m);
            assertThatThrownBy(m::run).isInstanceOf(S3ReconException.class);
        }
        assertThatThrownBy(() -> builder(destination, MigrationListener.NONE).overwrite(OverwritePolicy.ALWAYS)
                .include("s/**").build())
                .isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.RESUME_CONFLICT);
                    assertThat(e.getMessage()).contains("unfinished run")
                            .contains("overwrite: \"IF_DIFFERENT\" -> \"ALWAYS\"")
                            .contains("include: [] -> [\"s/**\"]")
                            .contains("newRun(true)");
                });
        // The same options resume; asking for a new run abandons the old one and aborts its uploads.
        try (Migration m = builder(destination, MigrationListener.NONE).overwrite(OverwritePolicy.ALWAYS)
                .newRun(true).build()) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
        }
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
        try (MigrationHistory history = MigrationHistory.open(work)) {
            assertThat(history.runs()).hasSize(2);
            assertThat(history.runs().get(0).state()).isEqualTo(MigrationState.CANCELLED);
            assertThat(history.runs().get(0).error()).contains("abandoned");
            assertThat(history.runs().get(1).state()).isEqualTo(MigrationState.COMPLETED);
        }
    }

    @Test
    void aCancelledRepairLeavesNoUploadBehind() {
        String destination = MigrationRunTest.bucket(S3, "repair-dst");
        ReconciliationReport report;
        try (Migration m = builder(destination, MigrationListener.NONE).build()) {
            report = m.reconcile().report();
        }
        AtomicReference<Migration> current = new AtomicReference<>();
        try (Migration m = builder(destination, cancelling(current, destination, new CopyOnWriteArrayList<>()))
                .build()) {
            current.set(m);
            assertThatThrownBy(() -> m.repair(report)).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED);
                assertThat(e.getMessage()).doesNotContain("resume");
            });
        }
        // A repair does not resume: its uploads are aborted, not kept.
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
    }

    @Test
    void oneRunAtATimePerWorkDirectory() throws Exception {
        String destination = MigrationRunTest.bucket(S3, "locked-dst");
        java.nio.file.Files.createDirectories(work);
        try (java.nio.channels.FileChannel channel = java.nio.channels.FileChannel.open(work.resolve("s3recon.lock"),
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock held = channel.lock();
                Migration m = builder(destination, MigrationListener.NONE).build()) {
            assertThatThrownBy(m::reconcile).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.WORK_DIRECTORY_UNUSABLE);
                assertThat(e.getMessage()).contains("another migration is running").contains(work.toString());
            });
        }
        try (Migration m = builder(destination, MigrationListener.NONE).build()) {
            assertThat(m.reconcile().state()).isNotNull(); // released: runs again
        }
    }
}
