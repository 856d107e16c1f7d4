package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.internal.DifferencesJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReconciliationReportTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant STARTED = Instant.parse("2024-06-01T12:00:00.250Z");
    private static final Instant FINISHED = STARTED.plusMillis(83_456);

    @TempDir
    Path dir;

    private static List<Difference> differences() {
        ObjectEntry a = new ObjectEntry("a/\uD83D\uDE00 \"q\"\n", 3, "0cc175b9c0f1b6a831c399e269772661", STARTED,
                "STANDARD", Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA="));
        ObjectEntry b = ObjectEntry.of("b\\c", 4, null);
        ObjectEntry c1 = ObjectEntry.of("c", 5, "0cc175b9c0f1b6a831c399e269772661");
        ObjectEntry c2 = ObjectEntry.of("c", 5, "92eb5ffee6ae2fec3ad71c777531578f");
        return List.of(new Difference.MissingInDestination(a), new Difference.ExtraInDestination(b),
                new Difference.ContentMismatch(c1, c2));
    }

    private ReconciliationReport report(Path differencesFile) {
        // Distinct counts, so that a count written under the wrong name shows.
        return new ReconciliationReport(MigrationState.COMPLETED_WITH_DIFFERENCES,
                new LocationSummary("photos-old", "2024/", 1_000_000_007L, 5_000_000_000_123L),
                new LocationSummary("photos-new", "", 999_999_999L, 4_999_999_999_999L),
                new DifferenceCounts(11, 22, 33, 44, 55, 66, 77),
                Map.of(MatchRule.PLAIN_ETAG, 7L, MatchRule.EMPTY, 4L), STARTED, FINISHED, differencesFile);
    }

    @Test
    void writesSummaryWithEveryField() throws IOException {
        Path staged = dir.resolve("staged.jsonl");
        stage(staged, differences());
        Path out = dir.resolve("report/nested");
        report(staged).writeJson(out);

        JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.get("state").asText()).isEqualTo("COMPLETED_WITH_DIFFERENCES");

        JsonNode source = summary.get("source");
        assertThat(source.get("bucket").asText()).isEqualTo("photos-old");
        assertThat(source.get("prefix").asText()).isEqualTo("2024/");
        assertNumber(source.get("objects"), 1_000_000_007L);
        assertNumber(source.get("bytes"), 5_000_000_000_123L);
        JsonNode destination = summary.get("destination");
        assertThat(destination.get("bucket").asText()).isEqualTo("photos-new");
        assertThat(destination.get("prefix").isTextual()).isTrue();
        assertThat(destination.get("prefix").asText()).isEmpty();
        assertNumber(destination.get("objects"), 999_999_999L);
        assertNumber(destination.get("bytes"), 4_999_999_999_999L);

        JsonNode counts = summary.get("counts");
        assertNumber(counts.get("matched"), 11);
        assertNumber(counts.get("missingInDestination"), 22);
        assertNumber(counts.get("extraInDestination"), 33);
        assertNumber(counts.get("sizeMismatch"), 44);
        assertNumber(counts.get("contentMismatch"), 55);
        assertNumber(counts.get("stale"), 66);
        assertNumber(counts.get("unverified"), 77);

        assertThat(summary.get("startedAt").isTextual()).isTrue();
        assertThat(Instant.parse(summary.get("startedAt").asText())).isEqualTo(STARTED);
        assertThat(Instant.parse(summary.get("finishedAt").asText())).isEqualTo(FINISHED);
        assertNumber(summary.get("durationMillis"), 83_456);

        JsonNode byRule = summary.get("verification").get("matchedByRule");
        assertNumber(byRule.get("PLAIN_ETAG"), 7);
        assertNumber(byRule.get("EMPTY"), 4);
        assertNumber(byRule.get("DEEP"), 0);
    }

    @Test
    void copiesTheStagedDifferencesFile() throws IOException {
        Path staged = dir.resolve("staged.jsonl");
        stage(staged, differences());
        Path out = dir.resolve("report");
        ReconciliationReport report = report(staged);
        report.writeJson(out);

        Path written = out.resolve("differences.jsonl");
        assertThat(Files.mismatch(staged, written)).isEqualTo(-1L);
        try (Stream<Difference> read = DifferencesJson.read(written)) {
            assertThat(read.toList()).containsExactlyElementsOf(differences());
        }
        try (Stream<Difference> read = report.differences()) {
            assertThat(read.toList()).containsExactlyElementsOf(differences());
        }
    }

    @Test
    void writesAnEmptyDifferencesFileWhenNoneWasStaged() throws IOException {
        Path out = dir.resolve("report");
        ReconciliationReport report = report(dir.resolve("never-written.jsonl"));
        report.writeJson(out);

        assertThat(out.resolve("differences.jsonl")).exists().isEmptyFile();
        assertThat(MAPPER.readTree(out.resolve("summary.json").toFile()).get("state").asText())
                .isEqualTo("COMPLETED_WITH_DIFFERENCES");
        try (Stream<Difference> read = report.differences()) {
            assertThat(read).isEmpty();
        }
    }

    @Test
    void replacesAnEarlierReport() throws IOException {
        Path out = dir.resolve("report");
        Files.createDirectories(out);
        Files.writeString(out.resolve("differences.jsonl"), "old\n");
        Files.writeString(out.resolve("summary.json"), "{\"old\": true, \"padding\": \"" + "x".repeat(10_000) + "\"}");

        report(dir.resolve("never-written.jsonl")).writeJson(out);

        assertThat(out.resolve("differences.jsonl")).isEmptyFile();
        JsonNode summary = MAPPER.readTree(out.resolve("summary.json").toFile());
        assertThat(summary.has("old")).isFalse();
        assertThat(summary.has("padding")).isFalse();
    }

    @Test
    void writingIntoAFileFailsWithReportFailed() throws IOException {
        Path notADirectory = Files.writeString(dir.resolve("file"), "x");
        assertThatThrownBy(() -> report(dir.resolve("none.jsonl")).writeJson(notADirectory))
                .isInstanceOf(S3ReconException.class)
                .hasMessageContaining(notADirectory.toString())
                .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.REPORT_FAILED));
    }

    @Test
    void durationAndCopiedMap() {
        ReconciliationReport report = report(dir.resolve("none.jsonl"));
        assertThat(report.duration()).isEqualTo(Duration.ofMillis(83_456));
        assertThat(report.matchedByRule()).containsEntry(MatchRule.PLAIN_ETAG, 7L).hasSize(2);
        assertThatThrownBy(() -> report.matchedByRule().put(MatchRule.DEEP, 1L))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void readsBackWhatItWrote() throws IOException {
        Path staged = dir.resolve("staged.jsonl");
        stage(staged, differences());
        Path out = dir.resolve("report");
        ReconciliationReport written = report(staged);
        written.writeJson(out);

        ReconciliationReport read = ReconciliationReport.read(out);
        assertThat(read.state()).isEqualTo(written.state());
        assertThat(read.source()).isEqualTo(written.source());
        assertThat(read.destination()).isEqualTo(written.destination());
        assertThat(read.counts()).isEqualTo(written.counts());
        assertThat(read.verification()).isEqualTo(written.verification());
        assertThat(read.startedAt()).isEqualTo(STARTED);
        assertThat(read.finishedAt()).isEqualTo(FINISHED);
        assertThat(read.transfer()).isNull();
        assertThat(read.verified()).isEqualTo(11);
        try (Stream<Difference> d = read.differences()) {
            assertThat(d).containsExactlyElementsOf(differences());
        }
    }

    @Test
    void refusesAReportItCannotReadNamingTheFileAndField() throws IOException {
        assertThatThrownBy(() -> ReconciliationReport.read(dir.resolve("nowhere")))
                .isInstanceOf(S3ReconException.class).hasMessageContaining("summary.json")
                .hasMessageContaining("no such file");
        Path staged = dir.resolve("staged.jsonl");
        stage(staged, differences());
        Path out = dir.resolve("report");
        report(staged).writeJson(out);
        Files.delete(out.resolve("differences.jsonl"));
        assertThatThrownBy(() -> ReconciliationReport.read(out)).hasMessageContaining("differences.jsonl");

        report(staged).writeJson(out);
        String summary = Files.readString(out.resolve("summary.json"));
        Files.writeString(out.resolve("summary.json"), summary.replace("\"contentMismatch\" : 55", "\"contentMismatch\" : -1"));
        assertThatThrownBy(() -> ReconciliationReport.read(out)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("counts.contentMismatch");
        Files.writeString(out.resolve("summary.json"), summary.replace("COMPLETED_WITH_DIFFERENCES", "HALF_DONE"));
        assertThatThrownBy(() -> ReconciliationReport.read(out)).hasMessageContaining("state")
                .hasMessageContaining("HALF_DONE");
        Files.writeString(out.resolve("summary.json"), summary.substring(0, summary.length() / 2));
        assertThatThrownBy(() -> ReconciliationReport.read(out)).hasMessageContaining("not readable as JSON");
        Files.writeString(out.resolve("summary.json"), summary.replace("\"startedAt\"", "\"begun\""));
        assertThatThrownBy(() -> ReconciliationReport.read(out)).hasMessageContaining("'startedAt'");
    }

    private static void stage(Path file, List<Difference> differences) {
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(file)) {
            differences.forEach(writer::write);
        }
    }

    private static void assertNumber(JsonNode node, long expected) {
        assertThat(node).as("missing field").isNotNull();
        assertThat(node.isIntegralNumber()).as("%s is a number", node).isTrue();
        assertThat(node.asLong()).isEqualTo(expected);
    }
}
