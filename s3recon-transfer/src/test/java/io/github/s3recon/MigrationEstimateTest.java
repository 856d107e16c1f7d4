package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.github.s3recon.internal.Estimator;
import io.github.s3recon.internal.KeyFilter;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.testkit.SyntheticS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * {@code Migration.estimate()}: exact counts and histogram from a full listing, an extrapolation
 * from a sample (at scale, against the synthetic endpoint), a lower bound where the source does not
 * split, and projections that follow from the measured rates.
 */
class MigrationEstimateTest {

    private static final long THRESHOLD = 1L << 20;
    /** Lanes as the engine has them, with a small threshold so that large objects stay cheap to store. */
    private static final SizeTieredScheduler SCHEDULER = SizeTieredScheduler.builder()
            .smallObjectThreshold(DataSize.ofBytes(THRESHOLD)).build();
    private static final int SMALL = 300;
    private static final long[] LARGE_SIZES = {(3L << 20) / 2, (3L << 20) + 5};

    private static final EmbeddedS3 s3 = EmbeddedS3.shared();
    private static String seeded;
    private final S3ObjectLister lister = S3ObjectLister.create();

    /**
     * The one place that estimates; becomes {@code migration.estimate()} (maxObjects 0) or
     * {@code migration.estimate(maxObjects)} of {@code Migration.builder().source(source)
     * .destination(any).workDirectory(dir).objectLister(lister).exclude(excludes...)
     * .transferScheduler(SCHEDULER).build()}.
     */
    private static Estimate estimate(S3Location source, ObjectLister lister, List<String> excludes, long maxObjects) {
        Estimate estimate;
        Migration.Builder b;
        try {
            b = Migration.builder().source(source).destination(S3Location.of(source.client(), "unused-destination"))
                    .workDirectory(java.nio.file.Files.createTempDirectory("est")).objectLister(lister)
                    .transferScheduler(SCHEDULER);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        if (!excludes.isEmpty()) {
            b.exclude(excludes.toArray(String[]::new));
        }
        try (Migration m = b.build()) {
            estimate = maxObjects == 0 ? m.estimate() : m.estimate(maxObjects);
        }
        assertConsistent(estimate);
        return estimate;
    }

    private static long smallSize(int i) {
        return i % 10 == 0 ? 0 : 100 + (i * 37L) % 4000;
    }

    /**
     * 300 small objects and 2 large ones under "est/", and 5 objects under "est/skip/" that the filter
     * excludes; one bucket for the class, never written after.
     */
    @BeforeAll
    static void seed() {
        String bucket = MigrationRunTest.bucket(s3, "est");
        for (int i = 0; i < SMALL; i++) {
            s3.put(bucket, String.format("est/obj-%04d", i), new byte[(int) smallSize(i)]);
        }
        for (int i = 0; i < LARGE_SIZES.length; i++) {
            s3.put(bucket, "est/large-" + i, new byte[(int) LARGE_SIZES[i]]);
        }
        for (int i = 0; i < 5; i++) {
            s3.put(bucket, "est/skip/x-" + i, new byte[10]);
        }
        seeded = bucket;
    }

    /** The expected histogram, computed independently: lane, then power-of-two bucket by a loop. */
    private static List<Estimate.Bucket> expectedHistogram() {
        Map<Long, long[]> small = new TreeMap<>();
        Map<Long, long[]> large = new TreeMap<>();
        List<Long> sizes = new ArrayList<>();
        for (int i = 0; i < SMALL; i++) {
            sizes.add(smallSize(i));
        }
        for (long size : LARGE_SIZES) {
            sizes.add(size);
        }
        for (long size : sizes) {
            long low = 0;
            if (size > 0) {
                low = 1;
                while (low * 2 <= size) {
                    low *= 2;
                }
            }
            long[] c = (size < THRESHOLD ? small : large).computeIfAbsent(low, k -> new long[2]);
            c[0]++;
            c[1] += size;
        }
        List<Estimate.Bucket> expected = new ArrayList<>();
        small.forEach((low, c) -> expected.add(new Estimate.Bucket(Estimate.SMALL, low,
                Math.min(low == 0 ? 0 : 2 * low - 1, THRESHOLD - 1), c[0], c[1])));
        large.forEach((low, c) -> expected.add(new Estimate.Bucket(Estimate.LARGE, Math.max(low, THRESHOLD),
                2 * low - 1, c[0], c[1])));
        return expected;
    }

    /** The projection follows from the counts and the rates, as {@link Estimate.Projection} says. */
    private static void assertConsistent(Estimate e) {
        Estimate.Projection p = e.projection();
        Estimate.Rates r = e.rates();
        assertThat(e.objects()).isEqualTo(e.objects(Estimate.SMALL) + e.objects(Estimate.LARGE));
        assertThat(e.bytes()).isEqualTo(e.bytes(Estimate.SMALL) + e.bytes(Estimate.LARGE));
        assertThat(seconds(p.listing())).isCloseTo(r.listingKeysPerSecond() == 0 ? 0
                : 2.0 * e.keys() / (r.listingKeysPerSecond() * p.listingRanges()), within(1e-6));
        assertThat(seconds(p.smallLane())).isCloseTo(r.smallObjectsPerSecond() == 0 ? 0
                : e.objects(Estimate.SMALL) / (r.smallObjectsPerSecond() * p.smallConcurrency()), within(1e-6));
        assertThat(seconds(p.largeLane())).isCloseTo(r.largeBytesPerSecond() == 0 ? 0
                : e.bytes(Estimate.LARGE) / (r.largeBytesPerSecond() * p.largeConcurrency()), within(1e-6));
        assertThat(p.transfer()).isEqualTo(p.smallLane().compareTo(p.largeLane()) >= 0 ? p.smallLane() : p.largeLane());
        assertThat(p.total()).isEqualTo(p.listing().plus(p.transfer()));
        assertThat(r.bytesRead()).isLessThanOrEqualTo(Estimator.MAX_READ_BYTES);
        assertThat(r.smallObjectsRead()).isLessThanOrEqualTo(Estimator.MAX_READS_PER_LANE);
        assertThat(r.largeObjectsRead()).isLessThanOrEqualTo(Estimator.MAX_READS_PER_LANE);
        assertThat(e.describe()).contains(e.source()).contains("projected (rough)");
    }

    private static double seconds(Duration d) {
        return d.toNanos() / 1e9;
    }

    @Test
    void aFullListingGivesExactCountsBytesAndHistogram() {
        S3Location source = S3Location.of(s3.asyncClient(), seeded, "est/");
        Estimate e = estimate(source, lister, List.of("skip/**"), 0);

        long smallBytes = 0;
        for (int i = 0; i < SMALL; i++) {
            smallBytes += smallSize(i);
        }
        assertThat(e.basis()).isEqualTo(Estimate.Basis.FULL_LISTING);
        assertThat(e.isExact()).isTrue();
        assertThat(e.sampleFraction()).isEqualTo(1.0);
        assertThat(e.objects()).isEqualTo(SMALL + 2);
        assertThat(e.bytes()).isEqualTo(smallBytes + LARGE_SIZES[0] + LARGE_SIZES[1]);
        assertThat(e.keys()).isEqualTo(SMALL + 2 + 5);
        assertThat(e.keysListed()).isEqualTo(SMALL + 2 + 5);
        assertThat(e.histogram()).containsExactlyElementsOf(expectedHistogram());
        assertThat(e.objects(Estimate.SMALL)).isEqualTo(SMALL);
        assertThat(e.objects(Estimate.LARGE)).isEqualTo(2);
        assertThat(e.bytes(Estimate.LARGE)).isEqualTo(LARGE_SIZES[0] + LARGE_SIZES[1]);

        assertThat(e.rates().listingKeysPerSecond()).isPositive();
        assertThat(e.rates().smallObjectsRead()).isEqualTo(Estimator.MAX_READS_PER_LANE);
        assertThat(e.rates().largeObjectsRead()).isEqualTo(2);
        assertThat(e.rates().smallObjectsPerSecond()).isPositive();
        assertThat(e.rates().largeBytesPerSecond()).isPositive();
        assertThat(e.projection().listing()).isPositive();
        assertThat(e.projection().smallLane()).isPositive();
        assertThat(e.projection().largeLane()).isPositive();
        assertThat(e.projection().total()).isGreaterThan(e.projection().transfer());
        assertThat(e.describe()).contains("exact: full listing of 307 keys").contains("small ").contains("large ");
    }

    @Test
    void aSampleOfEveryRangeIsExactAndOfSomeRangesIsAnExtrapolation() {
        S3Location source = S3Location.of(s3.asyncClient(), seeded, "est/");

        Estimate all = estimate(source, lister, List.of(), 1_000_000);
        assertThat(all.basis()).isEqualTo(Estimate.Basis.FULL_LISTING);
        assertThat(all.objects()).isEqualTo(SMALL + 2 + 5);

        Estimate some = estimate(source, lister, List.of(), 60);
        assertThat(some.basis()).isEqualTo(Estimate.Basis.EXTRAPOLATED);
        assertThat(some.rangesPlanned()).isGreaterThan(some.rangesListed()).isGreaterThan(1);
        assertThat(some.keysListed()).isBetween(60L, 120L);
        assertThat(some.sampleFraction()).isStrictlyBetween(0.0, 1.0);
        // Counts scaled by the share of ranges listed: the right order of magnitude.
        assertThat(some.objects()).isBetween(150L, 615L);
        assertThat(some.describe()).contains("extrapolated from " + some.rangesListed() + " of "
                + some.rangesPlanned() + " key ranges");
    }

    @Test
    void anEmptySourceIsAllZeros() {
        String bucket = MigrationRunTest.bucket(s3, "est-empty");
        Estimate e = estimate(S3Location.of(s3.asyncClient(), bucket), lister, List.of(), 0);

        assertThat(e.objects()).isZero();
        assertThat(e.bytes()).isZero();
        assertThat(e.keys()).isZero();
        assertThat(e.histogram()).isEmpty();
        assertThat(e.rates()).isEqualTo(new Estimate.Rates(0, 0, 0, 0, 0, 0));
        assertThat(e.projection().total()).isZero();
        assertThat(e.projection().listing()).isZero();
        assertThat(estimate(S3Location.of(s3.asyncClient(), bucket), lister, List.of(), 100).projection().total())
                .isZero();
    }

    @Test
    void aSampleOfAMillionSyntheticObjectsExtrapolatesCloseToTheTruth() {
        long objects = 1_000_000;
        long size = 1024;
        try (SyntheticS3 synthetic = SyntheticS3.builder().objects(objects).objectsPerPrefix(1_000).objectSize(size)
                .build();
                S3AsyncClient client = S3Clients.asyncClient(synthetic.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            S3Location source = S3Location.of(client, synthetic.sourceBucket());

            Estimate e = estimate(source, lister, List.of(), 50_000);

            assertThat(e.basis()).isEqualTo(Estimate.Basis.EXTRAPOLATED);
            assertThat(e.rangesPlanned()).isEqualTo(Estimator.SAMPLE_RANGES);
            assertThat(e.keysListed()).isBetween(50_000L, 100_000L);
            assertThat((double) e.objects()).isCloseTo(objects, within(objects * 0.10));
            assertThat((double) e.bytes()).isCloseTo(objects * size, within(objects * size * 0.10));
            assertThat(e.histogram()).singleElement().satisfies(b -> {
                assertThat(b.lane()).isEqualTo(Estimate.SMALL);
                assertThat(b.minSize()).isEqualTo(1024);
                assertThat(b.maxSize()).isEqualTo(2047);
            });
            assertThat(e.rates().smallObjectsRead()).isEqualTo(Estimator.MAX_READS_PER_LANE);
            assertThat(e.projection().listing()).isPositive();
            assertThat(e.projection().smallLane()).isPositive();
            assertThat(e.projection().largeLane()).isZero();
        }
    }

    @Test
    void aSourceThatDoesNotSplitGivesALowerBound() {
        try (SyntheticS3 synthetic = SyntheticS3.builder().objects(100_000).objectSize(100).build();
                S3AsyncClient client = S3Clients.asyncClient(synthetic.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            S3Location source = S3Location.of(client, synthetic.sourceBucket());
            ObjectLister unsplittable = location -> lister.list(location);

            Estimate e = estimate(source, unsplittable, List.of(), 10_000);

            assertThat(e.basis()).isEqualTo(Estimate.Basis.LOWER_BOUND);
            assertThat(e.objects()).isEqualTo(10_000);
            assertThat(e.bytes()).isEqualTo(10_000 * 100L);
            assertThat(e.sampleFraction()).isZero();
            assertThat(e.describe()).contains("lower bound");
        }
    }

    @Test
    void theLanesAreTheSchedulers() {
        assertThat(SCHEDULER.lanes()).isEqualTo(new TransferScheduler.Lanes(THRESHOLD, 128, 8));
        assertThat(SizeTieredScheduler.builder().build().lanes()).isEqualTo(TransferScheduler.Lanes.DEFAULTS);
        assertThatThrownBy(() -> new TransferScheduler.Lanes(0, 1, 1)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("were 0, 1, 1");
    }

    @Test
    void argumentsAreCheckedAtOnce() {
        S3Location source = S3Location.of(s3.asyncClient(), "some-bucket");
        assertThatThrownBy(() -> new Estimator(source, lister, KeyFilter.ALL, 0, 1, 1, 1, Clock.systemUTC()))
                .isInstanceOf(S3ReconException.class).hasMessageContaining("threshold must be positive, was 0");
        assertThatThrownBy(() -> new Estimator(source, lister, KeyFilter.ALL, 1, 1, 1, 1, Clock.systemUTC())
                .sampled(0)).isInstanceOf(S3ReconException.class).hasMessageContaining("was 0");
    }
}
