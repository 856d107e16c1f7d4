package io.github.s3recon.transfer;

import static io.github.s3recon.transfer.Fixture.MIB;
import static io.github.s3recon.transfer.Fixture.bucket;
import static io.github.s3recon.transfer.Fixture.bytes;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.DataSize;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;

/** Copies within one endpoint and one set of credentials: the server copies, no byte passes through the JVM. */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class ServerSideCopyTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final String PREFIX = "src/";
    private static String source;
    private static final Map<String, byte[]> CONTENTS = new LinkedHashMap<>();

    @BeforeAll
    static void seed() {
        source = bucket(S3, "server-side-src");
        for (int i = 0; i < 40; i++) {
            put("small/object-" + i + ".bin", bytes(1 + i * 997, i));
        }
        put("empty", new byte[0]);
        put("unicode/données été 日本 😀 +&=?#%.txt", bytes(300, 1));
        byte[] styled = bytes(1234, 2);
        CONTENTS.put("styled.html", styled);
        S3.put(source, PREFIX + "styled.html", styled, b -> b.contentType("text/html; charset=utf-8")
                .contentEncoding("identity").contentDisposition("inline; filename=\"a.html\"").contentLanguage("fr")
                .cacheControl("max-age=60").expires(Instant.parse("2031-02-03T04:05:06Z"))
                .metadata(Map.of("owner", "team-7", "index", "12")));
        byte[] tagged = bytes(2000, 3);
        CONTENTS.put("tagged.bin", tagged);
        S3.putTagged(source, PREFIX + "tagged.bin", tagged, Map.of("project", "s3recon", "tier", "gold"));
        // Small, but uploaded in parts: its multipart ETag will not survive a CopyObject.
        byte[] smallMultipart = bytes(EmbeddedS3.MIN_PART_SIZE + 100, 4);
        CONTENTS.put("small-multipart.bin", smallMultipart);
        S3.putMultipart(source, PREFIX + "small-multipart.bin", smallMultipart, EmbeddedS3.MIN_PART_SIZE,
                ChecksumAlgorithm.CRC32);
        byte[] large = bytes(13 * MIB + 5, 5);
        CONTENTS.put("large/multipart.bin", large);
        S3.putMultipart(source, PREFIX + "large/multipart.bin", large, EmbeddedS3.MIN_PART_SIZE, null);
        byte[] largeSingle = bytes(7 * MIB, 6);
        CONTENTS.put("large/single ü.bin", largeSingle);
        S3.put(source, PREFIX + "large/single ü.bin", largeSingle, b -> b.contentType("application/x-big")
                .metadata(Map.of("origin", "single")).tagging("size=large"));
    }

    private static void put(String key, byte[] content) {
        CONTENTS.put(key, content);
        S3.put(source, PREFIX + key, content);
    }

    private static SizeTieredScheduler scheduler() {
        return Fixture.testScheduler().smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5))
                .build();
    }

    @Test
    void copiesSmallAndLargeObjectsServerSidePreservingHeadersMetadataAndTags() {
        String destination = bucket(S3, "server-side-dst");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(S3.client(), source, PREFIX);
        TransferTotals totals;
        try (SizeTieredScheduler scheduler = scheduler()) {
            totals = Fixture.copyAll(scheduler, Fixture.context(S3Location.of(S3.asyncClient(), source, PREFIX),
                    S3Location.of(S3.asyncClient(), destination, "dst/"), recorder), entries);
            // The CopyObjects of the 44 objects with a plain ETag go direct, but for the one that
            // learned the route; those whose metadata is replaced go through the SDK.
            assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isZero();
            assertThat(scheduler.directRequestsSent()).isGreaterThanOrEqualTo(40);
        }
        recorder.assertOneOutcomeEach(CONTENTS.keySet());
        long bytes = CONTENTS.values().stream().mapToLong(b -> b.length).sum();
        assertThat(totals).isEqualTo(new TransferTotals(CONTENTS.size(), bytes, CONTENTS.size(), bytes, 0, 0, 0, 0, 0));
        assertThat(recorder.copied().values()).allSatisfy(e -> {
            assertThat(e.mode()).isEqualTo(TransferMode.SERVER_SIDE);
            assertThat(e.attempts()).isOne();
            assertThat(e.checksum()).isNull();
            assertThat(e.bytes()).isEqualTo(CONTENTS.get(e.key()).length);
        });

        S3Client client = S3.client();
        CONTENTS.forEach((key, content) ->
                assertThat(Fixture.get(client, destination, "dst/" + key)).as(key).isEqualTo(content));
        for (String key : CONTENTS.keySet()) {
            HeadObjectResponse a = client.headObject(b -> b.bucket(source).key(PREFIX + key));
            HeadObjectResponse b = client.headObject(r -> r.bucket(destination).key("dst/" + key));
            Fingerprint fingerprint = Fixture.assertSameHeadersAndMetadata(key, a, b);
            assertThat(Fixture.tags(client, destination, "dst/" + key)).as(key)
                    .isEqualTo(Fixture.tags(client, source, PREFIX + key));
            if (a.eTag().contains("-") || CONTENTS.get(key).length >= 6 * MIB) {
                // The copy's ETag differs from the source's: the fingerprint proves it.
                assertThat(fingerprint).as(key).isNotNull();
                assertThat(fingerprint.sourceETag()).isEqualTo(a.eTag().replace("\"", ""));
                assertThat(fingerprint.size()).isEqualTo(CONTENTS.get(key).length);
            } else {
                // A plain MD5 ETag survives a CopyObject: it proves the copy.
                assertThat(b.eTag()).as(key).isEqualTo(a.eTag());
            }
        }
        assertThat(Fixture.tags(client, destination, "dst/tagged.bin")).containsEntry("tier", "gold");
        assertThat(Fixture.tags(client, destination, "dst/large/single ü.bin")).containsEntry("size", "large");
        assertThat(client.headObject(b -> b.bucket(destination).key("dst/styled.html")).metadata())
                .containsEntry("owner", "team-7");
    }

    @Test
    void largeCopiesAskForAFullObjectChecksumAndLeaveNoUploadBehind() {
        String destination = bucket(S3, "server-side-checksum");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = Fixture.list(S3.client(), source, PREFIX + "large/");
        try (SizeTieredScheduler scheduler = scheduler()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(S3.asyncClient(), source, PREFIX + "large/"),
                    S3Location.of(S3.asyncClient(), destination), recorder), entries);
        }
        assertThat(recorder.copied()).hasSize(2);
        for (String key : List.of("multipart.bin", "single ü.bin")) {
            HeadObjectResponse head = S3.client().headObject(b -> b.bucket(destination).key(key)
                    .checksumMode(ChecksumMode.ENABLED));
            assertThat(head.checksumCRC64NVME()).as(key).isEqualTo(Fixture.crc64(CONTENTS.get("large/" + key)));
        }
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
    }

    @Test
    void aSourceThatVanishedOrIsForbiddenFailsAloneAndTheRunGoesOn() {
        String destination = bucket(S3, "server-side-failures");
        RecordingListener recorder = new RecordingListener();
        List<ObjectEntry> entries = new ArrayList<>(Fixture.list(S3.client(), source, PREFIX + "small/"));
        entries.add(ObjectEntry.of("deleted-after-listing.bin", 10, "0123456789abcdef0123456789abcdef"));
        entries.add(ObjectEntry.of("large-deleted.bin", 20 * MIB, "0123456789abcdef0123456789abcdef-4"));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(S3.endpoint())
                .inject(FaultInjectingProxy.Fault.accessDenied(1).onlyFor(r -> r.key().endsWith("object-7.bin")));
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                SizeTieredScheduler scheduler = scheduler()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(client, source, PREFIX + "small/"),
                    S3Location.of(client, destination), recorder), entries);
        }
        recorder.assertOneOutcomeEach(entries.stream().map(ObjectEntry::key).toList());
        Map<String, ObjectFailed> failed = recorder.failed();
        assertThat(failed).containsOnlyKeys("object-7.bin", "deleted-after-listing.bin", "large-deleted.bin");
        assertThat(recorder.copied()).hasSize(entries.size() - 3);
        assertThat(failed.values()).allSatisfy(f -> {
            assertThat(f.action()).isEqualTo(TransferAction.COPY);
            // Permanent errors are not retried; a direct request's 403 is sent once more through the SDK.
            assertThat(f.attempts()).as(f.key()).isBetween(1, f.key().equals("object-7.bin") ? 2 : 1);
        });
        assertThat(failed.get("object-7.bin").error().code()).isEqualTo(ErrorCode.ACCESS_DENIED);
        assertThat(failed.get("deleted-after-listing.bin").error().code()).isEqualTo(ErrorCode.COPY_FAILED);
        assertThat(failed.get("large-deleted.bin").error().code()).isEqualTo(ErrorCode.COPY_FAILED);
        assertThat(failed.get("object-7.bin").error().getMessage())
                .contains("s3://" + destination + "/object-7.bin", "403 AccessDenied", "grant", "s3:GetObject");
        assertThat(failed.get("deleted-after-listing.bin").error().getMessage())
                .contains("s3://" + source + "/" + PREFIX + "small/deleted-after-listing.bin", "404",
                        "deleted from the source after it was listed");
        assertThat(failed.get("large-deleted.bin").error().getMessage()).contains("HeadObject", "404");
    }

    @Test
    void deletesObjects() {
        String bucket = bucket(S3, "deletes");
        S3.put(bucket, "a", bytes(10, 1));
        S3.put(bucket, "sub/b ü", bytes(10, 2));
        S3.put(bucket, "keep", bytes(10, 3));
        RecordingListener recorder = new RecordingListener();
        TransferTotals totals;
        try (SizeTieredScheduler scheduler = scheduler();
                TransferSession session = scheduler.open(Fixture.context(S3Location.of(S3.asyncClient(), source),
                        S3Location.of(S3.asyncClient(), bucket), recorder))) {
            session.delete(ObjectEntry.of("a", 10, null));
            session.delete(ObjectEntry.of("sub/b ü", 10, null));
            session.delete(ObjectEntry.of("never-existed", 10, null));
            totals = session.awaitCompletion();
        }
        recorder.assertOneOutcomeEach(List.of("a", "sub/b ü", "never-existed"));
        // An object that is not there is not the one the caller saw: kept (nothing to delete), reported.
        assertThat(totals.objectsDeleted()).isEqualTo(2);
        assertThat(totals.deletionsKept()).isEqualTo(1);
        assertThat(totals.objectsFailed()).isZero();
        assertThat(totals.objectsCopied()).isZero();
        assertThat(Fixture.list(S3.client(), bucket, "")).extracting(ObjectEntry::key).containsExactly("keep");
    }

    @Test
    void theSameEndpointAndCredentialsThroughAnotherClientStillCopyServerSide() {
        String destination = bucket(S3, "server-side-two-clients");
        RecordingListener recorder = new RecordingListener();
        try (S3AsyncClient other = S3Clients.asyncClient(S3.endpoint(), EmbeddedS3.REGION,
                EmbeddedS3.credentials()); SizeTieredScheduler scheduler = scheduler()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(S3.asyncClient(), source, PREFIX),
                    S3Location.of(other, destination), recorder), Fixture.list(S3.client(), source, PREFIX + "small/")
                    .stream().map(e -> e.withKey("small/" + e.key())).toList());
        }
        assertThat(recorder.copied().values()).hasSize(40).extracting(ObjectCopied::mode)
                .containsOnly(TransferMode.SERVER_SIDE);
    }
}
