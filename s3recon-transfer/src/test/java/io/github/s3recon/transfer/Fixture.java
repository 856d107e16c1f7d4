package io.github.s3recon.transfer;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import java.time.Clock;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Tag;

/** Buckets, contents, listings and sessions for the scheduler's tests against real servers. */
final class Fixture {

    static final int MIB = 1 << 20;
    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private Fixture() {
    }

    /** A second server, for relays; started once per test JVM. */
    static EmbeddedS3 other() {
        return Other.INSTANCE;
    }

    private static final class Other {
        static final EmbeddedS3 INSTANCE = start();

        private static EmbeddedS3 start() {
            EmbeddedS3 s3 = EmbeddedS3.start();
            Runtime.getRuntime().addShutdownHook(new Thread(s3::close, "other-embedded-s3-shutdown"));
            return s3;
        }
    }

    static String bucket(EmbeddedS3 server, String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        server.createBucket(bucket);
        return bucket;
    }

    static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    /** Lists a bucket (under a prefix) as the migration would hand entries over: keys relative to the prefix. */
    static List<ObjectEntry> list(S3Client client, String bucket, String prefix) {
        return client.listObjectsV2Paginator(b -> b.bucket(bucket).prefix(prefix)).contents().stream()
                .map(o -> new ObjectEntry(o.key().substring(prefix.length()), o.size(), o.eTag(), o.lastModified(),
                        o.storageClassAsString(), null))
                .toList();
    }

    static byte[] get(S3Client client, String bucket, String key) {
        return client.getObjectAsBytes(b -> b.bucket(bucket).key(key)).asByteArray();
    }

    static Map<String, String> tags(S3Client client, String bucket, String key) {
        return client.getObjectTagging(b -> b.bucket(bucket).key(key)).tagSet().stream()
                .collect(Collectors.toMap(Tag::key, Tag::value));
    }

    static String crc64(byte[] bytes) {
        SdkChecksum c = Checksums.newChecksum(ChecksumAlgorithm.CRC64NVME);
        c.update(bytes, 0, bytes.length);
        return Base64.getEncoder().encodeToString(c.getChecksumBytes());
    }

    static TransferContext context(S3Location source, S3Location destination, RecordingListener recorder) {
        return new TransferContext(source, destination, ChecksumAlgorithm.CRC64NVME,
                TransferOutcomes.notifying(recorder), Clock.systemUTC());
    }

    /** Copies every entry in one session and waits for the end. */
    static TransferTotals copyAll(SizeTieredScheduler scheduler, TransferContext context, List<ObjectEntry> entries) {
        try (TransferSession session = scheduler.open(context)) {
            entries.forEach(session::copy);
            return session.awaitCompletion();
        }
    }

    /**
     * Asserts that a copy has its source's content headers and user metadata (the fingerprint
     * aside), and returns the fingerprint it carries.
     *
     * @return the copy's fingerprint, or null
     */
    static io.github.s3recon.Fingerprint assertSameHeadersAndMetadata(String key,
            software.amazon.awssdk.services.s3.model.HeadObjectResponse source,
            software.amazon.awssdk.services.s3.model.HeadObjectResponse copy) {
        org.assertj.core.api.Assertions.assertThat(copy.contentType()).as(key).isEqualTo(source.contentType());
        org.assertj.core.api.Assertions.assertThat(copy.contentEncoding()).as(key).isEqualTo(source.contentEncoding());
        org.assertj.core.api.Assertions.assertThat(copy.contentDisposition()).as(key)
                .isEqualTo(source.contentDisposition());
        org.assertj.core.api.Assertions.assertThat(copy.contentLanguage()).as(key).isEqualTo(source.contentLanguage());
        org.assertj.core.api.Assertions.assertThat(copy.cacheControl()).as(key).isEqualTo(source.cacheControl());
        org.assertj.core.api.Assertions.assertThat(copy.expiresString()).as(key).isEqualTo(source.expiresString());
        Map<String, String> metadata = new java.util.LinkedHashMap<>(copy.metadata());
        io.github.s3recon.Fingerprint fingerprint = io.github.s3recon.Fingerprint.fromMetadata(metadata);
        metadata.keySet().removeIf(k -> k.startsWith("s3recon-"));
        org.assertj.core.api.Assertions.assertThat(metadata).as(key).isEqualTo(source.metadata());
        return fingerprint;
    }

    /** A scheduler for tests: quick backoffs. */
    static SizeTieredScheduler.Builder testScheduler() {
        // Server-side copies from 6 MiB as multipart, like the relays, so both paths are exercised.
        return SizeTieredScheduler.builder().multipartCopyThreshold(io.github.s3recon.DataSize.ofMebibytes(6))
                .initialBackoff(java.time.Duration.ofMillis(5))
                .maxBackoff(java.time.Duration.ofMillis(100));
    }
}
