package io.github.s3recon.spark;

import io.github.s3recon.MigrationState;
import io.github.s3recon.ReconciliationReport;
import java.nio.file.Path;

/**
 * The outcome of a distributed reconcile, plan or run: one report for the whole job, written to
 * the driver's report directory ({@code summary.json}, {@code differences.jsonl} in key order, and
 * for a run {@code failures.jsonl}; for a plan {@code fix-plan.jsonl}).
 *
 * @param state the job's state: COMPLETED if every shard completed without difference or failure
 * @param report the merged report; its differences file is in {@code reportDirectory}
 * @param shards how many shards the job has
 * @param shardsRun how many shards ran as Spark tasks in this call (0 when a finished job is run again)
 * @param planned for a plan, its totals: copies, re-copies, deletions and bytes to copy; else null
 * @param reportDirectory the directory on the driver holding the report's files
 */
public record SparkResult(MigrationState state, ReconciliationReport report, int shards, int shardsRun,
        PlanTotals planned, Path reportDirectory) {

    /**
     * The totals of a distributed plan.
     *
     * @param copies objects to copy
     * @param recopies objects to copy again
     * @param deletes objects to delete
     * @param bytesToCopy bytes of the copies and re-copies
     * @param planFile the merged plan, {@code fix-plan.jsonl}, in key order
     */
    public record PlanTotals(long copies, long recopies, long deletes, long bytesToCopy, Path planFile) {
    }
}
