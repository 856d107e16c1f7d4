package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.TransferManagerScheduler;
import io.github.s3recon.transfer.TransferManagerScheduler.Clients;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The core migration scenarios of {@link MigrationRunTest} and the deletions of
 * {@link DeletionGuardsTest}, run end to end with the {@link TransferManagerScheduler} instead of
 * the default scheduler: server-side within one endpoint, relayed across two servers, through
 * injected 503s and resets, and with deletions; each followed by an independent reconcile that
 * must find nothing and prove every object.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class TransferManagerMigrationTest {

    private static final int SMALL_OBJECTS = 300;
    private static final Set<MatchRule> PROOFS = EnumSet.of(MatchRule.EMPTY, MatchRule.FULL_OBJECT_CHECKSUM,
            MatchRule.PLAIN_ETAG, MatchRule.MULTIPART_ETAG, MatchRule.RECORDED_FINGERPRINT);

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static EmbeddedS3 other;
    private static String sourceBucket;
    private static List<MixedObjects.Seeded> seeded;

    @TempDir
    Path work;

    @BeforeAll
    static void seed() {
        other = EmbeddedS3.start();
        sourceBucket = MigrationRunTest.bucket(S3, "tm-src");
        seeded = MixedObjects.seed(S3, sourceBucket, SMALL_OBJECTS);
    }

    @AfterAll
    static void stop() {
        if (other != null) {
            other.close();
        }
    }

    /** Parts of 6 MiB from 6 MiB: the large objects (10 MiB and more) are split, in other layouts than the sources'. */
    static TransferManagerScheduler scheduler(Clients clients) {
        return TransferManagerScheduler.builder().clients(clients)
                .multipartThreshold(DataSize.ofBytes(MixedObjects.THRESHOLD)).partSize(DataSize.ofMebibytes(6))
                .maxConcurrency(16).initialBackoff(Duration.ofMillis(5)).maxBackoff(Duration.ofMillis(200)).build();
    }

    private MigrationResult run(S3Location source, S3Location destination, Clients clients,
            RecordingListener listener) {
        try (TransferManagerScheduler scheduler = scheduler(clients);
                Migration m = Migration.builder().source(source).destination(destination)
                        .workDirectory(work.resolve("run")).transferScheduler(scheduler).listener(listener).build()) {
            return m.run();
        }
    }

    private MigrationResult reconcile(S3Location source, S3Location destination) {
        try (Migration m = Migration.builder().source(source).destination(destination)
                .workDirectory(work.resolve("check")).build()) {
            return m.reconcile();
        }
    }

    private void assertCopiedAndProved(S3Location source, S3Location destination, MigrationResult result,
            TransferMode mode, RecordingListener events) {
        int total = seeded.size();
        TransferSummary t = result.report().transfer();
        assertThat(events.of(ObjectFailed.class)).isEmpty();
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

    @ParameterizedTest
    @EnumSource(value = Clients.class, names = {"AS_GIVEN", "MULTIPART"})
    void copiesServerSideWithinOneEndpointAndEveryObjectIsProved(Clients clients) {
        S3Location source = S3Location.of(S3.asyncClient(), sourceBucket);
        S3Location destination = S3Location.of(S3.asyncClient(), MigrationRunTest.bucket(S3, "tm-dst"));
        RecordingListener events = new RecordingListener();
        MigrationResult result = run(source, destination, clients, events);
        assertCopiedAndProved(source, destination, result, TransferMode.SERVER_SIDE, events);
        assertThat(result.report().transfer().bytesRelayed()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Clients.class)
    void relaysAcrossTwoEndpointsAndEveryObjectIsProved(Clients clients) {
        S3Location source = S3Location.of(S3.asyncClient(), sourceBucket);
        S3Location destination = S3Location.of(other.asyncClient(), MigrationRunTest.bucket(other, "tm-relay"));
        RecordingListener events = new RecordingListener();
        MigrationResult result = run(source, destination, clients, events);
        assertCopiedAndProved(source, destination, result, TransferMode.RELAY, events);
        assertThat(result.report().transfer().bytesRelayed())
                .isEqualTo(seeded.stream().mapToLong(s -> s.content().length).sum());
    }

    @ParameterizedTest
    @EnumSource(value = Clients.class, names = {"AS_GIVEN", "MULTIPART"})
    void completesThrough503sAndResetsAndCountsTheRetries(Clients clients) {
        String target = MigrationRunTest.bucket(other, "tm-faulty");
        RecordingListener events = new RecordingListener();
        try (FaultInjectingProxy toSource = FaultInjectingProxy.start(S3.endpoint()).seed(1);
                FaultInjectingProxy toDestination = FaultInjectingProxy.start(other.endpoint()).seed(2)) {
            // With a multipart client, no faults on CreateMultipartUpload, CompleteMultipartUpload and
            // AbortMultipartUpload: a lost answer leaves an upload that the SDK cannot abort, which the
            // run's end aborts, and S3Mock (unlike S3) then deletes the object already completed under
            // that key (seen: 303 of 304 objects left). The parts, GETs and PUTs still fail.
            java.util.function.Predicate<FaultInjectingProxy.Request> faulty = clients == Clients.AS_GIVEN
                    ? MigrationRunTest::objectTransfer
                    : r -> MigrationRunTest.objectTransfer(r) && EnumSet.of(FaultInjectingProxy.Operation.GET_OBJECT,
                            FaultInjectingProxy.Operation.PUT_OBJECT, FaultInjectingProxy.Operation.UPLOAD_PART)
                            .contains(r.operation());
            for (FaultInjectingProxy proxy : List.of(toSource, toDestination)) {
                proxy.inject(Fault.slowDown(0.10).onlyFor(faulty))
                        .inject(Fault.resetBeforeResponse(0.01).onlyFor(faulty))
                        .inject(Fault.resetMidBody(0.01).onlyFor(faulty));
            }
            try (S3AsyncClient src = MigrationRunTest.noRetries(toSource);
                    S3AsyncClient dst = MigrationRunTest.noRetries(toDestination)) {
                MigrationResult result = run(S3Location.of(src, sourceBucket), S3Location.of(dst, target), clients,
                        events);
                assertThat(toSource.injectedCount() + toDestination.injectedCount()).isGreaterThan(20);
                assertThat(result.report().transfer().retries()).isGreaterThanOrEqualTo(20);
                assertCopiedAndProved(S3Location.of(S3.asyncClient(), sourceBucket),
                        S3Location.of(other.asyncClient(), target), result, TransferMode.RELAY, events);
            }
        }
    }

    @Test
    void deletesWhatTheSourceDoesNotHave() {
        String src = MigrationRunTest.bucket(S3, "tm-del-src");
        String dst = MigrationRunTest.bucket(S3, "tm-del-dst");
        for (int i = 0; i < 40; i++) {
            byte[] content = ("object " + i).getBytes(UTF_8);
            S3.put(dst, "in/" + i, content);
            if (i < 30) {
                S3.put(src, "in/" + i, content);
            }
        }
        S3.put(src, "in/new", "new".getBytes(UTF_8));
        RecordingListener events = new RecordingListener();
        try (TransferManagerScheduler scheduler = scheduler(Clients.AS_GIVEN);
                Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src, "in/"))
                        .destination(S3Location.of(S3.asyncClient(), dst, "in/")).workDirectory(work.resolve("del"))
                        .transferScheduler(scheduler).listener(events).deleteExtraneous(true).maxDeletePercent(50)
                        .build()) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsDeleted()).isEqualTo(10);
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(1);
        }
        assertThat(events.of(ObjectFailed.class)).isEmpty();
        Set<String> left = S3.client().listObjectsV2Paginator(b -> b.bucket(dst)).contents().stream()
                .map(S3Object::key).collect(Collectors.toSet());
        assertThat(left).hasSize(31).contains("in/new", "in/0", "in/29").doesNotContain("in/30", "in/39");
    }
}
