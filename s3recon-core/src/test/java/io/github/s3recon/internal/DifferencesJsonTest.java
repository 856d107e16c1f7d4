package io.github.s3recon.internal;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceType;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CodingErrorAction;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DifferencesJsonTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private static final Instant T1 = Instant.parse("2024-02-29T23:59:59.123456789Z");
    private static final Instant T2 = Instant.parse("2024-03-01T00:00:00Z");

    @TempDir
    Path dir;

    /** One difference of each type, with keys and values that JSON must escape or encode. */
    static List<Difference> everyType() {
        Checksum fullObject = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "Wz8+P3xZ/5s=");
        Checksum composite = Checksum.of(ChecksumAlgorithm.CRC32C, ChecksumType.COMPOSITE, "yZRlqg==-3");
        Checksum listedOnly = new Checksum(ChecksumAlgorithm.SHA256, ChecksumType.FULL_OBJECT, null);

        String emoji = "photos/\uD83D\uDE00/\uDBFF\uDFFF.jpg";              // U+1F600, U+10FFFF
        String quotes = "say \"hello\" \\ back\\slash\\\\";
        String controls = "line1\nline2\r\n\ttab\u0000nul\u0001\u001F\u007F\u2028\u2029end";
        String mixed = "caf\u00E9/\u4E2D\u6587/\uFFFD\uFFFF/\uE000/\uD83C\uDF89\"\\\n";

        ObjectEntry full = new ObjectEntry(emoji, 1234, "0cc175b9c0f1b6a831c399e269772661", T1, "STANDARD", fullObject);
        ObjectEntry bare = new ObjectEntry(controls, 0, null, null, null, null);
        return List.of(
                new Difference.MissingInDestination(full),
                new Difference.ExtraInDestination(bare),
                new Difference.SizeMismatch(
                        new ObjectEntry(quotes, 10, "\"92eb5ffee6ae2fec3ad71c777531578f\"", T1, "GLACIER", composite),
                        new ObjectEntry(quotes, 11, "92eb5ffee6ae2fec3ad71c777531578f", T2, "STANDARD_IA", null)),
                new Difference.ContentMismatch(
                        new ObjectEntry(mixed, 5, "0cc175b9c0f1b6a831c399e269772661", T2, "STANDARD", listedOnly),
                        new ObjectEntry(mixed, 5, "92eb5ffee6ae2fec3ad71c777531578f", T2, null, fullObject)),
                new Difference.Stale(
                        new ObjectEntry(emoji, 7, "d41d8cd98f00b204e9800998ecf8427e-2", T2, "STANDARD", fullObject),
                        new ObjectEntry(emoji, 7, "9e107d9d372bb6826bd81d3542a419d6-2", T1, "STANDARD", null)),
                new Difference.Unverified(
                        new ObjectEntry("", 99, "d41d8cd98f00b204e9800998ecf8427e-12", null, null, composite),
                        new ObjectEntry("", 99, "0cc175b9c0f1b6a831c399e269772661", T1, null, listedOnly)));
    }

    static void write(Path file, List<Difference> differences) {
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(file)) {
            differences.forEach(writer::write);
        }
    }

    static List<Difference> read(Path file) {
        try (Stream<Difference> s = DifferencesJson.read(file)) {
            return s.toList();
        }
    }

    @Test
    void everyTypeRoundTrips() {
        Path file = dir.resolve("differences.jsonl");
        List<Difference> written = everyType();
        assertThat(written.stream().map(Difference::type)).containsExactly(DifferenceType.values());
        write(file, written);
        assertThat(read(file)).containsExactlyElementsOf(written);
    }

    @Test
    void eachLineIsOneJsonObjectWithTheDocumentedFields() throws IOException {
        Path file = dir.resolve("differences.jsonl");
        List<Difference> written = everyType();
        write(file, written);

        List<String> lines = Files.readAllLines(file, UTF_8);
        assertThat(lines).hasSize(written.size());
        for (int i = 0; i < lines.size(); i++) {
            Difference d = written.get(i);
            JsonNode node = MAPPER.readTree(lines.get(i));
            assertThat(node.isObject()).isTrue();
            assertThat(fieldNames(node)).containsExactly("type", "key", "source", "destination");
            assertThat(node.get("type").isTextual()).isTrue();
            assertThat(node.get("type").asText()).isEqualTo(d.type().name());
            assertThat(node.get("key").asText()).isEqualTo(d.key());
            assertSide(node.get("source"), d.source());
            assertSide(node.get("destination"), d.destination());
        }
    }

    @Test
    void nonAsciiIsWrittenAsValidUtf8() throws IOException {
        Path file = dir.resolve("differences.jsonl");
        write(file, everyType());
        byte[] bytes = Files.readAllBytes(file);
        // A strict decoder: lone surrogates or CESU-8 style pairs would fail here.
        String text = UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        // Control characters in keys are escaped: the only raw one is the line separator.
        assertThat(text.chars().filter(c -> c < 0x20 && c != '\n').count()).isZero();
        assertThat(text.lines().count()).isEqualTo(everyType().size());
    }

    @Test
    void manyRandomUnicodeKeysRoundTripAcrossBufferBoundaries() {
        // Enough data to cross the generator's and reader's buffers at arbitrary points, with
        // surrogate pairs and escapes landing on the boundaries.
        SplittableRandom random = new SplittableRandom(42);
        List<Difference> written = new ArrayList<>();
        for (int i = 0; i < 3_000; i++) {
            StringBuilder key = new StringBuilder().append(i).append('/');
            int length = random.nextInt(40);
            for (int j = 0; j < length; j++) {
                switch (random.nextInt(6)) {
                    case 0 -> key.appendCodePoint(0x1F600 + random.nextInt(0x50));
                    case 1 -> key.appendCodePoint(0x10000 + random.nextInt(0x100000));
                    case 2 -> key.append((char) (0xE000 + random.nextInt(0x2000)));
                    case 3 -> key.append((char) random.nextInt(0x20));
                    case 4 -> key.append(random.nextBoolean() ? '"' : '\\');
                    default -> key.append((char) ('a' + random.nextInt(26)));
                }
            }
            ObjectEntry e = new ObjectEntry(key.toString(), i, "0cc175b9c0f1b6a831c399e269772661", T1, null, null);
            written.add(new Difference.MissingInDestination(e));
        }
        Path file = dir.resolve("random.jsonl");
        write(file, written);
        assertThat(read(file)).containsExactlyElementsOf(written);
    }

    @Test
    void writerOnAStreamWritesTheSameLines() throws IOException {
        Path file = dir.resolve("a.jsonl");
        write(file, everyType());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(out, dir.resolve("b.jsonl"))) {
            everyType().forEach(writer::write);
        }
        assertThat(out.toByteArray()).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void readIsLazyAndClosable() {
        Path file = dir.resolve("differences.jsonl");
        write(file, everyType());
        try (Stream<Difference> s = DifferencesJson.read(file)) {
            Iterator<Difference> it = s.iterator();
            assertThat(it.next()).isEqualTo(everyType().get(0));
        }
    }

    @Test
    void writerWithNoDifferencesReadsAsEmpty() {
        Path file = dir.resolve("empty.jsonl");
        write(file, List.of());
        assertThat(read(file)).isEmpty();
    }

    @Test
    void missingFileReadsAsEmpty() {
        assertThat(read(dir.resolve("nothing-here.jsonl"))).isEmpty();
    }

    @Test
    void lineThatIsNotADifferenceFailsWithReportFailed() throws IOException {
        Path file = dir.resolve("bad.jsonl");
        Files.writeString(file, "{\"type\":\"NO_SUCH_TYPE\",\"key\":\"k\",\"source\":null,\"destination\":null}\n");
        assertThatThrownBy(() -> read(file)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining(file.toString()).hasMessageContaining("NO_SUCH_TYPE")
                .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.REPORT_FAILED));
    }

    @Test
    void writerInAMissingDirectoryFailsWithReportFailed() {
        Path file = dir.resolve("no/such/dir/differences.jsonl");
        assertThatThrownBy(() -> new DifferencesJson.Writer(file)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining(file.toString())
                .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.REPORT_FAILED));
    }

    private static void assertSide(JsonNode node, ObjectEntry expected) {
        assertThat(node).isNotNull();
        if (expected == null) {
            assertThat(node.isNull()).isTrue();
            return;
        }
        assertThat(fieldNames(node)).containsExactly("size", "eTag", "lastModified", "storageClass", "checksum");
        assertThat(node.get("size").isIntegralNumber()).isTrue();
        assertThat(node.get("size").asLong()).isEqualTo(expected.size());
        assertText(node.get("eTag"), expected.eTag());
        assertText(node.get("lastModified"), expected.lastModified() == null ? null : expected.lastModified().toString());
        if (expected.lastModified() != null) {
            assertThat(Instant.parse(node.get("lastModified").asText())).isEqualTo(expected.lastModified());
        }
        assertText(node.get("storageClass"), expected.storageClass());
        JsonNode checksum = node.get("checksum");
        if (expected.checksum() == null) {
            assertThat(checksum.isNull()).isTrue();
        } else {
            assertThat(fieldNames(checksum)).containsExactly("algorithm", "type", "value");
            assertThat(checksum.get("algorithm").asText()).isEqualTo(expected.checksum().algorithm().name());
            assertThat(checksum.get("type").asText()).isEqualTo(expected.checksum().type().name());
            assertText(checksum.get("value"), expected.checksum().value());
        }
    }

    private static void assertText(JsonNode node, String expected) {
        assertThat(node).isNotNull();
        if (expected == null) {
            assertThat(node.isNull()).as("expected JSON null, was %s", node).isTrue();
        } else {
            assertThat(node.isTextual()).as("expected a string, was %s", node).isTrue();
            assertThat(node.asText()).isEqualTo(expected);
        }
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
