package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.DataSize;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Objects from {@link StreamedCopies#STREAMED_FROM} up to the small-object threshold relay as one
 * stream from their GET into their PUT once both routes are known: what arrives is what the
 * buffered relay writes, and bytes that do not match the source's stored checksum never reach the
 * destination (the PUT is cut short before its last bytes).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class StreamedRelayTest {

    private static final EmbeddedS3 SOURCE = EmbeddedS3.shared();
    private static final EmbeddedS3 DESTINATION = Fixture.other();
    private static final int STREAMED = (int) StreamedCopies.STREAMED_FROM;
    private static String source;
    private static final Map<String, byte[]> CONTENTS = new LinkedHashMap<>();

    @BeforeAll
    static void seed() {
        source = bucket(SOURCE, "streamed-src");
        // Sorted, so that with one object at a time the first ones learn the routes.
        for (int i = 0; i < 6; i++) {
            put("a/object-" + i + ".bin", bytes(STREAMED + i * 300_001, 40 + i));
        }
        byte[] styled = bytes(STREAMED + 17, 50);
        CONTENTS.put("b/styled ü.html", styled);
        SOURCE.put(source, "b/styled ü.html", styled, b -> b.contentType("text/html; charset=utf-8")
                .contentEncoding("identity").contentDisposition("inline").contentLanguage("de")
                .cacheControl("max-age=5").expires(Instant.parse("2032-01-02T03:04:05Z"))
                .metadata(Map.of("owner", "team-9")));
        byte[] tagged = bytes(2 * STREAMED + 3, 51);
        CONTENTS.put("c/tagged.bin", tagged);
        SOURCE.putTagged(source, "c/tagged.bin", tagged, Map.of("project", "s3recon", "tier", "silver"));
        put("d/small.bin", bytes(STREAMED - 1, 52));
    }

    private static void put(String key, byte[] content) {
        CONTENTS.put(key, content);
        SOURCE.put(source, key, content);
    }

    private static SizeTieredScheduler.Builder scheduler() {
        return Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6)).smallObjectConcurrency(1);
    }

    @Test
    void streamedObjectsArriveWithTheirChecksumHeadersMetadataTagsAndFingerprint() {
        String destination = bucket(DESTINATION, "streamed-dst");
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (SizeTieredScheduler scheduler = scheduler().build()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(DESTINATION.asyncClient(), destination), recorder),
                    Fixture.list(SOURCE.client(), source, ""));
            assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isZero();
            // All but the first (which learns both routes through the SDK) and the one below the size.
            assertThat(scheduler.streamedObjects()).isEqualTo(CONTENTS.size() - 2);
        }
        recorder.assertOneOutcomeEach(CONTENTS.keySet());
        long bytes = CONTENTS.values().stream().mapToLong(b -> b.length).sum();
        assertThat(totals).isEqualTo(new TransferTotals(CONTENTS.size(), bytes, 0, 0, CONTENTS.size(), bytes, 0, 0, 0));

        S3Client src = SOURCE.client();
        S3Client dst = DESTINATION.client();
        Map<String, ObjectCopied> copied = recorder.copied();
        for (Map.Entry<String, byte[]> e : CONTENTS.entrySet()) {
            String key = e.getKey();
            byte[] content = e.getValue();
            assertThat(Fixture.get(dst, destination, key)).as(key).isEqualTo(content);
            Checksum crc64 = Checksum.of(io.github.s3recon.ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT,
                    Fixture.crc64(content));
            assertThat(copied.get(key).checksum()).as(key).isEqualTo(crc64);
            assertThat(copied.get(key).attempts()).as(key).isOne();
            HeadObjectResponse a = src.headObject(b -> b.bucket(source).key(key).checksumMode(ChecksumMode.ENABLED));
            HeadObjectResponse b = dst.headObject(r -> r.bucket(destination).key(key).checksumMode(ChecksumMode.ENABLED));
            // The destination checked and stored the trailing checksum of the bytes as they passed.
            assertThat(b.checksumCRC64NVME()).as(key).isEqualTo(crc64.value());
            assertThat(b.eTag()).as("a single PUT's ETag is the MD5, as the source's").isEqualTo(a.eTag());
            Fingerprint fingerprint = Fixture.assertSameHeadersAndMetadata(key, a, b);
            assertThat(fingerprint.sourceETag()).isEqualTo(a.eTag().replace("\"", ""));
            assertThat(fingerprint.size()).isEqualTo(content.length);
            assertThat(Fixture.tags(dst, destination, key)).as(key).isEqualTo(Fixture.tags(src, source, key));
        }
        assertThat(Fixture.tags(dst, destination, "c/tagged.bin")).containsEntry("tier", "silver");
    }

    /**
     * Objects started together before the routes are known do not all fall back to the buffered
     * relay: the first learns the routes, the others wait for it and stream.
     */
    @Test
    void objectsStartedTogetherWaitForTheFirstToLearnTheRoutes() {
        String destination = bucket(DESTINATION, "streamed-together");
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "a/");
        RecordingListener recorder = new RecordingListener();
        try (SizeTieredScheduler scheduler = scheduler().smallObjectConcurrency(entries.size()).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source, "a/"),
                    S3Location.of(DESTINATION.asyncClient(), destination), recorder), entries);
            assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isZero();
            assertThat(scheduler.streamedObjects()).isEqualTo(entries.size() - 1);
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        for (ObjectEntry e : entries) {
            assertThat(Fixture.get(DESTINATION.client(), destination, e.key())).as(e.key())
                    .isEqualTo(CONTENTS.get("a/" + e.key()));
        }
    }

    /**
     * A GET whose last byte is flipped on the way (the source's headers, its stored CRC32 among
     * them, untouched): the relay finds the mismatch before the last bytes go out and cuts the PUT
     * short, so the destination never stores the bad bytes; every attempt fails the same way.
     */
    @Test
    void bytesThatDoNotMatchTheSourcesChecksumNeverReachTheDestination() {
        String destination = bucket(DESTINATION, "streamed-corrupt");
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "a/");
        String damaged = entries.get(entries.size() - 1).key(); // relative to "a/"
        RecordingListener recorder = new RecordingListener();
        try (FaultInjectingProxy from = FaultInjectingProxy.start(SOURCE.endpoint())
                .inject(Fault.corruptBody(1.0).onlyFor(Operation.GET_OBJECT).onlyFor(r -> ("a/" + damaged).equals(r.key())));
                FaultInjectingProxy to = FaultInjectingProxy.start(DESTINATION.endpoint());
                S3AsyncClient sourceClient = S3Clients.asyncClient(from.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                S3AsyncClient destinationClient = S3Clients.asyncClient(to.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                SizeTieredScheduler scheduler = scheduler().maxAttempts(3).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(sourceClient, source, "a/"),
                    S3Location.of(destinationClient, destination), recorder), entries);
            // The first learns the routes; the damaged one never completes.
            assertThat(scheduler.streamedObjects()).isEqualTo(entries.size() - 2);
            assertThat(from.injectedCount(Fault.Kind.CORRUPT_BODY)).isEqualTo(3);
            // Three PUTs started, none completed: each was cut before its last bytes.
            assertThat(to.objectWrites(destination, damaged)).isEqualTo(3);
            assertThat(to.completedObjectWrites(destination)).doesNotContainKey(damaged);
        }
        ObjectFailed failed = recorder.failed().get(damaged);
        assertThat(failed).isNotNull();
        assertThat(failed.attempts()).isEqualTo(3);
        assertThat(failed.error()).hasMessageContaining("GetObject").hasMessageContaining("CRC32");
        assertThat(recorder.copied()).hasSize(entries.size() - 1);
        assertThatThrownBy(() -> DESTINATION.client().headObject(b -> b.bucket(destination).key(damaged)))
                .isInstanceOf(NoSuchKeyException.class);
    }
}
