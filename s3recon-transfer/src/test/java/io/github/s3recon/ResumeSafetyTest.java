package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * What a resume relies on is checked, never assumed: a plan file that is missing or shorter than the
 * checkpoint recorded is a clear error, not an empty transfer that reports success; and a cancel that
 * arrives while a run is starting is honoured, not dropped.
 */
class ResumeSafetyTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private String src;
    private String dst;

    private void seed(int objects) {
        src = MigrationRunTest.bucket(s3, "resume-src");
        dst = MigrationRunTest.bucket(s3, "resume-dst");
        for (int i = 0; i < objects; i++) {
            s3.put(src, String.format("k/%03d", i), ("value " + i).getBytes(UTF_8));
        }
    }

    private Migration migration(S3AsyncClient client, MigrationListener listener) {
        return Migration.builder().source(S3Location.of(client, src)).destination(S3Location.of(client, dst))
                .workDirectory(work.resolve("work")).transferScheduler(SizeTieredScheduler.builder().build())
                .listener(listener).build();
    }

    private Map<String, Long> listing(String bucket) {
        Map<String, Long> m = new TreeMap<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            m.put(o.key(), o.size());
        }
        return m;
    }

    /** Runs until the transfer stage starts, cancels there, and returns the run's plan file. */
    private Path cancelAtTransfer() throws IOException {
        Migration[] self = new Migration[1];
        MigrationListener cancelAtTransfer = new MigrationListener() {
            @Override
            public void onStateChanged(StateChanged event) {
                if (event.to() == MigrationState.TRANSFERRING) {
                    self[0].cancel();
                }
            }
        };
        try (Migration m = migration(s3.asyncClient(), cancelAtTransfer)) {
            self[0] = m;
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        }
        try (Stream<Path> plans = Files.find(work.resolve("work").resolve("runs"), 2,
                (p, a) -> p.getFileName().toString().equals("planned.jsonl"))) {
            return plans.findFirst().orElseThrow();
        }
    }

    @Test
    void aMissingPlanFileAtResumeIsAClearError() throws Exception {
        seed(40);
        Path plan = cancelAtTransfer();
        Map<String, Long> afterCancel = listing(dst);
        Files.delete(plan);
        try (Migration m = migration(s3.asyncClient(), MigrationListener.NONE)) {
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                assertThat(e.getMessage()).contains(plan.toString()).contains("is missing").contains("newRun(true)");
            });
        }
        assertThat(listing(dst)).isEqualTo(afterCancel);
        // The way out the message names works, and copies everything.
        try (Migration m = Migration.builder().source(S3Location.of(s3.asyncClient(), src))
                .destination(S3Location.of(s3.asyncClient(), dst)).workDirectory(work.resolve("work"))
                .transferScheduler(SizeTieredScheduler.builder().build()).newRun(true).build()) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
        }
        assertThat(listing(dst)).isEqualTo(listing(src));
    }

    @Test
    void aShortPlanFileAtResumeIsAClearError() throws Exception {
        seed(40);
        Path plan = cancelAtTransfer();
        long size = Files.size(plan);
        try (FileChannel c = FileChannel.open(plan, StandardOpenOption.WRITE)) {
            c.truncate(size / 2);
        }
        Map<String, Long> afterCancel = listing(dst);
        try (Migration m = migration(s3.asyncClient(), MigrationListener.NONE)) {
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                assertThat(e.getMessage()).contains(plan.toString()).contains("recorded 40 actions in " + size + " bytes");
            });
        }
        assertThat(listing(dst)).isEqualTo(afterCancel);
    }

    @Test
    void aCancelWhileTheRunIsStartingIsHonoured() throws Exception {
        seed(5);
        RecordingListener recorder = new RecordingListener();
        // validate() holds the migration while its versioning checks wait on the proxy: a run called
        // meanwhile is starting, not running, when the cancel arrives.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(client, recorder)) {
            proxy.inject(Fault.delay(1.0, Duration.ofMillis(1500)).onlyFor(r -> r.hasQueryParameter("versioning")));
            CompletableFuture<ValidationReport> validating = CompletableFuture.supplyAsync(m::validate);
            Thread.sleep(300);
            CompletableFuture<MigrationResult> running = CompletableFuture.supplyAsync(m::run);
            Thread.sleep(300);
            assertThat(running).isNotDone();
            m.cancel();
            assertThat(validating.get(30, TimeUnit.SECONDS).passed()).isTrue();
            assertThatThrownBy(() -> running.get(30, TimeUnit.SECONDS)).hasCauseInstanceOf(S3ReconException.class)
                    .satisfies(e -> assertThat(((S3ReconException) e.getCause()).code()).isEqualTo(ErrorCode.CANCELLED));
            assertThat(recorder.states()).doesNotContain(MigrationState.LISTING, MigrationState.TRANSFERRING);
            // validate() wrote (and removed) its probe; the run wrote nothing.
            assertThat(proxy.objectWrites(dst).keySet()).allMatch(k -> k.startsWith(".s3recon-probe/"));
        }
        assertThat(listing(dst)).isEmpty();
    }
}
