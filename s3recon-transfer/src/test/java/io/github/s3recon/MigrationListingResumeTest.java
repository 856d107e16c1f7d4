package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.inventory.SqliteCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.SyntheticS3;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A run stopped in the middle of its listing resumes the listing from the range's checkpoint: it
 * lists only what comes after the last key decided, and the differences and plan it had written
 * are cut at the checkpoint and continued, so that no key is lost or planned twice.
 */
class MigrationListingResumeTest {

    private static final int OBJECTS = 6_000;

    @TempDir
    Path work;

    @Test
    void aListingStoppedHalfwayGoesOnFromItsCheckpoint() throws IOException {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(OBJECTS).objectSize(16).sinkBucket("sink").build();
                S3AsyncClient source = client(s3.endpoint());
                S3AsyncClient destination = client(URI.create(s3.endpoint().toString()
                        .replace("127.0.0.1", "localhost")))) {
            AtomicReference<Migration> current = new AtomicReference<>();
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
                assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
            }
            assertThat(s3.writeCounts()).as("nothing copied while listing").isEmpty();
            String lastKey;
            String runId;
            try (CheckpointStore store = SqliteCheckpointStore.open(work)) {
                CheckpointStore.RunRecord run = store.runs().get(0);
                runId = run.runId();
                assertThat(run.state()).isEqualTo(MigrationState.CANCELLED);
                List<CheckpointStore.RangeCheckpoint> ranges = store.ranges(runId, CheckpointStore.DiffPass.BEFORE);
                assertThat(ranges).singleElement().satisfies(r -> {
                    assertThat(r.done()).isFalse();
                    assertThat(r.lastKey()).isNotNull();
                    assertThat(r.differencesBytes()).isPositive();
                    assertThat(r.planBytes()).isPositive();
                });
                lastKey = ranges.get(0).lastKey();
            }
            int decided = indexOf(s3, lastKey) + 1;
            assertThat(decided).as("keys decided before the cancel").isBetween(1000, OBJECTS - 1000);

            long listsBefore = s3.requestCount(Operation.LIST_OBJECTS_V2);
            try (Migration m = builder(s3, source, destination).build()) {
                MigrationResult r = m.run();
                assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
                assertThat(r.report().transfer().objectsCopied()).isEqualTo(OBJECTS);
            }
            long lists = s3.requestCount(Operation.LIST_OBJECTS_V2) - listsBefore;
            // A fresh run lists 6 source pages and 1 destination page, then 6 + 6 to verify; the
            // resume lists only the source's pages after the checkpoint.
            long sourcePagesLeft = (OBJECTS - decided + 999) / 1000;
            System.out.printf("listing resumed after %d of %d keys; the resumed run sent %d list requests%n", decided,
                    OBJECTS, lists);
            assertThat(lists).as("list requests of the resumed run").isLessThanOrEqualTo(sourcePagesLeft + 1 + 12 + 1);

            Path planned = work.resolve("runs").resolve(runId).resolve("planned.jsonl");
            Set<String> keys = new HashSet<>();
            try (Stream<String> lines = Files.lines(planned)) {
                lines.forEach(l -> assertThat(keys.add(l.replaceAll(".*\"key\":\"([^\"]*)\".*", "$1")))
                        .as("planned once: " + l).isTrue());
            }
            assertThat(keys).hasSize(OBJECTS);
            assertThat(s3.writeCounts().values()).hasSize(OBJECTS).allMatch(n -> n == 1);
        }
    }

    private static int indexOf(SyntheticS3 s3, String key) {
        for (int i = 0; i < OBJECTS; i++) {
            if (s3.key(i).equals(key)) {
                return i;
            }
        }
        throw new AssertionError("not a source key: " + key);
    }

    private Migration.Builder builder(SyntheticS3 s3, S3AsyncClient source, S3AsyncClient destination) {
        return Migration.builder().source(S3Location.of(source, s3.sourceBucket()))
                .destination(S3Location.of(destination, "sink")).workDirectory(work)
                .progressInterval(Duration.ofNanos(1)).listingRanges(1); // one range: the test stops it mid-range
    }

    private static S3AsyncClient client(URI endpoint) {
        return S3Clients.asyncClient(endpoint, Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
    }
}
