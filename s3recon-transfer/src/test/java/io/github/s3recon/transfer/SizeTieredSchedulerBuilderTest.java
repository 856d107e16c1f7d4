package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.TransferSchedulerProvider;
import java.time.Duration;
import java.util.ServiceLoader;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;

class SizeTieredSchedulerBuilderTest {

    private static void assertInvalid(ThrowingCallable call, String message) {
        assertThatThrownBy(call).isInstanceOf(S3ReconException.class)
                .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining(message);
    }

    @Test
    void hasTheDocumentedDefaults() {
        SizeTieredScheduler s = SizeTieredScheduler.builder().build();
        assertThat(s.smallObjectThreshold()).isEqualTo(16L << 20);
        assertThat(s.multipartCopyThreshold()).isEqualTo(5L << 30);
        assertThat(s.partSize()).isEqualTo(16L << 20);
        long budget = SizeTieredScheduler.defaultByteBudget(Runtime.getRuntime().maxMemory());
        assertThat(s.maxInFlightBytes()).isEqualTo(budget);
        assertThat(s.smallObjectConcurrency()).isEqualTo(128);
        assertThat(s.largeObjectConcurrency()).isEqualTo(8);
        assertThat(s.maxRequestsPerSecond()).isZero();
        assertThat(s.maxBytesPerSecond()).isZero();
        assertThat(s.maxAttempts()).isEqualTo(10);
        assertThat(s.initialBackoff()).isEqualTo(Duration.ofMillis(100));
        assertThat(s.maxBackoff()).isEqualTo(Duration.ofSeconds(20));
        assertThat(s.copyTags()).isTrue();
        assertThat(s.serverSideCopy()).isTrue();
        assertThat(s.plainUploads()).isFalse();
        assertThat(s.toString()).contains("smallObjectThreshold=16MiB", "maxInFlightBytes=" + DataSize.ofBytes(budget),
                "maxRequestsPerSecond=unlimited");
    }

    @Test
    void theDefaultByteBudgetIsAQuarterOfTheHeapAtMost256MiB() {
        long mib = 1L << 20;
        assertThat(SizeTieredScheduler.defaultByteBudget(6L << 30)).isEqualTo(256 * mib); // 24 GiB machine's default heap
        assertThat(SizeTieredScheduler.defaultByteBudget(1L << 30)).isEqualTo(256 * mib);
        assertThat(SizeTieredScheduler.defaultByteBudget(384 * mib)).isEqualTo(96 * mib);
        assertThat(SizeTieredScheduler.defaultByteBudget(32 * mib)).isEqualTo(16 * mib); // never below one part
        assertThat(SizeTieredScheduler.defaultByteBudget(Long.MAX_VALUE)).isEqualTo(256 * mib); // no -Xmx limit
    }

    @Test
    void takesEverySetting() {
        SizeTieredScheduler s = SizeTieredScheduler.builder().smallObjectThreshold(DataSize.ofMebibytes(8))
                .partSize(DataSize.ofMebibytes(5)).maxInFlightBytes(DataSize.ofMebibytes(64))
                .smallObjectConcurrency(3).largeObjectConcurrency(2).maxRequestsPerSecond(12.5)
                .maxBytesPerSecond(DataSize.ofMebibytes(10)).maxAttempts(4).initialBackoff(Duration.ofMillis(5))
                .maxBackoff(Duration.ofMillis(50)).copyTags(false).serverSideCopy(false).plainUploads(true)
                .multipartCopyThreshold(DataSize.ofMebibytes(100)).build();
        assertThat(s.smallObjectThreshold()).isEqualTo(8L << 20);
        assertThat(s.multipartCopyThreshold()).isEqualTo(100L << 20);
        assertThat(s.partSize()).isEqualTo(5L << 20);
        assertThat(s.maxInFlightBytes()).isEqualTo(64L << 20);
        assertThat(s.smallObjectConcurrency()).isEqualTo(3);
        assertThat(s.largeObjectConcurrency()).isEqualTo(2);
        assertThat(s.maxRequestsPerSecond()).isEqualTo(12.5);
        assertThat(s.maxBytesPerSecond()).isEqualTo(10L << 20);
        assertThat(s.maxAttempts()).isEqualTo(4);
        assertThat(s.initialBackoff()).isEqualTo(Duration.ofMillis(5));
        assertThat(s.maxBackoff()).isEqualTo(Duration.ofMillis(50));
        assertThat(s.copyTags()).isFalse();
        assertThat(s.serverSideCopy()).isFalse();
        assertThat(s.plainUploads()).isTrue();
        assertThat(s.toString()).contains("plainUploads=true");
    }

    @Test
    void everySetterRejectsABadValueAtOnceNamingIt() {
        SizeTieredScheduler.Builder b = SizeTieredScheduler.builder();
        assertInvalid(() -> b.smallObjectThreshold(DataSize.ofBytes(0)), "small object threshold must be from 1 byte to 5GiB (the largest single PUT), was 0B");
        assertInvalid(() -> b.smallObjectThreshold(DataSize.ofGibibytes(6)), "was 6GiB");
        assertInvalid(() -> b.smallObjectThreshold(null), "small object threshold must not be null");
        assertInvalid(() -> b.multipartCopyThreshold(DataSize.ofBytes(0)), "multipart copy threshold must be from 1 byte");
        assertInvalid(() -> b.multipartCopyThreshold(DataSize.ofGibibytes(6)), "was 6GiB");
        assertInvalid(() -> b.partSize(DataSize.ofMebibytes(4)), "part size must be from 5MiB to 5GiB, was 4MiB");
        assertInvalid(() -> b.partSize(DataSize.ofGibibytes(6)), "was 6GiB");
        assertInvalid(() -> b.maxInFlightBytes(DataSize.ofBytes(0)), "in-flight byte budget must be positive, was 0B");
        assertInvalid(() -> b.smallObjectConcurrency(0), "small object concurrency must be from 1 to 10000, was 0");
        assertInvalid(() -> b.largeObjectConcurrency(1001), "large object concurrency must be from 1 to 1000, was 1001");
        assertInvalid(() -> b.maxRequestsPerSecond(-1), "max requests per second must be 0 (unlimited) or positive and finite, was -1.0");
        assertInvalid(() -> b.maxRequestsPerSecond(Double.NaN), "was NaN");
        assertInvalid(() -> b.maxRequestsPerSecond(Double.POSITIVE_INFINITY), "was Infinity");
        assertInvalid(() -> b.maxBytesPerSecond(null), "max bytes per second must not be null");
        assertInvalid(() -> b.maxAttempts(0), "max attempts must be from 1 to 100, was 0");
        assertInvalid(() -> b.initialBackoff(Duration.ZERO), "initial backoff must be positive, was PT0S");
        assertInvalid(() -> b.maxBackoff(Duration.ofMillis(-1)), "max backoff must be positive, was PT-0.001S");
        assertInvalid(() -> b.initialBackoff(null), "initial backoff");
        // Nothing was changed by the rejected values.
        assertThat(b.build().smallObjectThreshold()).isEqualTo(16L << 20);
    }

    @Test
    void buildChecksTheBackoffsAgainstEachOther() {
        assertInvalid(() -> SizeTieredScheduler.builder().initialBackoff(Duration.ofSeconds(30)).build(),
                "initial backoff PT30S must not exceed max backoff PT20S");
    }

    @Test
    void theBoundsThemselvesAreAccepted() {
        SizeTieredScheduler s = SizeTieredScheduler.builder().smallObjectThreshold(DataSize.ofBytes(1))
                .partSize(DataSize.ofGibibytes(5)).maxInFlightBytes(DataSize.ofBytes(1)).smallObjectConcurrency(10_000)
                .largeObjectConcurrency(1).maxAttempts(100).initialBackoff(Duration.ofSeconds(20)).build();
        assertThat(s.partSize()).isEqualTo(5L << 30);
    }

    @Test
    void isFoundAsTheDefaultSchedulerThroughServiceLoader() {
        assertThat(ServiceLoader.load(TransferSchedulerProvider.class))
                .anySatisfy(p -> assertThat(p).isInstanceOf(SizeTieredSchedulerProvider.class));
        try (TransferScheduler scheduler = new SizeTieredSchedulerProvider().create()) {
            assertThat(scheduler).isInstanceOf(SizeTieredScheduler.class);
        }
    }
}
