package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.MIB;
import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.DataSize;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Clock;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Copies between two servers: GETs streamed into PUTs and parts, with checksums computed on the way. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class RelayCopyTest {

    private static final EmbeddedS3 SOURCE = EmbeddedS3.shared();
    private static final EmbeddedS3 DESTINATION = Fixture.other();
    private static String source;
    private static final Map<String, byte[]> CONTENTS = new LinkedHashMap<>();

    @BeforeAll
    static void seed() {
        source = bucket(SOURCE, "relay-src");
        for (int i = 0; i < 60; i++) {
            put("small/object-" + i + ".bin", bytes(1 + i * 1531, i));
        }
        put("empty", new byte[0]);
        put("unicode/données été 日本 😀 +&=?#%.txt", bytes(300, 1));
        byte[] styled = bytes(1234, 2);
        CONTENTS.put("styled.html", styled);
        SOURCE.put(source, "styled.html", styled, b -> b.contentType("text/html; charset=utf-8")
                .contentEncoding("gzip").contentDisposition("inline; filename=\"a.html\"").contentLanguage("fr")
                .cacheControl("max-age=60").expires(Instant.parse("2031-02-03T04:05:06Z"))
                .metadata(Map.of("owner", "team-7", "index", "12")));
        byte[] tagged = bytes(2000, 3);
        CONTENTS.put("tagged.bin", tagged);
        SOURCE.putTagged(source, "tagged.bin", tagged, Map.of("project", "s3recon", "tier", "gold"));
        byte[] large = bytes(13 * MIB + 5, 5);
        CONTENTS.put("large/multipart.bin", large);
        SOURCE.putMultipart(source, "large/multipart.bin", large, EmbeddedS3.MIN_PART_SIZE, ChecksumAlgorithm.CRC64_NVME);
        byte[] largeTagged = bytes(7 * MIB, 6);
        CONTENTS.put("large/tagged ü.bin", largeTagged);
        SOURCE.put(source, "large/tagged ü.bin", largeTagged, b -> b.contentType("application/x-big")
                .metadata(Map.of("origin", "single")).tagging("size=large"));
    }

    private static void put(String key, byte[] content) {
        CONTENTS.put(key, content);
        SOURCE.put(source, key, content);
    }

    private static SizeTieredScheduler.Builder scheduler() {
        return Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5));
    }

    /**
     * Every small object but the first few (which learn the endpoints through the SDK) goes over
     * the JDK's client when direct requests are on: what arrives is the same either way.
     */
    @ParameterizedTest(name = "directRequests={0}")
    @ValueSource(booleans = {true, false})
    void relaysEveryObjectWithItsChecksumHeadersMetadataTagsAndFingerprint(boolean direct) {
        String destination = bucket(DESTINATION, "relay-dst-" + direct);
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (SizeTieredScheduler scheduler = scheduler().smallObjectConcurrency(2).directRequests(direct).build()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(DESTINATION.asyncClient(), destination, "copy/"), recorder),
                    Fixture.list(SOURCE.client(), source, ""));
            if (direct) {
                // 62 small objects: a GET and a PUT each, but for the first two of each side.
                assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isZero();
                assertThat(scheduler.directRequestsSent()).isGreaterThanOrEqualTo(2 * 62 - 8);
                // All below the size that streams.
                assertThat(scheduler.streamedObjects()).isZero();
            } else {
                assertThat(scheduler.directRequestsSent()).isZero();
            }
        }
        recorder.assertOneOutcomeEach(CONTENTS.keySet());
        long bytes = CONTENTS.values().stream().mapToLong(b -> b.length).sum();
        assertThat(totals).as("retries: %s", recorder.of(io.github.s3recon.event.TransferRetried.class))
                .isEqualTo(new TransferTotals(CONTENTS.size(), bytes, 0, 0, CONTENTS.size(), bytes, 0, 0, 0));

        S3Client src = SOURCE.client();
        S3Client dst = DESTINATION.client();
        Map<String, ObjectCopied> copied = recorder.copied();
        for (Map.Entry<String, byte[]> e : CONTENTS.entrySet()) {
            String key = e.getKey();
            byte[] content = e.getValue();
            assertThat(Fixture.get(dst, destination, "copy/" + key)).as(key).isEqualTo(content);
            ObjectCopied event = copied.get(key);
            assertThat(event.mode()).isEqualTo(TransferMode.RELAY);
            assertThat(event.attempts()).isOne();
            assertThat(event.checksum()).as(key).isEqualTo(Checksum.of(io.github.s3recon.ChecksumAlgorithm.CRC64NVME,
                    ChecksumType.FULL_OBJECT, Fixture.crc64(content)));

            HeadObjectResponse a = src.headObject(b -> b.bucket(source).key(key).checksumMode(ChecksumMode.ENABLED));
            HeadObjectResponse b = dst.headObject(r -> r.bucket(destination).key("copy/" + key)
                    .checksumMode(ChecksumMode.ENABLED));
            // The destination stored the full-object checksum computed on the way.
            assertThat(b.checksumCRC64NVME()).as(key).isEqualTo(Fixture.crc64(content));
            Fingerprint fingerprint = Fixture.assertSameHeadersAndMetadata(key, a, b);
            assertThat(fingerprint).as(key).isNotNull();
            assertThat(fingerprint.sourceETag()).isEqualTo(a.eTag().replace("\"", ""));
            assertThat(fingerprint.size()).isEqualTo(content.length);
            assertThat(Fixture.tags(dst, destination, "copy/" + key)).as(key).isEqualTo(Fixture.tags(src, source, key));
            if (content.length < 6 * MIB) {
                assertThat(b.eTag()).as("a single PUT's ETag is the MD5, as the source's").isEqualTo(a.eTag());
                // Read whole before the write: the fingerprint records the checksum of the bytes written.
                assertThat(fingerprint.checksum()).as(key).isEqualTo(event.checksum());
            }
        }
        // The source's own full-object checksum is recorded where it had one.
        Fingerprint large = Fingerprint.fromMetadata(dst.headObject(b -> b.bucket(destination)
                .key("copy/large/multipart.bin")).metadata());
        assertThat(large.checksum()).isEqualTo(Checksum.of(io.github.s3recon.ChecksumAlgorithm.CRC64NVME,
                ChecksumType.FULL_OBJECT, Fixture.crc64(CONTENTS.get("large/multipart.bin"))));
        assertThat(Fixture.tags(dst, destination, "copy/tagged.bin")).containsEntry("tier", "gold");
        assertThat(Fixture.tags(dst, destination, "copy/large/tagged ü.bin")).containsEntry("size", "large");
        assertThat(dst.listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
    }

    /**
     * Sixteen objects at once and no route yet: one GET and one PUT learn the two endpoints through
     * the SDK, and the others wait for them instead of all going through the SDK too. The parts of
     * large objects then go direct as well.
     */
    @Test
    void oneRequestPerSideLearnsTheRouteWhileTheOthersWait() {
        String destination = bucket(DESTINATION, "relay-dst-learn");
        RecordingListener recorder = new RecordingListener();
        try (SizeTieredScheduler scheduler = scheduler().smallObjectConcurrency(16).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source),
                    S3Location.of(DESTINATION.asyncClient(), destination, "copy/"), recorder),
                    Fixture.list(SOURCE.client(), source, ""));
            assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isZero();
            // 64 small objects, a GET and a PUT each: all direct but the two that learned; and the
            // five parts of the two large objects, a ranged GET streamed into an UploadPart each.
            assertThat(scheduler.directRequestsSent()).isGreaterThanOrEqualTo(2 * 64 - 2 + 2 * 5);
        }
        recorder.assertOneOutcomeEach(CONTENTS.keySet());
    }

    @Test
    void relaysWithAnotherChecksumAlgorithm() {
        String destination = bucket(DESTINATION, "relay-crc32c");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "large/");
        try (SizeTieredScheduler scheduler = scheduler().build();
                TransferSession session = scheduler.open(new TransferContext(
                        S3Location.of(SOURCE.asyncClient(), source, "large/"),
                        S3Location.of(DESTINATION.asyncClient(), destination), io.github.s3recon.ChecksumAlgorithm.CRC32C,
                        TransferOutcomes.notifying(recorder), Clock.systemUTC()))) {
            entries.forEach(session::copy);
            session.awaitCompletion();
        }
        for (ObjectEntry entry : entries) {
            byte[] content = CONTENTS.get("large/" + entry.key());
            SdkChecksum crc32c = Checksums.newChecksum(io.github.s3recon.ChecksumAlgorithm.CRC32C);
            crc32c.update(content, 0, content.length);
            String expected = Checksums.base64(crc32c);
            assertThat(recorder.copied().get(entry.key()).checksum().value()).isEqualTo(expected);
            assertThat(DESTINATION.client().headObject(b -> b.bucket(destination).key(entry.key())
                    .checksumMode(ChecksumMode.ENABLED)).checksumCRC32C()).isEqualTo(expected);
        }
    }

    @Test
    void serverSideCopyCanBeTurnedOffOnOneEndpoint() {
        String destination = bucket(SOURCE, "relay-same-endpoint");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(SOURCE.client(), source, "small/").subList(0, 10);
        TransferTotals totals;
        try (SizeTieredScheduler scheduler = scheduler().serverSideCopy(false).build()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(SOURCE.asyncClient(), source, "small/"),
                    S3Location.of(SOURCE.asyncClient(), destination), recorder), entries);
        }
        assertThat(totals.objectsRelayed()).isEqualTo(10);
        assertThat(recorder.copied().values()).extracting(ObjectCopied::mode).containsOnly(TransferMode.RELAY);
    }
}
