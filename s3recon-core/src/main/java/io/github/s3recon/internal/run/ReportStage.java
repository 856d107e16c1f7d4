package io.github.s3recon.internal.run;

import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.TransferSummary;
import io.github.s3recon.Verification;
import io.github.s3recon.spi.ReconciliationReporter;
import io.github.s3recon.spi.TransferScheduler;

/**
 * The report stage: the report of a finished run (counts, both sides, the transfer's totals with
 * what earlier attempts of a resumed run did), handed to the reporters; then the run's record is
 * closed with the report's summary.
 */
final class ReportStage {

    private ReportStage() {
    }

    /**
     * @param outcome the transfer's outcome, or null for a run that did not transfer
     */
    static MigrationResult run(RunContext run, RunLifecycle lifecycle, UploadJournal uploads, MigrationState terminal,
            Comparison c, Verification verification, TransferOutcome outcome) {
        lifecycle.transition(MigrationState.REPORTING);
        TransferSummary transfer = outcome == null ? null : summary(outcome);
        ReconciliationReport report = new ReconciliationReport(terminal, c.source(), c.destination(), c.counts(),
                c.matchedByRule(), lifecycle.startedAt(), run.clock.instant(), c.differencesFile(), verification,
                transfer);
        for (ReconciliationReporter reporter : run.settings.reporters()) {
            reporter.report(report);
        }
        lifecycle.completed(terminal, report.summaryJson(), line(terminal, c, transfer), uploads);
        return new MigrationResult(terminal, report);
    }

    private static TransferSummary summary(TransferOutcome outcome) {
        TransferScheduler.TransferTotals t = outcome.totals();
        return new TransferSummary(t.objectsCopied(), t.bytesCopied(), outcome.skipped(), t.objectsDeleted(),
                t.objectsFailed(), t.retries(), t.objectsServerSide(), t.bytesServerSide(), t.objectsRelayed(),
                t.bytesRelayed(), outcome.failuresFile(), t.deletionsKept(), t.notes(), outcome.copiedEarlier(),
                outcome.bytesCopiedEarlier());
    }

    /** The run's last log line: what it found and did; a resumed run says what earlier attempts copied. */
    private static String line(MigrationState terminal, Comparison c, TransferSummary transfer) {
        String line = "finished " + terminal + ": " + c.counts().differences() + " differences";
        if (transfer == null) {
            return line;
        }
        return line + ", " + transfer.objectsCopied() + " copied" + (transfer.objectsCopiedEarlier() == 0 ? ""
                : " (" + transfer.objectsCopiedThisAttempt() + " in this attempt, " + transfer.objectsCopiedEarlier()
                        + " by earlier ones)") + ", " + transfer.objectsDeleted() + " deleted, "
                + (transfer.deletionsKept() == 0 ? "" : transfer.deletionsKept() + " kept (changed since the plan), ")
                + transfer.objectsFailed() + " failed";
    }
}
