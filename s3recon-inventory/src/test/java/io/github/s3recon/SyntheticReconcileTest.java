package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.SyntheticS3;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Reconciles a synthetic pair of buckets with planted differences, serially and in key ranges. */
class SyntheticReconcileTest {

    @TempDir
    Path work;

    @ParameterizedTest(name = "{0} listing ranges")
    @ValueSource(ints = {1, 8, 32})
    void findsExactlyThePlantedDifferences(int ranges) {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(120_000).objectsPerPrefix(1_000).missingRate(0.01)
                .extraRate(0.005).sizeChangeRate(0.002).contentChangeRate(0.003).build();
                S3AsyncClient client = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
                Migration m = Migration.builder().source(S3Location.of(client, s3.sourceBucket()))
                        .destination(S3Location.of(client, s3.destinationBucket())).workDirectory(work)
                        .listingRanges(ranges).build()) {
            MigrationResult result = m.reconcile();

            DifferenceCounts c = result.report().counts();
            assertThat(c).isEqualTo(new DifferenceCounts(s3.expectedMatched(), s3.expectedMissing(), s3.expectedExtra(),
                    s3.expectedSizeMismatch(), s3.expectedContentMismatch(), 0, 0));
            assertThat(result.report().source().objects()).isEqualTo(120_000);
            assertThat(result.report().destination().objects()).isEqualTo(s3.objectCount(s3.destinationBucket()));
            try (var differences = result.report().differences()) {
                String[] previous = {null};
                assertThat(differences.peek(d -> {
                    if (previous[0] != null) {
                        assertThat(KeyOrder.compareKeys(previous[0], d.key())).isNegative();
                    }
                    previous[0] = d.key();
                }).count()).isEqualTo(c.differences());
            }
        }
    }
}
