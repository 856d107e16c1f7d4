package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.SyntheticS3;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Runs with -Xmx64m (a *MemoryTest): a reconcile of 200,000 vs 200,000 objects in 4 parallel
 * key ranges, the synthetic server in the same heap: memory depends on the ranges, not the objects.
 */
class RangeReconcileMemoryTest {

    @Test
    void rangesReconcileInASmallHeap(@TempDir Path work) {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(80L * 1024 * 1024);
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(200_000).objectsPerPrefix(2_000).missingRate(0.001)
                .extraRate(0.001).contentChangeRate(0.001).threads(16).build();
                S3AsyncClient client = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
                Migration m = Migration.builder().source(S3Location.of(client, s3.sourceBucket()))
                        .destination(S3Location.of(client, s3.destinationBucket())).workDirectory(work)
                        .listingRanges(4).build()) {
            MigrationResult result = m.reconcile();
            assertThat(result.report().counts()).isEqualTo(new DifferenceCounts(s3.expectedMatched(),
                    s3.expectedMissing(), s3.expectedExtra(), 0, s3.expectedContentMismatch(), 0, 0));
        }
    }
}
