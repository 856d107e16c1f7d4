package io.github.s3recon.cli;

import io.github.s3recon.DataSize;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.TransferSummary;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Locale;

/** Prints a run's result for people (a few lines) or for programs (summary.json). Stateless. */
final class Summaries {

    private Summaries() {
    }

    /**
     * Writes the report into {@code <work>/report} and prints the result.
     *
     * @param r the result
     * @param work the work directory
     * @param json whether to print summary.json instead of text
     * @param out stdout
     * @return the exit status of the result's state
     */
    static int print(MigrationResult r, Path work, boolean json, PrintStream out) {
        ReconciliationReport report = r.report();
        Path dir = work.resolve("report");
        report.writeJson(dir);
        if (json) {
            out.println(report.summaryJson());
            return ExitCodes.of(r.state());
        }
        DifferenceCounts c = report.counts();
        out.println(r.state() + ": " + n(c.differences()) + " differences; source " + n(report.source().objects())
                + " objects (" + size(report.source().bytes()) + "), destination " + n(report.destination().objects())
                + " objects (" + size(report.destination().bytes()) + ")");
        out.println("  matched " + n(c.matched()) + ", missing in destination " + n(c.missingInDestination())
                + ", extra in destination " + n(c.extraInDestination()) + ", size mismatch " + n(c.sizeMismatch())
                + ", content mismatch " + n(c.contentMismatch()) + ", stale " + n(c.stale()) + ", unverified "
                + n(c.unverified()));
        TransferSummary t = report.transfer();
        if (t != null) {
            out.println("  copied " + n(t.objectsCopied()) + " objects (" + size(t.bytesCopied()) + "), deleted "
                    + n(t.objectsDeleted()) + ", failed " + n(t.objectsFailed()) + ", retries " + n(t.retries())
                    + (t.objectsCopiedEarlier() > 0 ? ", " + n(t.objectsCopiedEarlier()) + " by earlier attempts" : ""));
            for (String note : t.notes()) {
                out.println("  note: " + note);
            }
        }
        out.println("  report: " + dir.toAbsolutePath() + " (summary.json, differences.jsonl)");
        return ExitCodes.of(r.state());
    }

    static String n(long v) {
        return String.format(Locale.ROOT, "%,d", v);
    }

    static String size(long bytes) {
        return DataSize.ofBytes(bytes).approximate();
    }
}
