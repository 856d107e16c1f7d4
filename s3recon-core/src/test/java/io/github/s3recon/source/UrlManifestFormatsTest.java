package io.github.s3recon.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The manifests of {@link UrlManifestSource} without a server: formats and their detection, keys
 * (default, stripped prefix, a function, the manifest's key column), bad input named by file and
 * line, secrets kept out of messages, and the retry schedule. Listings here give sizes, so they
 * send no request.
 */
class UrlManifestFormatsTest {

    @TempDir
    Path dir;

    private Path write(String name, String... lines) throws IOException {
        return Files.write(dir.resolve(name), List.of(lines), StandardCharsets.UTF_8);
    }

    private static List<ManifestEntry> read(ManifestInput m) {
        try (Stream<ManifestEntry> s = m.entries()) {
            return s.collect(Collectors.toList());
        }
    }

    private static List<ObjectEntry> list(UrlManifestSource s) {
        try (Stream<ObjectEntry> e = s.list(KeyRange.ALL)) {
            return e.collect(Collectors.toList());
        }
    }

    @Test
    void plainTextSkipsBlankAndCommentLines() throws IOException {
        Path f = write("urls.txt", "# images", "", "https://cdn.example.com/a/b%20c.jpg", "  ", "http://h/x?sig=1");
        assertThat(ManifestFormat.detect(f)).isEqualTo(ManifestFormat.TEXT);
        List<ManifestEntry> e = read(new LineManifest(f, ManifestFormat.TEXT));
        assertThat(e).extracting(ManifestEntry::where).containsExactly(f + " line 3", f + " line 5");
        assertThat(e).extracting(m -> m.url().toString()).containsExactly("https://cdn.example.com/a/b%20c.jpg", "http://h/x?sig=1");
    }

    @Test
    void detectsByExtensionAndContent() throws IOException {
        assertThat(ManifestFormat.detect(write("a.csv", "x"))).isEqualTo(ManifestFormat.CSV);
        assertThat(ManifestFormat.detect(write("a.jsonl", "x"))).isEqualTo(ManifestFormat.JSON_LINES);
        assertThat(ManifestFormat.detect(write("a.ndjson", "x"))).isEqualTo(ManifestFormat.JSON_LINES);
        assertThat(ManifestFormat.detect(write("b.txt", "# c", "{\"url\":\"http://h/a\"}"))).isEqualTo(ManifestFormat.JSON_LINES);
        assertThat(ManifestFormat.detect(write("c.txt", "key,url,size", "k,http://h/a,1"))).isEqualTo(ManifestFormat.CSV);
        assertThat(ManifestFormat.detect(write("d", "http://h/a,b"))).isEqualTo(ManifestFormat.TEXT);
    }

    @Test
    void csvAndJsonLinesCarryKeySizeAndMd5() throws IOException {
        String md5 = "0123456789abcdef0123456789abcdef";
        Path csv = write("m.csv", "size,\"url\",key,md5,other", "5,https://h/p/a.jpg,,\"" + md5 + "\",x",
                "7,\"https://h/p/b,c.jpg\",given/key,,", ",https://h/p/d.jpg,,,");
        UrlManifestSource c = UrlManifestSource.builder().manifest(csv).stripPrefix("p/").build();
        List<ManifestEntry> rows = read(new LineManifest(csv, ManifestFormat.CSV));
        assertThat(rows).extracting(ManifestEntry::size).containsExactly(5L, 7L, -1L);
        assertThat(list(firstRows(csv, 2))).extracting(ObjectEntry::key).containsExactly("p/a.jpg", "given/key");
        assertThat(rows.get(0).eTag()).isEqualTo(md5);
        assertThat(c.describe()).isEqualTo(csv.toString());

        String first = "{\"url\":\"https://h/a%2Bb%25.jpg\",\"size\":3,\"etag\":\"\\\"" + md5 + "\\\"\"}";
        Path jsonl = write("m.jsonl", first,
                "", "{\"url\":\"https://h/x\",\"key\":\"k/x\",\"size\":\"4\",\"etag\":\"W/\\\"weak\\\"\"}");
        List<ObjectEntry> listed = list(UrlManifestSource.of(jsonl));
        // Each entry carries its line's byte offset, where the engine finds its URL again.
        long third = first.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + 2;
        assertThat(listed).containsExactly(new ObjectEntry("a+b%.jpg", 3, md5, null, "manifest line@0", null),
                new ObjectEntry("k/x", 4, null, null, "manifest line@" + third, null));
        LineManifest lines = new LineManifest(jsonl, ManifestFormat.JSON_LINES);
        assertThat(lines.at("manifest line@" + third).url()).hasToString("https://h/x");
        assertThat(lines.at("manifest line@1")).as("not the start of a line with an entry").isNull();
        LineManifest csvLines = new LineManifest(csv, ManifestFormat.CSV);
        assertThat(csvLines.at(rows.get(1).locator()).key()).isEqualTo("given/key");
    }

    /** A source listing only the first {@code n} sized rows of a CSV. */
    private static UrlManifestSource firstRows(Path csv, int n) throws IOException {
        List<String> lines = Files.readAllLines(csv).subList(0, n + 1);
        Path f = Files.write(csv.resolveSibling("first.csv"), lines);
        return UrlManifestSource.of(f);
    }

    @Test
    void defaultKeysArePercentDecodedPathsWithoutQuery() {
        assertThat(UrlKeys.pathOf(URI.create("https://h/a%20b/c+d%2Fe.jpg?x=1#f"))).isEqualTo("a b/c+d/e.jpg");
        assertThat(UrlKeys.pathOf(URI.create("https://h/caf%C3%A9/%F0%9F%98%80"))).isEqualTo("caf\u00E9/\uD83D\uDE00");
        assertThat(UrlKeys.pathOf(URI.create("https://h"))).isEmpty();
    }

    @Test
    void keyMappingAndStripPrefix() throws IOException {
        Path f = write("k.csv", "url,size", "https://h/img/a.jpg?v=2,1", "https://h/img/b.jpg,2");
        assertThat(list(UrlManifestSource.builder().manifest(f).keyMapping(u -> u.getHost() + u.getPath()).build()))
                .extracting(ObjectEntry::key).containsExactly("h/img/a.jpg", "h/img/b.jpg");
        assertThat(list(UrlManifestSource.builder().manifest(f).stripPrefix("img/").build()))
                .extracting(ObjectEntry::key).containsExactly("a.jpg", "b.jpg");
        assertThatThrownBy(() -> list(UrlManifestSource.builder().manifest(f).stripPrefix("other/").build()))
                .isInstanceOf(S3ReconException.class).hasMessageContaining(f + " line 2")
                .hasMessageContaining("stripPrefix 'other/'").hasMessageNotContaining("v=2");
        assertThatThrownBy(() -> list(UrlManifestSource.builder().manifest(f).keyMapping(u -> null).build()))
                .hasMessageContaining(f + " line 2").hasMessageContaining("gave no key");
    }

    @Test
    void adjacentDuplicateKeysAreListedOnce() throws IOException {
        Path f = write("d.csv", "url,size", "https://h/a,1", "https://h/a,1", "https://h/b,1", "https://h/a,1");
        UrlManifestSource s = UrlManifestSource.of(f);
        assertThat(list(s)).extracting(ObjectEntry::key).containsExactly("a", "b", "a");
        assertThat(s.adjacentDuplicates()).isEqualTo(1);
    }

    @Test
    void badLinesAreNamedWithoutTheirSecrets() throws IOException {
        assertBad(write("rel.txt", "# x", "/relative/path.jpg"), "rel.txt line 2", "relative URL");
        assertBad(write("ftp.txt", "ftp://h/a"), "ftp.txt line 1", "not an http:// or https:// URL");
        assertBad(write("sp.txt", "https://h/a b.jpg?token=SECRET1"), "sp.txt line 1", "not a valid URL");
        assertBad(write("nohost.txt", "http:///a"), "nohost.txt line 1", "has no host");
        assertBad(write("hdr.csv", "link,size", "https://h/a,1"), "hdr.csv line 1", "no 'url' column");
        assertBad(write("size.csv", "url,size", "https://h/a?token=SECRET1,-3"), "size.csv line 2", "size '-3'");
        assertBad(write("quote.csv", "url", "\"https://h/a"), "quote.csv line 2", "unterminated");
        assertBad(write("j.jsonl", "{\"url\": 3}"), "j.jsonl line 1", "no 'url' field");
        assertBad(write("j2.jsonl", "{\"url\": \"https://h/a\"", "x"), "j2.jsonl line 1", "not a JSON object");
        assertBad(write("e.csv", "url,size", "https://h/,1"), "e.csv line 2", "is empty");
        assertBad(write("user.txt", "https://user:SECRET1@h/a b"), "user.txt line 1", "not a valid URL");
    }

    private void assertBad(Path f, String where, String what) {
        assertThatThrownBy(() -> list(UrlManifestSource.of(f))).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
            assertThat(e.getMessage()).contains(where, what).doesNotContain("SECRET1");
        });
    }

    @Test
    void jsonFilesMatchNamesAndPointersAndNameBadValues() throws IOException {
        Path d = Files.createDirectories(dir.resolve("j/a"));
        Files.writeString(d.resolve("x.json"), "[{\"u\": \"https://h/1\", \"n\": {\"u\": \"https://h/2\"}},\n"
                + " {\"list\": [\"https://h/3\", \"https://h/4\"]}]");
        List<ManifestEntry> byName = read(new JsonFilesManifest(dir, "j/**/*.json", List.of("u")));
        assertThat(byName).extracting(e -> e.url().toString()).containsExactly("https://h/1", "https://h/2");
        List<ManifestEntry> byPointer = read(new JsonFilesManifest(dir, "j/**/*.json", List.of("/*/list/*", "/0/u")));
        assertThat(byPointer).extracting(e -> e.url().toString()).containsExactly("https://h/1", "https://h/3", "https://h/4");
        assertThat(byPointer.get(1).where()).isEqualTo("j/a/x.json line 2");
        Files.writeString(d.resolve("bad.json"), "{\"u\": 12}");
        assertThatThrownBy(() -> read(new JsonFilesManifest(dir, "j/a/bad.json", List.of("u"))))
                .hasMessageContaining("j/a/bad.json line 1").hasMessageContaining("not a string");
        Files.writeString(d.resolve("broken.json"), "{\"u\": \n\n [");
        assertThatThrownBy(() -> read(new JsonFilesManifest(dir, "j/a/broken.json", List.of("u"))))
                .hasMessageContaining("j/a/broken.json line").hasMessageContaining("not valid JSON");
        assertThat(JsonFilesManifest.fixedPrefix("data/lots/**/lot_*.json")).isEqualTo("data/lots/");
    }

    @Test
    void refusesBadSettings() {
        assertThatThrownBy(() -> UrlManifestSource.of(dir.resolve("missing.txt")))
                .hasMessageContaining("manifestFile").hasMessageContaining("readable file");
        assertThatThrownBy(() -> UrlManifestSource.builder().build()).hasMessageContaining("manifest");
        assertThatThrownBy(() -> UrlManifestSource.builder().jsonFiles(dir, "*.json")).hasMessageContaining("urlFields");
        assertThatThrownBy(() -> UrlManifestSource.builder().listingConcurrency(0)).hasMessageContaining("listingConcurrency");
        assertThatThrownBy(() -> RetrySchedule.of(Duration.ofSeconds(1), 0.5, 4)).hasMessageContaining("backoffMultiplier");
        assertThatThrownBy(() -> RetrySchedule.of(Duration.ofSeconds(1), 3, 0)).hasMessageContaining("maxAttempts");
    }

    @Test
    void retryScheduleIsExact() {
        RetrySchedule r = RetrySchedule.of(Duration.ofSeconds(1), 3, 4);
        assertThat(List.of(r.pause(1, null), r.pause(2, null), r.pause(3, null)))
                .containsExactly(Duration.ofSeconds(1), Duration.ofSeconds(3), Duration.ofSeconds(9));
        assertThat(r.pause(1, Duration.ofSeconds(20))).isEqualTo(Duration.ofSeconds(20));
        assertThat(r.pause(1, Duration.ofHours(1))).isEqualTo(Duration.ofMinutes(5));
        assertThat(r).hasToString("1s x3, 4 attempts");
        assertThat(RetrySchedule.DEFAULT).isEqualTo(r);
    }
}
