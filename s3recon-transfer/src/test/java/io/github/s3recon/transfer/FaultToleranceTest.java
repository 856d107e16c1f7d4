package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.MIB;
import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.FaultInjectingProxy.Request;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.RecordingListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/**
 * Copies through a proxy that answers 503 SlowDown and 500, and resets connections before and in
 * the middle of responses: every object arrives whole, each retry is reported and counted, and
 * throttling lowers the concurrency.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class FaultToleranceTest {

    private static final EmbeddedS3 SOURCE = EmbeddedS3.shared();
    private static final EmbeddedS3 DESTINATION = Fixture.other();
    private static String source;
    private static final Map<String, byte[]> CONTENTS = new LinkedHashMap<>();

    @BeforeAll
    static void seed() {
        source = bucket(SOURCE, "faults-src");
        for (int i = 0; i < 150; i++) {
            byte[] content = bytes(i % 10 == 0 ? 0 : 100 + i * 211, i);
            CONTENTS.put("small/" + i + " ü.bin", content);
            if (i % 15 == 1) {
                SOURCE.putTagged(source, "small/" + i + " ü.bin", content, Map.of("n", Integer.toString(i)));
            } else {
                SOURCE.put(source, "small/" + i + " ü.bin", content);
            }
        }
        for (int i = 0; i < 2; i++) {
            byte[] large = bytes(12 * MIB + i, 1000 + i);
            CONTENTS.put("large/" + i + ".bin", large);
            SOURCE.putMultipart(source, "large/" + i + ".bin", large, EmbeddedS3.MIN_PART_SIZE, ChecksumAlgorithm.CRC32);
        }
    }

    static boolean objectRequest(Request r) {
        return !r.key().isEmpty() && r.operation() != Operation.OTHER;
    }

    private static FaultInjectingProxy faulty(EmbeddedS3 server, long seed) {
        return FaultInjectingProxy.start(server.endpoint()).seed(seed)
                .inject(Fault.slowDown(0.10).onlyFor(FaultToleranceTest::objectRequest))
                .inject(Fault.internalError(0.03).onlyFor(FaultToleranceTest::objectRequest))
                .inject(Fault.resetBeforeResponse(0.02).onlyFor(FaultToleranceTest::objectRequest))
                .inject(Fault.resetMidBody(0.02).onlyFor(FaultToleranceTest::objectRequest));
    }

    private static S3AsyncClient client(FaultInjectingProxy proxy) {
        return S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
    }

    private static SizeTieredScheduler scheduler() {
        return Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5))
                .smallObjectConcurrency(32).maxAttempts(20).build();
    }

    private static void assertAllCopiedAndCounted(RecordingListener recorder, TransferTotals totals,
            String destination) {
        recorder.assertOneOutcomeEach(CONTENTS.keySet());
        assertThat(recorder.failed()).isEmpty();
        assertThat(totals.objectsCopied()).isEqualTo(CONTENTS.size());
        List<TransferRetried> retries = recorder.of(TransferRetried.class);
        assertThat(totals.retries()).isPositive().isEqualTo(retries.size());
        // Each object's attempts are its first one plus its retries.
        assertThat(recorder.copied().values().stream().mapToLong(e -> e.attempts() - 1).sum())
                .isEqualTo(totals.retries());
        assertThat(retries).allSatisfy(r -> assertThat(r.reason()).isNotBlank());
        assertThat(retries).extracting(TransferRetried::reason).anyMatch(r -> r.contains("503 SlowDown"));
        software.amazon.awssdk.services.s3.S3Client client = destination.startsWith("faults-dst")
                ? DESTINATION.client() : SOURCE.client();
        CONTENTS.forEach((key, content) ->
                assertThat(Fixture.get(client, destination, key)).as(key).isEqualTo(content));
    }

    @Test
    void relaysEveryObjectWholeThrough503sResetsAnd500s() {
        String destination = bucket(DESTINATION, "faults-dst");
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        AtomicInteger lowestLimit = new AtomicInteger(Integer.MAX_VALUE);
        try (FaultInjectingProxy toSource = faulty(SOURCE, 1); FaultInjectingProxy toDestination = faulty(DESTINATION, 2);
                S3AsyncClient src = client(toSource); S3AsyncClient dst = client(toDestination);
                SizeTieredScheduler scheduler = scheduler();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(src, source),
                        S3Location.of(dst, destination), recorder))) {
            SizeTieredSession s = (SizeTieredSession) session;
            Thread sampler = new Thread(() -> {
                while (!Thread.currentThread().isInterrupted()) {
                    lowestLimit.accumulateAndGet(s.smallLimit.limit(), Math::min);
                    try {
                        Thread.sleep(2);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
            sampler.start();
            Fixture.list(SOURCE.client(), source, "").forEach(session::copy);
            totals = session.awaitCompletion();
            sampler.interrupt();
            assertThat(toSource.injectedCount() + toDestination.injectedCount()).isGreaterThan(20);
        }
        assertAllCopiedAndCounted(recorder, totals, destination);
        assertThat(totals.objectsRelayed()).isEqualTo(CONTENTS.size());
        assertThat(lowestLimit.get()).as("throttling halves the small lane's concurrency").isLessThan(32);
        assertThat(Fixture.tags(DESTINATION.client(), destination, "small/1 ü.bin")).containsEntry("n", "1");
    }

    @Test
    void copiesEveryObjectServerSideThrough503sResetsAnd500s() {
        String destination = bucket(SOURCE, "faults-server-side");
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (FaultInjectingProxy proxy = faulty(SOURCE, 3); S3AsyncClient client = client(proxy);
                SizeTieredScheduler scheduler = scheduler()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(client, source),
                    S3Location.of(client, destination), recorder), Fixture.list(SOURCE.client(), source, ""));
            assertThat(proxy.injectedCount()).isGreaterThan(10);
        }
        assertAllCopiedAndCounted(recorder, totals, destination);
        assertThat(totals.objectsServerSide()).isEqualTo(CONTENTS.size());
    }

    @Test
    void anObjectThatStaysThrottledFailsWhenItsAttemptsRunOutAndTheOthersGoOn() {
        String destination = bucket(DESTINATION, "faults-exhausted");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "small/").subList(0, 20);
        String doomed = entries.get(3).key();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint())
                .inject(Fault.slowDown(1).onlyFor(r -> r.key().equals(doomed)));
                S3AsyncClient dst = client(proxy);
                SizeTieredScheduler scheduler = Fixture.testScheduler().maxAttempts(3).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source, "small/"),
                    S3Location.of(dst, destination), recorder), entries);
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        ObjectFailed failed = recorder.failed().get(doomed);
        assertThat(recorder.failed()).containsOnlyKeys(doomed);
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.error().code()).isEqualTo(ErrorCode.COPY_FAILED);
        assertThat(failed.error().getMessage()).contains("after 3 attempts", "PutObject", "s3://" + destination + "/"
                + doomed, "503 SlowDown", "lower the scheduler's concurrency or request rate");
        assertThat(recorder.of(TransferRetried.class)).hasSize(2).allSatisfy(r -> {
            assertThat(r.key()).isEqualTo(doomed);
            assertThat(r.reason()).isEqualTo("PutObject: 503 SlowDown");
        });
        assertThat(recorder.copied()).hasSize(19);
    }

    @Test
    void rateLimitsSpaceTheRequestsOut() {
        String destination = bucket(DESTINATION, "faults-rate");
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "small/").subList(0, 30);
        RecordingListener recorder = new RecordingListener();
        long started = System.nanoTime();
        try (SizeTieredScheduler scheduler = Fixture.testScheduler().maxRequestsPerSecond(40).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source, "small/"),
                    S3Location.of(DESTINATION.asyncClient(), destination), recorder), entries);
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        // 30 objects, at least a GET and a PUT each (tags too for some): 60+ requests at 40/s after a
        // burst of 40 take at least half a second.
        assertThat(seconds).isGreaterThan(0.45);
        assertThat(recorder.copied()).hasSize(30);
    }
}
