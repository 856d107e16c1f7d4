package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.MIB;
import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Cancellation, closing, back-pressure, the byte budget and a source that changes mid-copy. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SessionLifecycleTest {

    private static final EmbeddedS3 SOURCE = EmbeddedS3.shared();
    private static final EmbeddedS3 DESTINATION = Fixture.other();
    private static String source;

    @BeforeAll
    static void seed() {
        source = bucket(SOURCE, "lifecycle-src");
        for (int i = 0; i < 60; i++) {
            SOURCE.put(source, "small/" + i, bytes(3 * MIB / 2 + i, i));
        }
        for (int i = 0; i < 3; i++) {
            SOURCE.put(source, "large/" + i, bytes(13 * MIB + i, 100 + i));
        }
    }

    private static Set<String> transferThreads() {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> n.startsWith("s3recon-transfer-")).collect(Collectors.toSet());
    }

    private static S3AsyncClient client(FaultInjectingProxy proxy) {
        return S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
    }

    @Test
    void cancelEndsEverythingSubmittedOnceAbortsUploadsAndCloseStopsTheThreads() throws Exception {
        String destination = bucket(DESTINATION, "lifecycle-cancel");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = new ArrayList<>(Fixture.list(SOURCE.client(), source, ""));
        Set<String> before = transferThreads();
        TransferTotals totals;
        // Slow writes: the parts of the large objects are in flight when the cancellation comes.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint())
                .inject(Fault.delay(1, Duration.ofMillis(300)).onlyFor(r -> r.operation() == Operation.UPLOAD_PART
                        || r.operation() == Operation.PUT_OBJECT));
                S3AsyncClient dst = client(proxy);
                SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                        .partSize(DataSize.ofMebibytes(5)).smallObjectConcurrency(4).largeObjectConcurrency(2).build()) {
            TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(dst, destination), recorder));
            assertThat(transferThreads()).hasSizeGreaterThan(before.size());
            Thread submitter = new Thread(() -> entries.forEach(session::copy));
            submitter.start();
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (proxy.forwardedCount(Operation.UPLOAD_PART, destination, "large/0") == 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            session.cancel();
            submitter.join(10_000);
            assertThat(submitter.isAlive()).as("copy() returns once cancelled").isFalse();
            totals = session.awaitCompletion();
            session.close();
            session.close(); // idempotent
            assertThatThrownBy(() -> session.copy(entries.get(0))).isInstanceOf(IllegalStateException.class);
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        List<ObjectFailed> failed = recorder.of(ObjectFailed.class);
        assertThat(failed).isNotEmpty().allSatisfy(f -> {
            assertThat(f.error().code()).isEqualTo(ErrorCode.INTERRUPTED);
            assertThat(f.error().getMessage()).contains("'" + f.key() + "' was cancelled");
        });
        assertThat(totals.objectsFailed()).isEqualTo(failed.size());
        assertThat(totals.objectsCopied() + totals.objectsFailed()).isEqualTo(entries.size());
        assertThat(DESTINATION.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                .as("uploads in progress were aborted").isEmpty();
        assertThat(transferThreads()).as("no thread outlives close()").isEqualTo(before);
    }

    @Test
    void anUploadCreatedAfterTheCancellationIsAbortedBeforeTheSessionEnds() throws Exception {
        String destination = bucket(DESTINATION, "lifecycle-cancel-create");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "").stream()
                .filter(e -> e.key().startsWith("large/")).toList();
        // The server creates the upload at once; its answer reaches the client a second later,
        // after the cancellation.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint())
                .inject(Fault.delay(1, Duration.ofSeconds(1))
                        .onlyFor(r -> r.operation() == Operation.CREATE_MULTIPART_UPLOAD));
                S3AsyncClient dst = client(proxy);
                SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                        .partSize(DataSize.ofMebibytes(5)).largeObjectConcurrency(2).build()) {
            TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(dst, destination), recorder));
            entries.forEach(session::copy);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, "large/0") == 0
                    && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            Thread.sleep(200);
            assertThat(DESTINATION.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                    .as("created at the server before the cancellation").isNotEmpty();
            session.cancel();
            TransferTotals totals = session.awaitCompletion();

            assertThat(totals.objectsCopied()).isZero();
            assertThat(DESTINATION.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                    .as("aborted before awaitCompletion() returned").isEmpty();
            session.close();
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
    }

    @Test
    void closingTheSchedulerClosesItsSessionsAndRefusesNewOnes() {
        Set<String> before = transferThreads();
        SizeTieredScheduler scheduler = Fixture.testScheduler().build();
        TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                S3Location.of(DESTINATION.asyncClient(), bucket(DESTINATION, "lifecycle-closed")),
                new RecordingListener()));
        scheduler.close();
        assertThat(transferThreads()).isEqualTo(before);
        assertThatThrownBy(() -> session.copy(ObjectEntry.of("small/1", 1, null)))
                .isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                S3Location.of(SOURCE.asyncClient(), source), new RecordingListener())))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("closed");
    }

    @Test
    void copyBlocksItsCallerWhileTheLaneIsFull() {
        String destination = bucket(DESTINATION, "lifecycle-backpressure");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "small/").subList(0, 6);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint())
                .inject(Fault.delay(1, Duration.ofMillis(250)).onlyFor(Operation.PUT_OBJECT));
                S3AsyncClient dst = client(proxy);
                SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectConcurrency(1).build();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source,
                        "small/"), S3Location.of(dst, destination), recorder))) {
            long started = System.nanoTime();
            entries.forEach(session::copy);
            long submitting = System.nanoTime() - started;
            session.awaitCompletion();
            // One object in flight and one queued: the other four wait for room, a PUT (250 ms) each.
            assertThat(Duration.ofNanos(submitting)).isGreaterThan(Duration.ofMillis(700));
        }
        assertThat(recorder.copied()).hasSize(6);
    }

    @Test
    void relaysKeepTheirBytesInFlightWithinTheBudget() {
        String destination = bucket(DESTINATION, "lifecycle-budget");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "");
        long budget = 6L * MIB;
        try (SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                .partSize(DataSize.ofMebibytes(5)).maxInFlightBytes(DataSize.ofBytes(budget)).build();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                        S3Location.of(DESTINATION.asyncClient(), destination), recorder))) {
            SizeTieredSession s = (SizeTieredSession) session;
            // Parts leave the smaller of the threshold and half the budget to small objects.
            assertThat(s.budget.largeAllowance()).isEqualTo(3L * MIB);
            entries.forEach(session::copy);
            session.awaitCompletion();
            assertThat(s.budget.peak()).isLessThanOrEqualTo(budget).isGreaterThan(3L * MIB);
            assertThat(s.budget.used()).isZero();
        }
        assertThat(recorder.copied()).hasSize(entries.size());
    }

    @Test
    void anObjectLargerThanTheWholeBudgetStillProceeds() {
        String destination = bucket(DESTINATION, "lifecycle-tiny-budget");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = List.of(Fixture.list(SOURCE.client(), source, "small/").get(0),
                Fixture.list(SOURCE.client(), source, "large/").get(0)).stream().toList();
        try (SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                .partSize(DataSize.ofMebibytes(5)).maxInFlightBytes(DataSize.ofMebibytes(1)).build();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source,
                        ""), S3Location.of(DESTINATION.asyncClient(), destination), recorder))) {
            session.copy(entries.get(0).withKey("small/" + entries.get(0).key()));
            session.copy(entries.get(1).withKey("large/" + entries.get(1).key()));
            session.awaitCompletion();
            assertThat(((SizeTieredSession) session).budget.peak()).isLessThanOrEqualTo(MIB);
        }
        assertThat(recorder.failed()).isEmpty();
        assertThat(recorder.copied()).hasSize(2);
    }

    @Test
    void aSourceThatChangesDuringTheCopyFailsWithoutWritingAMix() throws Exception {
        String src = bucket(SOURCE, "lifecycle-changing");
        SOURCE.put(src, "changing", bytes(16 * MIB, 1));
        SOURCE.put(src, "stale", bytes(100, 2));
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), src, "");
        SOURCE.put(src, "stale", bytes(100, 3)); // changed after the listing: same size, another ETag
        String destination = bucket(DESTINATION, "lifecycle-changed");
        RecordingListener recorder = new RecordingListener();
        // Parts one at a time, each read slowly: the object changes while its parts are copied.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(SOURCE.endpoint())
                .inject(Fault.delay(1, Duration.ofMillis(400)).onlyFor(Operation.GET_OBJECT));
                S3AsyncClient slow = client(proxy);
                SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                        .partSize(DataSize.ofMebibytes(5)).largeObjectConcurrency(1).build();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(slow, src),
                        S3Location.of(DESTINATION.asyncClient(), destination), recorder))) {
            entries.forEach(session::copy);
            long deadline = System.nanoTime() + 20_000_000_000L;
            while (proxy.forwardedCount(Operation.GET_OBJECT, src, "changing") == 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            SOURCE.put(src, "changing", bytes(16 * MIB, 4));
            session.awaitCompletion();
        }
        recorder.assertOneOutcomeEach(List.of("changing", "stale"));
        assertThat(recorder.failed()).containsOnlyKeys("changing", "stale").allSatisfy((key, f) -> {
            assertThat(f.error().code()).isEqualTo(ErrorCode.COPY_FAILED);
            assertThat(f.error().getMessage()).contains("changed after it was listed", "run again");
            assertThat(f.attempts()).isOne();
        });
        assertThat(Fixture.list(DESTINATION.client(), destination, "")).isEmpty();
        assertThat(DESTINATION.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
    }
}
