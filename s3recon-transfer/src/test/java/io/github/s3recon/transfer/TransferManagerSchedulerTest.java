package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.MIB;
import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The {@link TransferManagerScheduler}'s contract on its own, against real servers: failures of
 * single objects, a source that changed since the plan, deletions that keep a rewritten object,
 * cancellation, and its builder's checks.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class TransferManagerSchedulerTest {

    private static final EmbeddedS3 SOURCE = EmbeddedS3.shared();
    private static final EmbeddedS3 DESTINATION = Fixture.other();
    private static String source;

    @BeforeAll
    static void seed() {
        source = bucket(SOURCE, "tm-unit-src");
        for (int i = 0; i < 40; i++) {
            SOURCE.put(source, "small/" + i, bytes(MIB / 2 + i, i));
        }
    }

    private static TransferManagerScheduler.Builder quick() {
        return TransferManagerScheduler.builder().initialBackoff(Duration.ofMillis(5))
                .maxBackoff(Duration.ofMillis(50));
    }

    private static TransferTotals copyAll(TransferManagerScheduler scheduler, S3Location from, S3Location to,
            RecordingListener recorder, List<ObjectEntry> entries) {
        try (TransferSession session = scheduler.open(Fixture.context(from, to, recorder))) {
            entries.forEach(session::copy);
            return session.awaitCompletion();
        }
    }

    @Test
    void aMissingSourceAndAChangedSourceFailAloneOnceEachAndTheOthersAreCopied() {
        String destination = bucket(DESTINATION, "tm-unit-fail");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = new ArrayList<>(Fixture.list(SOURCE.client(), source, "").stream()
                .filter(e -> e.key().startsWith("small/1")).toList());
        entries.add(ObjectEntry.of("small/missing", 10, "0123456789abcdef0123456789abcdef"));
        ObjectEntry changed = entries.get(0);
        entries.set(0, ObjectEntry.of(changed.key(), changed.size(), "ffffffffffffffffffffffffffffffff"));
        TransferTotals totals;
        try (TransferManagerScheduler scheduler = quick().build()) {
            totals = copyAll(scheduler, S3Location.of(SOURCE.asyncClient(), source, ""),
                    S3Location.of(DESTINATION.asyncClient(), destination, ""), recorder, entries);
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        List<ObjectFailed> failed = recorder.of(ObjectFailed.class);
        assertThat(failed).extracting(ObjectFailed::key).containsExactlyInAnyOrder("small/missing", changed.key());
        assertThat(failed).allSatisfy(f -> {
            assertThat(f.error().code()).isEqualTo(ErrorCode.COPY_FAILED);
            assertThat(f.attempts()).as("a permanent failure is not retried").isEqualTo(1);
            assertThat(f.error().getMessage()).contains("GetObject");
        });
        assertThat(totals.objectsFailed()).isEqualTo(2);
        assertThat(totals.objectsCopied()).isEqualTo(entries.size() - 2);
        assertThat(totals.objectsRelayed()).isEqualTo(entries.size() - 2);
        assertThat(recorder.of(ObjectCopied.class)).allSatisfy(c -> assertThat(c.checksum()).isNotNull());
    }

    @Test
    void aDeletionKeepsAnObjectRewrittenSinceThePlan() {
        String destination = bucket(DESTINATION, "tm-unit-del");
        DESTINATION.put(destination, "same", "same".getBytes());
        DESTINATION.put(destination, "rewritten", "old".getBytes());
        List<ObjectEntry> planned = Fixture.list(DESTINATION.client(), destination, "");
        DESTINATION.put(destination, "rewritten", "new bytes".getBytes());
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (TransferManagerScheduler scheduler = quick().build();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                        S3Location.of(DESTINATION.asyncClient(), destination), recorder))) {
            planned.forEach(session::delete);
            totals = session.awaitCompletion();
        }
        assertThat(totals.objectsDeleted()).isEqualTo(1);
        assertThat(totals.deletionsKept()).isEqualTo(1);
        assertThat(totals.objectsFailed()).isZero();
        assertThat(recorder.of(ObjectFailed.class)).singleElement().satisfies(f -> {
            assertThat(f.key()).isEqualTo("rewritten");
            assertThat(f.error().code()).isEqualTo(ErrorCode.DELETE_FAILED);
        });
        assertThat(Fixture.list(DESTINATION.client(), destination, "")).extracting(ObjectEntry::key)
                .containsExactly("rewritten");
    }

    @Test
    void retriesAreReportedAndCounted() {
        String destination = bucket(DESTINATION, "tm-unit-retry");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "");
        TransferTotals totals;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint()).seed(7)
                .inject(Fault.slowDown(0.3).onlyFor(r -> r.operation() == Operation.PUT_OBJECT));
                S3AsyncClient dst = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                TransferManagerScheduler scheduler = quick().build()) {
            totals = copyAll(scheduler, S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(dst, destination), recorder, entries);
            assertThat(proxy.injectedCount()).isPositive();
            assertThat(totals.retries()).isEqualTo(proxy.injectedCount());
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        assertThat(totals.objectsCopied()).isEqualTo(entries.size());
        assertThat(recorder.retries()).hasSize((int) totals.retries());
    }

    @Test
    void cancelEndsEverythingSubmittedOnce() throws Exception {
        String destination = bucket(DESTINATION, "tm-unit-cancel");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "");
        TransferTotals totals;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint())
                .inject(Fault.delay(1, Duration.ofMillis(300)).onlyFor(r -> r.operation() == Operation.PUT_OBJECT));
                S3AsyncClient dst = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                TransferManagerScheduler scheduler = quick().maxConcurrency(4).build()) {
            TransferSession session = scheduler.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(dst, destination), recorder));
            Thread submitter = new Thread(() -> entries.forEach(session::copy));
            submitter.start();
            Thread.sleep(500);
            session.cancel();
            submitter.join(10_000);
            assertThat(submitter.isAlive()).as("copy() returns once cancelled").isFalse();
            totals = session.awaitCompletion();
            session.close();
            session.close();
            assertThatThrownBy(() -> session.copy(entries.get(0))).isInstanceOf(IllegalStateException.class);
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        List<ObjectFailed> failed = recorder.of(ObjectFailed.class);
        assertThat(failed).isNotEmpty().allSatisfy(f -> assertThat(f.error().code()).isEqualTo(ErrorCode.INTERRUPTED));
        assertThat(totals.objectsCopied() + totals.objectsFailed()).isEqualTo(entries.size());
    }

    @Test
    void badSettingsAreRefusedNamingTheSetter() {
        assertInvalid(() -> TransferManagerScheduler.builder().maxConcurrency(0), "maxConcurrency");
        assertInvalid(() -> TransferManagerScheduler.builder().partSize(DataSize.ofMebibytes(4)), "partSize");
        assertInvalid(() -> TransferManagerScheduler.builder().partSize(null), "partSize");
        assertInvalid(() -> TransferManagerScheduler.builder().multipartThreshold(DataSize.ofBytes(0)),
                "multipartThreshold");
        assertInvalid(() -> TransferManagerScheduler.builder().targetThroughputGbps(Double.NaN),
                "targetThroughputGbps");
        assertInvalid(() -> TransferManagerScheduler.builder().maxAttempts(0), "maxAttempts");
        assertInvalid(() -> TransferManagerScheduler.builder().clients(null), "clients");
        assertInvalid(() -> TransferManagerScheduler.builder().initialBackoff(Duration.ZERO), "initialBackoff");
        assertInvalid(() -> TransferManagerScheduler.builder().initialBackoff(Duration.ofSeconds(30))
                .maxBackoff(Duration.ofSeconds(1)).build(), "initialBackoff");
        TransferManagerScheduler closed = TransferManagerScheduler.withDefaults();
        closed.close();
        assertInvalid(() -> closed.open(Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                S3Location.of(SOURCE.asyncClient(), source), new RecordingListener())), "closed");
        assertThat(TransferManagerScheduler.withDefaults().lanes().smallObjectConcurrency()).isEqualTo(64);
    }

    private static void assertInvalid(Runnable r, String named) {
        assertThatThrownBy(r::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains(named);
        });
    }
}
