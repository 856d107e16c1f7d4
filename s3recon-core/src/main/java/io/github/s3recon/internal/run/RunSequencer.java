package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.Migration;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.Verification;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.internal.RunSettings;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.ObjectSource;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.source.S3BucketSource;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Runs a migration's stages in the order data flows: list both sides -> diff -> plan -> transfer
 * -> verify -> report. Each run kind is a short sequence of them:
 *
 * <ul>
 *   <li>{@link #reconcile}: list and diff ({@link DiffStage}), report ({@link ReportStage});
 *   <li>{@link #dryRun}: the same, with the plan (writes nothing to either side);
 *   <li>{@link #migrate}: list, diff and plan ({@link DiffStage}, checked by {@link PlanChecks}), transfer
 *       ({@link TransferStage}), verify ({@link VerifyStage}), report; resumed at the stage its
 *       checkpoint names ({@link Stage}, {@link ResumeState});
 *   <li>{@link #repair}: a report's plan, transfer, verify, report.
 * </ul>
 *
 * <p>Around every sequence: the work directory's lock, the run's record ({@link RunLifecycle}),
 * and the end as COMPLETED, FAILED or CANCELLED with the listeners told. One instance serves one
 * run; {@link #cancel()} may be called from any thread.
 */
public final class RunSequencer {

    /**
     * The settings' {@code listingRanges} when the user did not set it: {@link #plan()} chooses
     * from the first listing page.
     */
    public static final int CHOSEN_LISTING_RANGES = 0;

    private final RunContext run;
    private final UploadJournal uploads;
    private volatile TransferStage transfer;

    /**
     * Prepares a run.
     *
     * @param settings the migration's settings; not null
     * @param sourceSide the source as the engine lists and reads it; not null
     * @param destinationSide the destination, listed like a source; not null
     */
    public RunSequencer(RunSettings settings, ObjectSource sourceSide, ObjectSource destinationSide) {
        this.run = new RunContext(settings, sourceSide, destinationSide);
        this.uploads = new UploadJournal(run);
    }

    /**
     * Prepares a run of an S3 bucket to an S3 bucket, as the settings name them.
     *
     * @param settings the migration's settings; not null
     * @return the run, not started
     */
    public static RunSequencer of(RunSettings settings) {
        ObjectSource source = settings.sourceObject() != null ? settings.sourceObject()
                : new S3BucketSource(settings.source(), settings.sourceLister());
        return new RunSequencer(settings, source,
                new S3BucketSource(settings.destination(), settings.destinationLister()));
    }

    /**
     * Asks the run to stop: listing stops at the next key, no further copy starts, copies in flight
     * are aborted (multipart uploads are kept for a resume), the checkpoint is flushed and the run
     * ends as CANCELLED. Callable from any thread, before or during the run; returns at once.
     */
    public void cancel() {
        run.cancel();
        TransferStage t = transfer;
        if (t != null) {
            t.cancel();
        }
    }

    /**
     * Refuses to go on when the work directory holds an unfinished run these settings cannot resume
     * (another configuration that has started writing, or a checkpoint an older version wrote),
     * unless a new run is asked for.
     *
     * @param settings the migration's settings; not null
     * @throws S3ReconException {@link ErrorCode#RESUME_CONFLICT} naming what differs and what to do
     */
    public static void checkResumable(RunSettings settings) {
        RunLifecycle.checkResumable(settings);
    }

    /**
     * Plans the key ranges of a run: one when either side does not list in key order (a side that
     * does not, e.g. an S3 Inventory report, is sorted whole through the store); otherwise as many
     * as the settings ask for, or, when they do not ({@link #CHOSEN_LISTING_RANGES}), as many as the
     * first listing page of each side suggests: {@link Migration#LARGE_BUCKET_LISTING_RANGES} when
     * either side lists at least {@link Migration#FULL_FIRST_PAGE} keys (a full first page), else
     * one. The probe reads one page of each side (the destination's only when the source's is
     * short) and stops; a small bucket costs no planning requests beyond it. The source's plan may
     * return fewer ranges than asked for.
     *
     * <p>The ranges depend on the buckets' contents when not set: a run keeps them in its resume
     * state ({@link #migrate()}), so a resumed run lists the same ranges.
     *
     * @return the ranges in key order
     * @throws S3ReconException when a probe's listing fails, as the listing would
     */
    public List<KeyRange> plan() {
        if (!run.sourceSide.listsInKeyOrder() || !run.destinationSide.listsInKeyOrder()) {
            return List.of(KeyRange.ALL);
        }
        int ranges = run.settings.listingRanges();
        if (ranges == CHOSEN_LISTING_RANGES) {
            ranges = firstPageFull(run.sourceSide) || firstPageFull(run.destinationSide)
                    ? Migration.LARGE_BUCKET_LISTING_RANGES : Migration.DEFAULT_LISTING_RANGES;
        }
        return ranges <= 1 ? List.of(KeyRange.ALL) : run.sourceSide.plan(ranges);
    }

    /** Whether a side lists at least a full first page of keys; reads that much and stops the listing. */
    private static boolean firstPageFull(ObjectSource side) {
        try (Stream<ObjectEntry> entries = side.list(KeyRange.ALL)) {
            return entries.limit(Migration.FULL_FIRST_PAGE).count() >= Migration.FULL_FIRST_PAGE;
        }
    }

    /**
     * Reconciles: lists and diffs both sides, reports.
     *
     * @param only the ranges, in key order, or null to plan them
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult reconcile(List<KeyRange> only) {
        return guarded("reconciliation", RunKind.RECONCILE, lifecycle -> {
            Comparison c = listAndDiff(lifecycle, DiffPass.RECONCILE, only != null ? only : plan(), null);
            return ReportStage.run(run, lifecycle, uploads, terminal(c), c, Verification.CHECKSUM, null);
        });
    }

    /**
     * Plans: lists and diffs like a reconcile and derives the fix plan; writes nothing to either side.
     *
     * @return the plan
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public FixPlan dryRun() {
        FixPlan[] plan = new FixPlan[1];
        guarded("planning", RunKind.PLAN, lifecycle -> {
            Comparison c = listAndDiff(lifecycle, DiffPass.PLAN, plan(), "fix-plan.jsonl");
            plan[0] = c.plan();
            return ReportStage.run(run, lifecycle, uploads, terminal(c), c, Verification.CHECKSUM, null);
        });
        return plan[0];
    }

    /**
     * Runs a migration: lists and diffs, copies and deletes what the plan says, verifies, reports.
     * An unfinished run of the same configuration in the work directory is resumed at its stage.
     *
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult migrate() {
        return migrate(null);
    }

    /**
     * Runs a migration of some ranges only (a shard), as {@link #migrate()}.
     *
     * @param only the ranges, in key order, or null to plan them
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult migrate(List<KeyRange> only) {
        TransferScheduler scheduler = requireScheduler();
        checkResumable(run.settings);
        return guarded("migration", RunKind.RUN, lifecycle -> {
            ResumeState at = lifecycle.resume();
            if (at.ranges() == null) {
                lifecycle.save(at.withRanges(only != null ? only : plan())); // a resume lists the same ranges
            }
            List<KeyRange> ranges = lifecycle.resume().ranges();
            if (lifecycle.resume().stage() == Stage.PLAN) {
                Comparison before = listAndDiff(lifecycle, DiffPass.BEFORE, ranges, "planned.jsonl");
                PlanChecks.checkDeletes(run, lifecycle.directory(), before.plan(), before.source().objects(),
                        before.destination().objects());
                lifecycle.save(lifecycle.resume().planned(before, RangeFiles.size(before.plan().file())));
                RangeFiles.delete(lifecycle.directory(), ranges.size());
            } else if (lifecycle.resume().stage() == Stage.TRANSFER) {
                ResumeState s = lifecycle.resume();
                PlanChecks.checkPlanFile(lifecycle.id(), s.before(), s.planBytes());
            }
            Comparison before = lifecycle.resume().before();
            if (lifecycle.resume().stage() == Stage.TRANSFER) {
                TransferOutcome outcome = transferStage(lifecycle).run(scheduler, before.plan(),
                        before.source().objects(), before);
                lifecycle.save(lifecycle.resume().transferred(outcome));
            }
            TransferOutcome outcome = lifecycle.resume().transfer();
            VerifyStage.Verified v = VerifyStage.run(run, lifecycle, ranges, before, outcome);
            return ReportStage.run(run, lifecycle, uploads, v.terminal(), v.comparison(), v.verification(), outcome);
        });
    }

    /**
     * Repairs: applies the fix plan of a report of this migration's locations, verifies, reports.
     *
     * @param report the report; not null
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult repair(ReconciliationReport report) {
        TransferScheduler scheduler = requireScheduler();
        LocationSummary ours = run.settings.sourceSummary(0, 0);
        if (!report.source().bucket().equals(ours.bucket())
                || !report.source().prefix().equals(ours.prefix())
                || !report.destination().bucket().equals(run.destination.bucket())
                || !report.destination().prefix().equals(run.destination.prefix())) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the report is of s3://"
                    + report.source().bucket() + "/" + report.source().prefix() + " -> s3://"
                    + report.destination().bucket() + "/" + report.destination().prefix()
                    + ", not of this migration (" + run.settings.sourceName() + " -> " + run.destination
                    + "): repair it with a migration of the report's locations");
        }
        return guarded("repair", RunKind.REPAIR, lifecycle -> {
            FixPlan plan = FixPlan.of(report, run.settings.overwrite(), run.settings.deleteExtraneous(),
                    lifecycle.directory().resolve("planned.jsonl"));
            PlanChecks.checkDeletes(run, lifecycle.directory(), plan, report.source().objects(),
                    report.destination().objects());
            TransferOutcome outcome = transferStage(lifecycle).run(scheduler, plan, report.source().objects(), null);
            VerifyStage.Verified v = VerifyStage.run(run, lifecycle, plan(), null, outcome);
            return ReportStage.run(run, lifecycle, uploads, v.terminal(), v.comparison(), v.verification(), outcome);
        });
    }

    // ---- the stages' frame --------------------------------------------------------------------

    /** Lists and diffs a pass (planning when a plan file is named), then tells the listeners its differences. */
    private Comparison listAndDiff(RunLifecycle lifecycle, DiffPass pass, List<KeyRange> ranges, String planName) {
        lifecycle.transition(MigrationState.LISTING);
        String differences = pass == DiffPass.BEFORE ? "differences-before.jsonl" : "differences.jsonl";
        Comparison c = new DiffStage(run, lifecycle, pass, Verification.CHECKSUM, planName != null).run(ranges,
                differences, planName, MigrationState.LISTING, -1);
        lifecycle.transition(MigrationState.COMPARING);
        DiffStage.deliver(run, c.differencesFile());
        return c;
    }

    private static MigrationState terminal(Comparison c) {
        return c.counts().differences() == 0 ? MigrationState.COMPLETED : MigrationState.COMPLETED_WITH_DIFFERENCES;
    }

    private TransferStage transferStage(RunLifecycle lifecycle) {
        TransferStage t = new TransferStage(run, lifecycle, uploads);
        transfer = t;
        if (run.cancelled()) {
            t.cancel();
        }
        return t;
    }

    /** The scheduler; null for a source that is not a bucket, whose copies the engine relays itself. */
    private TransferScheduler requireScheduler() {
        if (run.source == null) {
            return run.settings.scheduler();
        }
        if (run.settings.scheduler() == null) {
            throw new S3ReconException(ErrorCode.MISSING_PROVIDER, "no TransferScheduler on the class path: add the "
                    + "io.github.s3recon:s3recon-transfer dependency, or pass one to Migration.builder()"
                    + ".transferScheduler(...)");
        }
        return run.settings.scheduler();
    }

    /** A run's stages, given its lifecycle. */
    private interface Body {
        MigrationResult run(RunLifecycle lifecycle);
    }

    /**
     * Takes the work directory's lock, starts or resumes the run's record, and runs the stages; any
     * failure ends the run as FAILED, a cancel as CANCELLED.
     */
    private MigrationResult guarded(String what, RunKind kind, Body body) {
        try (WorkDirectoryLock lock = WorkDirectoryLock.acquire(run.settings.workDirectory(), run.listener,
                run.clock)) {
            RunLifecycle lifecycle;
            try {
                lifecycle = RunLifecycle.begin(run, kind, uploads);
            } catch (RuntimeException e) {
                run.listener.onFinished(new RunFinished(run.clock.instant(), MigrationState.FAILED, Duration.ZERO,
                        e instanceof S3ReconException s ? s : null));
                throw e;
            }
            try {
                lifecycle.started();
                run.checkCancelled();
                return body.run(lifecycle);
            } catch (RunContext.Cancelled e) {
                throw lifecycle.cancelled(e, uploads);
            } catch (RuntimeException | Error e) {
                if (run.cancelled() && (e instanceof DiffStage.RangesStopped
                        || e instanceof S3ReconException s && s.code() == ErrorCode.INTERRUPTED)) {
                    throw lifecycle.cancelled(e, uploads);
                }
                S3ReconException failure = e instanceof S3ReconException s ? s
                        : new S3ReconException(ErrorCode.LISTING_FAILED, what + " of " + run.settings.sourceName() + " to "
                                + run.destination + " failed: " + e, e);
                S3ReconException thrown = lifecycle.failed(failure, uploads);
                if (e instanceof Error err) {
                    throw err;
                }
                throw thrown;
            }
        }
    }
}
