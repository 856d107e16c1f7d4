package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.HeapPeak;
import io.github.s3recon.testkit.SyntheticS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Runs with -Xmx256m (a *MemoryTest; this module's POM sets the heap): a relayed migration of
 * objects of 64 MiB with a 128 MiB in-flight budget, from a synthetic source to a synthetic sink
 * that streams what it receives away, both servers in the same heap. Nothing is held per object,
 * so the count only sets how long it runs: {@code -Ds3recon.memory.objects=1000} is the issue's
 * full figure (64 GiB through the JVM, several minutes here); the default keeps CI quick.
 */
class MigrationMemoryTest {

    private static final long SIZE = 64L << 20;

    @Test
    void relaysLargeObjectsWithinTheBudgetInASmallHeap(@TempDir Path work) {
        int objects = Integer.getInteger("s3recon.memory.objects", 120);
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(300L << 20);
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(objects).objectSize(SIZE).sinkBucket("sink").build();
                S3AsyncClient source = client(s3.endpoint());
                // Another endpoint URL for the same server: to s3recon a different endpoint, so it relays.
                S3AsyncClient destination = client(URI.create(s3.endpoint().toString()
                        .replace("127.0.0.1", "localhost")));
                SizeTieredScheduler scheduler = SizeTieredScheduler.builder()
                        .maxInFlightBytes(DataSize.ofMebibytes(128)).build();
                Migration m = Migration.builder().source(S3Location.of(source, s3.sourceBucket()))
                        .destination(S3Location.of(destination, "sink")).workDirectory(work)
                        .transferScheduler(scheduler).build()) {
            HeapPeak peak = HeapPeak.start();
            long started = System.nanoTime();
            MigrationResult r = m.run();
            double seconds = (System.nanoTime() - started) / 1e9;
            long peakBytes = peak.bytes();
            peak.close();
            System.out.printf(java.util.Locale.ROOT, "relayed %d x 64 MiB in %.1f s (%.0f MB/s), peak heap %d MiB%n",
                    objects, seconds, objects * SIZE / seconds / 1e6, peakBytes >> 20);
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsRelayed()).isEqualTo(objects);
            assertThat(r.report().transfer().bytesRelayed()).isEqualTo(objects * SIZE);
            assertThat(s3.bytesWritten()).isGreaterThanOrEqualTo(objects * SIZE);
            assertThat(r.report().counts().matched()).isEqualTo(objects);
            assertThat(peakBytes).isLessThan(256L << 20);
        }
    }

    private static S3AsyncClient client(URI endpoint) {
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(64)
                        .connectionAcquisitionTimeout(Duration.ofMinutes(1)))
                .build();
    }
}
