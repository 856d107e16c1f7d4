package io.github.s3recon.cli;

import io.github.s3recon.Migration;
import io.github.s3recon.ValidationReport;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;

/** {@code s3recon validate SRC DST}: checks credentials and permissions before a run. */
@Command(name = "validate", mixinStandardHelpOptions = true, sortOptions = false,
        header = "Check credentials and permissions on both sides before a run.",
        description = {"Check before a run: credentials, list and read the source, write, read and delete a probe",
            "object in DST, versioning and object lock on both. Each check PASS/FAIL/WARN/SKIPPED with a hint."},
        footer = {"%nExamples:",
            "  s3recon validate s3://photos s3://photos-backup/",
            "  s3recon validate --delete --json s3://a s3://b",
            "%nExit status: 0 every check passed (warnings allowed), 2 bad usage, 3 a check failed."})
final class ValidateCommand extends PairCommand {
    @Override
    int execute(Migration m, Path work) {
        ValidationReport report = m.validate();
        if (common.json) {
            Path file = work.resolve("validation.json");
            report.writeJson(file);
            try {
                Files.copy(file, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            out.println();
        } else {
            out.println(report.describe());
        }
        return report.passed() ? ExitCodes.IN_SYNC : ExitCodes.FAILED;
    }
}
