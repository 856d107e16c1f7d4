package io.github.s3recon.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Location;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.LocalHttpServer;
import io.github.s3recon.testkit.LocalHttpServer.Fault;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;

/**
 * A migration whose source is a manifest of URLs ({@link UrlManifestSource}) into the embedded S3
 * server, against a real HTTP server on localhost with faults: every URL that answers is in the
 * destination byte for byte with its content type and its URL in the metadata; the 404 and 410 are
 * skipped, listed with URL and status in the failures and counted; 503 then success, 429 with
 * Retry-After, a reset mid-body (small and multipart), a slow body, no Content-Length and no range
 * support all end copied; a reconcile after the run finds nothing missing.
 */
class UrlManifestMigrationTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final LocalHttpServer HTTP = LocalHttpServer.start();
    private static final AtomicInteger RUNS = new AtomicInteger();
    private static final int PART = 5 << 20;

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        HTTP.close();
    }

    @BeforeEach
    void smallParts() {
        System.setProperty("s3recon.relay.partSize", Integer.toString(PART));
    }

    @AfterEach
    void defaultParts() {
        System.clearProperty("s3recon.relay.partSize");
    }

    private static String bucket(String name) {
        String bucket = name + "-" + RUNS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        S3.createBucket(bucket);
        return bucket;
    }

    private static byte[] random(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    @Test
    void everyUrlThatAnswersIsCopiedWithItsContentTypeAndTheMissingOnesAreSkippedListedAndCounted() throws IOException {
        String run = "m" + RUNS.incrementAndGet() + "/";
        Map<String, byte[]> served = new LinkedHashMap<>();
        Map<String, String> types = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            String path = run + "images/lot " + i + "/é-" + i + (i % 2 == 0 ? ".jpg" : ".txt");
            byte[] body = random(100 + i * 997, i);
            String type = i % 2 == 0 ? "image/jpeg" : "text/plain";
            HTTP.put(path, body, type);
            served.put(path, body);
            types.put(path, type);
        }
        String large = run + "large/ranged.bin";
        String noRanges = run + "large/no-ranges.bin";
        String noLength = run + "large/no-length.bin";
        for (String p : List.of(large, noRanges, noLength)) {
            byte[] body = random(2 * PART + 12345, p.hashCode());
            HTTP.put(p, body, "video/mp4");
            served.put(p, body);
            types.put(p, "video/mp4");
        }
        HTTP.fault(noRanges, Fault.ignoringRanges());
        HTTP.fault(noLength, Fault.withoutContentLength());
        HTTP.fault(run + "images/lot 1/é-1.txt", Fault.unavailable(2));
        HTTP.fault(run + "images/lot 2/é-2.jpg", Fault.tooManyRequests(1, 1));
        HTTP.fault(run + "images/lot 3/é-3.txt", Fault.resetMidBody(1));
        HTTP.fault(large, Fault.resetMidBody(1));
        HTTP.fault(run + "images/lot 4/é-4.jpg", Fault.slowBody(Duration.ofMillis(2)));
        HTTP.put(run + "gone.jpg", new byte[10]);
        HTTP.fault(run + "gone.jpg", Fault.gone());

        List<String> lines = new ArrayList<>(List.of("# the images", ""));
        served.keySet().forEach(p -> lines.add(HTTP.url(p).toString()));
        lines.add(HTTP.url(run + "missing.jpg").toString());
        lines.add(HTTP.url(run + "gone.jpg").toString());
        Path manifest = Files.write(dir.resolve("urls.txt"), lines, StandardCharsets.UTF_8);
        UrlManifestSource source = UrlManifestSource.builder().manifest(manifest).stripPrefix(run)
                .retries(RetrySchedule.of(Duration.ofMillis(20), 2, 4)).build();
        String destination = bucket("urls");

        try (Migration m = Migration.builder().source(source)
                .destination(S3Location.of(S3.asyncClient(), destination, "copied/"))
                .workDirectory(dir.resolve("work")).build()) {
            MigrationResult r = m.run();

            for (Map.Entry<String, byte[]> e : served.entrySet()) {
                String key = "copied/" + e.getKey().substring(run.length());
                ResponseBytes<GetObjectResponse> got = S3.client().getObjectAsBytes(b -> b.bucket(destination).key(key));
                assertThat(got.asByteArray()).as(key).isEqualTo(e.getValue());
                assertThat(got.response().contentType()).as(key).isEqualTo(types.get(e.getKey()));
                assertThat(got.response().metadata()).as(key).containsEntry("s3recon-source-url",
                        HTTP.url(e.getKey()).toString());
            }
            assertThat(S3.client().listObjectsV2(b -> b.bucket(destination)).keyCount()).isEqualTo(served.size());
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(served.size());
            assertThat(r.report().transfer().objectsFailed()).as("the 404 and the 410").isEqualTo(2);
            assertThat(r.report().transfer().notes()).anyMatch(n -> n.startsWith("2 source objects not found"));
            String failures = Files.readString(r.report().transfer().failuresFile());
            assertThat(failures).contains(HTTP.url(run + "missing.jpg").toString(), "\"status\":404",
                    HTTP.url(run + "gone.jpg").toString(), "\"status\":410");
            assertThat(source.notFoundCount()).as("both listings, before and verify").isEqualTo(4);
            assertThat(HTTP.requests("GET", run + "gone.jpg") + HTTP.requests("HEAD", run + "gone.jpg"))
                    .as("410 is not retried: one HEAD in each listing (before and verify), no GET").isEqualTo(2);

            MigrationResult check = m.reconcile();
            assertThat(check.report().counts().differences()).as("differences after the run").isZero();
            assertThat(check.report().counts().matched()).isEqualTo(served.size());
        }
    }

    @Test
    void ofPathIsAcceptedAndASecondRunCopiesNothing() throws IOException {
        String run = "p" + RUNS.incrementAndGet() + "/";
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            HTTP.put(run + i + ".bin", random(1000 + i, i));
            lines.add(HTTP.url(run + i + ".bin").toString());
        }
        Path manifest = Files.write(dir.resolve("plain.txt"), lines, StandardCharsets.UTF_8);
        String destination = bucket("of-path");
        try (Migration m = Migration.builder().source(UrlManifestSource.of(manifest))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("w")).build()) {
            assertThat(m.plan().copies()).isEqualTo(5);
            assertThat(m.run().report().transfer().objectsCopied()).isEqualTo(5);
            assertThat(m.run().report().transfer().objectsCopied()).as("second run").isZero();
            assertThat(S3.client().headObject(b -> b.bucket(destination).key(run + "0.bin")).contentLength())
                    .isEqualTo(1000);
        }
    }
}
