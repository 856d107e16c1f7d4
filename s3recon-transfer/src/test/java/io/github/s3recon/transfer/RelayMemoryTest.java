package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.DataSize;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.HeapPeak;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.testkit.SyntheticS3;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Relays objects of 64 MiB with a byte budget of 128 MiB in a JVM with a small heap (this module's
 * POM gives *MemoryTests 256 MiB; it also passes with 64 MiB), from a synthetic source to a sink
 * that checks and discards what it receives: the data left in the heap after each garbage
 * collection stays far below the budget, because parts stream and are never held whole. The
 * object count defaults to two dozen (1.5 GiB) to keep the build quick; run the full scale with
 * {@code -Ds3recon.memoryTest.objects=1000} (62.5 GiB, a few minutes).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class RelayMemoryTest {

    private static final long OBJECT = 64L << 20;

    @Test
    void relaysObjectsFarLargerThanTheHeapByStreaming() {
        int objects = Integer.getInteger("s3recon.memoryTest.objects", 24);
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        long peak;
        long livePeak;
        long maxHeap = Runtime.getRuntime().maxMemory();
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(objects).objectSize(OBJECT).sinkBucket("sink").build();
                S3AsyncClient client = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("memory-test", "not-a-secret")));
                SizeTieredScheduler scheduler = SizeTieredScheduler.builder().maxInFlightBytes(DataSize.ofMebibytes(128))
                        .serverSideCopy(false).build();
                TransferSession session = scheduler.open(new TransferContext(S3Location.of(client, s3.sourceBucket()),
                        S3Location.of(client, "sink"), ChecksumAlgorithm.CRC64NVME,
                        TransferOutcomes.notifying(recorder), Clock.systemUTC()));
                HeapPeak heap = HeapPeak.start();
                LiveHeap live = new LiveHeap()) {
            for (int i = 0; i < objects; i++) {
                session.copy(s3.object(s3.sourceBucket(), s3.key(i)).orElseThrow());
            }
            totals = session.awaitCompletion();
            peak = heap.bytes();
            livePeak = live.peakAfterCollections();
            assertThat(live.collections()).as("the relay produced garbage: the heap was collected").isPositive();
            assertThat(s3.bytesWritten()).isEqualTo(objects * OBJECT);
            assertThat(s3.writeCounts()).hasSize(objects).allSatisfy((key, writes) -> assertThat(writes).isOne());
            assertThat(s3.uploadsInProgress()).isZero();
            // The sink combined the parts' CRCs into the whole's, as the relay did.
            assertThat(s3.object("sink", s3.key(0)).orElseThrow().checksum())
                    .isEqualTo(recorder.copied().get(s3.key(0)).checksum());
        }
        assertThat(recorder.failed()).isEmpty();
        assertThat(totals.objectsRelayed()).isEqualTo(objects);
        assertThat(totals.bytesRelayed()).isEqualTo(objects * OBJECT);
        System.out.printf("relayed %d objects of 64 MiB (%d MiB) with a heap of %d MiB: peak heap in use %d MiB, "
                + "at most %d MiB after a collection%n", objects, objects * 64, maxHeap >> 20, peak >> 20, livePeak >> 20);
        // Parts held whole would keep up to 112 MiB alive (the budget less the small reserve) on top of
        // the 30-45 MiB that the client, the in-process server and the test need: parts stream.
        assertThat(livePeak).isLessThan(80L << 20);
    }
}
