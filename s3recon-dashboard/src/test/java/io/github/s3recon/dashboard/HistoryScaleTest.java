package io.github.s3recon.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStoreProvider;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The history at the size the issue names: a thousand runs in a hundred work directories, and one
 * run with a million differences, answered a page at a time over real HTTP. The runs are written
 * through the checkpoint store (the engine's own store), so the dashboard reads them as it reads
 * any run. Prints the times it measured.
 */
class HistoryScaleTest {

    @TempDir
    Path root;

    @Test
    void aThousandRunsAndAMillionDifferencesArePagedOnTheServer() throws Exception {
        CheckpointStoreProvider provider = ServiceLoader.load(CheckpointStoreProvider.class).findFirst().orElseThrow();
        Dashboard.Builder builder = Dashboard.builder().port(0).workRoot(root.resolve("work"));
        Instant t0 = Instant.parse("2026-01-01T00:00:00Z");
        String bigRun = null;
        Path bigDirectory = null;
        for (int d = 0; d < 100; d++) {
            Path dir = Files.createDirectories(root.resolve("dir-" + d));
            builder.workDirectory(dir);
            try (CheckpointStore store = provider.open(dir)) {
                for (int r = 0; r < 10; r++) {
                    int i = d * 10 + r;
                    MigrationState state = i % 10 == 0 ? MigrationState.FAILED : MigrationState.COMPLETED;
                    String summary = "{\"state\":\"" + state + "\",\"source\":{\"bucket\":\"src-" + d + "\",\"prefix\":\"\"},"
                            + "\"destination\":{\"bucket\":\"dst\",\"prefix\":\"\"},\"counts\":{\"missingInDestination\":" + i
                            + "},\"transfer\":{\"objectsCopied\":" + i + ",\"bytesCopied\":" + (i * 1000L) + "}}";
                    String id = String.format("run-%04d", i);
                    store.createRun(new CheckpointStore.RunRecord(id, CheckpointStore.RunKind.RUN,
                            "{\"source\":{\"bucket\":\"src-" + d + "\",\"prefix\":\"\"}}", "h", state,
                            t0.plusSeconds(i * 60L), t0.plusSeconds(i * 60L + 30), t0.plusSeconds(i * 60L + 30),
                            state == MigrationState.FAILED ? null : summary,
                            state == MigrationState.FAILED ? "LISTING_FAILED at key " + i : null, 1));
                    if (i == 999) {
                        bigRun = id;
                        bigDirectory = dir;
                    }
                }
            }
        }
        Path differences = Files.createDirectories(bigDirectory.resolve("runs").resolve(bigRun))
                .resolve("differences.jsonl");
        try (BufferedWriter w = Files.newBufferedWriter(differences, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 1_000_000; i++) {
                String type = i % 100 == 99 ? "EXTRA_IN_DESTINATION" : "MISSING_IN_DESTINATION";
                w.write("{\"type\":\"" + type + "\",\"key\":\"k" + String.format("%07d", i)
                        + "\",\"source\":{\"size\":1,\"eTag\":\"e\",\"lastModified\":null,\"storageClass\":null,"
                        + "\"checksum\":null},\"destination\":null}\n");
            }
        }
        try (Dashboard dashboard = builder.start()) {
            Http http = new Http(dashboard.uri());
            long first = timed(() -> http.get("/api/runs?limit=25"));
            long cached = timed(() -> http.get("/api/runs?limit=25"));
            JsonNode page = http.get("/api/runs?limit=25&sort=bytesCopied&order=desc").json();
            assertThat(page.path("total").asInt()).isEqualTo(1000);
            assertThat(page.path("items")).hasSize(25);
            assertThat(page.path("items").get(0).path("runId").asText()).isEqualTo("run-0999");
            JsonNode failed = http.get("/api/runs?state=FAILED&q=src-42&limit=100").json();
            assertThat(failed.path("total").asInt()).isEqualTo(1);
            assertThat(failed.path("items").get(0).path("runId").asText()).isEqualTo("run-0420");
            JsonNode last = http.get("/api/runs?limit=25&offset=975&sort=startedAt&order=desc").json();
            assertThat(last.path("items").get(24).path("runId").asText()).isEqualTo("run-0000");

            long firstDiffs = timed(() -> http.get("/api/runs/" + "run-0999" + "/differences?limit=100"));
            JsonNode extra = http.get("/api/runs/run-0999/differences?type=EXTRA_IN_DESTINATION&limit=100&offset=9900")
                    .json();
            long deep = timed(() -> http.get("/api/runs/run-0999/differences?limit=100&offset=999900"));
            assertThat(extra.path("items")).hasSize(100);
            assertThat(extra.path("more").asBoolean()).isFalse();
            assertThat(extra.path("items").get(99).path("key").asText()).isEqualTo("k0999999");
            long deepAgain = timed(() -> http.get("/api/runs/run-0999/differences?limit=100&offset=999800"));
            JsonNode tail = http.get("/api/runs/run-0999/differences?limit=100&offset=999900").json();
            assertThat(tail.path("items").get(0).path("key").asText()).isEqualTo("k0999900");
            System.out.printf("history of 1,000 runs in 100 work directories: first page %d ms, again %d ms;"
                    + " 1,000,000 differences: first page %d ms, last page %d ms, a page"
                    + " near it again %d ms%n", first, cached, firstDiffs, deep, deepAgain);
            assertThat(cached).isLessThan(1_000);
            assertThat(firstDiffs).isLessThan(1_000);
            assertThat(deepAgain).isLessThan(1_000); // seeks from the remembered offsets
            inTheBrowser(dashboard);
        }
    }

    /** The same in the page: the history's last page, then the millionth difference, a page at a time. */
    private static void inTheBrowser(Dashboard dashboard) throws Exception {
        Optional<String> missing = Chrome.unavailable();
        if (missing.isPresent()) {
            System.out.println("the browser part of the scale test is skipped: " + missing.get());
            return;
        }
        Path shots = Path.of("target", "screenshots");
        try (Chrome chrome = new Chrome(Path.of("target"))) {
            chrome.open(dashboard.uri());
            chrome.click("#tabs button[data-tab=history]");
            chrome.waitFor("1,000 runs", 20_000,
                    "return document.querySelector('#history-page').textContent === '1–25 of 1,000'");
            long t = System.nanoTime();
            chrome.click("#history-last");
            chrome.waitFor("the history's last page", 10_000,
                    "return document.querySelector('#history-page').textContent === '976–1,000 of 1,000'");
            long lastPage = (System.nanoTime() - t) / 1_000_000;
            assertThat(chrome.script("const r = document.querySelectorAll('#history-table tbody tr');"
                    + " return r.length === 25 && r[24].textContent.includes('run-0000')").asBoolean()).isTrue();
            chrome.screenshot(shots.resolve("history-1000-runs.png"));
            chrome.click("#history-first");
            chrome.waitFor("the history's first page", 10_000,
                    "return document.querySelector('#history-page').textContent.startsWith('1–25')");
            chrome.click("#history-table tbody tr[data-run=run-0999]");
            chrome.waitFor("the run with a million differences", 20_000,
                    "return document.querySelectorAll('#diff-table tbody tr').length === 50");
            t = System.nanoTime();
            chrome.type("#diff-at", "999901");
            chrome.click("#diff-go");
            chrome.waitFor("the millionth difference", 20_000,
                    "return document.querySelector('#diff-page').textContent.startsWith('999,901–999,950')");
            long deepPage = (System.nanoTime() - t) / 1_000_000;
            assertThat(chrome.text("#diff-table tbody tr td.key")).isEqualTo("k0999900");
            // the page holds one page of rows, whatever the run's size
            assertThat(chrome.script("return document.querySelectorAll('#diff-table tbody tr').length").asInt())
                    .isEqualTo(50);
            chrome.screenshot(shots.resolve("run-detail-1m-differences.png"));
            System.out.printf("in Chromium: the history's last page of 1,000 runs in %d ms, rows 999,901-999,950"
                    + " of 1,000,000 differences in %d ms%n", lastPage, deepPage);
            assertThat(lastPage).isLessThan(5_000);
            assertThat(deepPage).isLessThan(10_000);
        }
    }

    private static long timed(Runnable r) {
        long t = System.nanoTime();
        r.run();
        return (System.nanoTime() - t) / 1_000_000;
    }
}
