package io.github.s3recon.spark;

import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferSummary;
import io.github.s3recon.Verification;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Merges the shards' outcomes, given in shard order, into one report on the driver: one
 * {@code differences.jsonl} (the shards' files one after the other: shards are contiguous key
 * ranges in key order, so the result is in key order), one {@code failures.jsonl} for a run, one
 * {@code fix-plan.jsonl} for a plan, and the sums of every count; then {@code summary.json}. Holds
 * one shard's outcome at a time. Not thread-safe: the driver's thread uses it.
 */
final class ReportMerger implements AutoCloseable {

    private final Path directory;
    private final JobSettings job;
    private final boolean run;
    private final OutputStream differences;
    private final OutputStream failures;
    private final OutputStream actions;
    private int next;
    private long sourceObjects;
    private long sourceBytes;
    private long destinationObjects;
    private long destinationBytes;
    private final long[] counts = new long[7];
    private final long[] transfer = new long[13];
    private final long[] plan = new long[4];
    private final Map<MatchRule, Long> matched = new EnumMap<>(MatchRule.class);
    private Instant startedAt;
    private Instant finishedAt;
    private boolean allCompleted = true;

    ReportMerger(Path directory, JobSettings job, boolean run) {
        this.directory = directory;
        this.job = job;
        this.run = run;
        try {
            Files.createDirectories(directory);
            differences = new BufferedOutputStream(Files.newOutputStream(directory.resolve("differences.jsonl")));
            failures = new BufferedOutputStream(Files.newOutputStream(directory.resolve("failures.jsonl")));
            actions = new BufferedOutputStream(Files.newOutputStream(directory.resolve("fix-plan.jsonl")));
        } catch (IOException e) {
            throw failure(e);
        }
    }

    /** Adds the next shard's outcome; shards must come in index order, each once. */
    void add(ShardOutcome o) {
        if (o.index != next) {
            throw new IllegalStateException("shard " + o.index + " came where shard " + next + " was due");
        }
        next++;
        try {
            ShardOutcome.gunzipTo(o.differences, differences);
            ShardOutcome.gunzipTo(o.failures, failures);
            ShardOutcome.gunzipTo(o.actions, actions);
        } catch (IOException e) {
            throw failure(e);
        }
        sourceObjects += o.sourceObjects;
        sourceBytes += o.sourceBytes;
        destinationObjects += o.destinationObjects;
        destinationBytes += o.destinationBytes;
        add(counts, o.counts);
        if (o.transfer != null) {
            add(transfer, o.transfer);
        }
        if (o.plan != null) {
            add(plan, o.plan);
        }
        ShardOutcome.sum(matched, o.matchedByRule);
        startedAt = startedAt == null || o.startedAt.isBefore(startedAt) ? o.startedAt : startedAt;
        finishedAt = finishedAt == null || o.finishedAt.isAfter(finishedAt) ? o.finishedAt : finishedAt;
        allCompleted &= o.state == MigrationState.COMPLETED;
    }

    /** The plan's totals: copies, recopies, deletes, bytes to copy. */
    long[] plan() {
        return plan.clone();
    }

    /** Closes the files and writes {@code summary.json}; returns the whole job's report. */
    ReconciliationReport finish(Instant now) {
        close();
        Instant start = startedAt == null ? now : startedAt;
        Instant end = finishedAt == null ? now : finishedAt;
        DifferenceCounts c = new DifferenceCounts(counts[0], counts[1], counts[2], counts[3], counts[4], counts[5],
                counts[6]);
        MigrationState state = allCompleted && c.differences() == 0 && transfer[4] == 0 ? MigrationState.COMPLETED
                : MigrationState.COMPLETED_WITH_DIFFERENCES;
        TransferSummary t = !run ? null : new TransferSummary(transfer[0], transfer[1], transfer[2], transfer[3],
                transfer[4], transfer[5], transfer[6], transfer[7], transfer[8], transfer[9],
                directory.resolve("failures.jsonl"), transfer[10], List.of(), transfer[11], transfer[12]);
        ReconciliationReport report = new ReconciliationReport(state,
                new LocationSummary(job.sourceBucket(), job.sourcePrefix(), sourceObjects, sourceBytes),
                new LocationSummary(job.destinationBucket(), job.destinationPrefix(), destinationObjects,
                        destinationBytes), c, matched, start, end, directory.resolve("differences.jsonl"),
                run ? job.verification() : Verification.CHECKSUM, t);
        report.writeJson(directory);
        return report;
    }

    @Override
    public void close() {
        try {
            differences.close();
            failures.close();
            actions.close();
        } catch (IOException e) {
            throw failure(e);
        }
    }

    private static void add(long[] into, long[] more) {
        for (int i = 0; i < into.length; i++) {
            into[i] += more[i];
        }
    }

    private S3ReconException failure(IOException e) {
        return new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write the job's report into " + directory + ": "
                + e + " (check that the driver can write there, with free space)", e);
    }
}
