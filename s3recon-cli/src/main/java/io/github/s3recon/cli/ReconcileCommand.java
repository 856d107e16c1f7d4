package io.github.s3recon.cli;

import io.github.s3recon.Migration;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code s3recon reconcile SRC DST}: lists and diffs both sides; writes nothing to either bucket. */
@Command(name = "reconcile", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Compare SRC with DST and report every difference; writes nothing.",
        description = "Compare SRC with DST and report every difference; writes nothing to either bucket.",
        footer = {"%nExamples:",
            "  s3recon reconcile s3://photos s3://photos-backup/2024/",
            "  s3recon reconcile --endpoint-url http://localhost:9000 --json s3://a s3://b > summary.json",
            "  s3recon reconcile --source-profile prod --destination-endpoint-url https://minio:9000 \\",
            "      --destination-profile minio --include '**/*.jpg' s3://a s3://b",
            "  s3recon reconcile --source-inventory s3://reports/inv/a/daily/2024-06-01T01-00Z/manifest.json \\",
            "      s3://a s3://b                                    # list the source from an S3 Inventory report",
            "%nThe report goes to <work-dir>/report (summary.json, differences.jsonl).",
            ExitCodes.HELP})
final class ReconcileCommand extends PairCommand {
    @Override
    int execute(Migration m, Path work) {
        return Summaries.print(m.reconcile(), work, common.json, out);
    }
}
