package io.github.s3recon.cli;

import io.github.s3recon.ReconciliationReport;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code s3recon repair REPORT}: applies the fix plan of a report written by an earlier
 * {@code reconcile} or {@code run} (its {@code summary.json} and {@code differences.jsonl}) to the
 * report's own source and destination, then verifies and reports. The endpoints and credentials
 * come from the flags, as for the other commands; the work directory is the pair's default unless
 * {@code --work-dir} is given.
 */
@Command(name = "repair", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Apply a report's fix plan to its locations, then verify.",
        description = {"Copy (and with --delete, delete) what an earlier report found different, then verify and",
            "report. REPORT is the directory the report was written to: <work-dir>/report after reconcile or",
            "run. Its source and destination are the report's; give the endpoints and credentials as usual.",
            "Objects that changed since the report are not overwritten blindly: the plan's checks still hold."},
        footer = {"%nExamples:",
            "  s3recon reconcile s3://photos s3://photos-backup/ --work-dir /tmp/w",
            "  s3recon repair /tmp/w/report",
            "  s3recon repair --endpoint-url http://localhost:9000 --delete ~/.s3recon/a-to-b-1f2e3d/report",
            ExitCodes.HELP})
final class RepairCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "REPORT", description = "a report's directory (holds summary.json)")
    Path report;

    @Mixin
    CommonOptions common;

    @Mixin
    ConnectionOptions connection;

    @Mixin
    MigrationFlags flags;

    private final PrintStream out = System.out;
    private final PrintStream err = System.err;
    private final Map<String, String> env = System.getenv();

    @Override
    public Integer call() {
        ReconciliationReport read;
        try {
            read = ReconciliationReport.read(report);
        } catch (RuntimeException e) {
            return Failures.print(e, err, common.debug);
        }
        PairCommand.Source s = new PairCommand.Source(new S3Url(read.source().bucket(), read.source().prefix()), null);
        S3Url d = new S3Url(read.destination().bucket(), read.destination().prefix());
        return PairCommand.run(s, d, common, connection, flags, env, out, err,
                (m, work) -> Summaries.print(m.repair(read), work, common.json, out));
    }
}
