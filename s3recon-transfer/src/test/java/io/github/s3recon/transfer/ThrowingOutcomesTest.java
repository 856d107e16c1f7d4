package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A {@link TransferOutcomes} must not throw; one that does anyway does not break the session: every
 * object still ends once and is done, retries go ahead, and {@code awaitCompletion()} throws the
 * first exception once everything has ended, so that it is not hidden.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ThrowingOutcomesTest {

    private static final EmbeddedS3 SOURCE = EmbeddedS3.shared();
    private static final EmbeddedS3 DESTINATION = Fixture.other();
    private static final Map<String, byte[]> CONTENTS = new LinkedHashMap<>();
    private static String source;

    @BeforeAll
    static void seed() {
        source = bucket(SOURCE, "throwing-outcomes-src");
        for (int i = 0; i < 30; i++) {
            byte[] content = bytes(1000 + i * 97, i);
            CONTENTS.put("small/" + i, content);
            SOURCE.put(source, "small/" + i, content);
        }
    }

    /** Records each call in a recording listener, then throws what the supplier makes. */
    private static TransferOutcomes throwing(RecordingListener recorder, Supplier<RuntimeException> thrown) {
        TransferOutcomes recording = TransferOutcomes.notifying(recorder);
        return new TransferOutcomes() {
            @Override
            public void copied(ObjectCopied event) {
                recording.copied(event);
                throw thrown.get();
            }

            @Override
            public void deleted(ObjectDeleted event) {
                recording.deleted(event);
                throw thrown.get();
            }

            @Override
            public void failed(ObjectFailed event) {
                recording.failed(event);
                throw thrown.get();
            }

            @Override
            public void retried(TransferRetried event) {
                recording.retried(event);
                throw thrown.get();
            }
        };
    }

    @Test
    void everyObjectEndsOnceRetriesGoOnAndAwaitCompletionThrowsTheFirstException() throws Exception {
        String destination = bucket(DESTINATION, "throwing-outcomes-dst");
        for (int i = 0; i < 5; i++) {
            DESTINATION.put(destination, "extra/" + i, bytes(10, 500 + i));
        }
        List<ObjectEntry> extras = Fixture.list(DESTINATION.client(), destination, "");
        List<ObjectEntry> copies = Fixture.list(SOURCE.client(), source, "");
        RecordingListener recorder = new RecordingListener();
        Throwable thrown;
        // 503s on a third of the object requests: retries are reported, and their report throws too.
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(DESTINATION.endpoint()).seed(12)
                .inject(Fault.slowDown(0.3).onlyFor(FaultToleranceTest::objectRequest));
                S3AsyncClient dst = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectConcurrency(8).maxAttempts(30)
                        .build()) {
            TransferContext context = new TransferContext(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(dst, destination), ChecksumAlgorithm.CRC64NVME,
                    throwing(recorder, () -> new IllegalStateException("outcomes bug")), Clock.systemUTC());
            try (TransferSession session = scheduler.open(context)) {
                copies.forEach(session::copy);
                extras.forEach(session::delete);
                thrown = catchThrowable(session::awaitCompletion);
            }
        }
        List<String> submitted = new ArrayList<>(CONTENTS.keySet());
        extras.forEach(e -> submitted.add(e.key()));
        recorder.assertOneOutcomeEach(submitted);
        assertThat(recorder.failed()).isEmpty();
        assertThat(recorder.deleted()).hasSize(extras.size());
        assertThat(recorder.retries()).as("retries happened, though each report of one threw").isNotEmpty();
        CONTENTS.forEach((key, content) ->
                assertThat(Fixture.get(DESTINATION.client(), destination, key)).as(key).isEqualTo(content));
        assertThat(DESTINATION.client().listObjectsV2(b -> b.bucket(destination).prefix("extra/")).contents())
                .isEmpty();
        assertThat(thrown).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.COPY_FAILED);
            assertThat(e.getMessage()).contains("outcomes bug");
            assertThat(e.getCause()).isInstanceOf(IllegalStateException.class);
        });
    }

    @Test
    void anS3ReconExceptionIsThrownAsItIs() {
        String destination = bucket(DESTINATION, "throwing-outcomes-store");
        RecordingListener recorder = new RecordingListener();
        S3ReconException storeFailed = new S3ReconException(ErrorCode.STORE_FAILED, "the journal is gone");
        Throwable thrown;
        try (SizeTieredScheduler scheduler = Fixture.testScheduler().build();
                TransferSession session = scheduler.open(new TransferContext(
                        S3Location.of(SOURCE.asyncClient(), source), S3Location.of(DESTINATION.asyncClient(),
                                destination), ChecksumAlgorithm.CRC64NVME, throwing(recorder, () -> storeFailed),
                        Clock.systemUTC()))) {
            Fixture.list(SOURCE.client(), source, "").forEach(session::copy);
            thrown = catchThrowable(session::awaitCompletion);
        }
        recorder.assertOneOutcomeEach(CONTENTS.keySet());
        assertThat(recorder.copied()).hasSize(CONTENTS.size());
        assertThat(thrown).isSameAs(storeFailed);
    }
}
