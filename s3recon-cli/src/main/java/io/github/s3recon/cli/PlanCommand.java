package io.github.s3recon.cli;

import io.github.s3recon.FixPlan;
import io.github.s3recon.Migration;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code s3recon plan SRC DST}: the dry run, as JSON Lines or a shell script of aws s3 commands. */
@Command(name = "plan", mixinStandardHelpOptions = true, sortOptions = false,
        header = "The dry run: what run would copy and delete, as JSON Lines or a shell script.",
        description = {"The dry run: print what run would copy and delete, writing nothing to either bucket.",
            "JSON Lines (action, reason, key, source, destination) or a sh script of aws s3 cp/rm commands."},
        footer = {"%nExamples:",
            "  s3recon plan s3://photos s3://photos-backup/ > plan.jsonl",
            "  s3recon plan --format sh --delete s3://a s3://b > fix.sh && AWS='aws --endpoint-url http://minio:9000' sh fix.sh",
            "%nExit status: 0 the plan is empty, 1 it is not, 2 bad usage, 3 failed, 130 cancelled."})
final class PlanCommand extends PairCommand {

    /** The plan's formats. */
    enum Format { jsonl, sh }

    @Option(names = "--format", paramLabel = "FORMAT", description = "${COMPLETION-CANDIDATES} (default: jsonl)")
    Format format = Format.jsonl;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "write the plan here instead of stdout")
    Path output;

    @Override
    int execute(Migration m, Path work) {
        FixPlan plan = m.plan();
        Path target = output != null ? output : work.resolve("plan." + format);
        if (format == Format.sh) {
            plan.writeShellScript(target);
        } else {
            plan.writeJsonLines(target);
        }
        if (output == null) {
            try {
                Files.copy(target, out);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        err.println("s3recon: plan: " + Summaries.n(plan.copies()) + " copies, " + Summaries.n(plan.recopies())
                + " re-copies, " + Summaries.n(plan.deletes()) + " deletions, " + Summaries.size(plan.bytesToCopy())
                + " to copy" + (output != null ? "; written to " + output : ""));
        return plan.isEmpty() ? ExitCodes.IN_SYNC : ExitCodes.DIFFERENCES;
    }
}
