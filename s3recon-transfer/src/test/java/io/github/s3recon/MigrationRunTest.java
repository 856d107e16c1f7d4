package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * Migrations of a few thousand mixed objects end to end: within one endpoint (server-side copies),
 * across two servers (streaming relay), and through a proxy that injects 503s and resets; each
 * followed by an independent reconcile that must find nothing and verify every object by a rule.
 */
class MigrationRunTest {

    static final int SMALL_OBJECTS = 1500;
    private static final Set<MatchRule> PROOFS = EnumSet.of(MatchRule.EMPTY, MatchRule.FULL_OBJECT_CHECKSUM,
            MatchRule.PLAIN_ETAG, MatchRule.MULTIPART_ETAG, MatchRule.RECORDED_FINGERPRINT);
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static EmbeddedS3 other;
    private static String sourceBucket;
    private static List<MixedObjects.Seeded> seeded;

    @TempDir
    Path work;

    @BeforeAll
    static void seed() {
        other = EmbeddedS3.start();
        sourceBucket = bucket(S3, "mixed-src");
        seeded = MixedObjects.seed(S3, sourceBucket, SMALL_OBJECTS);
    }

    @AfterAll
    static void stop() {
        if (other != null) {
            other.close();
        }
    }

    static String bucket(EmbeddedS3 server, String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        server.createBucket(bucket);
        return bucket;
    }

    static SizeTieredScheduler scheduler() {
        // Parts of 6 MiB where the sources have 5 MiB ones: the copies' layouts differ, so only
        // checksums or the recorded fingerprint can prove them.
        return SizeTieredScheduler.builder().smallObjectThreshold(DataSize.ofBytes(MixedObjects.THRESHOLD))
                .multipartCopyThreshold(DataSize.ofBytes(MixedObjects.THRESHOLD)).partSize(DataSize.ofMebibytes(6))
                .build();
    }

    private MigrationResult run(S3Location source, S3Location destination, MigrationListener listener) {
        try (SizeTieredScheduler scheduler = scheduler();
                Migration m = Migration.builder().source(source).destination(destination)
                        .workDirectory(work.resolve("run")).transferScheduler(scheduler).listener(listener).build()) {
            return m.run();
        }
    }

    /** An independent reconcile, with its own work directory and clients. */
    private MigrationResult reconcile(S3Location source, S3Location destination) {
        try (Migration m = Migration.builder().source(source).destination(destination)
                .workDirectory(work.resolve("check")).build()) {
            return m.reconcile();
        }
    }

    private void assertCopiedAndProved(S3Location source, S3Location destination, MigrationResult result,
            TransferMode mode) {
        int total = seeded.size();
        TransferSummary t = result.report().transfer();
        assertThat(result.state()).as("state of %s", result.report()).isEqualTo(MigrationState.COMPLETED);
        assertThat(t.objectsFailed()).isZero();
        assertThat(t.objectsCopied()).isEqualTo(total);
        assertThat(mode == TransferMode.SERVER_SIDE ? t.objectsServerSide() : t.objectsRelayed()).isEqualTo(total);
        assertThat(result.report().counts().differences()).isZero();
        assertThat(result.report().verification()).isEqualTo(Verification.CHECKSUM);

        MigrationResult check = reconcile(source, destination);
        assertThat(check.report().counts().differences()).isZero();
        assertThat(check.report().counts().matched()).isEqualTo(total);
        assertThat(check.report().counts().unverified()).isZero();
        assertThat(check.report().matchedByRule().keySet()).isSubsetOf(PROOFS);
        assertThat(check.report().matchedByRule()).containsKey(MatchRule.RECORDED_FINGERPRINT);
        assertPreserved(source, destination);
    }

    /** Content headers, user metadata and tags arrive as they were; s3recon adds only its fingerprint. */
    private void assertPreserved(S3Location source, S3Location destination) {
        S3AsyncClient src = source.client();
        S3AsyncClient dst = destination.client();
        for (MixedObjects.Seeded s : seeded) {
            if (!s.tagged() && !s.withMetadata()) {
                continue;
            }
            HeadObjectResponse a = src.headObject(b -> b.bucket(source.bucket()).key(s.key())).join();
            HeadObjectResponse b = dst.headObject(r -> r.bucket(destination.bucket()).key(s.key())).join();
            assertThat(b.contentLength()).isEqualTo(s.content().length);
            assertThat(b.contentType()).as(s.key()).isEqualTo(a.contentType());
            assertThat(b.cacheControl()).as(s.key()).isEqualTo(a.cacheControl());
            assertThat(b.contentDisposition()).as(s.key()).isEqualTo(a.contentDisposition());
            assertThat(b.contentLanguage()).as(s.key()).isEqualTo(a.contentLanguage());
            Map<String, String> copiedMetadata = new TreeMap<>(b.metadata());
            copiedMetadata.keySet().removeIf(k -> k.startsWith("s3recon-"));
            assertThat(copiedMetadata).as(s.key()).isEqualTo(new TreeMap<>(a.metadata()));
            assertThat(tags(dst, destination.bucket(), s.key())).as(s.key())
                    .isEqualTo(tags(src, source.bucket(), s.key()));
        }
    }

    private static Map<String, String> tags(S3AsyncClient client, String bucket, String key) {
        return client.getObjectTagging(b -> b.bucket(bucket).key(key)).join().tagSet().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value));
    }

    @Test
    void copiesServerSideWithinOneEndpointAndEveryObjectIsProved() {
        S3Location source = S3Location.of(S3.asyncClient(), sourceBucket);
        S3Location destination = S3Location.of(S3.asyncClient(), bucket(S3, "mixed-dst"));
        RecordingListener events = new RecordingListener();
        MigrationResult result = run(source, destination, events);
        assertThat(events.states()).containsExactly(MigrationState.INITIALIZING, MigrationState.LISTING,
                MigrationState.COMPARING, MigrationState.TRANSFERRING, MigrationState.VERIFYING,
                MigrationState.REPORTING);
        assertCopiedAndProved(source, destination, result, TransferMode.SERVER_SIDE);
        assertThat(result.report().transfer().bytesRelayed()).isZero();
    }

    @Test
    void relaysAcrossTwoEndpointsAndEveryObjectIsProved() {
        S3Location source = S3Location.of(S3.asyncClient(), sourceBucket);
        S3Location destination = S3Location.of(other.asyncClient(), bucket(other, "relay-dst"));
        MigrationResult result = run(source, destination, MigrationListener.NONE);
        assertCopiedAndProved(source, destination, result, TransferMode.RELAY);
        assertThat(result.report().transfer().bytesRelayed())
                .isEqualTo(seeded.stream().mapToLong(s -> s.content().length).sum());
    }

    @Test
    void completesThrough503sAndResetsAndCountsTheRetries() throws IOException {
        String target = bucket(other, "faulty-dst");
        RecordingListener events = new RecordingListener();
        try (FaultInjectingProxy toSource = FaultInjectingProxy.start(S3.endpoint()).seed(1);
                FaultInjectingProxy toDestination = FaultInjectingProxy.start(other.endpoint()).seed(2)) {
            // On object requests only: listings and the verification's HEADs have no copy-level retry.
            for (FaultInjectingProxy proxy : List.of(toSource, toDestination)) {
                proxy.inject(Fault.slowDown(0.10).onlyFor(MigrationRunTest::objectTransfer))
                        .inject(Fault.resetBeforeResponse(0.01).onlyFor(MigrationRunTest::objectTransfer))
                        .inject(Fault.resetMidBody(0.01).onlyFor(MigrationRunTest::objectTransfer));
            }
            // Without the SDK's own retries, every injected fault reaches the copy engine.
            try (S3AsyncClient src = noRetries(toSource); S3AsyncClient dst = noRetries(toDestination)) {
                MigrationResult result = run(S3Location.of(src, sourceBucket), S3Location.of(dst, target), events);
                assertThat(events.of(ObjectFailed.class)).isEmpty();
                assertThat(toSource.injectedCount() + toDestination.injectedCount()).isGreaterThan(100);
                assertThat(result.report().transfer().retries()).isGreaterThanOrEqualTo(100);
                assertCopiedAndProved(S3Location.of(S3.asyncClient(), sourceBucket),
                        S3Location.of(other.asyncClient(), target), result, TransferMode.RELAY);
                Path report = work.resolve("report");
                result.report().writeJson(report);
                String summary = java.nio.file.Files.readString(report.resolve("summary.json"));
                assertThat(summary).contains("\"retries\" : " + result.report().transfer().retries());
            }
        }
        // Nothing written twice after it was complete is issue 4's guarantee; here: every key once at least.
        try (Stream<software.amazon.awssdk.services.s3.model.S3Object> listed = other.client()
                .listObjectsV2Paginator(b -> b.bucket(target)).contents().stream()) {
            assertThat(listed.count()).isEqualTo(seeded.size());
        }
    }

    static boolean objectTransfer(FaultInjectingProxy.Request r) {
        return !r.key().isEmpty() && r.operation() != FaultInjectingProxy.Operation.HEAD_OBJECT
                && r.operation() != FaultInjectingProxy.Operation.OTHER;
    }

    static S3AsyncClient noRetries(FaultInjectingProxy proxy) {
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), proxy.endpoint(),
                EmbeddedS3.REGION, EmbeddedS3.credentials())
                .overrideConfiguration(o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    static S3Client blocking(EmbeddedS3 server) {
        return server.client();
    }
}
