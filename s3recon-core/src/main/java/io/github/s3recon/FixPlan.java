package io.github.s3recon;

import io.github.s3recon.internal.DifferencesJson;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Objects;
import java.util.stream.Stream;

/**
 * What a migration would copy, re-copy and delete to make the destination match the source: the
 * result of {@link Migration#plan()} (nothing written), or of {@link #of(ReconciliationReport,
 * OverwritePolicy, boolean)} for any report. The actions stay on disk, in key order, and are
 * streamed on demand, so a plan of ten million actions costs no heap.
 *
 * <p>Immutable and thread-safe.
 */
public final class FixPlan {

    private final String sourceBucket;
    private final String sourcePrefix;
    private final String destinationBucket;
    private final String destinationPrefix;
    private final Path file;
    private final long copies;
    private final long recopies;
    private final long deletes;
    private final long bytesToCopy;

    /**
     * Creates a plan over a file of actions that has been written already. For engines and tests;
     * users get plans from {@link Migration#plan()} and {@link #of}.
     *
     * @param source the source's bucket and prefix; not null
     * @param destination the destination's bucket and prefix; not null
     * @param file the JSON Lines file of actions, in key order; not null (may not exist when empty)
     * @param copies the number of COPY actions
     * @param recopies the number of RECOPY actions
     * @param deletes the number of DELETE actions
     * @param bytesToCopy the bytes of the source objects to copy and re-copy
     */
    public FixPlan(LocationSummary source, LocationSummary destination, Path file, long copies, long recopies,
            long deletes, long bytesToCopy) {
        this.sourceBucket = source.bucket();
        this.sourcePrefix = source.prefix();
        this.destinationBucket = destination.bucket();
        this.destinationPrefix = destination.prefix();
        this.file = Objects.requireNonNull(file, "file");
        this.copies = copies;
        this.recopies = recopies;
        this.deletes = deletes;
        this.bytesToCopy = bytesToCopy;
    }

    /**
     * Derives the plan that fixes a report's differences under a policy, streaming them; the plan's
     * file is written next to the report's differences ({@code fix-plan.jsonl}). A report lists no
     * matched key, so under {@link OverwritePolicy#ALWAYS} this plan re-copies only the differing
     * ones, as {@link OverwritePolicy#IF_DIFFERENT} does; {@link Migration#plan()} re-copies all.
     *
     * @param report the report; not null
     * @param overwrite which differing objects to replace; not null
     * @param deleteExtraneous whether to delete the destination objects the source does not have
     * @return the plan
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code report} or
     *     {@code overwrite} is null, {@link ErrorCode#REPORT_FAILED} if the file cannot be written
     */
    public static FixPlan of(ReconciliationReport report, OverwritePolicy overwrite, boolean deleteExtraneous) {
        S3ReconException.requireSetting(report, "report");
        return of(report, overwrite, deleteExtraneous, report.differencesFile().resolveSibling("fix-plan.jsonl"));
    }

    /**
     * Derives the plan that fixes a report's differences under a policy into a file of the caller's choice.
     *
     * @param report the report; not null
     * @param overwrite which differing objects to replace; not null
     * @param deleteExtraneous whether to delete the destination objects the source does not have
     * @param file the JSON Lines file to write the actions to, replaced; not null
     * @return the plan
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code report},
     *     {@code overwrite} or {@code file} is null, {@link ErrorCode#REPORT_FAILED} if the file cannot
     *     be written
     */
    public static FixPlan of(ReconciliationReport report, OverwritePolicy overwrite, boolean deleteExtraneous,
            Path file) {
        S3ReconException.requireSetting(report, "report");
        S3ReconException.requireSetting(overwrite, "overwrite");
        S3ReconException.requireSetting(file, "file");
        long copies = 0;
        long recopies = 0;
        long deletes = 0;
        long bytes = 0;
        try (Stream<Difference> differences = report.differences();
                DifferencesJson.Writer writer = new DifferencesJson.Writer(file)) {
            for (Iterator<Difference> it = differences.iterator(); it.hasNext();) {
                FixAction a = FixAction.of(it.next(), overwrite, deleteExtraneous);
                if (a == null) {
                    continue;
                }
                writer.write(a);
                switch (a.action()) {
                    case COPY -> copies++;
                    case RECOPY -> recopies++;
                    case DELETE -> deletes++;
                }
                if (a.action() != TransferAction.DELETE) {
                    bytes += a.source().size();
                }
            }
        }
        return new FixPlan(report.source(), report.destination(), file, copies, recopies, deletes, bytes);
    }

    /**
     * Streams the actions in key order, from disk. The caller closes the stream.
     *
     * @return the actions
     */
    public Stream<FixAction> actions() {
        return DifferencesJson.readActions(file);
    }

    /**
     * Returns the number of keys to copy that the destination lacks.
     *
     * @return the count
     */
    public long copies() {
        return copies;
    }

    /**
     * Returns the number of keys to copy over a differing (or unproved) destination object.
     *
     * @return the count
     */
    public long recopies() {
        return recopies;
    }

    /**
     * Returns the number of destination objects to delete.
     *
     * @return the count
     */
    public long deletes() {
        return deletes;
    }

    /**
     * Returns the bytes to copy and re-copy.
     *
     * @return the bytes
     */
    public long bytesToCopy() {
        return bytesToCopy;
    }

    /**
     * Returns whether the plan has no action.
     *
     * @return true if there is nothing to do
     */
    public boolean isEmpty() {
        return copies + recopies + deletes == 0;
    }

    /**
     * Returns the JSON Lines file that holds the actions.
     *
     * @return the file; it may not exist when the plan is empty
     */
    public Path file() {
        return file;
    }

    /**
     * Writes the actions as JSON Lines ({@code action}, {@code reason}, {@code key}, {@code source},
     * {@code destination}), replacing the file.
     *
     * @param target the file to write; not null
     * @throws S3ReconException with {@link ErrorCode#REPORT_FAILED} if it cannot be written
     */
    public void writeJsonLines(Path target) {
        Objects.requireNonNull(target, "target");
        try {
            if (Files.exists(file)) {
                Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
            } else {
                Files.write(target, new byte[0]);
            }
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write the fix plan to " + target + ": " + e
                    + " (check that the directory exists and is writable)", e);
        }
    }

    /**
     * Writes the actions as a POSIX shell script of {@code aws s3 cp} and {@code aws s3 rm}
     * commands, one per action, keys single-quoted. The command is taken from the {@code AWS}
     * variable, so that {@code AWS="aws --endpoint-url https://minio.example:9000" sh fix.sh}
     * runs it against another endpoint; {@code aws s3 cp} between two buckets needs both on one
     * endpoint.
     *
     * @param target the file to write; not null
     * @throws S3ReconException with {@link ErrorCode#REPORT_FAILED} if it cannot be written
     */
    public void writeShellScript(Path target) {
        Objects.requireNonNull(target, "target");
        try (BufferedWriter out = Files.newBufferedWriter(target, StandardCharsets.UTF_8);
                Stream<FixAction> actions = actions()) {
            out.write("#!/bin/sh\n");
            out.write("# s3recon fix plan: " + copies + " copies, " + recopies + " re-copies, " + deletes
                    + " deletions\n");
            out.write(comment("from s3://" + sourceBucket + "/" + sourcePrefix + " to s3://" + destinationBucket
                    + "/" + destinationPrefix));
            out.write("set -eu\nAWS=\"${AWS:-aws}\"\n");
            for (Iterator<FixAction> it = actions.iterator(); it.hasNext();) {
                FixAction a = it.next();
                String to = quote("s3://" + destinationBucket + "/" + destinationPrefix + a.key());
                if (a.action() == TransferAction.DELETE) {
                    out.write("$AWS s3 rm " + to + "\n");
                } else {
                    out.write("$AWS s3 cp " + quote("s3://" + sourceBucket + "/" + sourcePrefix + a.key()) + " "
                            + to + "\n");
                }
            }
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write the fix plan script to " + target
                    + ": " + e + " (check that the directory exists and is writable)", e);
        }
    }

    /**
     * A comment line. A prefix may hold a newline, which would end the comment and run the rest as
     * a command: control characters are shown as {@code ?}.
     */
    private static String comment(String text) {
        StringBuilder line = new StringBuilder("# ");
        text.codePoints().forEach(c -> line.appendCodePoint(Character.isISOControl(c) ? '?' : c));
        return line.append('\n').toString();
    }

    /** Single-quotes a word for sh: nothing inside single quotes is special but the quote itself. */
    private static String quote(String word) {
        return "'" + word.replace("'", "'\\''") + "'";
    }

    @Override
    public String toString() {
        return "FixPlan[" + copies + " copies, " + recopies + " re-copies, " + deletes + " deletions, "
                + bytesToCopy + " bytes]";
    }
}
