package io.github.s3recon.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.s3recon.testkit.LocalHttpServer;
import io.github.s3recon.testkit.FaultInjectingProxy;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The command line as operators use it: each command runs in a JVM of its own against an
 * embedded S3 server, and the tests check exit statuses, output, the work directory and that no
 * secret leaks.
 */
class CliTest extends CliTestBase {

    @Test
    void reconcileRunReconcileWithTheDefaultWorkDirectory() throws Exception {
        seed("cli-src-1", 6, "");
        seed("cli-dst-1", 3, "");
        String src = "s3://cli-src-1";
        String dst = "s3://cli-dst-1/";

        CliProcess.Result before = CliProcess.run(env(), "reconcile", "--endpoint-url", endpoint(), src, dst);
        assertThat(before.exit()).as(before.err()).isEqualTo(1);
        assertThat(before.out()).contains("COMPLETED_WITH_DIFFERENCES: 3 differences").contains("missing in destination 3");

        CliProcess.Result plan = CliProcess.run(env(), "plan", "--endpoint-url", endpoint(), src, dst);
        assertThat(plan.exit()).as(plan.err()).isEqualTo(1);
        assertThat(plan.out().lines().toList()).hasSize(3).allSatisfy(l -> assertThat(JSON.readTree(l).get("key")).isNotNull());
        CliProcess.Result script = CliProcess.run(env(), "plan", "--format", "sh", "-q", "--endpoint-url", endpoint(), src, dst);
        assertThat(script.out()).startsWith("#!/bin/sh").contains("$AWS s3 cp 's3://cli-src-1/k3' 's3://cli-dst-1/k3'");

        CliProcess.Result run = CliProcess.run(env(), "run", "--endpoint-url", endpoint(), src, dst);
        assertThat(run.exit()).as(run.err()).isZero();
        assertThat(run.out()).contains("COMPLETED: 0 differences").contains("copied 3 objects");
        assertThat(run.err()).contains("s3recon: TRANSFERRING").contains("s3recon: VERIFYING");

        CliProcess.Result after = CliProcess.run(env(), "reconcile", "--json", "--endpoint-url", endpoint(), src, dst);
        assertThat(after.exit()).as(after.err()).isZero();
        JsonNode summary = JSON.readTree(after.out());
        assertThat(summary.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(summary.get("counts").get("matched").asLong()).isEqualTo(6);

        // One work directory for the pair, under S3RECON_HOME, with the history of the four runs.
        try (Stream<Path> dirs = Files.list(home)) {
            List<Path> all = dirs.toList();
            assertThat(all).hasSize(1);
            assertThat(all.get(0).getFileName().toString()).startsWith("cli-src-1-to-cli-dst-1-");
            assertThat(all.get(0).resolve("report/summary.json")).exists();
        }
        CliProcess.Result history = CliProcess.run(env(), "history", "--json", "--endpoint-url", endpoint(), src, dst);
        assertThat(history.exit()).as(history.err()).isZero();
        JsonNode runs = JSON.readTree(history.out());
        assertThat(runs).hasSizeGreaterThanOrEqualTo(4);
        String runId = null;
        for (JsonNode r : runs) {
            if (r.get("kind").asText().equals("RUN")) {
                runId = r.get("runId").asText();
            }
        }
        assertThat(runId).isNotNull();
        CliProcess.Result one = CliProcess.run(env(), "history", "--endpoint-url", endpoint(), src, dst, runId);
        assertThat(one.exit()).as(one.err()).isZero();
        assertThat(one.out()).contains("run " + runId + " (RUN): COMPLETED").contains("report:").contains("log:");
    }

    @Test
    void repairAppliesAReportWrittenByAnEarlierReconcile() throws Exception {
        seed("cli-src-3", 5, "in/");
        seed("cli-dst-3", 2, "in/");
        Path work = home.resolve("w3");
        CliProcess.Result before = CliProcess.run(env(), "reconcile", "-q", "--work-dir", work.toString(),
                "--endpoint-url", endpoint(), "s3://cli-src-3/in/", "s3://cli-dst-3/in/");
        assertThat(before.exit()).as(before.err()).isEqualTo(1);
        // The report moves: repair reads it from wherever it is now.
        Path kept = home.resolve("kept-report");
        Files.createDirectories(kept);
        for (String f : List.of("summary.json", "differences.jsonl")) {
            Files.copy(work.resolve("report").resolve(f), kept.resolve(f));
        }
        CliProcess.Result repair = CliProcess.run(env(), "repair", "--json", "-q", "--work-dir",
                home.resolve("w3r").toString(), "--endpoint-url", endpoint(), kept.toString());
        assertThat(repair.exit()).as(repair.err()).isZero();
        JsonNode summary = JSON.readTree(repair.out());
        assertThat(summary.get("state").asText()).isEqualTo("COMPLETED");
        assertThat(summary.get("transfer").get("objectsCopied").asLong()).isEqualTo(3);
        assertThat(summary.get("source").get("prefix").asText()).isEqualTo("in/");

        CliProcess.Result after = CliProcess.run(env(), "reconcile", "-q", "--work-dir", work.toString(),
                "--endpoint-url", endpoint(), "s3://cli-src-3/in/", "s3://cli-dst-3/in/");
        assertThat(after.exit()).as(after.err()).isZero();

        CliProcess.Result missing = CliProcess.run(env(), "repair", "--endpoint-url", endpoint(),
                home.resolve("no-report").toString());
        assertThat(missing.exit()).isEqualTo(2);
        assertThat(missing.err().strip().lines()).hasSize(1);
        assertThat(missing.err()).contains("summary.json").doesNotContain("Exception");
    }

    @Test
    void trialCopiesVerifiesAndLeavesNothingBehind() throws Exception {
        seed("cli-src-4", 12, "t/");
        s3.createBucket("cli-dst-4");
        CliProcess.Result trial = CliProcess.run(env(), "trial", "-n", "5", "--json", "-q", "--work-dir",
                home.resolve("w4").toString(), "--endpoint-url", endpoint(), "s3://cli-src-4/t/", "s3://cli-dst-4/");
        assertThat(trial.exit()).as(trial.err()).isZero();
        JsonNode r = JSON.readTree(trial.out());
        assertThat(r.get("passed").asBoolean()).isTrue();
        assertThat(r.get("copied").asInt()).isEqualTo(5);
        assertThat(r.get("verified").asInt()).isEqualTo(5);
        assertThat(r.get("leftBehind").asInt()).isZero();
        assertThat(s3.client().listObjectsV2(l -> l.bucket("cli-dst-4")).contents()).isEmpty();

        CliProcess.Result bad = CliProcess.run(env(), "trial", "-n", "0", "--endpoint-url", endpoint(),
                "s3://cli-src-4/t/", "s3://cli-dst-4/");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("n").doesNotContain("Exception");
    }

    @Test
    void aManifestOfUrlsIsASource() throws Exception {
        s3.createBucket("cli-url-dst");
        try (LocalHttpServer http = LocalHttpServer.start()) {
            StringBuilder manifest = new StringBuilder("# images\n");
            for (int i = 0; i < 4; i++) {
                http.put("img/" + i + ".jpg", ("image " + i).getBytes(StandardCharsets.UTF_8), "image/jpeg");
                manifest.append(http.url("img/" + i + ".jpg")).append('\n');
            }
            manifest.append(http.url("img/missing.jpg")).append('\n');
            Path file = home.resolve("images.txt");
            Files.writeString(file, manifest);
            String src = "urls:" + file;
            CliProcess.Result run = CliProcess.run(env(), "run", "-q", "--endpoint-url", endpoint(), src,
                    "s3://cli-url-dst/copy/");
            assertThat(run.out() + run.err()).contains("copied 4 objects");
            for (int i = 0; i < 4; i++) {
                int n = i;
                assertThat(s3.client().getObjectAsBytes(g -> g.bucket("cli-url-dst").key("copy/img/" + n + ".jpg"))
                        .asUtf8String()).isEqualTo("image " + i);
            }
            try (Stream<Path> dirs = Files.list(home)) {
                assertThat(dirs.map(d -> d.getFileName().toString())).anyMatch(d -> d.startsWith("urls-images.txt-to-cli-url-dst-"));
            }
            CliProcess.Result none = CliProcess.run(env(), "run", "--endpoint-url", endpoint(), "urls:" + home.resolve("nope.txt"),
                    "s3://cli-url-dst/");
            assertThat(none.exit()).isEqualTo(2);
            assertThat(none.err()).contains("nope.txt").doesNotContain("Exception");
        }
    }

    @Test
    void validateAndEstimate() throws Exception {
        seed("cli-src-2", 4, "p/");
        s3.createBucket("cli-dst-2");
        Path work = home.resolve("w2");
        CliProcess.Result validate = CliProcess.run(env(), "validate", "--work-dir", work.toString(),
                "--endpoint-url", endpoint(), "s3://cli-src-2/p/", "s3://cli-dst-2");
        assertThat(validate.exit()).as(validate.out() + validate.err()).isZero();
        assertThat(validate.out()).contains("source.list").contains("destination.write");

        CliProcess.Result estimate = CliProcess.run(env(), "estimate", "--json", "-q", "--work-dir",
                home.resolve("w2e").toString(), "--endpoint-url", endpoint(), "s3://cli-src-2/p/");
        assertThat(estimate.exit()).as(estimate.err()).isZero();
        JsonNode e = JSON.readTree(estimate.out());
        assertThat(e.get("objects").asLong()).isEqualTo(4);
        assertThat(e.get("exact").asBoolean()).isTrue();
    }

    @Test
    void badFlagsAndLocationsAreOneLineWithStatus2() {
        CliProcess.Result flag = CliProcess.run(env(), "reconcile", "--bogus", "s3://aaa", "s3://bbb");
        assertThat(flag.exit()).isEqualTo(2);
        assertThat(flag.errLines()).singleElement().asString().contains("--bogus").contains("reconcile --help");
        assertThat(flag.out()).isEmpty();

        CliProcess.Result location = CliProcess.run(env(), "run", "--endpoint-url", endpoint(), "/tmp/x", "s3://bbb");
        assertThat(location.exit()).isEqualTo(2);
        assertThat(location.errLines()).singleElement().asString().contains("SRC").contains("s3://bucket");

        CliProcess.Result value = CliProcess.run(env(), "run", "--max-deletes", "-1", "--endpoint-url", endpoint(),
                "--work-dir", home.resolve("w3").toString(), "s3://aaa", "s3://bbb");
        assertThat(value.exit()).isEqualTo(2);
        assertThat(value.errLines()).singleElement().asString().contains("maxDeletes");

        CliProcess.Result help = CliProcess.run(env(), "plan", "--help");
        assertThat(help.exit()).isZero();
        assertThat(help.out()).contains("Examples:").contains("--format").contains("Exit status");
    }

    @Test
    void badEndpointsAreOneLine() {
        CliProcess.Result unreachable = CliProcess.run(env(), "reconcile", "-q", "--endpoint-url", "http://127.0.0.1:1",
                "--work-dir", home.resolve("w4").toString(), "s3://aaa", "s3://bbb");
        assertThat(unreachable.exit()).isEqualTo(3);
        assertThat(unreachable.errLines()).singleElement().asString()
                .startsWith("s3recon: ENDPOINT_UNREACHABLE").contains("127.0.0.1:1");

        CliProcess.Result malformed = CliProcess.run(env(), "reconcile", "--endpoint-url", "localhost:9000",
                "s3://aaa", "s3://bbb");
        assertThat(malformed.exit()).isEqualTo(2);
        assertThat(malformed.errLines()).singleElement().asString().contains("--endpoint-url").contains("http");

        Map<String, String> none = env();
        none.remove("AWS_ACCESS_KEY_ID");
        none.remove("AWS_SECRET_ACCESS_KEY");
        none.put("AWS_EC2_METADATA_DISABLED", "true");
        CliProcess.Result noCredentials = CliProcess.run(none, "reconcile", "--endpoint-url", endpoint(),
                "s3://aaa", "s3://bbb");
        assertThat(noCredentials.exit()).isEqualTo(3);
        assertThat(noCredentials.errLines()).singleElement().asString().contains("AWS_ACCESS_KEY_ID");
    }

    @Test
    void secretsNeverShow() throws IOException {
        seed("cli-src-5", 3, "");
        s3.createBucket("cli-dst-5");
        String secret = "Zx9SecretValueNeverShown0123456789abcdef"; // S3Mock accepts any secret
        Map<String, String> env = env();
        env.put("AWS_SECRET_ACCESS_KEY", secret);
        env.put("AWS_SESSION_TOKEN", "TokenNeverShown" + secret);
        Path work = home.resolve("w5");
        StringBuilder printed = new StringBuilder();
        for (String[] args : List.of(
                new String[] {"run", "--endpoint-url", endpoint(), "--work-dir", work.toString(), "s3://cli-src-5", "s3://cli-dst-5"},
                new String[] {"reconcile", "--json", "--endpoint-url", endpoint(), "--work-dir", work.toString(), "s3://cli-src-5", "s3://cli-dst-5"},
                new String[] {"history", "--work-dir", work.toString()},
                // DEBUG logs the SDK's requests, and --debug prints stack traces: still no secret.
                new String[] {"reconcile", "--debug", "--endpoint-url", endpoint(), "--work-dir", work.toString(),
                    "s3://cli-src-5", "s3://cli-dst-5"},
                new String[] {"reconcile", "--debug", "--endpoint-url", endpoint(), "--work-dir",
                    work.resolve("failed").toString(), "s3://cli-src-5", "s3://cli-no-such-bucket-5"},
                new String[] {"validate", "--endpoint-url", endpoint(), "--work-dir", work.toString(), "s3://cli-src-5", "s3://cli-dst-5"},
                new String[] {"reconcile", "--endpoint-url", "http://AKID:" + secret + "@127.0.0.1:1", "s3://aaa", "s3://bbb"},
                new String[] {"reconcile", "--endpoint-url", "http://127.0.0.1:1/?X-Amz-Signature=" + secret,
                    "--work-dir", work.resolve("other").toString(), "s3://aaa", "s3://bbb"})) {
            CliProcess.Result r = CliProcess.run(env, args);
            printed.append(r.out()).append(r.err());
        }
        assertThat(printed.toString()).doesNotContain(secret).contains("COMPLETED");
        assertNoFileHolds(home, secret);
    }

    @Test
    void ctrlCCancelsWith130AndASecondRunResumes() throws Exception {
        seed("cli-src-6", 40, "");
        s3.createBucket("cli-dst-6");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.delay(1.0, Duration.ofMillis(250)));
            Path work = home.resolve("w6");
            String[] args = {"run", "--endpoint-url", proxy.endpoint().toString(), "--small-concurrency", "2",
                "--progress-interval", "1", "--work-dir", work.toString(), "s3://cli-src-6", "s3://cli-dst-6"};
            CliProcess first = CliProcess.start(env(), args);
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!first.errSoFar().contains("s3recon: TRANSFERRING") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            assertThat(first.errSoFar()).contains("s3recon: TRANSFERRING");
            Thread.sleep(1500); // a few objects copied, most not
            first.interrupt();
            CliProcess.Result cancelled = first.waitFor(90);
            assertThat(cancelled.exit()).as(cancelled.err()).isEqualTo(130);
            assertThat(cancelled.err()).contains("saving the checkpoint").contains("cancelled");

            proxy.clearFaults();
            CliProcess.Result second = CliProcess.run(env(), args);
            assertThat(second.exit()).as(second.err()).isZero();
            assertThat(second.err()).contains("resuming run");
            assertThat(second.out()).contains("COMPLETED: 0 differences");
        }
    }

    @Test
    void cancelFromAnotherShellStopsTheRunningJob() throws Exception {
        seed("cli-src-7", 30, "");
        s3.createBucket("cli-dst-7");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.delay(1.0, Duration.ofMillis(250)));
            Path work = home.resolve("w7");
            CliProcess job = CliProcess.start(env(), "run", "--endpoint-url", proxy.endpoint().toString(),
                    "--small-concurrency", "1", "--work-dir", work.toString(), "s3://cli-src-7", "s3://cli-dst-7");
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (!job.errSoFar().contains("s3recon: TRANSFERRING") && System.nanoTime() < deadline) {
                Thread.sleep(100);
            }
            CliProcess.Result cancel = CliProcess.run(env(), "cancel", "--work-dir", work.toString());
            assertThat(cancel.exit()).as(cancel.err()).isZero();
            CliProcess.Result stopped = job.waitFor(90);
            assertThat(stopped.exit()).as(stopped.err()).isEqualTo(130);
            assertThat(stopped.err()).contains("cancel requested");

            CliProcess.Result nobody = CliProcess.run(env(), "cancel", "--wait", "1", "--work-dir", work.toString());
            assertThat(nobody.exit()).isEqualTo(3);
            assertThat(work.resolve(SignalGuard.CANCEL_REQUEST)).doesNotExist();
        }
    }
}
