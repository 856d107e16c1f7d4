package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixPlan;
import io.github.s3recon.S3ReconException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The plan stage's checks, before the transfer writes anything: the deletion guards on a new plan,
 * and, at a resume, that the plan file is exactly the one the checkpoint recorded.
 */
final class PlanChecks {

    private PlanChecks() {
    }

    /**
     * The deletion guards, checked before the first write: an empty source deletes nothing unless
     * allowed, and no more than maxDeletes objects nor more than maxDeletePercent of the destination.
     */
    static void checkDeletes(RunContext run, Path runDirectory, FixPlan plan, long sourceObjects,
            long destinationObjects) {
        io.github.s3recon.internal.RunSettings limits = run.settings;
        long deletes = plan.deletes();
        if (deletes == 0) {
            return;
        }
        String look = "; nothing was copied or deleted. The planned deletions are in " + plan.file()
                + " (and the differences beside it, in " + runDirectory + ")";
        if (sourceObjects == 0 && !limits.allowEmptySource()) {
            throw new S3ReconException(ErrorCode.EMPTY_SOURCE, "the source " + run.settings.sourceName() + " listed no object "
                    + "(in scope "
                    + "of the include/exclude globs), so the plan deletes all " + deletes + " objects under "
                    + run.destination + look + ". Check the source bucket, prefix, filters and credentials; to really "
                    + "empty the destination, build the migration with allowEmptySource(true), maxDeletePercent(100) "
                    + "and maxDeletes(" + deletes + ") or more");
        }
        if (deletes > limits.maxDeletes()) {
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the plan deletes " + deletes
                    + " objects from " + run.destination + ", more than maxDeletes (" + limits.maxDeletes() + ")" + look
                    + ". Check the source and the filters (a wrong or empty source deletes everything), then raise "
                    + "maxDeletes to " + deletes + " or more, or turn deleteExtraneous off");
        }
        if (limits.maxDeletePercent() < 100 && deletes * 100 > limits.maxDeletePercent() * destinationObjects) {
            long percent = (deletes * 100 + destinationObjects - 1) / Math.max(1, destinationObjects);
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the plan deletes " + deletes + " of the "
                    + destinationObjects + " objects under " + run.destination + " (" + percent + "%), more than "
                    + "maxDeletePercent (" + limits.maxDeletePercent() + "%)" + look + ". Check the source and the "
                    + "filters, then raise maxDeletePercent to " + Math.min(100, percent) + " or more, or turn "
                    + "deleteExtraneous off");
        }
    }

    /**
     * Before a resumed run copies from its plan: the plan file must hold exactly what the checkpoint
     * recorded, or the run would copy less than it planned and still report success.
     */
    static void checkPlanFile(String runId, Comparison before, long recordedBytes) {
        FixPlan plan = before.plan();
        Path file = plan.file();
        long records = plan.copies() + plan.recopies() + plan.deletes();
        String fix = ": it was deleted, moved or damaged since the run stopped. Start the run again from its "
                + "listing with Migration.builder().newRun(true) (nothing already copied is copied twice: the new "
                + "plan leaves out what the destination has)";
        if (!Files.isRegularFile(file)) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "the plan file " + file + " of run " + runId
                    + " (" + records + " actions) is missing" + fix);
        }
        long size;
        long lines = 0;
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            size = Files.size(file);
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                for (int i = 0; i < n; i++) {
                    if (buffer[i] == '\n') {
                        lines++;
                    }
                }
            }
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "the plan file " + file + " of run " + runId
                    + " cannot be read (" + e + ")" + fix, e);
        }
        if ((recordedBytes >= 0 && size != recordedBytes) || lines != records) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "the plan file " + file + " of run " + runId
                    + " holds " + lines + " actions in " + size + " bytes, but the checkpoint recorded " + records
                    + " actions" + (recordedBytes >= 0 ? " in " + recordedBytes + " bytes" : "") + fix);
        }
    }
}
