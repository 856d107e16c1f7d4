package io.github.s3recon.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API over real HTTP, with real migrations on the embedded S3 server: endpoints (credentials
 * never answered or written), a migration watched on the event stream from start to end, its run
 * in the history with differences, log, fix plan and metrics, cancel and resume, bad input.
 */
class DashboardApiTest {

    private static final String SECRET = "dashboard-test-secret-Zx81";
    private static final String ACCESS_KEY = "dashboard-test-access-Qy42";

    @TempDir
    static Path root;

    private static EmbeddedS3 s3;
    private static Dashboard dashboard;
    private static Http http;

    @BeforeAll
    static void start() throws Exception {
        s3 = EmbeddedS3.shared();
        DemoBuckets.seed(s3, "api-source", "api-destination", 120, 4096);
        DemoBuckets.seed(s3, "slow-source", "slow-destination", 80, 64 * 1024);
        dashboard = Dashboard.builder().port(0).workRoot(root.resolve("work")).start();
        http = new Http(dashboard.uri());
        Http.Answer added = http.post("/api/endpoints", Map.of("name", "s3", "url", s3.endpoint().toString(),
                "region", "us-east-1", "accessKeyId", ACCESS_KEY, "secretAccessKey", SECRET));
        assertThat(added.status()).as(added.body()).isEqualTo(201);
    }

    @AfterAll
    static void stop() {
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void bindsToLoopbackByDefault() {
        assertThat(dashboard.uri().getHost()).isEqualTo("127.0.0.1");
        assertThat(http.get("/api/health").json().path("status").asText()).isEqualTo("UP");
    }

    @Test
    void onLoopbackOnlyLoopbackHostNamesReachTheApi() throws Exception {
        // a page of another site that points its own name at 127.0.0.1 (DNS rebinding) is refused
        // the JDK client does not let a caller set Host; a raw socket does, as a browser would send it
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", dashboard.port())) {
            socket.getOutputStream().write(("GET /api/endpoints HTTP/1.1\r\nHost: attacker.example:" + dashboard.port()
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(answer).startsWith("HTTP/1.1 403").contains("\"field\":\"Host\"").doesNotContain("\"s3\"");
        }
        assertThat(http.get("/api/endpoints").status()).isEqualTo(200);
    }

    @Test
    void endpointsAreTestedAndNeverAnswerTheirCredentials() {
        Http.Answer list = http.get("/api/endpoints");
        assertThat(list.status()).isEqualTo(200);
        assertThat(list.body()).contains("\"s3\"").doesNotContain(SECRET).doesNotContain(ACCESS_KEY);
        Http.Answer test = http.post("/api/endpoints/s3/test", "");
        assertThat(test.status()).as(test.body()).isEqualTo(200);
        assertThat(test.json().path("ok").asBoolean()).isTrue();
        assertThat(test.body()).contains("api-source").doesNotContain(SECRET);
        Http.Answer buckets = http.get("/api/endpoints/s3/buckets");
        assertThat(buckets.json().path("buckets").toString()).contains("api-destination");
    }

    @Test
    void aMigrationIsWatchedOnTheEventStreamAndAuditedAfterwards() throws Exception {
        String id = create("api-source", "api-destination", Map.of("deleteExtraneous", true)).path("id").asText();
        JsonNode validated = check(id, "validate", "");
        assertThat(validated.path("kind").asText()).isEqualTo("VALIDATE");
        assertThat(validated.path("result").path("checks").size()).isGreaterThan(3);
        JsonNode estimated = check(id, "estimate", "");
        assertThat(estimated.path("result").path("objects").asLong()).isEqualTo(120);
        JsonNode trial = check(id, "trial", "{\"n\": 3}").path("result");
        assertThat(trial.path("passed").asBoolean()).as(trial.toString()).isTrue();
        assertThat(trial.path("verified").asInt()).isEqualTo(3);
        expectError(http.post("/api/migrations/" + id + "/trial", "{\"n\": 0}"), 400, "n");

        List<SseClient.Event> events;
        try (SseClient sse = new SseClient(dashboard.uri().resolve("/api/events?migration=" + id), null)) {
            assertThat(http.post("/api/migrations/" + id + "/start", "").status()).isEqualTo(202);
            events = sse.until(e -> e.type().equals("finished"), 60_000);
        }
        // every event is the EventJson form, numbered in order, with the migration's id
        assertThat(events).allSatisfy(e -> {
            assertThat(e.id()).isNotNull();
            assertThat(e.json().path("type").asText()).isEqualTo(e.type());
            assertThat(e.json().path("migration").asText()).isEqualTo(id);
        });
        assertThat(events.stream().map(SseClient.Event::id).toList()).isSorted();
        List<String> phasesStarted = types(events, "phaseStarted");
        assertThat(phasesStarted).isEqualTo(types(events, "phaseFinished")).contains("LISTING", "TRANSFERRING");
        long copied = events.stream().filter(e -> e.type().equals("objectCopied")).count();
        long deleted = events.stream().filter(e -> e.type().equals("objectDeleted")).count();
        assertThat(copied).isGreaterThan(50);
        assertThat(deleted).isEqualTo(5);
        assertThat(events.stream().filter(e -> e.type().equals("difference")).count()).isGreaterThan(copied);
        JsonNode finished = events.get(events.size() - 1).json();
        assertThat(finished.path("state").asText()).isEqualTo("COMPLETED");

        // the run in the history, its summary, differences, log and fix plan
        JsonNode page = http.get("/api/runs?migration=" + id).json();
        assertThat(page.path("total").asInt()).isEqualTo(1);
        String runId = page.path("items").get(0).path("runId").asText();
        JsonNode run = http.get("/api/runs/" + runId).json();
        assertThat(run.path("state").asText()).isEqualTo("COMPLETED");
        assertThat(run.path("summary").path("transfer").path("objectsCopied").asLong()).isEqualTo(copied);
        assertThat(run.path("bytesCopied").asLong()).isPositive();
        assertThat(run.path("migrationSpec").path("source").path("bucket").asText()).isEqualTo("api-source");

        // after the run nothing differs: the differences of the plan are in differences-before;
        // a reconcile of a fresh pair shows the reconciliation view below
        Http.Answer log = http.get("/api/runs/" + runId + "/log?level=INFO");
        assertThat(log.status()).isEqualTo(200);
        assertThat(log.json().path("items").size()).isPositive();
        Http.Answer logText = http.get("/api/runs/" + runId + "/log.txt?q=copied");
        assertThat(logText.response().headers().firstValue("Content-Disposition").orElse("")).contains("attachment");
        Http.Answer sh = http.get("/api/runs/" + runId + "/fixplan.sh");
        assertThat(sh.status()).as(sh.body()).isEqualTo(200);
        assertThat(sh.body()).contains("s3 cp 's3://api-source/").contains("s3 rm 's3://api-destination/tmp/leftover-0.tmp'")
                .containsPattern("# s3recon fix plan: [1-9]\\d* copies, [1-9]\\d* re-copies, 5 deletions");
        Http.Answer jsonl = http.get("/api/runs/" + runId + "/fixplan.jsonl");
        assertThat(jsonl.body().lines().count()).isEqualTo(copied + deleted);

        // metrics from the same events
        String metrics = http.get("/metrics").body();
        assertThat(metric(metrics, "s3recon_objects_copied_total", id)).isEqualTo(copied);
        assertThat(metric(metrics, "s3recon_objects_deleted_total", id)).isEqualTo(deleted);
        assertThat(metrics).contains("s3recon_phase_duration_seconds_count{migration=\"" + id + "\",phase=\"TRANSFERRING\"}");

        // no credential reached any file the dashboard or the engine wrote
        try (Stream<Path> files = Files.walk(root)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String text = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                assertThat(text).as(f.toString()).doesNotContain(SECRET).doesNotContain(ACCESS_KEY);
            }
        }
    }

    @Test
    void differencesArePagedByTypeFromTheRunsFile() throws Exception {
        String id = create("api-source", "api-destination-recon", Map.of()).path("id").asText();
        s3.createBucket("api-destination-recon");
        for (int i = 0; i < 3; i++) {
            s3.put("api-destination-recon", "zz-extra-" + i, new byte[] {1, 2, 3});
        }
        assertThat(http.post("/api/migrations/" + id + "/reconcile", "").status()).isEqualTo(202);
        JsonNode job = waitIdle(id);
        assertThat(job.path("state").asText()).as(job.toString()).isEqualTo("COMPLETED_WITH_DIFFERENCES");
        String runId = http.get("/api/runs?migration=" + id).json().path("items").get(0).path("runId").asText();

        JsonNode first = http.get("/api/runs/" + runId + "/differences?type=MISSING_IN_DESTINATION&limit=50").json();
        assertThat(first.path("items").size()).isEqualTo(50);
        assertThat(first.path("more").asBoolean()).isTrue();
        assertThat(first.path("counts").path("missingInDestination").asLong()).isEqualTo(120);
        JsonNode third = http.get("/api/runs/" + runId + "/differences?type=MISSING_IN_DESTINATION&limit=50&offset=100")
                .json();
        assertThat(third.path("items").size()).isEqualTo(20);
        assertThat(third.path("more").asBoolean()).isFalse();
        assertThat(third.path("items").get(0).path("key").asText())
                .isGreaterThan(first.path("items").get(49).path("key").asText());
        JsonNode extra = http.get("/api/runs/" + runId + "/differences?type=EXTRA_IN_DESTINATION").json();
        assertThat(extra.path("items")).hasSize(3);
        assertThat(extra.path("items").get(0).path("source").isNull()).isTrue();
        assertThat(extra.path("items").get(0).path("destination").path("size").asLong()).isEqualTo(3);
        JsonNode search = http.get("/api/runs/" + runId + "/differences?q=img-00003").json();
        assertThat(search.path("items")).hasSize(1);
    }

    @Test
    void aCancelledMigrationResumesToTheEnd() throws Exception {
        // 80 objects of 32-96 KiB, about 50 to copy at 1 MiB/s: seconds of transfer to cancel in
        String id = create("slow-source", "slow-destination", Map.of("maxBytesPerSecond", 1 << 20, "deleteExtraneous", true)).path("id").asText();
        try (SseClient sse = new SseClient(dashboard.uri().resolve("/api/events?migration=" + id + "&types=objectCopied,finished"),
                null)) {
            assertThat(http.post("/api/migrations/" + id + "/start", "").status()).isEqualTo(202);
            sse.until(e -> e.type().equals("objectCopied"), 60_000);
            // while it copies: a transfer rate and bytes in flight (copies handed to the engine, not yet ended)
            long deadline = System.nanoTime() + 20_000_000_000L;
            long inFlight = 0;
            long rate = 0;
            while ((inFlight == 0 || rate == 0) && System.nanoTime() < deadline) {
                String scrape = http.get("/metrics").body();
                inFlight = Math.max(inFlight, metric(scrape, "s3recon_transfer_bytes_in_flight_bytes", id));
                rate = Math.max(rate, metric(scrape, "s3recon_transfer_bytes_per_second", id));
                Thread.sleep(50);
            }
            assertThat(inFlight).as("bytes in flight while copying").isPositive();
            assertThat(rate).as("transfer rate while copying").isPositive();
            // its endpoint's client is in use: replacing the endpoint is refused
            Http.Answer replace = http.post("/api/endpoints", Map.of("name", "s3", "url", s3.endpoint().toString()));
            assertThat(replace.status()).as(replace.body()).isEqualTo(409);
            assertThat(replace.json().path("error").path("field").asText()).isEqualTo("name");
            Http.Answer cancel = http.post("/api/migrations/" + id + "/cancel", "");
            assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
            List<SseClient.Event> rest = sse.until(e -> e.type().equals("finished"), 30_000);
            assertThat(rest.get(rest.size() - 1).json().path("state").asText()).isEqualTo("CANCELLED");
        }
        JsonNode cancelled = waitIdle(id);
        assertThat(cancelled.path("state").asText()).isEqualTo("CANCELLED");
        assertThat(cancelled.path("errorCode").asText()).isEqualTo("CANCELLED");
        Http.Answer again = http.post("/api/migrations/" + id + "/cancel", "");
        assertThat(again.status()).isEqualTo(409);

        assertThat(http.post("/api/migrations/" + id + "/resume", "").status()).isEqualTo(202);
        JsonNode resumed = waitIdle(id);
        assertThat(resumed.path("state").asText()).as(resumed.toString()).isEqualTo("COMPLETED");
        JsonNode runs = http.get("/api/runs?migration=" + id).json();
        assertThat(runs.path("total").asInt()).isEqualTo(1); // one run, resumed: not a second one
        assertThat(runs.path("items").get(0).path("attempts").asInt()).isEqualTo(2);
        assertThat(runs.path("items").get(0).path("state").asText()).isEqualTo("COMPLETED");
        // after the run: nothing in flight, every phase timed, the runs counted by their end state
        String scrape = http.get("/metrics").body();
        assertThat(metric(scrape, "s3recon_transfer_bytes_in_flight_bytes", id)).isZero();
        assertThat(metric(scrape, "s3recon_transfer_bytes_remaining_bytes", id)).isZero();
        for (String phase : List.of("LISTING", "TRANSFERRING", "VERIFYING")) {
            // the phases that ended (a cancelled phase reports no end): how often and how long
            String tags = "{migration=\"" + id + "\",phase=\"" + phase + "\"}";
            assertThat(scrape).as(phase).contains("s3recon_phase_duration_seconds_count" + tags + " 1");
            assertThat(scrape).as(phase).containsPattern("s3recon_phase_duration_seconds_sum"
                    + java.util.regex.Pattern.quote(tags) + " 0?\\.?[0-9.E-]*[1-9]");
        }
        assertThat(metric(scrape, "s3recon_runs_finished_total", id)).isEqualTo(2);
        assertThat(metric(scrape, "s3recon_objects_listed_total", id)).isPositive();
        assertThat(metric(scrape, "s3recon_bytes_copied_bytes_total", id)).isPositive();
    }

    @Test
    void checksAnswerAtOnceAndRunInTheBackground() throws Exception {
        // every answer of this endpoint comes 2 s late: an estimate takes seconds, its request does not
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.delay(1.0, Duration.ofSeconds(2)));
            assertThat(http.post("/api/endpoints", Map.of("name", "far", "url", proxy.endpoint().toString(),
                    "accessKeyId", ACCESS_KEY, "secretAccessKey", SECRET)).status()).isEqualTo(201);
            ObjectNode body = Http.JSON.createObjectNode();
            body.putObject("source").put("endpoint", "far").put("bucket", "api-source");
            body.putObject("destination").put("endpoint", "s3").put("bucket", "api-far-destination");
            String id = http.post("/api/migrations", body).json().path("id").asText();
            long started = System.nanoTime();
            Http.Answer accepted = http.post("/api/migrations/" + id + "/estimate", "");
            long answeredMillis = (System.nanoTime() - started) / 1_000_000;
            assertThat(accepted.status()).as(accepted.body()).isEqualTo(202);
            assertThat(answeredMillis).as("the estimate's request").isLessThan(1_500);
            String checkId = accepted.json().path("id").asText();
            assertThat(accepted.json().path("status").asText()).isEqualTo("RUNNING");
            assertThat(accepted.response().headers().firstValue("Location")).hasValue("/api/checks/" + checkId);
            assertThat(http.get("/api/migrations/" + id).json().path("check").asText()).isEqualTo(checkId);
            // one thing at a time per migration
            expectError(http.post("/api/migrations/" + id + "/start", ""), 409, null);
            expectError(http.post("/api/migrations/" + id + "/validate", ""), 409, null);
            JsonNode done = poll(checkId);
            assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("DONE");
            assertThat(done.path("result").path("objects").asLong()).isEqualTo(120);
            assertThat(done.path("millis").asLong()).isGreaterThanOrEqualTo(2_000);
            assertThat(http.get("/api/migrations/" + id).json().path("check").isNull()).isTrue();
            // a check that fails ends FAILED with the error, as a request would have answered it
            Http.Answer missing = http.post("/api/migrations", Map.of("source", Map.of("endpoint", "s3", "bucket",
                    "no-such-bucket-here"), "destination", Map.of("endpoint", "s3", "bucket", "api-destination")));
            JsonNode failed = poll(http.post("/api/migrations/" + missing.json().path("id").asText() + "/estimate", "")
                    .json().path("id").asText());
            assertThat(failed.path("status").asText()).as(failed.toString()).isEqualTo("FAILED");
            assertThat(failed.path("error").path("status").asInt()).isBetween(400, 599);
            assertThat(failed.path("error").path("message").asText()).contains("no-such-bucket-here");
            assertThat(failed.toString()).doesNotContain("\tat ").doesNotContain(SECRET);
        }
    }

    @Test
    void everyOptionOfTheWizardReachesTheMigration() {
        Map<String, Object> options = new java.util.LinkedHashMap<>();
        options.put("verification", "SIZE");
        options.put("checksumAlgorithm", "SHA256");
        options.put("overwrite", "NEVER");
        options.put("deleteExtraneous", true);
        options.put("maxDeletes", 7);
        options.put("maxDeletePercent", 20);
        options.put("allowEmptySource", true);
        options.put("include", List.of("photos/**"));
        options.put("exclude", List.of("**/*.tmp"));
        options.put("listingRanges", 4);
        options.put("trialPrefix", "_dash/");
        options.put("validationProbePrefix", "_probe/");
        options.put("maxAttempts", 3);
        options.put("copyTags", false);
        options.put("maxBytesPerSecond", 1 << 20);
        options.put("maxRequestsPerSecond", 250.5);
        options.put("smallObjectThreshold", 8 << 20);
        options.put("multipartCopyThreshold", 64 << 20);
        options.put("partSize", 8 << 20);
        options.put("maxInFlightBytes", 64 << 20);
        options.put("smallObjectConcurrency", 16);
        options.put("largeObjectConcurrency", 2);
        options.put("initialBackoffMillis", 50);
        options.put("maxBackoffMillis", 5_000);
        options.put("serverSideCopy", false);
        options.put("plainUploads", true);
        options.put("directRequests", false);
        JsonNode created = create("api-source", "api-options", options);
        JsonNode spec = created.path("spec").path("options");
        options.forEach((k, v) -> assertThat(spec.path(k).toString()).as(k).isEqualTo(Http.JSON.valueToTree(v).toString()));
        // and the same from its work directory, as after a restart
        try (Dashboard again = Dashboard.builder().port(0).workRoot(root.resolve("work")).start()) {
            JsonNode reloaded = new Http(again.uri()).get("/api/migrations/" + created.path("id").asText()).json();
            assertThat(reloaded.path("spec").path("options")).isEqualTo(spec);
        }
    }

    @Test
    void migrationsAndTheirRunsSurviveARestart() throws Exception {
        String id = create("api-source", "api-restart", Map.of()).path("id").asText();
        s3.createBucket("api-restart");
        assertThat(http.post("/api/migrations/" + id + "/reconcile", "").status()).isEqualTo(202);
        assertThat(waitIdle(id).path("state").asText()).isEqualTo("COMPLETED_WITH_DIFFERENCES");
        // a second dashboard on the same work root, as after a restart: no endpoint registered yet
        try (Dashboard again = Dashboard.builder().port(0).workRoot(root.resolve("work")).start()) {
            Http other = new Http(again.uri());
            JsonNode job = other.get("/api/migrations/" + id).json();
            assertThat(job.path("spec").path("destination").path("bucket").asText()).isEqualTo("api-restart");
            JsonNode runs = other.get("/api/runs?migration=" + id).json();
            assertThat(runs.path("total").asInt()).isEqualTo(1);
            assertThat(runs.path("items").get(0).path("state").asText()).isEqualTo("COMPLETED_WITH_DIFFERENCES");
            // credentials were never stored: the endpoint must be added again before the migration runs
            expectError(other.post("/api/migrations/" + id + "/start", ""), 400, "source.endpoint");
        }
    }

    @Test
    void historyFiltersSortsAndPagesOnTheServer() throws Exception {
        JsonNode all = http.get("/api/runs?limit=1&sort=startedAt&order=asc").json();
        assertThat(all.path("limit").asInt()).isEqualTo(1);
        assertThat(all.path("items").size()).isLessThanOrEqualTo(1);
        Http.Answer filtered = http.get("/api/runs?state=FAILED");
        assertThat(filtered.status()).isEqualTo(200);
        assertThat(filtered.json().path("items").findValuesAsText("state")).allMatch("FAILED"::equals);
        JsonNode stats = http.get("/api/stats").json();
        assertThat(stats.has("successRate")).isTrue();
        assertThat(stats.path("throughput").isArray()).isTrue();
    }

    @Test
    void badInputIsA4xxJsonErrorNamingTheField() {
        Map<String, Object> source = Map.of("endpoint", "s3", "bucket", "api-source");
        expectError(http.post("/api/migrations", Map.of("source", source, "destination", Map.of("endpoint", "s3"))),
                400, "destination.bucket");
        expectError(http.post("/api/migrations", Map.of("source", source, "destination",
                Map.of("endpoint", "nowhere", "bucket", "b-1"))), 400, "destination.endpoint");
        expectError(http.post("/api/migrations", Map.of("source", source, "destination",
                Map.of("endpoint", "s3", "bucket", "Bad_Bucket"))), 400, "destination.bucket");
        expectError(http.post("/api/migrations", Map.of("source", source, "destination", source, "options",
                Map.of("verification", "SOMETIMES"))), 400, "options.verification");
        expectError(http.post("/api/migrations", Map.of("source", source, "destination", source, "options",
                Map.of("maxAttempts", 0))), 400, "options.maxAttempts");
        expectError(http.post("/api/migrations", "{not json"), 400, null);
        expectError(http.post("/api/endpoints", Map.of("name", "x", "url", "ftp://host")), 400, "url");
        expectError(http.post("/api/endpoints", Map.of("name", "x", "url", "http://h:1", "accessKeyId", "a")), 400,
                "secretAccessKey");
        expectError(http.post("/api/endpoints", Map.of("name", "no spaces allowed")), 400, "name");
        expectError(http.get("/api/runs/no-such-run"), 404, null);
        expectError(http.get("/api/runs/no-such-run/differences"), 404, null);
        expectError(http.get("/api/migrations/m-nothing"), 404, null);
        expectError(http.get("/api/runs?sort=size"), 400, "sort");
        expectError(http.get("/api/runs?limit=x"), 400, "limit");
        expectError(http.get("/api/runs?state=SOMEWHERE"), 400, "state");
        expectError(http.get("/api/nothing"), 404, null);
        // every option is checked, by the library's own rules where it has them, naming the field
        Map<String, Object> d = Map.of("endpoint", "s3", "bucket", "api-destination");
        Map<String, Object> badOptions = new java.util.LinkedHashMap<>();
        badOptions.put("partSize", 1024);                       // below S3's 5 MiB
        badOptions.put("maxDeletePercent", 101);
        badOptions.put("include", List.of("photos/[a"));         // an unclosed class
        badOptions.put("trialPrefix", "/abs");
        badOptions.put("maxRequestsPerSecond", "fast");
        badOptions.put("copyTags", "yes");
        badOptions.put("smallObjectConcurrency", 0);
        badOptions.put("listingRanges", 2000);
        badOptions.put("checksumAlgorithm", "MD5");
        for (var bad : badOptions.entrySet()) {
            expectError(http.post("/api/migrations", Map.of("source", source, "destination", d, "options",
                    Map.of(bad.getKey(), bad.getValue()))), 400, "options." + bad.getKey());
        }
        // checked against each other: the first backoff may not exceed the longest
        expectError(http.post("/api/migrations", Map.of("source", source, "destination", d, "options",
                Map.of("initialBackoffMillis", 5000, "maxBackoffMillis", 100))), 400, "options.initialBackoffMillis");
        expectError(http.post("/api/migrations", Map.of("source", source, "destination", d, "options", "fast")), 400,
                "options");
        expectError(http.post("/api/migrations", "[1, 2]"), 400, null);
        expectError(http.post("/api/endpoints", Map.of("name", "x", "region", "Mars 1")), 400, "region");
        expectError(http.post("/api/endpoints/nowhere/test", ""), 404, null);
        expectError(http.get("/api/endpoints/nowhere/buckets"), 404, null);
        expectError(http.get("/api/checks/c-nothing"), 404, null);
        expectError(http.post("/api/migrations/m-nothing/start", ""), 404, null);
        String valid = create("api-source", "api-bad-input", Map.of()).path("id").asText();
        expectError(http.post("/api/migrations/" + valid + "/fly", ""), 404, null);
        expectError(http.post("/api/migrations/" + valid + "/estimate", "{\"sample\": 0}"), 400, "sample");
        expectError(http.post("/api/migrations/" + valid + "/start", "{\"newRun\": \"yes\"}"), 400, "newRun");
        expectError(http.get("/api/runs?order=sideways"), 400, "order");
        expectError(http.get("/api/runs?offset=-1"), 400, "offset");
        expectError(http.get("/api/runs/no-such-run/log"), 404, null);
        expectError(http.get("/api/runs/no-such-run/fixplan.sh"), 404, null);
        expectError(http.post("/api/stats", ""), 405, null);
        // a cross-site form post (no JSON content type) is refused before it does anything
        Http.Answer form = send(http.request("/api/endpoints").header("Content-Type", "application/x-www-form-urlencoded")
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("name=x&url=http://h:1")));
        expectError(form, 415, "Content-Type");
        // a migration onto itself is refused by the library's overlap check, answered as a 409
        String id = create("api-source", "api-source", Map.of()).path("id").asText();
        Http.Answer overlap = http.post("/api/migrations/" + id + "/start", "");
        expectError(overlap, 409, null);
        assertThat(overlap.json().path("error").path("code").asText()).isEqualTo("LOCATIONS_OVERLAP");
    }

    @Test
    void aTokenGuardsTheApiButNotThePage(@TempDir Path work) {
        String token = "a-token-of-enough-length-1234";
        try (Dashboard guarded = Dashboard.builder().port(0).workRoot(work).token(token).start()) {
            Http anonymous = new Http(guarded.uri());
            expectError(anonymous.get("/api/endpoints"), 401, "token");
            expectError(anonymous.get("/metrics"), 401, "token");
            assertThat(anonymous.get("/").status()).isEqualTo(200);
            assertThat(anonymous.get("/").body()).contains("<title>s3recon dashboard</title>");
            assertThat(new Http(guarded.uri(), token).get("/api/endpoints").status()).isEqualTo(200);
            assertThat(anonymous.get("/api/endpoints?token=" + token).status()).isEqualTo(200);
            assertThat(new Http(guarded.uri(), "wrong-token-of-enough-length").get("/api/runs").status()).isEqualTo(401);
        }
    }

    /** Starts a check, which answers 202 at once, and polls it to its end. */
    private static JsonNode check(String id, String kind, String body) throws InterruptedException {
        Http.Answer a = http.post("/api/migrations/" + id + "/" + kind, body);
        assertThat(a.status()).as(a.body()).isEqualTo(202);
        JsonNode done = poll(a.json().path("id").asText());
        assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("DONE");
        return done;
    }

    private static JsonNode poll(String checkId) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode c = http.get("/api/checks/" + checkId).json();
            if (!c.path("status").asText().equals("RUNNING")) {
                return c;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("check " + checkId + " still running after 60 s");
    }

    private static void expectError(Http.Answer a, int status, String field) {
        assertThat(a.status()).as(a.body()).isEqualTo(status);
        JsonNode e = a.json().path("error");
        assertThat(e.path("message").asText()).isNotBlank();
        assertThat(e.path("status").asInt()).isEqualTo(status);
        if (field != null) {
            assertThat(e.path("field").asText()).isEqualTo(field);
            assertThat(e.path("message").asText()).contains(field);
        }
        assertThat(a.body()).doesNotContain("\tat ").doesNotContain("Exception");
    }

    private static Http.Answer send(java.net.http.HttpRequest.Builder request) {
        try {
            var r = Http.client().send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofString());
            return new Http.Answer(r.statusCode(), r.body(), Http.JSON.readTree(r.body()), r);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static JsonNode create(String source, String destination, Map<String, Object> options) {
        ObjectNode body = Http.JSON.createObjectNode();
        body.putObject("source").put("endpoint", "s3").put("bucket", source);
        body.putObject("destination").put("endpoint", "s3").put("bucket", destination);
        body.set("options", Http.JSON.valueToTree(options));
        Http.Answer a = http.post("/api/migrations", body);
        assertThat(a.status()).as(a.body()).isEqualTo(201);
        return a.json();
    }

    private static JsonNode waitIdle(String id) throws InterruptedException {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (System.nanoTime() < deadline) {
            JsonNode job = http.get("/api/migrations/" + id).json();
            if (job.path("status").asText().equals("IDLE")) {
                return job;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("migration " + id + " still running after 60 s");
    }

    private static List<String> types(List<SseClient.Event> events, String type) {
        return events.stream().filter(e -> e.type().equals(type)).map(e -> e.json().path("phase").asText())
                .collect(Collectors.toList());
    }

    private static long metric(String scrape, String name, String migration) {
        return scrape.lines().filter(l -> l.startsWith(name + "{") && l.contains("migration=\"" + migration + "\""))
                .mapToLong(l -> (long) Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    static URI uri() {
        return dashboard.uri();
    }
}
