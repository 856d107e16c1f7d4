package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.KeyOrder;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.SyntheticS3;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

class ShardPlannerTest {

    private static List<String> keys(S3ObjectLister lister, S3Location location, KeyRange range) {
        try (Stream<ObjectEntry> entries = lister.list(location, range)) {
            return entries.map(ObjectEntry::key).collect(Collectors.toList());
        }
    }

    /** Lists every range and checks that together they hold every key exactly once, in order. */
    private static void assertPartition(S3Location location, List<KeyRange> ranges) {
        S3ObjectLister lister = S3ObjectLister.create();
        List<String> all = keys(lister, location, KeyRange.ALL);
        List<String> joined = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            if (i > 0) {
                assertThat(ranges.get(i).startAfter()).isEqualTo(ranges.get(i - 1).endInclusive());
            }
            joined.addAll(keys(lister, location, ranges.get(i)));
        }
        assertThat(ranges.get(0).startAfter()).isNull();
        assertThat(ranges.get(ranges.size() - 1).endInclusive()).isNull();
        assertThat(joined).hasSameSizeAs(all).containsExactlyInAnyOrderElementsOf(all);
    }

    @Test
    void splitsASyntheticBucketByItsPrefixesIntoAPartition() {
        try (SyntheticS3 synthetic = SyntheticS3.builder().objects(60_000).objectsPerPrefix(1_000).build();
                S3AsyncClient client = S3Clients.asyncClient(synthetic.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            S3Location location = S3Location.of(client, synthetic.sourceBucket());
            List<KeyRange> ranges = ShardPlanner.plan(location, 8);
            assertThat(ranges).hasSize(8);
            assertPartition(location, ranges);
            // Evenly spread prefixes give evenly sized ranges.
            S3ObjectLister lister = S3ObjectLister.create();
            for (KeyRange range : ranges) {
                assertThat(keys(lister, location, range)).hasSizeBetween(6_000, 9_000);
            }
        }
    }

    @Test
    void aFlatBucketWithMoreKeysThanPlanningReadsStillPartitions() {
        try (SyntheticS3 synthetic = SyntheticS3.builder().objects(30_000).objectsPerPrefix(1_000_000).build();
                S3AsyncClient client = S3Clients.asyncClient(synthetic.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            S3Location location = S3Location.of(client, synthetic.sourceBucket(), synthetic.key(0).substring(0, 6));
            List<KeyRange> ranges = ShardPlanner.plan(location, 4);
            assertThat(ranges).hasSizeGreaterThan(1);
            assertPartition(location, ranges);
        }
    }

    @Test
    void rangesAreSafeOnAServerThatListsInUtf16Order() {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        String bucket = "planner-utf16-" + Long.toHexString(System.nanoTime());
        s3.createBucket(bucket);
        List<String> keys = new ArrayList<>();
        for (String top : List.of("a/", "b\uD83D\uDE00/", "b\uE000/", "b\uFFFD/", "c/", "\uD800\uDC00/", "\uFFFD/")) {
            for (String leaf : List.of("x", "\uE001", "\uD83D\uDE01", "z")) {
                keys.add(top + leaf);
                s3.put(bucket, top + leaf, new byte[0]);
            }
        }
        S3Location location = S3Location.of(s3.asyncClient(), bucket);
        List<KeyRange> ranges = ShardPlanner.plan(location, 6);
        for (KeyRange range : ranges) {
            for (String bound : new String[] {range.startAfter(), range.endInclusive()}) {
                if (bound != null) {
                    assertThat(bound.chars()).allMatch(c -> c < 0xD800);
                }
            }
        }
        List<String> joined = new ArrayList<>();
        S3ObjectLister lister = S3ObjectLister.create();
        for (KeyRange range : ranges) {
            joined.addAll(keys(lister, location, range));
        }
        assertThat(joined).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void boundariesAreCutBeforeSurrogatesAndTheRangesStayOrdered() {
        TreeSet<String> candidates = new TreeSet<>(KeyOrder.UTF8);
        candidates.addAll(List.of("a/", "b/", "b\uD83D\uDE00/", "b\uE000/", "c/", "\uFFFD/", "d/"));
        List<KeyRange> ranges = ShardPlanner.split(candidates, 10);
        assertThat(ranges).extracting(KeyRange::endInclusive).containsExactly("a/", "b", "b/", "c/", "d/", null);
        assertThat(ShardPlanner.split(new TreeSet<>(KeyOrder.UTF8), 4)).containsExactly(KeyRange.ALL);
    }
}
