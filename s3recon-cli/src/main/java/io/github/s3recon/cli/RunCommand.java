package io.github.s3recon.cli;

import io.github.s3recon.Migration;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code s3recon run SRC DST}: migrates, verifies and reports; resumable. */
@Command(name = "run", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Copy what DST lacks or has different, delete extras with --delete, verify; resumable.",
        description = {"Copy what DST lacks or has different, delete extras if --delete, verify, report.",
            "Resumable: Ctrl+C saves the checkpoint; the same command again goes on from it."},
        footer = {"%nExamples:",
            "  s3recon run s3://photos s3://photos-backup/",
            "  s3recon run --endpoint-url http://localhost:9000 --delete --max-deletes 100 s3://a s3://b",
            "  s3recon run --source-endpoint-url https://s3.eu-west-1.amazonaws.com --destination-endpoint-url \\",
            "      http://minio:9000 --destination-profile minio --verification DEEP s3://a s3://b/copy/",
            "  s3recon run --engine transfer-manager --transfer-manager-clients CRT s3://a s3://b",
            ExitCodes.HELP})
final class RunCommand extends PairCommand {
    @Override
    int execute(Migration m, Path work) {
        return Summaries.print(m.run(), work, common.json, out);
    }
}
