package io.github.s3recon.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.EmbeddedS3;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The page in a real headless Chromium, as a person uses it: add and test an endpoint, validate and
 * start the demo migration from the wizard, watch its progress reach the end, filter the history,
 * open a trial run's reconciliation view and page through its differences, cancel and resume a
 * bandwidth-limited migration. A screenshot of each tab goes to {@code target/screenshots/}.
 * Skipped, saying why, where Chromium or chromedriver is not installed.
 */
class DashboardBrowserTest {

    private static final Path SHOTS = Path.of("target", "screenshots");

    @TempDir
    static Path work;

    private static EmbeddedS3 s3;
    private static Dashboard dashboard;
    private static Chrome chrome;

    @BeforeAll
    static void start() throws Exception {
        Optional<String> missing = Chrome.unavailable();
        Assumptions.assumeTrue(missing.isEmpty(), () -> "browser tests skipped: " + missing.orElse(""));
        s3 = EmbeddedS3.shared();
        DemoBuckets.seed(s3, "web-source", "web-destination", 120, 8 * 1024);
        DemoBuckets.seed(s3, "web-slow-source", "web-slow-destination", 120, 64 * 1024);
        dashboard = Dashboard.builder().port(0).workRoot(work.resolve("work"))
                .endpoint("embedded", s3.asyncClient(), s3.endpoint() + " (embedded S3)").start();
        chrome = new Chrome(Path.of("target"));
    }

    @AfterAll
    static void stop() {
        if (chrome != null) {
            chrome.close();
        }
        if (dashboard != null) {
            dashboard.close();
        }
    }

    @Test
    void aPersonRunsAuditsCancelsAndResumesMigrationsFromThePage() throws Exception {
        chrome.open(dashboard.uri());
        chrome.waitFor("the overview", 10_000, "return document.querySelector('#live').textContent === 'live'");
        assertThat(chrome.text("#tabs .active")).isEqualTo("Overview");

        // endpoints: add one with credentials through the form, test it; the secret is not shown
        chrome.click("#tabs button[data-tab=endpoints]");
        chrome.type("#endpoint-form input[name=name]", "typed");
        chrome.type("#endpoint-form input[name=url]", s3.endpoint().toString());
        chrome.type("#endpoint-form input[name=accessKeyId]", "AKIA-BROWSER-TEST");
        chrome.type("#endpoint-form input[name=secretAccessKey]", "browser-secret-value");
        chrome.click("#endpoint-form button[type=submit]");
        chrome.waitFor("the new endpoint", 10_000,
                "return document.querySelectorAll('#endpoints-table tbody tr').length === 2");
        chrome.click("#endpoints-table button[data-test=typed]");
        chrome.waitFor("the endpoint test", 10_000,
                "return document.querySelector('#endpoint-result').textContent.includes('OK in')");
        assertThat(chrome.text("#endpoint-result")).contains("web-source");
        assertThat(chrome.script("return document.body.innerHTML.includes('browser-secret-value')").asBoolean())
                .isFalse();
        chrome.screenshot(SHOTS.resolve("endpoints.png"));

        // wizard: the demo pair, removing extraneous objects; validate, then start
        chrome.click("#tabs button[data-tab=wizard]");
        chrome.waitFor("the endpoints in the wizard", 10_000,
                "return document.querySelectorAll('#wizard select[name=\"source.endpoint\"] option').length === 2");
        fillWizard("demo", "web-source", "web-destination");
        chrome.script("document.querySelector('#wizard input[name=\"options.deleteExtraneous\"]').checked = true;");
        // an engine option out of range: the server names it, the page marks it and opens its section
        chrome.click("#wizard-engine summary");
        chrome.type("#wizard input[name=\"options.partSize\"]", "1"); // MiB; S3's least part is 5 MiB
        chrome.click("#wizard-engine summary"); // closed again: the error must open it
        chrome.click("#wizard-validate");
        chrome.waitFor("the error naming the part size", 10_000,
                "return document.querySelector('#wizard-result').textContent.startsWith('options.partSize')"
                        + " && document.querySelector('#wizard input[name=\"options.partSize\"]').classList.contains('invalid')"
                        + " && document.querySelector('#wizard-engine').open");
        chrome.type("#wizard input[name=\"options.partSize\"]", "8");
        chrome.click("#wizard-validate");
        chrome.waitFor("the validation", 20_000,
                "return document.querySelector('#wizard-result').textContent.startsWith('PASSED')");
        chrome.click("#wizard-trial");
        chrome.waitFor("the trial of 10 objects", 60_000,
                "return document.querySelector('#wizard-result').textContent.startsWith('PASSED: 10/10 copied')");
        chrome.screenshot(SHOTS.resolve("wizard.png"));
        chrome.click("#wizard-start");
        chrome.waitFor("the progress tab", 10_000, "return document.querySelector('#tabs .active').dataset.tab === 'progress'");
        chrome.waitFor("the demo migration to complete", 60_000,
                "const m = document.querySelector('.migration'); return m && m.dataset.status === 'IDLE'"
                        + " && m.dataset.state === 'COMPLETED'");
        assertThat(chrome.script("return Array.from(document.querySelectorAll('.migration .phase')).map(p => p.dataset.phase)")
                .toString()).contains("LISTING", "TRANSFERRING", "VERIFYING");
        assertThat(chrome.script("return document.querySelector('.migration .phase[data-phase=TRANSFERRING] .bar > div').style.width")
                .asText()).isEqualTo("100%");
        chrome.screenshot(SHOTS.resolve("progress.png"));

        // a dry run of the slow pair: its reconciliation view, paged by type
        chrome.click("#tabs button[data-tab=wizard]");
        fillWizard("slow", "web-slow-source", "web-slow-destination");
        // 512 KiB/s: about 9 s of transfer, time enough to cancel through the page on a busy machine
        chrome.type("#wizard input[name=\"options.maxBytesPerSecond\"]", "524288");
        chrome.click("#wizard-plan");
        chrome.waitFor("the dry run to end", 30_000,
                "const m = document.querySelector('.migration'); return m && m.dataset.status === 'IDLE'"
                        + " && m.querySelector('.where') && m.textContent.includes('dry run:')");
        chrome.click("#tabs button[data-tab=history]");
        chrome.select("#history-filter select[name=kind]", "PLAN");
        chrome.click("#history-filter button[type=submit]");
        chrome.waitFor("the trial run in the history", 10_000,
                "const rows = document.querySelectorAll('#history-table tbody tr');"
                        + " return rows.length === 1 && rows[0].textContent.includes('PLAN')");
        chrome.click("#history-table tbody tr");
        chrome.waitFor("the run detail", 10_000, "return document.querySelectorAll('#diff-table tbody tr').length > 1");
        chrome.click("#diff-types .chip[data-type=MISSING_IN_DESTINATION]");
        chrome.waitFor("missing objects only", 10_000,
                "const rows = Array.from(document.querySelectorAll('#diff-table tbody tr'));"
                        + " return rows.length === 50 && rows.every(r => r.cells[0].textContent === 'MISSING_IN_DESTINATION')");
        String firstKey = chrome.text("#diff-table tbody tr td.key");
        chrome.click("#diff-next");
        chrome.waitFor("the next page", 10_000, "return document.querySelector('#diff-page').textContent.startsWith('51')");
        assertThat(chrome.text("#diff-table tbody tr td.key")).isGreaterThan(firstKey);
        chrome.waitFor("the log", 10_000, "return document.querySelector('#log-lines').textContent.includes('INFO')");
        chrome.screenshot(SHOTS.resolve("run-detail.png"));

        // cancel the slow migration while it copies, then resume it to the end
        chrome.click("#tabs button[data-tab=progress]");
        chrome.waitFor("the slow migration's card", 10_000,
                "return document.querySelector('.migration button[data-act=resume]') !== null");
        chrome.click(".migration button[data-act=resume]"); // "Run again" after a trial run: the real run
        chrome.waitFor("the transfer to start", 30_000,
                "const m = document.querySelector('#migrations > .migration');" // the newest: the slow one
                        + " const p = m.querySelector('.phase[data-phase=TRANSFERRING]');"
                        + " return p !== null && p.classList.contains('RUNNING') && m.querySelector('button[data-act=cancel]') !== null"
                        + " && parseFloat(p.querySelector('.bar > div').style.width) > 0"
                        + " && /ETA \\d/.test(p.textContent)"); // live progress of the phase, with its ETA
        chrome.screenshot(SHOTS.resolve("progress-running.png"));
        chrome.click(".migration button[data-act=cancel]");
        chrome.waitFor("the cancelled state", 30_000,
                "const m = document.querySelector('.migration'); return m.dataset.status === 'IDLE' && m.dataset.state === 'CANCELLED'");
        assertThat(chrome.text(".migration button[data-act=resume]")).isEqualTo("Resume");
        chrome.click(".migration button[data-act=resume]");
        chrome.waitFor("the resumed run to complete", 60_000,
                "const m = document.querySelector('.migration'); return m.dataset.status === 'IDLE' && m.dataset.state === 'COMPLETED'");

        // history: filter by text and state, then the overview's statistics and chart
        chrome.click("#tabs button[data-tab=history]");
        chrome.select("#history-filter select[name=kind]", "");
        chrome.type("#history-filter input[name=q]", "web-slow");
        chrome.select("#history-filter select[name=state]", "COMPLETED");
        chrome.click("#history-filter button[type=submit]");
        chrome.waitFor("the filtered history", 10_000,
                "const rows = Array.from(document.querySelectorAll('#history-table tbody tr'));"
                        + " return rows.length === 1 && rows[0].textContent.includes('web-slow-source') && rows[0].textContent.includes('RUN')");
        assertThat(chrome.text("#history-page")).isEqualTo("1–1 of 1");
        chrome.screenshot(SHOTS.resolve("history.png"));
        chrome.click("#tabs button[data-tab=overview]");
        chrome.waitFor("the statistics", 10_000, "return document.querySelector('#stat-runs').textContent === '3'");
        assertThat(chrome.text("#stat-success")).isEqualTo("100 %");
        chrome.waitFor("the throughput chart", 10_000,
                "return Number(document.querySelector('#chart').dataset.points) >= 2"); // finished runs' dots at least
        chrome.screenshot(SHOTS.resolve("overview.png"));
    }

    private static void fillWizard(String name, String source, String destination) {
        chrome.type("#wizard input[name=name]", name);
        chrome.select("#wizard select[name=\"source.endpoint\"]", "embedded");
        chrome.select("#wizard select[name=\"destination.endpoint\"]", "embedded");
        chrome.type("#wizard input[name=\"source.bucket\"]", source);
        chrome.type("#wizard input[name=\"destination.bucket\"]", destination);
    }
}
