package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.testkit.SyntheticS3;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Shards planned in one place, shipped as bytes, and reconciled by separate "workers". */
class ShardReconcileTest {

    @TempDir
    Path work;

    private static S3AsyncClient client(SyntheticS3 s3) {
        return S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
    }

    private static Migration migration(SyntheticS3 s3, S3AsyncClient client, Path work) {
        return Migration.builder().source(S3Location.of(client, s3.sourceBucket()))
                .destination(S3Location.of(client, s3.destinationBucket())).workDirectory(work).listingRanges(6)
                .build();
    }

    @Test
    void shardsReconciledSeparatelyAddUpToTheWhole() throws Exception {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(60_000).objectsPerPrefix(1_000).missingRate(0.01)
                .extraRate(0.01).contentChangeRate(0.01).build()) {
            List<byte[]> shipped = new ArrayList<>();
            try (S3AsyncClient client = client(s3); Migration planner = migration(s3, client, work.resolve("plan"))) {
                for (ShardSpec shard : planner.shards()) {
                    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
                    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
                        out.writeObject(shard);
                    }
                    shipped.add(bytes.toByteArray());
                }
            }
            assertThat(shipped).hasSize(6);

            long matched = 0;
            long missing = 0;
            long extra = 0;
            long content = 0;
            long sourceObjects = 0;
            for (int i = 0; i < shipped.size(); i++) {
                ShardSpec shard;
                try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(shipped.get(i)))) {
                    shard = (ShardSpec) in.readObject();
                }
                assertThat(shard.index()).isEqualTo(i);
                try (S3AsyncClient client = client(s3); Migration worker = migration(s3, client, work.resolve("w" + i))) {
                    MigrationResult result = worker.reconcile(shard);
                    DifferenceCounts c = result.report().counts();
                    matched += c.matched();
                    missing += c.missingInDestination();
                    extra += c.extraInDestination();
                    content += c.contentMismatch();
                    sourceObjects += result.report().source().objects();
                    try (var differences = result.report().differences()) {
                        assertThat(differences).allSatisfy(d -> assertThat(shard.range().contains(d.key())).isTrue());
                    }
                }
            }
            assertThat(sourceObjects).isEqualTo(60_000);
            assertThat(matched).isEqualTo(s3.expectedMatched());
            assertThat(missing).isEqualTo(s3.expectedMissing());
            assertThat(extra).isEqualTo(s3.expectedExtra());
            assertThat(content).isEqualTo(s3.expectedContentMismatch());
        }
    }

    @Test
    void aShardOfOtherLocationsIsRefused() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(10).build();
                S3AsyncClient client = client(s3);
                Migration m = migration(s3, client, work)) {
            ShardSpec foreign = new ShardSpec(0, "other-bucket", "", s3.destinationBucket(), "", KeyRange.ALL,
                    java.util.Map.of());
            assertThatThrownBy(() -> m.reconcile(foreign)).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                assertThat(e.getMessage()).contains("other-bucket");
            });
        }
    }
}
