package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.inventory.SqliteCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.SyntheticS3;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A run that was not told how many listing ranges to use plans them from the first page once, keeps
 * them in its resume state, and a resumed run lists those ranges: it plans nothing again (no
 * delimiter requests, counted by a proxy in front of the source) and copies every key once.
 */
class ChosenRangesResumeTest {

    private static final int OBJECTS = 6_000;

    @TempDir
    Path work;

    @Test
    void aResumedRunListsTheRangesItChoseFirst() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(OBJECTS).objectsPerPrefix(500).objectSize(16)
                .sinkBucket("sink").build();
                FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3AsyncClient source = client(proxy.endpoint());
                S3AsyncClient destination = client(s3.endpoint())) {
            // Counts the planner's requests (delimiter listings); the 1 ms delay changes nothing else.
            proxy.inject(Fault.delay(1.0, Duration.ofMillis(1)).onlyFor(r -> r.hasQueryParameter("delimiter")));
            AtomicReference<Migration> current = new AtomicReference<>();
            List<ShardSpec> shards;
            MigrationListener cancelHalfway = new MigrationListener() {
                @Override
                public void onProgress(ProgressSnapshot p) {
                    if (p.phase() == MigrationState.LISTING && p.sourceObjects() >= OBJECTS / 2) {
                        current.get().cancel();
                    }
                }
            };
            try (Migration m = builder(s3, source, destination).listener(cancelHalfway).build()) {
                current.set(m);
                shards = m.shards();
                assertThat(shards).hasSize(Migration.LARGE_BUCKET_LISTING_RANGES);
                long planningBefore = proxy.injectedCount(Fault.Kind.DELAY);
                assertThat(planningBefore).as("shards() planned").isPositive();
                assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
                assertThat(proxy.injectedCount(Fault.Kind.DELAY)).as("the run planned").isGreaterThan(planningBefore);
            }
            // The run listed the ranges planned from the first page (those that checkpointed say so).
            try (CheckpointStore store = SqliteCheckpointStore.open(work)) {
                String runId = store.runs().get(0).runId();
                for (CheckpointStore.RangeCheckpoint r : store.ranges(runId, CheckpointStore.DiffPass.BEFORE)) {
                    KeyRange planned = shards.get(r.index()).range();
                    assertThat(new KeyRange(r.startAfter(), r.endInclusive())).as("range " + r.index())
                            .isEqualTo(planned);
                }
            }

            long planningBefore = proxy.injectedCount(Fault.Kind.DELAY);
            try (Migration m = builder(s3, source, destination).build()) {
                MigrationResult r = m.run();
                assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
                assertThat(r.report().transfer().objectsCopied()).isEqualTo(OBJECTS);
            }
            assertThat(proxy.injectedCount(Fault.Kind.DELAY) - planningBefore).as("planning requests of the resume")
                    .isZero();
            assertThat(s3.writeCounts().values()).hasSize(OBJECTS).allMatch(n -> n == 1);
        }
    }

    private Migration.Builder builder(SyntheticS3 s3, S3AsyncClient source, S3AsyncClient destination) {
        return Migration.builder().source(S3Location.of(source, s3.sourceBucket()))
                .destination(S3Location.of(destination, "sink")).workDirectory(work)
                .progressInterval(Duration.ofNanos(1));
    }

    private static S3AsyncClient client(URI endpoint) {
        return S3Clients.asyncClient(endpoint, Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
    }
}
