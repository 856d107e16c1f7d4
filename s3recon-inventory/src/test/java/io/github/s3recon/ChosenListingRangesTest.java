package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.SyntheticS3;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A migration that is not told how many listing ranges to use chooses from the first listing page:
 * several for a large bucket (a full first page), one for a small one; a number set always wins.
 * Asserted on the plan ({@link Migration#shards()}, which is what a run lists) and the requests
 * the server saw, never on timing.
 */
class ChosenListingRangesTest {

    @TempDir
    Path work;

    private static S3AsyncClient client(SyntheticS3 s3) {
        return S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
    }

    private Migration.Builder builder(S3AsyncClient client, SyntheticS3 s3, String work) {
        return Migration.builder().source(S3Location.of(client, s3.sourceBucket()))
                .destination(S3Location.of(client, s3.destinationBucket())).workDirectory(this.work.resolve(work));
    }

    @Test
    void aFullFirstPagePlansSeveralRanges() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(5_000).objectsPerPrefix(500).missingRate(0.01)
                .extraRate(0.01).contentChangeRate(0.01).build();
                S3AsyncClient client = client(s3);
                Migration m = builder(client, s3, "large").build()) {
            List<ShardSpec> shards = m.shards();
            assertThat(shards).hasSize(Migration.LARGE_BUCKET_LISTING_RANGES);
            assertThat(shards.get(0).range().startAfter()).isNull();
            assertThat(shards.get(shards.size() - 1).range().endInclusive()).isNull();

            // The ranges together are the whole: the counts are the planted ones.
            MigrationResult r = m.reconcile();
            DifferenceCounts c = r.report().counts();
            assertThat(c.matched()).isEqualTo(s3.expectedMatched());
            assertThat(c.missingInDestination()).isEqualTo(s3.expectedMissing());
            assertThat(c.extraInDestination()).isEqualTo(s3.expectedExtra());
            assertThat(c.contentMismatch()).isEqualTo(s3.expectedContentMismatch());
        }
    }

    @Test
    void aFlatLargeBucketPlansSeveralRangesToo() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(3_000).build();
                S3AsyncClient client = client(s3);
                Migration m = builder(client, s3, "flat").build()) {
            assertThat(m.shards()).hasSizeGreaterThan(1);
        }
    }

    @Test
    void aShortFirstPagePlansOneRangeWithOnlyTheFirstPages() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(999).objectsPerPrefix(100).build();
                S3AsyncClient client = client(s3);
                Migration m = builder(client, s3, "small").build()) {
            long before = s3.requestCount(Operation.LIST_OBJECTS_V2);
            List<ShardSpec> shards = m.shards();
            long requests = s3.requestCount(Operation.LIST_OBJECTS_V2) - before;

            assertThat(shards).singleElement().satisfies(s -> assertThat(s.range()).isEqualTo(KeyRange.ALL));
            // The first page of each side, and no planning requests (delimiter fan-out).
            assertThat(requests).isEqualTo(2);
        }
    }

    @Test
    void aFullDestinationMakesTheBucketLarge() {
        // 999 source keys (a short page) but more in the destination: extras planted at 50%.
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(999).objectsPerPrefix(100).extraRate(0.5).build();
                S3AsyncClient client = client(s3);
                Migration m = builder(client, s3, "destination").build()) {
            assertThat(s3.objectCount(s3.destinationBucket())).isGreaterThanOrEqualTo(Migration.FULL_FIRST_PAGE);
            assertThat(m.shards()).hasSizeGreaterThan(1);
        }
    }

    @Test
    void aNumberSetAlwaysWins() {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(5_000).objectsPerPrefix(500).build();
                S3AsyncClient client = client(s3)) {
            long before = s3.requestCount(Operation.LIST_OBJECTS_V2);
            try (Migration one = builder(client, s3, "one").listingRanges(1).build()) {
                assertThat(one.shards()).singleElement().satisfies(s -> assertThat(s.range()).isEqualTo(KeyRange.ALL));
            }
            assertThat(s3.requestCount(Operation.LIST_OBJECTS_V2) - before).as("no probe, no planning").isZero();
            try (Migration three = builder(client, s3, "three").listingRanges(3).build()) {
                assertThat(three.shards()).hasSize(3);
            }
        }
        try (SyntheticS3 small = SyntheticS3.builder().objects(500).objectsPerPrefix(50).build();
                S3AsyncClient client = client(small);
                Migration four = builder(client, small, "four").listingRanges(4).build()) {
            assertThat(four.shards()).hasSize(4);
        }
    }
}
