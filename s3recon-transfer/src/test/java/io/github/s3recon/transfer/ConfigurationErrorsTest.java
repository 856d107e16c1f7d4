package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.UploadCheckpoints;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Every setter of {@link SizeTieredScheduler.Builder}, its {@code build()}, the scheduler's
 * {@code open}, the {@link TransferContext} it opens with and {@link TransferOutcomes#notifying}
 * reject a bad value or use with {@link S3ReconException} and {@link ErrorCode#INVALID_CONFIGURATION},
 * naming the setter or parameter and the value.
 */
class ConfigurationErrorsTest {

    private static S3ReconException invalid(Runnable call, String... named) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).as("expected an S3ReconException").isInstanceOf(S3ReconException.class);
        S3ReconException e = (S3ReconException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains(named);
        return e;
    }

    @Test
    void everySetterNamesItselfAndTheValue() {
        SizeTieredScheduler.Builder b = SizeTieredScheduler.builder();
        invalid(() -> b.smallObjectThreshold(null), "smallObjectThreshold", "null");
        invalid(() -> b.smallObjectThreshold(DataSize.ofBytes(0)), "smallObjectThreshold", "0B");
        invalid(() -> b.multipartCopyThreshold(null), "multipartCopyThreshold", "null");
        invalid(() -> b.multipartCopyThreshold(DataSize.ofGibibytes(6)), "multipartCopyThreshold", "6GiB");
        invalid(() -> b.partSize(null), "partSize", "null");
        invalid(() -> b.partSize(DataSize.ofMebibytes(4)), "partSize", "4MiB");
        invalid(() -> b.maxInFlightBytes(null), "maxInFlightBytes", "null");
        invalid(() -> b.maxInFlightBytes(DataSize.ofBytes(0)), "maxInFlightBytes", "0B");
        invalid(() -> b.smallObjectConcurrency(0), "smallObjectConcurrency", "0");
        invalid(() -> b.smallObjectConcurrency(10_001), "smallObjectConcurrency", "10001");
        invalid(() -> b.largeObjectConcurrency(0), "largeObjectConcurrency", "0");
        invalid(() -> b.maxRequestsPerSecond(-1), "maxRequestsPerSecond", "-1.0");
        invalid(() -> b.maxRequestsPerSecond(Double.NaN), "maxRequestsPerSecond", "NaN");
        invalid(() -> b.maxBytesPerSecond(null), "maxBytesPerSecond", "null");
        invalid(() -> b.maxAttempts(0), "maxAttempts", "0");
        invalid(() -> b.maxAttempts(101), "maxAttempts", "101");
        invalid(() -> b.initialBackoff(null), "initialBackoff", "null");
        invalid(() -> b.initialBackoff(Duration.ofMillis(-5)), "initialBackoff", "PT-0.005S");
        invalid(() -> b.maxBackoff(null), "maxBackoff", "null");
        invalid(() -> b.maxBackoff(Duration.ZERO), "maxBackoff", "PT0S");
        // A rejected value changes nothing.
        assertThat(b.build().initialBackoff()).isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void buildNamesBothSettingsThatDisagree() {
        invalid(() -> SizeTieredScheduler.builder().initialBackoff(Duration.ofSeconds(2))
                .maxBackoff(Duration.ofSeconds(1)).build(), "initialBackoff", "maxBackoff", "PT2S", "PT1S");
    }

    @Test
    void openRejectsANullContextAndAClosedScheduler() {
        SizeTieredScheduler scheduler = SizeTieredScheduler.withDefaults();
        invalid(() -> scheduler.open(null), "context");
        scheduler.close();
        invalid(() -> scheduler.open(null), "context");
        // A real client; nothing is sent to this address, since the closed scheduler opens nothing.
        try (S3AsyncClient client = S3Clients.asyncClient(URI.create("http://127.0.0.1:1"), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))) {
            TransferContext context = new TransferContext(S3Location.of(client, "source"),
                    S3Location.of(client, "destination"), ChecksumAlgorithm.CRC64NVME, TransferOutcomes.NONE,
                    Clock.systemUTC());
            invalid(() -> scheduler.open(context), "closed", "SizeTieredScheduler.builder()");
        }
    }

    @Test
    void aTransferContextNamesTheMissingParameter() {
        // A real client; nothing is sent to this address: a context is only values.
        try (S3AsyncClient client = S3Clients.asyncClient(URI.create("http://127.0.0.1:1"), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")))) {
            S3Location source = S3Location.of(client, "source");
            S3Location destination = S3Location.of(client, "destination");
            ChecksumAlgorithm crc = ChecksumAlgorithm.CRC64NVME;
            TransferOutcomes none = TransferOutcomes.NONE;
            Clock clock = Clock.systemUTC();
            UploadCheckpoints uploads = UploadCheckpoints.NONE;
            invalid(() -> new TransferContext(null, destination, crc, none, clock, uploads), "source", "null");
            invalid(() -> new TransferContext(source, null, crc, none, clock, uploads), "destination", "null");
            invalid(() -> new TransferContext(source, destination, null, none, clock, uploads), "checksumAlgorithm",
                    "null");
            invalid(() -> new TransferContext(source, destination, crc, null, clock, uploads), "outcomes", "null");
            invalid(() -> new TransferContext(source, destination, crc, none, null, uploads), "clock", "null");
            invalid(() -> new TransferContext(source, destination, crc, none, clock, null), "uploads", "null");
            invalid(() -> new TransferContext(source, destination, crc, null, clock), "outcomes", "null");
            assertThat(new TransferContext(source, destination, crc, none, clock).uploads())
                    .isSameAs(UploadCheckpoints.NONE);
        }
    }

    @Test
    void notifyingNeedsAListener() {
        invalid(() -> TransferOutcomes.notifying(null), "listener", "null");
        assertThat(TransferOutcomes.notifying(MigrationListener.NONE)).isNotNull();
    }
}
