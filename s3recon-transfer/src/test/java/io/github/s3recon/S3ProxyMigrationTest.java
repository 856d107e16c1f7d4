package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.EmbeddedS3Proxy;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Migrations to and between S3Proxy servers (credential-checking, not AWS S3): the end state
 * equals the source, extraneous objects are deleted, and an independent reconcile finds nothing.
 */
class S3ProxyMigrationTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final EmbeddedS3 MOCK = EmbeddedS3.shared();
    private static EmbeddedS3Proxy first;
    private static EmbeddedS3Proxy second;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        first = EmbeddedS3Proxy.withCredentials("first-access", "first-secret");
        second = EmbeddedS3Proxy.withCredentials("second-access", "second-secret");
    }

    @AfterAll
    static void stop() {
        for (EmbeddedS3Proxy s : new EmbeddedS3Proxy[] {first, second}) {
            if (s != null) {
                s.close();
            }
        }
    }

    private static String name(String prefix) {
        return prefix + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
    }

    /** Keys that URL encoding, signing and UTF-16 listing order get wrong when they can. */
    private static Map<String, byte[]> objects() {
        Map<String, byte[]> objects = new LinkedHashMap<>();
        objects.put("plain.txt", "plain".getBytes(UTF_8));
        objects.put("a+b.txt", "plus".getBytes(UTF_8));
        objects.put("with space/and more.txt", "spaces".getBytes(UTF_8));
        objects.put("%2F not a slash", "percent".getBytes(UTF_8));
        objects.put("caf\u00e9/\u65e5\u672c\u8a9e.txt", "unicode".getBytes(UTF_8));
        objects.put("\uD83D\uDE00 astral.txt", "astral".getBytes(UTF_8));
        objects.put("\uFFFD replacement.txt", "replacement".getBytes(UTF_8));
        objects.put("empty", new byte[0]);
        byte[] big = new byte[EmbeddedS3.MIN_PART_SIZE * 2 + 321];
        new Random(11).nextBytes(big);
        objects.put("big/multipart.bin", big);
        return objects;
    }

    private static Map<String, Long> sizes(S3AsyncClient client, String bucket) {
        Map<String, Long> sizes = new TreeMap<>();
        client.listObjectsV2Paginator(l -> l.bucket(bucket)).contents().subscribe(o -> {
            synchronized (sizes) {
                sizes.put(o.key(), o.size());
            }
        }).join();
        return sizes;
    }

    private static void assertSameObjects(S3Location source, S3Location destination, Map<String, byte[]> expected) {
        Map<String, Long> want = new TreeMap<>();
        expected.forEach((k, v) -> want.put(k, (long) v.length));
        assertThat(sizes(destination.client(), destination.bucket())).isEqualTo(want);
        for (Map.Entry<String, byte[]> e : expected.entrySet()) {
            byte[] got = destination.client().getObject(g -> g.bucket(destination.bucket()).key(e.getKey()),
                    software.amazon.awssdk.core.async.AsyncResponseTransformer.toBytes()).join().asByteArray();
            assertThat(got).as(e.getKey()).isEqualTo(e.getValue());
        }
    }

    private MigrationResult migrate(S3Location source, S3Location destination) {
        try (Migration m = Migration.builder().source(source).destination(destination)
                .workDirectory(work.resolve("run")).deleteExtraneous(true).maxDeletePercent(100).build()) {
            return m.run();
        }
    }

    private MigrationResult reconcile(S3Location source, S3Location destination) {
        try (Migration m = Migration.builder().source(source).destination(destination)
                .workDirectory(work.resolve("check")).build()) {
            return m.reconcile();
        }
    }

    private void migrateAndProve(S3Location source, S3Location destination, Map<String, byte[]> objects) {
        MigrationResult result = migrate(source, destination);
        assertThat(result.state()).as("state of %s", result.report()).isEqualTo(MigrationState.COMPLETED);
        assertThat(result.report().transfer().objectsFailed()).isZero();
        assertThat(result.report().transfer().objectsCopied()).isEqualTo(objects.size());
        assertSameObjects(source, destination, objects);
        MigrationResult check = reconcile(source, destination);
        assertThat(check.report().counts().differences()).as("differences of %s", check.report()).isZero();
        assertThat(check.report().counts().matched()).isEqualTo(objects.size());
    }

    @Test
    void fromS3MockToS3Proxy() {
        String src = name("mock-src");
        String dst = name("proxy-dst");
        MOCK.createBucket(src);
        first.createBucket(dst);
        Map<String, byte[]> objects = objects();
        objects.forEach((k, v) -> MOCK.put(src, k, v));
        first.put(dst, "extraneous 1", "delete me".getBytes(UTF_8));
        first.put(dst, "with space/extraneous+2", "delete me too".getBytes(UTF_8));
        migrateAndProve(S3Location.of(MOCK.asyncClient(), src), S3Location.of(first.asyncClient(), dst), objects);
    }

    @Test
    void fromS3ProxyToAnotherS3Proxy() {
        String src = name("proxy-src");
        String dst = name("proxy-dst");
        first.createBucket(src);
        second.createBucket(dst);
        Map<String, byte[]> objects = objects();
        objects.forEach((k, v) -> {
            if (v.length > EmbeddedS3.MIN_PART_SIZE) {
                first.putMultipart(src, k, v, EmbeddedS3.MIN_PART_SIZE);
            } else {
                first.put(src, k, v);
            }
        });
        second.put(dst, "extraneous", "delete me".getBytes(UTF_8));
        second.put(dst, "plain.txt", "an older, different plain.txt".getBytes(UTF_8));
        migrateAndProve(S3Location.of(first.asyncClient(), src), S3Location.of(second.asyncClient(), dst), objects);
    }

    @Test
    void withinOneS3Proxy() {
        String src = name("same-src");
        String dst = name("same-dst");
        first.createBucket(src);
        first.createBucket(dst);
        Map<String, byte[]> objects = objects();
        objects.forEach((k, v) -> first.put(src, k, v));
        first.put(dst, "extraneous", "delete me".getBytes(UTF_8));
        migrateAndProve(S3Location.of(first.asyncClient(), src), S3Location.of(first.asyncClient(), dst), objects);
    }

    @Test
    void userMetadataArrivesOnS3Proxy() {
        String src = name("meta-src");
        String dst = name("meta-dst");
        MOCK.createBucket(src);
        first.createBucket(dst);
        MOCK.put(src, "with metadata", "m".getBytes(UTF_8),
                b -> b.metadata(Map.of("owner", "team a")).contentType("text/plain").cacheControl("no-cache"));
        migrateAndProve(S3Location.of(MOCK.asyncClient(), src), S3Location.of(first.asyncClient(), dst),
                Map.of("with metadata", "m".getBytes(UTF_8)));
        var head = first.client().headObject(h -> h.bucket(dst).key("with metadata"));
        assertThat(head.metadata()).containsEntry("owner", "team a");
        assertThat(head.contentType()).isEqualTo("text/plain");
    }
}
