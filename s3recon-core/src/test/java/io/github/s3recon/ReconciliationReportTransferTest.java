package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run's report: {@code transfer} and {@code verification} in summary.json, and failures.jsonl. */
class ReconciliationReportTransferTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant STARTED = Instant.parse("2024-06-01T12:00:00Z");
    private static final Instant FINISHED = STARTED.plusSeconds(90);

    @TempDir
    Path dir;

    /** Distinct values, so that a field written under another's name shows. */
    private TransferSummary transfer(Path failures) {
        return new TransferSummary(101, 5_000_000_000_202L, 303, 404, 505, 606, 77, 4_000_000_000_808L, 24,
                1_000_000_000_909L, failures, 12, java.util.List.of("plain uploads to http://127.0.0.1:1"));
    }

    private ReconciliationReport report(Verification verification, Map<MatchRule, Long> matchedByRule,
            TransferSummary transfer) {
        return new ReconciliationReport(MigrationState.COMPLETED_WITH_DIFFERENCES,
                new LocationSummary("src", "a/", 1000, 10_000), new LocationSummary("dst", "b/", 990, 9_900),
                new DifferenceCounts(1_000, 2, 3, 4, 5, 6, 7), matchedByRule, STARTED, FINISHED,
                dir.resolve("work/differences.jsonl"), verification, transfer);
    }

    private static JsonNode summary(Path directory) throws IOException {
        return MAPPER.readTree(directory.resolve("summary.json").toFile());
    }

    @Test
    void transferHasEveryCount() throws IOException {
        Path out = dir.resolve("report");
        report(Verification.CHECKSUM, Map.of(), transfer(dir.resolve("none.jsonl"))).writeJson(out);

        JsonNode transfer = summary(out).get("transfer");
        assertThat(transfer).as("transfer").isNotNull();
        assertNumber(transfer, "objectsCopied", 101);
        assertNumber(transfer, "bytesCopied", 5_000_000_000_202L);
        assertNumber(transfer, "objectsSkipped", 303);
        assertNumber(transfer, "objectsDeleted", 404);
        assertNumber(transfer, "objectsFailed", 505);
        assertNumber(transfer, "retries", 606);
        assertNumber(transfer.get("serverSide"), "objects", 77);
        assertNumber(transfer.get("serverSide"), "bytes", 4_000_000_000_808L);
        assertNumber(transfer.get("relayed"), "objects", 24);
        assertNumber(transfer.get("relayed"), "bytes", 1_000_000_000_909L);
        assertNumber(transfer, "deletionsKept", 12);
        assertThat(transfer.get("notes").get(0).asText()).isEqualTo("plain uploads to http://127.0.0.1:1");
        assertThat(fieldNames(transfer)).containsExactly("objectsCopied", "bytesCopied", "objectsSkipped",
                "objectsDeleted", "objectsFailed", "retries", "serverSide", "relayed", "deletionsKept", "notes",
                "earlierAttempts");
        assertThat(fieldNames(transfer.get("earlierAttempts"))).containsExactly("objectsCopied", "bytesCopied");
        assertThat(fieldNames(transfer.get("serverSide"))).containsExactly("objects", "bytes");
        assertThat(fieldNames(transfer.get("relayed"))).containsExactly("objects", "bytes");
    }

    @Test
    void verificationHasModeVerifiedEveryRuleAndUnverified() throws IOException {
        Path out = dir.resolve("report");
        Map<MatchRule, Long> byRule = Map.of(MatchRule.SIZE, 400L, MatchRule.PLAIN_ETAG, 300L,
                MatchRule.RECORDED_FINGERPRINT, 150L, MatchRule.EMPTY, 50L);
        ReconciliationReport report = report(Verification.SIZE, byRule, transfer(dir.resolve("none.jsonl")));
        report.writeJson(out);

        JsonNode verification = summary(out).get("verification");
        assertThat(verification.get("mode").asText()).isEqualTo("SIZE");
        // SIZE proves nothing about content: it is not counted as verified
        assertNumber(verification, "verified", 500);
        assertThat(report.verified()).isEqualTo(500);
        assertNumber(verification, "unverified", 7);
        JsonNode matched = verification.get("matchedByRule");
        List<String> rules = new ArrayList<>();
        for (MatchRule rule : MatchRule.values()) {
            rules.add(rule.name());
        }
        assertThat(fieldNames(matched)).containsExactlyElementsOf(rules);
        assertNumber(matched, "SIZE", 400);
        assertNumber(matched, "PLAIN_ETAG", 300);
        assertNumber(matched, "RECORDED_FINGERPRINT", 150);
        assertNumber(matched, "EMPTY", 50);
        assertNumber(matched, "FULL_OBJECT_CHECKSUM", 0);
        assertNumber(matched, "MULTIPART_ETAG", 0);
        assertNumber(matched, "DEEP", 0);
    }

    @Test
    void everyVerificationModeIsWrittenByName() throws IOException {
        for (Verification mode : Verification.values()) {
            Path out = dir.resolve("report-" + mode);
            report(mode, Map.of(MatchRule.DEEP, 3L), transfer(dir.resolve("none.jsonl"))).writeJson(out);
            JsonNode verification = summary(out).get("verification");
            assertThat(verification.get("mode").asText()).isEqualTo(mode.name());
            assertNumber(verification, "verified", 3);
        }
    }

    @Test
    void failuresAreCopiedWhenPresent() throws IOException {
        Path failures = Files.writeString(dir.resolve("failures-staged.jsonl"),
                "{\"key\":\"a b\",\"action\":\"COPY\",\"code\":\"COPY_FAILED\",\"message\":\"boom\",\"attempts\":3}\n"
                        + "{\"key\":\"\u00e9\",\"action\":\"DELETE\",\"code\":\"DELETE_FAILED\",\"message\":\"x\","
                        + "\"attempts\":1}\n");
        Path out = dir.resolve("report");
        report(Verification.CHECKSUM, Map.of(), transfer(failures)).writeJson(out);

        Path copied = out.resolve("failures.jsonl");
        assertThat(copied).exists();
        assertThat(Files.mismatch(failures, copied)).isEqualTo(-1L);
        assertThat(MAPPER.readTree(Files.readAllLines(copied).get(1)).get("key").asText()).isEqualTo("\u00e9");
        assertThat(failures).exists(); // copied, not moved
    }

    @Test
    void failuresReplaceAnEarlierFile() throws IOException {
        Path out = Files.createDirectories(dir.resolve("report"));
        Files.writeString(out.resolve("failures.jsonl"), "old\n".repeat(1000));
        Path failures = Files.writeString(dir.resolve("failures-staged.jsonl"), "{\"key\":\"k\"}\n");
        report(Verification.CHECKSUM, Map.of(), transfer(failures)).writeJson(out);
        assertThat(out.resolve("failures.jsonl")).hasContent("{\"key\":\"k\"}");
    }

    @Test
    void noFailuresFileWhenNoneFailed() throws IOException {
        Path out = dir.resolve("report");
        report(Verification.CHECKSUM, Map.of(), transfer(dir.resolve("never-written.jsonl"))).writeJson(out);
        assertThat(out.resolve("failures.jsonl")).doesNotExist();
        assertThat(out.resolve("summary.json")).exists();
        assertThat(out.resolve("differences.jsonl")).isEmptyFile();
    }

    @Test
    void aReconcileHasNoTransferAndChecksumVerification() throws IOException {
        Path out = dir.resolve("report");
        ReconciliationReport report = new ReconciliationReport(MigrationState.COMPLETED_WITH_DIFFERENCES,
                new LocationSummary("src", "", 1, 1), new LocationSummary("dst", "", 1, 1),
                new DifferenceCounts(1, 0, 0, 0, 0, 0, 9), Map.of(MatchRule.MULTIPART_ETAG, 1L), STARTED, FINISHED,
                dir.resolve("none.jsonl"));
        assertThat(report.transfer()).isNull();
        assertThat(report.verification()).isEqualTo(Verification.CHECKSUM);
        report.writeJson(out);

        JsonNode summary = summary(out);
        assertThat(summary.has("transfer")).isFalse();
        assertThat(summary.get("verification").get("mode").asText()).isEqualTo("CHECKSUM");
        assertNumber(summary.get("verification"), "verified", 1);
        assertNumber(summary.get("verification"), "unverified", 9);
        assertThat(out.resolve("failures.jsonl")).doesNotExist();
    }

    @Test
    void summaryKeepsItsOtherFieldsAroundTheTransfer() throws IOException {
        Path out = dir.resolve("report");
        report(Verification.DEEP, Map.of(), transfer(dir.resolve("none.jsonl"))).writeJson(out);
        JsonNode summary = summary(out);
        assertThat(fieldNames(summary)).containsExactly("state", "source", "destination", "counts", "verification",
                "transfer", "startedAt", "finishedAt", "durationMillis");
        assertNumber(summary, "durationMillis", 90_000);
        assertNumber(summary.get("counts"), "matched", 1_000);
    }

    @Test
    void reportAndTransferRejectNulls() {
        assertThatThrownBy(() -> transfer(null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("failuresFile");
        assertThatThrownBy(() -> report(null, Map.of(), null)).isInstanceOf(NullPointerException.class)
                .hasMessageContaining("verification");
    }

    private static List<String> fieldNames(JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    private static void assertNumber(JsonNode parent, String field, long expected) {
        JsonNode node = parent.get(field);
        assertThat(node).as("field %s", field).isNotNull();
        assertThat(node.isIntegralNumber()).as("%s is a number", field).isTrue();
        assertThat(node.asLong()).as(field).isEqualTo(expected);
    }
}
