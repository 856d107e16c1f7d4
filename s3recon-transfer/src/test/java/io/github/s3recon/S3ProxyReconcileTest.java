package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.EmbeddedS3Proxy;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reconciliation against S3Proxy, a server that is not AWS S3 and differs from S3Mock: it answers
 * HeadObject?partNumber with 501, stores no flexible checksums, and lists in UTF-16 order.
 */
class S3ProxyReconcileTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static EmbeddedS3Proxy server;

    @TempDir
    Path work;

    @BeforeAll
    static void start() {
        server = EmbeddedS3Proxy.withCredentials("reconcile-access", "reconcile-secret");
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static String bucket(String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        server.createBucket(bucket);
        return bucket;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private MigrationResult reconcile(String source, String destination) {
        try (Migration m = Migration.builder().source(S3Location.of(server.asyncClient(), source))
                .destination(S3Location.of(server.asyncClient(), destination)).workDirectory(work.resolve("work"))
                .build()) {
            return m.reconcile();
        }
    }

    private static List<String> differences(MigrationResult result) {
        try (Stream<Difference> d = result.report().differences()) {
            return d.map(x -> x.type() + " " + x.key()).collect(Collectors.toList());
        }
    }

    @Test
    void findsEachDifferenceAndNeverFailsOnWhatTheServerCannotAnswer() {
        String src = bucket("sp-src");
        String dst = bucket("sp-dst");
        int part = EmbeddedS3.MIN_PART_SIZE;
        byte[] a = bytes(part + 100, 1);
        byte[] b = bytes(part + 100, 2);
        for (String bucket : List.of(src, dst)) {
            server.put(bucket, "same.txt", "same".getBytes(UTF_8));
            server.put(bucket, "a b+c.txt", "spaces and plus".getBytes(UTF_8));
            server.put(bucket, "\u00e9t\u00e9/caf\u00e9.txt", "unicode".getBytes(UTF_8));
            // U+1F600 lists before U+FFFD on S3Proxy (UTF-16 order), after it on S3 (UTF-8 order).
            server.put(bucket, "\uD83D\uDE00.txt", "astral".getBytes(UTF_8));
            server.put(bucket, "\uFFFD.txt", "replacement".getBytes(UTF_8));
            server.putMultipart(bucket, "multipart-same.bin", a, part);
        }
        server.put(src, "missing.txt", "only in source".getBytes(UTF_8));
        server.put(dst, "extra.txt", "only in destination".getBytes(UTF_8));
        server.put(src, "size.txt", "short".getBytes(UTF_8));
        server.put(dst, "size.txt", "longer".getBytes(UTF_8));
        server.put(src, "content.txt", "aaaa".getBytes(UTF_8));
        server.put(dst, "content.txt", "bbbb".getBytes(UTF_8));
        // Same size and layout, other bytes: the part-size rule would need HeadObject?partNumber.
        server.putMultipart(src, "multipart-other.bin", a, part);
        server.putMultipart(dst, "multipart-other.bin", b, part);

        MigrationResult result = reconcile(src, dst);

        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
        assertThat(differences(result)).containsExactlyInAnyOrder("CONTENT_MISMATCH content.txt",
                "EXTRA_IN_DESTINATION extra.txt", "MISSING_IN_DESTINATION missing.txt", "SIZE_MISMATCH size.txt",
                "UNVERIFIED multipart-other.bin");
        assertThat(result.report().matchedByRule()).containsEntry(MatchRule.PLAIN_ETAG, 5L)
                .containsEntry(MatchRule.MULTIPART_ETAG, 1L);
        assertThat(result.report().source().objects()).isEqualTo(10);
    }

    @Test
    void equalBucketsHaveNoDifferences() {
        String src = bucket("sp-eq-src");
        String dst = bucket("sp-eq-dst");
        for (int i = 0; i < 50; i++) {
            byte[] content = ("object " + i).getBytes(UTF_8);
            server.put(src, "dir " + (i % 3) + "/k+" + i, content);
            server.put(dst, "dir " + (i % 3) + "/k+" + i, content);
        }
        MigrationResult result = reconcile(src, dst);
        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(result.report().counts().differences()).isZero();
        assertThat(result.report().counts().matched()).isEqualTo(50);
    }
}
