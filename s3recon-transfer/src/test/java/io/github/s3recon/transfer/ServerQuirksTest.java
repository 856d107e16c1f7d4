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
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Method;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.testkit.SyntheticS3;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;

/**
 * Servers that are not AWS S3, through a proxy that answers as they do: a server-side copy that
 * says 404 for a source the source has (s3rver, keys with '+') is relayed instead; a source that
 * does not implement GetObjectTagging and a destination that rejects tags on uploads (S3Proxy,
 * 501) copy without tags, saying so once.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServerQuirksTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final EmbeddedS3 OTHER = Fixture.other();

    private static S3AsyncClient client(FaultInjectingProxy proxy) {
        return S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
    }

    private static SizeTieredScheduler scheduler() {
        return Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                .partSize(DataSize.ofMebibytes(5)).build();
    }

    private static Fault notImplemented() {
        return Fault.error(1.0, 501, "NotImplemented", "A header you provided implies functionality that is not "
                + "implemented");
    }

    @Test
    void aServerSideCopyThatSaysTheSourceIsMissingWhileItIsThereIsRelayed() {
        String source = bucket(S3, "quirk-copy-src");
        String destination = bucket(S3, "quirk-copy-dst");
        byte[] small = bytes(3000, 1);
        byte[] large = bytes(12 * MIB + 3, 2);
        S3.put(source, "a+b.txt", small);
        S3.put(source, "plain.txt", small);
        S3.putMultipart(source, "big+one.bin", large, EmbeddedS3.MIN_PART_SIZE, ChecksumAlgorithm.CRC32);
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(S3.endpoint())
                .inject(Fault.error(1.0, 404, "NoSuchKey", "The specified key does not exist.")
                        .onlyFor(r -> (r.operation() == Operation.COPY_OBJECT
                                || r.operation() == Operation.UPLOAD_PART_COPY) && r.key().contains("+")));
                S3AsyncClient client = client(proxy);
                SizeTieredScheduler scheduler = scheduler()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(client, source),
                    S3Location.of(client, destination), recorder), Fixture.list(S3.client(), source, ""));
        }
        recorder.assertOneOutcomeEach(List.of("a+b.txt", "plain.txt", "big+one.bin"));
        assertThat(recorder.of(ObjectFailed.class)).extracting(e -> e.error().getMessage()).isEmpty();
        assertThat(totals.objectsCopied()).isEqualTo(3);
        assertThat(totals.objectsRelayed()).isEqualTo(2);
        Map<String, TransferMode> modes = new java.util.HashMap<>();
        recorder.of(ObjectCopied.class).forEach(e -> modes.put(e.key(), e.mode()));
        assertThat(modes).containsEntry("a+b.txt", TransferMode.RELAY).containsEntry("big+one.bin", TransferMode.RELAY)
                .containsEntry("plain.txt", TransferMode.SERVER_SIDE);
        assertThat(Fixture.get(S3.client(), destination, "a+b.txt")).isEqualTo(small);
        assertThat(Fixture.get(S3.client(), destination, "big+one.bin")).isEqualTo(large);
        assertThat(totals.notes()).singleElement().asString().contains("404 NoSuchKey")
                .contains("relayed through this JVM instead");
    }

    @Test
    void aCopySourceThatIsReallyGoneStillSaysSo() {
        String source = bucket(S3, "quirk-gone-src");
        String destination = bucket(S3, "quirk-gone-dst");
        RecordingListener recorder = new RecordingListener();
        try (SizeTieredScheduler scheduler = scheduler()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(S3.asyncClient(), source),
                    S3Location.of(S3.asyncClient(), destination), recorder),
                    List.of(new ObjectEntry("gone+key", 10, "0123456789abcdef0123456789abcdef", null, null, null)));
        }
        ObjectFailed failed = recorder.of(ObjectFailed.class).get(0);
        assertThat(failed.error().code()).isEqualTo(ErrorCode.COPY_FAILED);
        assertThat(failed.error().getMessage()).contains("deleted from the source after it was listed");
    }

    /**
     * MinIO sends {@code x-amz-tagging-count} on every GET of a tagged object and names itself in its
     * {@code Server} header. A source that does both (the synthetic server, tagging one object in
     * four as S3 shows tags, answering as MinIO through the proxy) is asked for the tags of the
     * objects whose GET counted some, and of no other, and every tagged object keeps its tag; the
     * same source answering as itself is asked for every object's tags until it has sent a count.
     */
    @Test
    void aSourceThatAnswersAsMinIoIsAskedOnlyForTheTagsItCounted() {
        int objects = 12;
        for (String server : new String[] {"MinIO", null}) {
            try (SyntheticS3 s3 = SyntheticS3.builder().objects(objects).objectSize(3000).taggedEvery(4)
                    .sinkBucket("sink").build();
                    FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).answerAsServer(server)
                            // A delay of a millisecond: the proxy's way of counting GetObjectTagging requests.
                            .inject(Fault.delay(1.0, java.time.Duration.ofMillis(1))
                                    .onlyFor(r -> r.method() == Method.GET && r.hasQueryParameter("tagging")));
                    S3AsyncClient source = client(proxy);
                    S3AsyncClient destination = S3Clients.asyncClient(s3.endpoint(), EmbeddedS3.REGION,
                            EmbeddedS3.credentials());
                    S3Client reader = S3Clients.client(s3.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
                    // One object at a time, so that the count above does not depend on which ends first.
                    SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectConcurrency(1).build()) {
                List<ObjectEntry> entries = Fixture.list(reader, s3.sourceBucket(), "");
                TransferTotals totals = Fixture.copyAll(scheduler, Fixture.context(
                        S3Location.of(source, s3.sourceBucket()), S3Location.of(destination, "sink"),
                        new RecordingListener()), entries);
                assertThat(totals.objectsCopied()).isEqualTo(objects);
                assertThat(totals.objectsFailed()).isZero();
                int tagged = 0;
                for (ObjectEntry e : entries) {
                    Map<String, String> want = Fixture.tags(reader, s3.sourceBucket(), e.key());
                    assertThat(Fixture.tags(reader, "sink", e.key())).as(e.key()).isEqualTo(want);
                    tagged += want.isEmpty() ? 0 : 1;
                }
                assertThat(tagged).isEqualTo(objects / 4);
                // As MinIO: the tagged objects' tags only. As itself: also those of every object before
                // the first tagged one (the fourth in key order), which showed the first count.
                assertThat(proxy.injectedCount(Fault.Kind.DELAY))
                        .as("GetObjectTagging requests, answering as %s", server)
                        .isEqualTo(tagged + (server == null ? firstTagged(reader, s3.sourceBucket(), entries) : 0));
            }
        }
    }

    /** How many objects come before the first tagged one, in the order they are copied (key order). */
    private static int firstTagged(S3Client reader, String bucket, List<ObjectEntry> entries) {
        for (int i = 0; i < entries.size(); i++) {
            if (!Fixture.tags(reader, bucket, entries.get(i).key()).isEmpty()) {
                return i;
            }
        }
        return entries.size();
    }

    @Test
    void aSourceWithoutGetObjectTaggingCopiesWithoutTagsAndSaysSoOnce() {
        String source = bucket(S3, "quirk-tags-src");
        String destination = bucket(OTHER, "quirk-tags-dst");
        for (int i = 0; i < 5; i++) {
            S3.putTagged(source, "t" + i, bytes(100 + i, i), Map.of("n", Integer.toString(i)));
        }
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(S3.endpoint())
                .inject(notImplemented().onlyFor(r -> r.method() == Method.GET && r.hasQueryParameter("tagging")));
                S3AsyncClient client = client(proxy);
                SizeTieredScheduler scheduler = scheduler()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(client, source),
                    S3Location.of(OTHER.asyncClient(), destination), recorder), Fixture.list(S3.client(), source, ""));
        }
        assertThat(totals.objectsCopied()).isEqualTo(5);
        assertThat(totals.objectsFailed()).isZero();
        for (int i = 0; i < 5; i++) {
            assertThat(Fixture.tags(OTHER.client(), destination, "t" + i)).isEmpty();
        }
        assertThat(totals.notes()).singleElement().asString().contains("does not implement GetObjectTagging")
                .contains("without their tags");
    }

    @Test
    void aDestinationThatRejectsTagsOnPutObjectGetsTheObjectsWithoutTagsAndSaysSoOnce() {
        String source = bucket(S3, "quirk-puttags-src");
        for (int i = 0; i < 5; i++) {
            S3.putTagged(source, "t" + i, bytes(100 + i, i), Map.of("n", Integer.toString(i)));
        }
        String destination = rejectFirst(Operation.PUT_OBJECT, source, 5);
        for (int i = 0; i < 5; i++) {
            assertThat(Fixture.get(OTHER.client(), destination, "t" + i)).isEqualTo(bytes(100 + i, i));
            assertThat(Fixture.tags(OTHER.client(), destination, "t" + i)).isEmpty();
        }
    }

    @Test
    void aDestinationThatRejectsTagsOnCreateMultipartUploadGetsTheObjectWithoutTags() {
        String source = bucket(S3, "quirk-mputags-src");
        S3.put(source, "large.bin", bytes(7 * MIB, 9), b -> b.tagging("size=large"));
        String destination = rejectFirst(Operation.CREATE_MULTIPART_UPLOAD, source, 1);
        assertThat(Fixture.get(OTHER.client(), destination, "large.bin")).isEqualTo(bytes(7 * MIB, 9));
        assertThat(Fixture.tags(OTHER.client(), destination, "large.bin")).isEmpty();
    }

    /** Copies a bucket to one whose server answers 501 to the first request of an operation (which carries tags). */
    private static String rejectFirst(Operation operation, String source, int objects) {
        String destination = bucket(OTHER, "quirk-tags-dst");
        AtomicBoolean first = new AtomicBoolean();
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(OTHER.endpoint())
                .inject(notImplemented().onlyFor(r -> r.operation() == operation && first.compareAndSet(false, true)));
                S3AsyncClient client = client(proxy);
                // One object at a time: a tag request in flight when the rejection comes would carry its tags.
                SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6))
                        .partSize(DataSize.ofMebibytes(5)).smallObjectConcurrency(1).build()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(S3.asyncClient(), source),
                    S3Location.of(client, destination), recorder), Fixture.list(S3.client(), source, ""));
            assertThat(proxy.injectedCount()).as("rejected requests").isOne();
        }
        assertThat(recorder.of(ObjectFailed.class)).extracting(e -> e.error().getMessage()).isEmpty();
        assertThat(totals.objectsCopied()).isEqualTo(objects);
        assertThat(totals.notes()).singleElement().asString().contains("rejects object tags on uploads");
        return destination;
    }
}
