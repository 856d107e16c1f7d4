package io.github.s3recon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Each command's output as a program reads it, in a JVM of its own: the plan as JSON Lines and as
 * a shell script, {@code run --json}, the exit statuses of {@code reconcile}, {@code history}'s
 * list and one run's report and log, {@code validate --json} and {@code estimate}.
 */
class CliCommandsTest extends CliTestBase {

    private String[] pair(Path work, String... rest) {
        List<String> args = new ArrayList<>(List.of(rest));
        args.addAll(args.size() - 2, List.of("-q", "--endpoint-url", endpoint(), "--work-dir", work.toString()));
        return args.toArray(String[]::new);
    }

    @Test
    void planPrintsJsonLinesAndAShellScriptAndIsEmptyOnceInSync() throws Exception {
        seed("cmd-plan-src", 4, "");
        s3.createBucket("cmd-plan-dst");
        s3.put("cmd-plan-dst", "k0", "content 0".getBytes(StandardCharsets.UTF_8)); // equal
        s3.put("cmd-plan-dst", "k1", "changed".getBytes(StandardCharsets.UTF_8)); // differs
        s3.put("cmd-plan-dst", "old", "extra".getBytes(StandardCharsets.UTF_8)); // not in the source
        Path work = home.resolve("w");

        CliProcess.Result jsonl = CliProcess.run(env(), pair(work, "plan", "--delete", "s3://cmd-plan-src",
                "s3://cmd-plan-dst"));
        assertThat(jsonl.exit()).as(jsonl.err()).isEqualTo(1);
        Map<String, String> actions = new TreeMap<>();
        for (String line : jsonl.out().lines().toList()) {
            JsonNode a = JSON.readTree(line);
            assertThat(a.get("reason").asText()).isNotBlank();
            actions.put(a.get("key").asText(), a.get("action").asText());
        }
        assertThat(actions).containsExactlyInAnyOrderEntriesOf(
                Map.of("k1", "RECOPY", "k2", "COPY", "k3", "COPY", "old", "DELETE"));

        CliProcess.Result sh = CliProcess.run(env(), pair(work, "plan", "--format", "sh", "--delete",
                "s3://cmd-plan-src", "s3://cmd-plan-dst"));
        assertThat(sh.exit()).as(sh.err()).isEqualTo(1);
        assertThat(sh.out()).startsWith("#!/bin/sh")
                .contains("$AWS s3 cp 's3://cmd-plan-src/k1' 's3://cmd-plan-dst/k1'")
                .contains("$AWS s3 cp 's3://cmd-plan-src/k2' 's3://cmd-plan-dst/k2'")
                .contains("$AWS s3 rm 's3://cmd-plan-dst/old'")
                .doesNotContain("'s3://cmd-plan-dst/k0'");
        // A script a shell can run: sh -n parses it without running a command.
        Path script = home.resolve("fix.sh");
        Files.writeString(script, sh.out());
        Process parse = new ProcessBuilder("sh", "-n", script.toString()).redirectErrorStream(true).start();
        assertThat(parse.waitFor()).as(new String(parse.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                .isZero();

        // -o writes the plan to a file; stdout stays empty, stderr says where it went.
        Path file = home.resolve("plan.jsonl");
        CliProcess.Result toFile = CliProcess.run(env(), "plan", "--delete", "-o", file.toString(), "--endpoint-url",
                endpoint(), "--work-dir", work.toString(), "s3://cmd-plan-src", "s3://cmd-plan-dst");
        assertThat(toFile.exit()).as(toFile.err()).isEqualTo(1);
        assertThat(toFile.out()).isEmpty();
        assertThat(toFile.err()).contains("2 copies, 1 re-copies, 1 deletions").contains("written to " + file);
        assertThat(Files.readAllLines(file)).hasSize(4);
        // Nothing was written to either bucket.
        assertThat(s3.client().listObjectsV2(l -> l.bucket("cmd-plan-dst")).contents()).hasSize(3);

        CliProcess.Result run = CliProcess.run(env(), pair(work, "run", "--delete", "s3://cmd-plan-src",
                "s3://cmd-plan-dst"));
        assertThat(run.exit()).as(run.err()).isZero();
        CliProcess.Result empty = CliProcess.run(env(), pair(work, "plan", "--delete", "s3://cmd-plan-src",
                "s3://cmd-plan-dst"));
        assertThat(empty.exit()).as(empty.err()).isZero();
        assertThat(empty.out()).isEmpty();
    }

    @Test
    void runJsonAndTheExitStatusesOfReconcile() throws Exception {
        seed("cmd-run-src", 5, "a/");
        seed("cmd-run-dst", 2, "a/");
        Path work = home.resolve("w");

        CliProcess.Result differ = CliProcess.run(env(), pair(work, "reconcile", "--json", "s3://cmd-run-src/a/",
                "s3://cmd-run-dst/a/"));
        assertThat(differ.exit()).as(differ.err()).isEqualTo(ExitCodes.DIFFERENCES);
        JsonNode before = JSON.readTree(differ.out());
        assertThat(before.get("state").asText()).isEqualTo("COMPLETED_WITH_DIFFERENCES");
        assertThat(before.get("counts").get("missingInDestination").asLong()).isEqualTo(3);
        assertThat(before.get("counts").get("matched").asLong()).isEqualTo(2);

        CliProcess.Result run = CliProcess.run(env(), pair(work, "run", "--json", "s3://cmd-run-src/a/",
                "s3://cmd-run-dst/a/"));
        assertThat(run.exit()).as(run.err()).isEqualTo(ExitCodes.IN_SYNC);
        JsonNode summary = JSON.readTree(run.out());
        assertThat(summary.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(summary.get("transfer").get("objectsCopied").asLong()).isEqualTo(3);
        assertThat(summary.get("transfer").get("objectsFailed").asLong()).isZero();
        assertThat(summary.get("counts").get("matched").asLong()).isEqualTo(5);
        assertThat(summary.get("source").get("bucket").asText()).isEqualTo("cmd-run-src");
        // The summary printed is the one kept in the work directory.
        assertThat(JSON.readTree(work.resolve("report/summary.json").toFile())).isEqualTo(summary);

        CliProcess.Result inSync = CliProcess.run(env(), pair(work, "reconcile", "s3://cmd-run-src/a/",
                "s3://cmd-run-dst/a/"));
        assertThat(inSync.exit()).as(inSync.err()).isEqualTo(ExitCodes.IN_SYNC);
        assertThat(inSync.out()).startsWith("COMPLETED: 0 differences");

        // A bucket that does not exist: the reconcile fails (3) with one line that names it.
        CliProcess.Result failed = CliProcess.run(env(), pair(home.resolve("w2"), "reconcile",
                "s3://cmd-run-src/a/", "s3://cmd-no-such-bucket/"));
        assertThat(failed.exit()).as(failed.err()).isEqualTo(ExitCodes.FAILED);
        assertThat(failed.errLines()).singleElement().asString().startsWith("s3recon: ")
                .contains("cmd-no-such-bucket");
        assertThat(failed.out()).isEmpty();
    }

    @Test
    void historyListsTheRunsAndShowsOneRunsReportAndLog() throws Exception {
        seed("cmd-hist-src", 3, "");
        s3.createBucket("cmd-hist-dst");
        Path work = home.resolve("w");
        assertThat(CliProcess.run(env(), pair(work, "reconcile", "s3://cmd-hist-src", "s3://cmd-hist-dst")).exit())
                .isEqualTo(1);
        assertThat(CliProcess.run(env(), pair(work, "run", "s3://cmd-hist-src", "s3://cmd-hist-dst")).exit()).isZero();

        // The list, for people: one line per run, newest or oldest first, with kind and state.
        CliProcess.Result list = CliProcess.run(env(), "history", "--work-dir", work.toString());
        assertThat(list.exit()).as(list.err()).isZero();
        assertThat(list.out().lines().toList()).hasSize(2)
                .anySatisfy(l -> assertThat(l).contains("  RECONCILE  COMPLETED_WITH_DIFFERENCES  "))
                .anySatisfy(l -> assertThat(l).contains("  RUN  COMPLETED  ").contains("1 attempt(s)"));

        CliProcess.Result listJson = CliProcess.run(env(), "history", "--json", "--work-dir", work.toString());
        assertThat(listJson.exit()).as(listJson.err()).isZero();
        String runId = null;
        for (JsonNode r : JSON.readTree(listJson.out())) {
            assertThat(r.get("startedAt").asText()).isNotBlank();
            if (r.get("kind").asText().equals("RUN")) {
                runId = r.get("runId").asText();
                assertThat(r.get("state").asText()).isEqualTo("COMPLETED");
            }
        }
        assertThat(runId).isNotNull();

        // One run, for programs: its record, its report and its log.
        CliProcess.Result one = CliProcess.run(env(), "history", "--json", "--work-dir", work.toString(), runId);
        assertThat(one.exit()).as(one.err()).isZero();
        JsonNode run = JSON.readTree(one.out());
        assertThat(run.get("runId").asText()).isEqualTo(runId);
        assertThat(run.get("report").get("state").asText()).isEqualTo("COMPLETED");
        assertThat(run.get("report").get("transfer").get("objectsCopied").asLong()).isEqualTo(3);
        assertThat(run.get("log")).isNotEmpty()
                .allSatisfy(l -> assertThat(l.get("level").asText()).isNotBlank());

        // One run, for people.
        CliProcess.Result text = CliProcess.run(env(), "history", "--work-dir", work.toString(), runId);
        assertThat(text.exit()).as(text.err()).isZero();
        assertThat(text.out()).contains("run " + runId + " (RUN): COMPLETED, 1 attempt(s)")
                .contains("report:").contains("\"objectsCopied\"").contains("log:").contains("files: ");

        CliProcess.Result unknown = CliProcess.run(env(), "history", "--work-dir", work.toString(), "no-such-run");
        assertThat(unknown.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(unknown.errLines()).singleElement().asString().contains("no-such-run").contains("s3recon history");
        CliProcess.Result nothing = CliProcess.run(env(), "history");
        assertThat(nothing.exit()).isEqualTo(ExitCodes.USAGE);
        assertThat(nothing.errLines()).singleElement().asString().contains("--work-dir");
    }

    @Test
    void validateAsJsonAndEstimateAsText() throws Exception {
        seed("cmd-val-src", 7, "p/");
        s3.createBucket("cmd-val-dst");
        CliProcess.Result validate = CliProcess.run(env(), pair(home.resolve("w"), "validate", "--json",
                "s3://cmd-val-src/p/", "s3://cmd-val-dst/"));
        assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
        JsonNode v = JSON.readTree(validate.out());
        assertThat(v.get("passed").asBoolean()).isTrue();
        List<String> checks = new ArrayList<>();
        v.get("checks").forEach(c -> checks.add(c.get("name").asText()));
        assertThat(checks).contains("source.list", "destination.write");
        // The probe is gone again.
        assertThat(s3.client().listObjectsV2(l -> l.bucket("cmd-val-dst")).contents()).isEmpty();

        CliProcess.Result estimate = CliProcess.run(env(), "estimate", "-q", "--work-dir",
                home.resolve("we").toString(), "--endpoint-url", endpoint(), "s3://cmd-val-src/p/");
        assertThat(estimate.exit()).as(estimate.err()).isZero();
        assertThat(estimate.out()).contains("7 objects");
        // estimate reads the source only: the destination it never names gets no bucket.
        assertThat(s3.client().listBuckets().buckets()).noneMatch(b -> b.name().startsWith("s3recon-estimate"));
    }
}
