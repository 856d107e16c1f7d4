package io.github.s3recon.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectSource;
import io.github.s3recon.testkit.LocalHttpServer;
import io.github.s3recon.testkit.LocalHttpServer.Fault;
import io.github.s3recon.testkit.ObjectSourceContract;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link UrlManifestSource} passes the {@link ObjectSourceContract} against a real HTTP server on
 * localhost ({@link LocalHttpServer}), from a plain text manifest of URLs that carry a token in
 * their query (which must never show); and its HTTP paths: retries (503 then success, 429 with
 * Retry-After, 404 and 410 never retried), a server that ignores Range, bodies without
 * Content-Length, a reset mid-body, a slow body, secrets in URLs kept out of messages.
 *
 * <p>Here, not in {@code s3recon-core}, because core's tests cannot depend on the testkit.
 */
class UrlManifestSourceTest extends ObjectSourceContract {

    private static final String TOKEN = "sig-Zx81secretTOKEN";
    private static final LocalHttpServer http = LocalHttpServer.start();
    private static final RetrySchedule FAST = RetrySchedule.of(Duration.ofMillis(1), 3, 4);

    @TempDir
    Path dir;

    @AfterAll
    static void stop() {
        http.close();
    }

    @Override
    protected ObjectSource createSource(Map<String, byte[]> objects) {
        List<String> lines = new ArrayList<>(List.of("# the contract's objects", ""));
        objects.forEach((key, bytes) -> {
            http.put("contract/" + key, bytes);
            lines.add(http.url("contract/" + key) + "?token=" + TOKEN);
        });
        return UrlManifestSource.builder().manifest(write("contract.txt", lines)).stripPrefix("contract/")
                .retries(FAST).build();
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(TOKEN);
    }

    private Path write(String name, List<String> lines) {
        try {
            return Files.write(dir.resolve(name), lines, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A source of one URL, with retries counted instead of slept. */
    private UrlManifestSource one(String path, List<Duration> pauses) {
        return UrlManifestSource.builder().manifest(write("one.txt", List.of(http.url(path) + "?token=" + TOKEN)))
                .retries(RetrySchedule.of(Duration.ofSeconds(1), 3, 4)).sleeper(pauses::add).build();
    }

    private static byte[] read(ObjectSource s, String key, long offset, long length) {
        try (InputStream in = s.open(key, offset, length)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (i * 31 + 7);
        }
        return b;
    }

    @Test
    void isTheManifest() {
        assertThat(source.describe()).endsWith("contract.txt").doesNotContain(TOKEN);
        assertThat(source.location()).isEmpty();
        assertThat(source.listsInKeyOrder()).isFalse();
        assertThat(source.plan(8)).containsExactly(KeyRange.ALL);
        assertThat(((UrlManifestSource) source).shownUrl("a/k1")).get().asString()
                .endsWith("/contract/a/k1").doesNotContain(TOKEN);
    }

    @Test
    void retries503ThenSucceedsOnTheExactSchedule() {
        http.put("r/503", bytes(10)).fault("r/503", Fault.unavailable(3));
        List<Duration> pauses = new ArrayList<>();
        UrlManifestSource s = one("r/503", pauses);
        assertThat(read(s, "r/503", 0, -1)).isEqualTo(bytes(10));
        assertThat(pauses).containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(9));
        assertThat(http.requests("GET", "r/503")).isEqualTo(4);
    }

    @Test
    void givesUpAfterMaxAttemptsNamingTheScheduleWithoutTheToken() {
        http.put("r/500", bytes(10)).fault("r/500", Fault.status(500, 99));
        List<Duration> pauses = new ArrayList<>();
        Throwable t = catchThrowable(() -> one("r/500", pauses).open("r/500", 0, -1));
        assertThat(t).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED);
            assertThat(e.getMessage()).contains("HTTP 500", "4 attempts", "1s x3", "/r/500", "key 'r/500'")
                    .doesNotContain(TOKEN).doesNotContain("?");
        });
        assertThat(pauses).hasSize(3);
    }

    @Test
    void honoursRetryAfterOf429() {
        http.put("r/429", bytes(10)).fault("r/429", Fault.tooManyRequests(2, 7));
        List<Duration> pauses = new ArrayList<>();
        UrlManifestSource s = one("r/429", pauses);
        assertThat(s.attributes("r/429")).get().extracting(ObjectEntry::size).isEqualTo(10L);
        assertThat(pauses).containsExactly(Duration.ofSeconds(7), Duration.ofSeconds(7));
    }

    @Test
    void never404Or410Retries() {
        http.put("r/404", bytes(10)).fault("r/404", Fault.notFound());
        http.put("r/410", bytes(10)).fault("r/410", Fault.gone());
        List<Duration> pauses = new ArrayList<>();
        UrlManifestSource s404 = one("r/404", pauses);
        assertThat(s404.attributes("r/404")).isEmpty();
        Throwable t = catchThrowable(() -> s404.open("r/404", 0, -1));
        assertThat(t).isInstanceOfSatisfying(SourceNotFoundException.class, e -> {
            assertThat(e.status()).isEqualTo(404);
            assertThat(e.url()).endsWith("/r/404").doesNotContain(TOKEN);
            assertThat(e.getMessage()).doesNotContain(TOKEN);
        });
        UrlManifestSource s410 = one("r/410", pauses);
        assertThat(catchThrowable(() -> s410.open("r/410", 0, -1)))
                .isInstanceOfSatisfying(SourceNotFoundException.class, e -> assertThat(e.status()).isEqualTo(410));
        assertThat(pauses).isEmpty();
        assertThat(http.requests("HEAD", "r/404") + http.requests("GET", "r/404")).isEqualTo(2);
    }

    @Test
    void aListingLeavesOutAndCountsUrlsThatAre404() {
        http.put("l/ok", bytes(5));
        List<String> lines = List.of(http.url("l/ok").toString(), http.url("l/missing") + "?token=" + TOKEN);
        UrlManifestSource s = UrlManifestSource.builder().manifest(write("l.txt", lines)).retries(FAST).build();
        assertThat(s.list(KeyRange.ALL).map(ObjectEntry::key).collect(Collectors.toList())).containsExactly("l/ok");
        assertThat(s.notFoundCount()).isEqualTo(1);
        assertThat(s.notFound()).singleElement().asString().contains("/l/missing", "l.txt line 2")
                .doesNotContain(TOKEN);
    }

    @Test
    void cutsTheWindowWhenTheServerIgnoresRange() {
        http.put("n/ranges", bytes(5000)).fault("n/ranges", Fault.ignoringRanges());
        UrlManifestSource s = one("n/ranges", new ArrayList<>());
        byte[] all = bytes(5000);
        assertThat(read(s, "n/ranges", 100, 50)).isEqualTo(java.util.Arrays.copyOfRange(all, 100, 150));
        assertThat(read(s, "n/ranges", 4990, -1)).isEqualTo(java.util.Arrays.copyOfRange(all, 4990, 5000));
        assertThat(read(s, "n/ranges", 6000, 10)).isEmpty();
    }

    @Test
    void sizesWithoutContentLengthComeFromContentRangeOrTheBody() {
        http.put("n/length", bytes(3000)).fault("n/length", Fault.withoutContentLength());
        UrlManifestSource s = one("n/length", new ArrayList<>());
        assertThat(s.attributes("n/length")).get().extracting(ObjectEntry::size).isEqualTo(3000L);
        assertThat(read(s, "n/length", 0, -1)).isEqualTo(bytes(3000));
        http.put("n/neither", bytes(2500)).fault("n/neither",
                new Fault(0, Integer.MAX_VALUE, null, true, true, false, null));
        UrlManifestSource t = one("n/neither", new ArrayList<>());
        assertThat(t.list(KeyRange.ALL).collect(Collectors.toList())).singleElement()
                .extracting(ObjectEntry::size).isEqualTo(2500L);
    }

    @Test
    void attributesCarryTheMd5ETagAndLastModified() {
        Optional<ObjectEntry> e = source.attributes("a/k1");
        assertThat(e).isPresent();
        assertThat(e.get().hasPlainMd5ETag()).isTrue();
        assertThat(e.get().lastModified()).isEqualTo(LocalHttpServer.LAST_MODIFIED.toInstant());
    }

    @Test
    void aResetMidBodyFailsTheRead() {
        http.put("f/reset", bytes(100_000)).fault("f/reset", Fault.resetMidBody(1));
        UrlManifestSource s = one("f/reset", new ArrayList<>());
        Throwable t = catchThrowable(() -> read(s, "f/reset", 0, -1));
        assertThat(t).isNotNull();
        assertThat(read(s, "f/reset", 0, -1)).isEqualTo(bytes(100_000)); // the next GET is whole
    }

    @Test
    void aSlowBodyArrivesWhole() {
        http.put("f/slow", bytes(4096)).fault("f/slow", Fault.slowBody(Duration.ofMillis(50)));
        UrlManifestSource s = UrlManifestSource.builder()
                .manifest(write("slow.txt", List.of(http.url("f/slow").toString())))
                .requestTimeout(Duration.ofMillis(150)).retries(FAST).build();
        assertThat(read(s, "f/slow", 0, -1)).isEqualTo(bytes(4096));
    }

    @Test
    void jsonFilesByGlobWithTwoUrlFields() throws IOException {
        http.put("img/1.jpg", bytes(11)).put("img/1_t.jpg", bytes(3)).put("img/2.jpg", bytes(12));
        Path lots = Files.createDirectories(dir.resolve("data/lots/2024"));
        Files.writeString(lots.resolve("lot_1_images.json"), "{\"lot\": 1, \"images\": [\n  {\"image_url\": \""
                + http.url("img/1.jpg") + "\", \"thumb_url\": \"" + http.url("img/1_t.jpg") + "\"},\n  {\"image_url\": \""
                + http.url("img/2.jpg") + "\", \"thumb_url\": null, \"other\": \"http://x/ignored\"}]}");
        Files.writeString(dir.resolve("data/lots/lot_9_other.json"), "{\"image_url\": \"http://not/matched\"}");
        UrlManifestSource s = UrlManifestSource.builder()
                .jsonFiles(dir, "data/lots/**/lot_*_images.json", "image_url", "thumb_url").build();
        assertThat(s.list(KeyRange.ALL).collect(Collectors.toMap(ObjectEntry::key, ObjectEntry::size)))
                .isEqualTo(Map.of("img/1.jpg", 11L, "img/1_t.jpg", 3L, "img/2.jpg", 12L));
        assertThat(read(s, "img/1_t.jpg", 0, -1)).isEqualTo(bytes(3));
        assertThat(s.describe()).endsWith("data/lots/**/lot_*_images.json");
    }

    @Test
    void csvWithSizesListsWithoutARequest() {
        http.put("c/x", bytes(20));
        UrlManifestSource s = UrlManifestSource.of(write("m.csv", List.of("url,size,md5",
                http.url("c/x") + "?token=" + TOKEN + ",20,0123456789ABCDEF0123456789abcdef")));
        assertThat(s.list(KeyRange.ALL).collect(Collectors.toList())).containsExactly(
                new ObjectEntry("c/x", 20, "0123456789abcdef0123456789abcdef", null, "manifest line@13", null));
        assertThat(http.requests("HEAD", "c/x") + http.requests("GET", "c/x")).isZero();
    }
}
