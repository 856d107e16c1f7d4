package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.RecordingListener;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * No run that saw a broken source listing deletes anything: with deletions on and the deletion
 * guards wide open, a source page truncated without a token, a repeated page, a body cut short or a
 * persistent 500 on a later page fails the run with LISTING_FAILED, on both S3 listers, and the
 * destination keeps every object. The source goes through the fault proxy; the destination does not.
 */
class ListingSafetyTest {

    private static final int SOURCE_OBJECTS = 20;
    private static final int DESTINATION_OBJECTS = 25;

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private String src;
    private String dst;

    @BeforeEach
    void seed() {
        src = MigrationRunTest.bucket(s3, "listing-safety-src");
        dst = MigrationRunTest.bucket(s3, "listing-safety-dst");
        for (int i = 0; i < DESTINATION_OBJECTS; i++) {
            byte[] content = ("object " + i).getBytes(UTF_8);
            String key = String.format("in/k%02d", i);
            s3.put(dst, key, content);
            if (i < SOURCE_OBJECTS) {
                s3.put(src, key, content);
            }
        }
    }

    private static S3AsyncClient fastRetryClient(FaultInjectingProxy proxy) {
        BackoffStrategy fast = BackoffStrategy.exponentialDelay(Duration.ofMillis(2), Duration.ofMillis(20));
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), proxy.endpoint(), EmbeddedS3.REGION,
                EmbeddedS3.credentials()).overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(3)
                        .backoffStrategy(fast).throttlingBackoffStrategy(fast))).build();
    }

    private long destinationCount() {
        return s3.client().listObjectsV2Paginator(b -> b.bucket(dst)).contents().stream().count();
    }

    /** Runs with deletions on and no guard in the way, through a faulty source, on both listers. */
    private void assertNothingDeleted(Fault fault) {
        List<Supplier<ObjectLister>> listers = List.of(() -> S3ObjectLister.create(1, 5),
                () -> FastS3ObjectLister.create(1, 5));
        for (Supplier<ObjectLister> make : listers) {
            long before = destinationCount();
            RecordingListener events = new RecordingListener();
            Throwable thrown = null;
            MigrationResult result = null;
            String name = null;
            try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(fault);
                    S3AsyncClient source = fastRetryClient(proxy);
                    ObjectLister lister = make.get();
                    Migration m = Migration.builder().source(S3Location.of(source, src, "in/"))
                            .destination(S3Location.of(s3.asyncClient(), dst, "in/")).sourceLister(lister)
                            .listingRanges(1).workDirectory(work.resolve("work-" + lister.getClass().getSimpleName()))
                            .transferScheduler(MigrationRunTest.scheduler()).deleteExtraneous(true)
                            .maxDeletes(1_000_000).maxDeletePercent(100).newRun(true)
                            .listener(events).build()) {
                name = lister.getClass().getSimpleName();
                try {
                    result = m.run();
                } catch (S3ReconException e) {
                    thrown = e;
                }
            } catch (Exception e) {
                throw new AssertionError(e);
            }
            String as = name + " with " + fault.kind();
            assertThat(destinationCount()).as(as + ": objects in the destination").isEqualTo(before)
                    .isEqualTo(DESTINATION_OBJECTS);
            if (result != null) {
                assertThat(result.state()).as(as).isNotIn(MigrationState.COMPLETED,
                        MigrationState.COMPLETED_WITH_DIFFERENCES);
            } else {
                assertThat(thrown).as(as).isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED);
                    assertThat(e.getMessage()).contains("bucket '" + src + "'").contains("last key seen: 'in/k");
                });
            }
            assertThat(events.finished()).as(as).hasSize(1);
            assertThat(events.finished().get(0).state()).as(as).isEqualTo(MigrationState.FAILED);
        }
    }

    @Test
    void aSourcePageTruncatedWithoutATokenDeletesNothing() {
        assertNothingDeleted(Fault.truncatedListingPage(1));
    }

    @Test
    void aRepeatedSourcePageDeletesNothing() {
        assertNothingDeleted(Fault.repeatedListingPage(2));
    }

    @Test
    void aSourcePageCutShortDeletesNothing() {
        assertNothingDeleted(Fault.listingCutShort(1));
    }

    @Test
    void aSourcePageClosedMidBodyDeletesNothing() {
        assertNothingDeleted(Fault.listingClosedMidBody(2));
    }

    @Test
    void aPersistent500OnALaterSourcePageDeletesNothing() {
        assertNothingDeleted(Fault.internalErrorOnLaterListingPages());
    }
}
