package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.internal.DifferencesJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FixPlanTest {

    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Instant EARLIER = Instant.parse("2024-05-01T10:00:00Z");
    private static final Instant LATER = Instant.parse("2024-05-02T10:00:00Z");
    private static final String MD5_A = "0cc175b9c0f1b6a831c399e269772661";
    private static final String MD5_B = "92eb5ffee6ae2fec3ad71c777531578f";
    private static final Checksum CRC = Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=");

    @TempDir
    Path dir;

    /** One difference of each type, in key order, with distinct sizes so that a wrong sum shows. */
    private static List<Difference> everyType() {
        return List.of(
                new Difference.MissingInDestination(new ObjectEntry("a", 1000, MD5_A, LATER, "STANDARD", CRC)),
                new Difference.ExtraInDestination(new ObjectEntry("b", 7, MD5_B, EARLIER, "GLACIER", null)),
                new Difference.SizeMismatch(ObjectEntry.of("c", 200, MD5_A), ObjectEntry.of("c", 201, MD5_B)),
                new Difference.ContentMismatch(ObjectEntry.of("d", 30, MD5_A), ObjectEntry.of("d", 30, MD5_B)),
                new Difference.Stale(new ObjectEntry("e", 4, MD5_A, LATER, null, null),
                        new ObjectEntry("e", 4, MD5_B, EARLIER, null, null)),
                new Difference.Unverified(ObjectEntry.of("f", 50_000, MD5_A + "-2"), ObjectEntry.of("f", 50_000, null)));
    }

    private ReconciliationReport report(List<Difference> differences) {
        return report(new LocationSummary("src-bucket", "in/", 10, 100), new LocationSummary("dst-bucket", "out/", 9, 90),
                differences);
    }

    private ReconciliationReport report(LocationSummary source, LocationSummary destination,
            List<Difference> differences) {
        Path file = dir.resolve("work/differences.jsonl");
        try {
            Files.createDirectories(file.getParent());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(file)) {
            differences.forEach(writer::write);
        }
        return new ReconciliationReport(MigrationState.COMPLETED_WITH_DIFFERENCES, source, destination,
                DifferenceCounts.ZERO, Map.of(), EARLIER, LATER, file);
    }

    private static List<FixAction> actions(FixPlan plan) {
        try (Stream<FixAction> actions = plan.actions()) {
            return actions.toList();
        }
    }

    @Test
    void countsUnderIfDifferentWithDeletes() {
        FixPlan plan = FixPlan.of(report(everyType()), OverwritePolicy.IF_DIFFERENT, true);

        assertThat(plan.copies()).isEqualTo(1);
        assertThat(plan.recopies()).isEqualTo(4);
        assertThat(plan.deletes()).isEqualTo(1);
        assertThat(plan.bytesToCopy()).isEqualTo(1000 + 200 + 30 + 4 + 50_000);
        assertThat(plan.isEmpty()).isFalse();
        assertThat(plan).hasToString("FixPlan[1 copies, 4 re-copies, 1 deletions, 51234 bytes]");
    }

    @Test
    void countsUnderNeverWithoutDeletes() {
        FixPlan plan = FixPlan.of(report(everyType()), OverwritePolicy.NEVER, false);

        assertThat(plan.copies()).isEqualTo(1);
        assertThat(plan.recopies()).isZero();
        assertThat(plan.deletes()).isZero();
        assertThat(plan.bytesToCopy()).isEqualTo(1000);
        assertThat(actions(plan)).extracting(FixAction::key).containsExactly("a");
    }

    @Test
    void aDeleteCopiesNoBytes() {
        ObjectEntry big = ObjectEntry.of("x", 1L << 40, MD5_A);
        FixPlan plan = FixPlan.of(report(List.of(new Difference.ExtraInDestination(big))), OverwritePolicy.ALWAYS,
                true);
        assertThat(plan.deletes()).isEqualTo(1);
        assertThat(plan.bytesToCopy()).isZero();
    }

    @Test
    void actionsReadBackInKeyOrderWithEveryField() {
        List<Difference> differences = everyType();
        FixPlan plan = FixPlan.of(report(differences), OverwritePolicy.ALWAYS, true);

        List<FixAction> expected = new ArrayList<>();
        for (Difference d : differences) {
            expected.add(FixAction.of(d, OverwritePolicy.ALWAYS, true));
        }
        assertThat(actions(plan)).containsExactlyElementsOf(expected);
        assertThat(actions(plan)).extracting(FixAction::action).containsExactly(TransferAction.COPY,
                TransferAction.DELETE, TransferAction.RECOPY, TransferAction.RECOPY, TransferAction.RECOPY,
                TransferAction.RECOPY);
        // a second read streams the same actions again
        assertThat(actions(plan)).hasSize(6);
    }

    @Test
    void planFileSitsNextToTheDifferences() {
        ReconciliationReport report = report(everyType());
        FixPlan plan = FixPlan.of(report, OverwritePolicy.IF_DIFFERENT, false);
        assertThat(plan.file()).isEqualTo(report.differencesFile().resolveSibling("fix-plan.jsonl")).exists();
    }

    @Test
    void planIntoAFileOfTheCallersChoiceReplacesIt() throws IOException {
        Path target = Files.writeString(dir.resolve("mine.jsonl"), "stale content\n".repeat(100));
        FixPlan plan = FixPlan.of(report(everyType()), OverwritePolicy.NEVER, true, target);
        assertThat(plan.file()).isEqualTo(target);
        assertThat(Files.readAllLines(target)).hasSize(2).noneMatch(line -> line.contains("stale"));
        assertThat(actions(plan)).extracting(FixAction::key).containsExactly("a", "b");
    }

    @Test
    void ofRejectsNulls() {
        ReconciliationReport report = report(List.of());
        assertThatThrownBy(() -> FixPlan.of(null, OverwritePolicy.NEVER, true))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("report");
        assertThatThrownBy(() -> FixPlan.of(report, null, true)).isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("overwrite");
        assertThatThrownBy(() -> FixPlan.of(report, OverwritePolicy.NEVER, true, null))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("file");
    }

    @Test
    void ofIntoAMissingDirectoryFailsWithReportFailed() {
        Path target = dir.resolve("no/such/dir/plan.jsonl");
        assertThatThrownBy(() -> FixPlan.of(report(everyType()), OverwritePolicy.NEVER, true, target))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REPORT_FAILED))
                .hasMessageContaining(target.toString());
    }

    @Test
    void writeJsonLinesCopiesThePlanWithOneActionPerLine() throws IOException {
        FixPlan plan = FixPlan.of(report(everyType()), OverwritePolicy.IF_DIFFERENT, false);
        Path out = Files.writeString(dir.resolve("out.jsonl"), "x".repeat(10_000));
        plan.writeJsonLines(out);

        List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
        assertThat(lines).hasSize(5);
        JsonNode first = MAPPER.readTree(lines.get(0));
        assertThat(first.get("action").asText()).isEqualTo("COPY");
        assertThat(first.get("reason").asText()).isEqualTo("MISSING_IN_DESTINATION");
        assertThat(first.get("key").asText()).isEqualTo("a");
        assertThat(first.get("source").get("size").asLong()).isEqualTo(1000);
        assertThat(first.get("source").get("checksum").get("value").asText()).isEqualTo("AAAAAAAAAAA=");
        assertThat(first.get("destination").isNull()).isTrue();
        JsonNode last = MAPPER.readTree(lines.get(4));
        assertThat(last.get("action").asText()).isEqualTo("RECOPY");
        assertThat(last.get("reason").asText()).isEqualTo("UNVERIFIED");
        assertThat(last.get("destination").get("size").asLong()).isEqualTo(50_000);
        try (Stream<FixAction> read = DifferencesJson.readActions(out)) {
            assertThat(read.toList()).containsExactlyElementsOf(actions(plan));
        }
    }

    @Test
    void writeJsonLinesIntoAMissingDirectoryFailsWithReportFailed() {
        FixPlan plan = FixPlan.of(report(everyType()), OverwritePolicy.IF_DIFFERENT, false);
        Path target = dir.resolve("missing/out.jsonl");
        assertThatThrownBy(() -> plan.writeJsonLines(target))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REPORT_FAILED))
                .hasMessageContaining(target.toString());
        assertThatThrownBy(() -> plan.writeShellScript(target))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.REPORT_FAILED))
                .hasMessageContaining(target.toString());
    }

    @Test
    void shellScriptText() throws IOException {
        FixPlan plan = FixPlan.of(report(everyType()), OverwritePolicy.IF_DIFFERENT, true);
        Path script = dir.resolve("fix.sh");
        plan.writeShellScript(script);

        assertThat(Files.readString(script)).isEqualTo("""
                #!/bin/sh
                # s3recon fix plan: 1 copies, 4 re-copies, 1 deletions
                # from s3://src-bucket/in/ to s3://dst-bucket/out/
                set -eu
                AWS="${AWS:-aws}"
                $AWS s3 cp 's3://src-bucket/in/a' 's3://dst-bucket/out/a'
                $AWS s3 rm 's3://dst-bucket/out/b'
                $AWS s3 cp 's3://src-bucket/in/c' 's3://dst-bucket/out/c'
                $AWS s3 cp 's3://src-bucket/in/d' 's3://dst-bucket/out/d'
                $AWS s3 cp 's3://src-bucket/in/e' 's3://dst-bucket/out/e'
                $AWS s3 cp 's3://src-bucket/in/f' 's3://dst-bucket/out/f'
                """);
    }

    @Test
    void shellScriptQuotesASingleQuote() throws IOException {
        ObjectEntry e = ObjectEntry.of("it's", 1, MD5_A);
        FixPlan plan = FixPlan.of(report(new LocationSummary("s", "", 1, 1), new LocationSummary("d", "", 0, 0),
                List.of(new Difference.MissingInDestination(e))), OverwritePolicy.NEVER, false);
        Path script = dir.resolve("fix.sh");
        plan.writeShellScript(script);

        assertThat(Files.readAllLines(script)).last().isEqualTo("$AWS s3 cp 's3://s/it'\\''s' 's3://d/it'\\''s'");
    }

    /** Keys that a shell would expand, split or end a command on if they were not quoted. */
    private static final List<String> NASTY_KEYS = List.of(
            "$HOME",
            "$(touch injected)",
            "`touch injected`",
            "a b  c",
            "back\\slash",
            "glob*?[a]",
            "it's",
            "line\nbreak",
            "quote\"d",
            "semi;colon&amp|pipe>redirect",
            "tab\there",
            "trailing/",
            "x'; touch injected; echo '",
            "\u65e5\u672c \uD83D\uDE00");

    @Test
    void shellScriptPassesOddKeysAsExactlyOneArgumentEach() throws Exception {
        List<String> keys = new ArrayList<>(NASTY_KEYS);
        keys.sort(KeyOrder.UTF8::compare);
        List<Difference> differences = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            ObjectEntry s = ObjectEntry.of(keys.get(i), 1, MD5_A);
            // alternate the actions so that both command forms carry odd keys
            differences.add(i % 2 == 0 ? new Difference.MissingInDestination(s)
                    : new Difference.ExtraInDestination(s));
        }
        FixPlan plan = FixPlan.of(report(new LocationSummary("src", "p q/", 0, 0),
                new LocationSummary("dst", "$X/", 0, 0), differences), OverwritePolicy.NEVER, true);

        List<List<String>> calls = run(plan);

        List<List<String>> expected = new ArrayList<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            expected.add(i % 2 == 0 ? List.of("s3", "cp", "s3://src/p q/" + key, "s3://dst/$X/" + key)
                    : List.of("s3", "rm", "s3://dst/$X/" + key));
        }
        assertThat(calls).containsExactlyElementsOf(expected);
        assertThat(dir.resolve("run/injected")).doesNotExist();
    }

    @Test
    void aNewlineInAPrefixCannotEndTheHeaderCommentAndRunACommand() throws Exception {
        ObjectEntry e = ObjectEntry.of("k", 1, MD5_A);
        FixPlan plan = FixPlan.of(report(new LocationSummary("src", "p\ntouch injected\n", 0, 0),
                new LocationSummary("dst", "", 0, 0), List.of(new Difference.MissingInDestination(e))),
                OverwritePolicy.NEVER, false);

        List<List<String>> calls = run(plan);

        assertThat(dir.resolve("run/injected")).doesNotExist();
        assertThat(calls).containsExactly(List.of("s3", "cp", "s3://src/p\ntouch injected\nk", "s3://dst/k"));
    }

    @Test
    void emptyPlan() throws Exception {
        FixPlan empty = FixPlan.of(report(List.of()), OverwritePolicy.ALWAYS, true);
        assertThat(empty.isEmpty()).isTrue();
        assertThat(empty.copies() + empty.recopies() + empty.deletes() + empty.bytesToCopy()).isZero();
        assertThat(actions(empty)).isEmpty();
        Path jsonl = dir.resolve("empty.jsonl");
        empty.writeJsonLines(jsonl);
        assertThat(jsonl).isEmptyFile();
        Path script = dir.resolve("empty.sh");
        empty.writeShellScript(script);
        assertThat(Files.readString(script)).isEqualTo("""
                #!/bin/sh
                # s3recon fix plan: 0 copies, 0 re-copies, 0 deletions
                # from s3://src-bucket/in/ to s3://dst-bucket/out/
                set -eu
                AWS="${AWS:-aws}"
                """);
        assertThat(run(empty)).isEmpty();
    }

    @Test
    void aPlanWhoseFileWasNeverWrittenIsEmpty() throws IOException {
        Path none = dir.resolve("never-written.jsonl");
        FixPlan plan = new FixPlan(new LocationSummary("s", "", 0, 0), new LocationSummary("d", "x/", 0, 0), none,
                0, 0, 0, 0);
        assertThat(plan.isEmpty()).isTrue();
        assertThat(actions(plan)).isEmpty();
        Path jsonl = Files.writeString(dir.resolve("old.jsonl"), "old\n");
        plan.writeJsonLines(jsonl);
        assertThat(jsonl).isEmptyFile();
        Path script = dir.resolve("fix.sh");
        plan.writeShellScript(script);
        assertThat(Files.readAllLines(script)).hasSize(5).contains("# from s3://s/ to s3://d/x/");
        assertThat(none).doesNotExist();
    }

    @Test
    void constructorRejectsANullFile() {
        assertThatThrownBy(() -> new FixPlan(new LocationSummary("s", "", 0, 0), new LocationSummary("d", "", 0, 0),
                null, 0, 0, 0, 0)).isInstanceOf(NullPointerException.class).hasMessageContaining("file");
    }

    /**
     * Runs the plan's script with {@code sh} and a fake {@code aws} that records its arguments, and
     * returns one list of arguments per call. Arguments are separated by US (0x1F) and calls by RS
     * (0x1E), which no key here holds, so that a newline inside an argument shows as one.
     */
    private List<List<String>> run(FixPlan plan) throws Exception {
        Path sh = Path.of("/bin/sh");
        assumeThat(Files.isExecutable(sh)).as("needs /bin/sh").isTrue();
        Path work = Files.createDirectories(dir.resolve("run"));
        Path fake = work.resolve("fake-aws");
        Files.writeString(fake, "printf '%s\\037' \"$@\" >> \"$LOG\"\nprintf '\\036' >> \"$LOG\"\n");
        Path log = work.resolve("calls.log");
        Files.write(log, new byte[0]);
        Path script = work.resolve("fix.sh");
        plan.writeShellScript(script);

        ProcessBuilder pb = new ProcessBuilder(sh.toString(), script.toString()).directory(work.toFile())
                .redirectErrorStream(true).redirectOutput(work.resolve("output.txt").toFile());
        pb.environment().put("AWS", sh + " " + fake);
        pb.environment().put("LOG", log.toString());
        Process p = pb.start();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("script finished").isTrue();
        assertThat(p.exitValue()).as("exit status; output: %s", Files.readString(work.resolve("output.txt")))
                .isZero();

        List<List<String>> calls = new ArrayList<>();
        String recorded = Files.readString(log, StandardCharsets.UTF_8);
        for (String call : recorded.split("\u001e")) {
            if (!call.isEmpty()) {
                calls.add(Arrays.asList(call.substring(0, call.length() - 1).split("\u001f", -1)));
            }
        }
        return calls;
    }
}
