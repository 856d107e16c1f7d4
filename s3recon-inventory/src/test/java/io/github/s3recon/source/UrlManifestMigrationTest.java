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

    private Path manifestOf(String run, int count, int size) throws IOException {
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            HTTP.put(run + "f" + i + ".bin", random(size + i, run.hashCode() + i), "image/png");
            lines.add(HTTP.url(run + "f" + i + ".bin").toString());
        }
        return Files.write(dir.resolve(run.replace("/", "") + ".txt"), lines, StandardCharsets.UTF_8);
    }

    @Test
    void trialCopiesVerifiesAndRemovesTenObjectsAndWritesNothingElse() throws IOException {
        String run = "t" + RUNS.incrementAndGet() + "/";
        Path manifest = manifestOf(run, 15, 3000);
        String destination = bucket("trial");
        try (Migration m = Migration.builder().source(UrlManifestSource.of(manifest))
                .destination(S3Location.of(S3.asyncClient(), destination, "dst/")).workDirectory(dir.resolve("t"))
                .build()) {
            io.github.s3recon.TrialReport t = m.trial(10);
            assertThat(t.passed()).as(t.toString()).isTrue();
            assertThat(t.objects()).isEqualTo(10);
            assertThat(t.verified()).isEqualTo(10);
            assertThat(t.prefix()).isEqualTo("s3://" + destination + "/dst/_test/");
            assertThat(t.objectsPerSecond()).isPositive();
            assertThat(S3.client().listObjectsV2(b -> b.bucket(destination)).keyCount()).as("left behind").isZero();
            assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
        }
    }

    @Test
    void trialOfABucketSourceToo() {
        String source = bucket("trial-src");
        for (int i = 0; i < 12; i++) {
            S3.put(source, "k" + i, random(2000, i));
        }
        String destination = bucket("trial-dst");
        try (Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), source))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("tb"))
                .trialPrefix("_try/").build()) {
            io.github.s3recon.TrialReport t = m.trial(10);
            assertThat(t.passed()).as(t.toString()).isTrue();
            assertThat(t.copied()).isEqualTo(10);
            assertThat(S3.client().listObjectsV2(b -> b.bucket(destination)).keyCount()).as("left behind").isZero();
        }
    }

    @Test
    void validateHeadsTheFirstUrlsAndProbesTheDestination() throws IOException {
        String run = "v" + RUNS.incrementAndGet() + "/";
        Path manifest = manifestOf(run, 4, 500);
        String destination = bucket("validate");
        try (Migration m = Migration.builder().source(UrlManifestSource.of(manifest))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("v")).build()) {
            io.github.s3recon.ValidationReport r = m.validate();
            assertThat(r.passed()).as(r.describe()).isTrue();
            assertThat(r.check(io.github.s3recon.ValidationReport.SOURCE_READ).orElseThrow().status())
                    .isEqualTo(io.github.s3recon.ValidationReport.Status.PASS);
            assertThat(HTTP.requests("HEAD", run + "f0.bin")).isPositive();
        }
        Path broken = Files.write(dir.resolve("broken.txt"), List.of(HTTP.url(run + "nothing-here").toString()
                .replace("127.0.0.1:" + HTTP.port(), "127.0.0.1:1")), StandardCharsets.UTF_8);
        try (Migration m = Migration.builder().source(UrlManifestSource.builder().manifest(broken)
                        .retries(RetrySchedule.of(Duration.ofMillis(1), 1, 1)).build())
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("v2")).build()) {
            io.github.s3recon.ValidationReport r = m.validate();
            assertThat(r.passed()).as(r.describe()).isFalse();
            assertThat(r.check(io.github.s3recon.ValidationReport.SOURCE_LIST).orElseThrow().status())
                    .isEqualTo(io.github.s3recon.ValidationReport.Status.FAIL);
        }
    }

    @Test
    void estimateHeadsASampleAndScalesByTheManifest() throws IOException {
        String run = "e" + RUNS.incrementAndGet() + "/";
        Path manifest = manifestOf(run, 40, 1000);
        String destination = bucket("estimate");
        try (Migration m = Migration.builder().source(UrlManifestSource.of(manifest))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("e")).build()) {
            io.github.s3recon.Estimate full = m.estimate();
            assertThat(full.objects()).isEqualTo(40);
            assertThat(full.bytes()).isEqualTo(40 * 1000 + 39 * 40 / 2);
            io.github.s3recon.Estimate sampled = m.estimate(10);
            assertThat(sampled.basis()).isEqualTo(io.github.s3recon.Estimate.Basis.EXTRAPOLATED);
            assertThat(sampled.objects()).isBetween(36L, 44L);
            assertThat(HTTP.requests("HEAD", run + "f39.bin")).as("the sample HEADs the first ones only").isEqualTo(1);
        }
    }

    @Test
    void reconcileFindsMissingExtraAndSizeAndContentDifferences() throws IOException {
        String run = "r" + RUNS.incrementAndGet() + "/";
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            HTTP.put(run + i + ".bin", random(700, i));
            lines.add(HTTP.url(run + i + ".bin").toString());
        }
        Path manifest = Files.write(dir.resolve("r.txt"), lines, StandardCharsets.UTF_8);
        String destination = bucket("reconcile");
        S3.put(destination, run + "0.bin", random(700, 0)); // equal
        S3.put(destination, run + "1.bin", random(701, 1)); // size differs
        S3.put(destination, run + "2.bin", random(700, 99)); // same size, other content (MD5 ETags differ)
        S3.put(destination, run + "extra.bin", random(10, 5)); // not in the manifest
        try (Migration m = Migration.builder().source(UrlManifestSource.of(manifest))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("r")).build()) {
            var counts = m.reconcile().report().counts();
            assertThat(counts.matched()).isEqualTo(1);
            assertThat(counts.missingInDestination()).isEqualTo(3);
            assertThat(counts.extraInDestination()).isEqualTo(1);
            assertThat(counts.sizeMismatch()).isEqualTo(1);
            assertThat(counts.contentMismatch()).isEqualTo(1);
        }
    }

    @Test
    void jsonFilesWithTwoUrlFieldsAndDuplicatesAreCopiedOnceWithoutAnIndexOfEveryKey() throws IOException {
        String run = "j" + RUNS.incrementAndGet() + "/";
        Path data = dir.resolve("data/lots/2024");
        Files.createDirectories(data);
        Map<String, byte[]> served = new LinkedHashMap<>();
        for (int lot = 0; lot < 3; lot++) {
            StringBuilder json = new StringBuilder("{\"lot\": " + lot + ", \"images\": [");
            for (int i = 0; i < 4; i++) {
                String image = run + "images/" + lot + "-" + i + ".jpg";
                String thumb = run + "thumbs/" + lot + "-" + i + ".jpg";
                served.put(image, random(3000 + i, lot * 10 + i));
                served.put(thumb, random(300 + i, 100 + lot * 10 + i));
                HTTP.put(image, served.get(image), "image/jpeg");
                HTTP.put(thumb, served.get(thumb), "image/jpeg");
                json.append(i == 0 ? "" : ",").append("{\"image_url\": \"").append(HTTP.url(image))
                        .append("\", \"thumb_url\": \"").append(HTTP.url(thumb)).append("\"}");
            }
            // Lot 2 repeats an image of lot 0: one key, copied once.
            json.append(lot == 2 ? ",{\"image_url\": \"" + HTTP.url(run + "images/0-0.jpg") + "\"}" : "");
            Files.writeString(data.resolve("lot_" + lot + "_images.json"), json.append("]}").toString());
        }
        UrlManifestSource source = UrlManifestSource.builder()
                .jsonFiles(dir, "data/lots/**/lot_*_images.json", "image_url", "thumb_url").stripPrefix(run).build();
        String destination = bucket("json");
        try (Migration m = Migration.builder().source(source)
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("j")).build()) {
            MigrationResult r = m.run();
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(served.size());
            for (Map.Entry<String, byte[]> e : served.entrySet()) {
                String key = e.getKey().substring(run.length());
                assertThat(S3.client().getObjectAsBytes(b -> b.bucket(destination).key(key)).asByteArray()).as(key)
                        .isEqualTo(e.getValue());
            }
            assertThat(HTTP.requests("GET", run + "images/0-0.jpg")).as("the repeated URL is fetched once").isEqualTo(1);
            assertThat(r.report().transfer().notes()).as("the repeat is reported")
                    .contains("1 manifest entries repeated a key listed before: each key copied once (from the entry "
                            + "listed last)");
            assertThat(source.indexed()).as("the run found URLs by their manifest position").isFalse();
        }
    }

    @Test
    void csvWithSizesAndARepeatedKeyIsCopiedOnce() throws IOException {
        String run = "c" + RUNS.incrementAndGet() + "/";
        List<String> lines = new ArrayList<>(List.of("url,key,size"));
        for (int i = 0; i < 5; i++) {
            byte[] body = random(900 + i, i);
            HTTP.put(run + i + ".bin", body);
            lines.add(HTTP.url(run + i + ".bin") + ",k/" + i + ".bin," + body.length);
        }
        lines.add(HTTP.url(run + "0.bin") + ",k/0.bin,900");
        Path manifest = Files.write(dir.resolve("m.csv"), lines, StandardCharsets.UTF_8);
        UrlManifestSource source = UrlManifestSource.of(manifest);
        String destination = bucket("csv");
        try (Migration m = Migration.builder().source(source)
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(dir.resolve("c")).build()) {
            MigrationResult r = m.run();
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(5);
            assertThat(HTTP.requests("HEAD", run + "1.bin")).as("sizes from the manifest: no HEAD").isZero();
            assertThat(r.report().transfer().notes()).anyMatch(n -> n.startsWith("1 manifest entries repeated a key"));
            assertThat(source.indexed()).isFalse();
            var counts = m.reconcile().report().counts();
            assertThat(counts.missingInDestination()).isZero();
            // Neither the manifest nor the listing knew a checksum or ETag: equal sizes cannot prove the content.
            assertThat(counts.unverified()).isEqualTo(5);
            assertThat(counts.differences()).isEqualTo(5);
        }
    }
}
