package io.github.s3recon.spark;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyRange;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ShardSpec;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.postgres.PostgresCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.spark.TaskContext;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * What one Spark task does: the reconcile, plan or run of one shard, on the executor, with clients
 * built there from the job's {@link S3ClientSettings} and the shard's checkpoints in the shared
 * PostgreSQL store under a scope of its own ({@code <job>/<operation>/shard-<n>}).
 *
 * <p><b>Retries.</b> A run's shard first asks the {@link ShardLedger}: a finished shard returns its
 * recorded outcome and touches neither bucket. Otherwise the shard's run resumes the unfinished
 * run its scope holds (Spark's retry on the same executor finds the work directory of the attempt
 * before it); on another machine, where that directory is missing, it starts the shard's run anew
 * ({@code newRun(true)}: the unfinished run's multipart uploads are aborted), whose listing and diff
 * leave out what the destination already has, so nothing is copied twice; what it redoes is the
 * shard's listing of both sides. A finished run marks the shard finished in the ledger, then
 * deletes its work directory.
 *
 * <p>Stateless; each call owns what it opens.
 */
final class ShardWork {

    /** The operations a task runs on its shard. */
    enum Operation { RECONCILE, PLAN, RUN }

    /** One task's input: which shard, its range, and how many deletions the driver's check allowed it. */
    record Task(int index, KeyRange range, long allowedDeletes) implements Serializable {
        private static final long serialVersionUID = 1L;
    }

    /**
     * A test's way to fail a task (local mode: the driver's JVM): asked at the start of each attempt
     * (with 0 objects copied) and after each copy; true fails the attempt.
     */
    @FunctionalInterface
    interface Fault {
        boolean failNow(int shard, int attempt, long objectsCopied);
    }

    /** Set by tests only; null otherwise. */
    static volatile Fault fault;

    private ShardWork() {
    }

    static ShardOutcome execute(JobSettings job, Operation operation, Task task) {
        ShardLedger ledger = operation == Operation.RUN ? ShardLedger.open(job.checkpoints()) : null;
        if (ledger != null) {
            Optional<ShardOutcome> done = ledger.outcome(job.jobId(), task.index());
            if (done.isPresent()) {
                return done.get();
            }
        }
        int attempt = TaskContext.get() == null ? 0 : TaskContext.get().attemptNumber();
        Fault injected = fault;
        if (injected != null && injected.failNow(task.index(), attempt, 0)) {
            throw new IllegalStateException("injected failure of shard " + task.index() + " at the start of attempt "
                    + attempt);
        }
        Path base = Path.of(job.workDirectory(), job.jobId(), operation.name().toLowerCase(Locale.ROOT));
        // A reconcile or plan keeps nothing between attempts: a directory of its own each time.
        Path workDirectory = operation == Operation.RUN ? base.resolve("shard-" + task.index())
                : base.resolve("shard-" + task.index() + "-" + UUID.randomUUID());
        boolean firstHere = !Files.isDirectory(workDirectory);
        boolean finished = false;
        S3AsyncClient source = job.sourceClient().create();
        S3AsyncClient destination = job.destinationClient().equals(job.sourceClient()) ? source
                : job.destinationClient().create();
        try (PostgresCheckpointStore shared = PostgresCheckpointStore.open(job.checkpoints().withMaximumPoolSize(2));
                CheckpointStore checkpoints = new ScopedCheckpointStore(shared,
                        job.jobId() + "/" + operation.name().toLowerCase(Locale.ROOT) + "/shard-" + task.index())) {
            S3Location from = S3Location.of(source, job.sourceBucket(), job.sourcePrefix());
            S3Location to = S3Location.of(destination, job.destinationBucket(), job.destinationPrefix());
            ShardSpec shard = ShardSpec.of(task.index(), from, to, task.range());
            AtomicReference<Migration> running = new AtomicReference<>();
            AtomicLong copied = new AtomicLong();
            MigrationListener faults = new MigrationListener() {
                @Override
                public void onObjectCopied(ObjectCopied event) {
                    if (injected != null && injected.failNow(task.index(), attempt, copied.incrementAndGet())) {
                        running.get().cancel();
                    }
                }
            };
            Migration.Builder builder = Migration.builder().source(from).destination(to).workDirectory(workDirectory)
                    .checkpointStore(checkpoints).overwrite(job.overwrite()).deleteExtraneous(job.deleteExtraneous())
                    .verification(job.verification()).listener(faults);
            if (!job.include().isEmpty()) {
                builder.include(job.include().toArray(String[]::new));
            }
            if (!job.exclude().isEmpty()) {
                builder.exclude(job.exclude().toArray(String[]::new));
            }
            if (operation == Operation.RUN) {
                // The driver checked the guards on the whole job's plan; a shard may delete no more than
                // the driver saw it plan, and may be a range the source has no key in.
                builder.maxDeletes(task.allowedDeletes()).maxDeletePercent(100).allowEmptySource(true);
                // No work directory here: an attempt before, if any, ran on another machine, whose listings and
                // plan are not here, so its run (in the shared store) cannot be resumed here, whether the attempt
                // died (RUNNING) or failed or was cancelled (FAILED, CANCELLED: resumable where its files are).
                // A new run aborts its uploads and lists the shard again; with no run before, it is the first.
                builder.newRun(firstHere);
            }
            try (Migration migration = builder.build()) {
                running.set(migration);
                ShardOutcome outcome;
                switch (operation) {
                    case RECONCILE -> outcome = ShardOutcome.of(task.index(), migration.reconcile(shard).report());
                    case PLAN -> {
                        MigrationResult r = migration.reconcile(shard);
                        outcome = ShardOutcome.of(task.index(), r.report(),
                                FixPlan.of(r.report(), job.overwrite(), job.deleteExtraneous()));
                    }
                    default -> {
                        try {
                            outcome = ShardOutcome.of(task.index(), migration.run(shard).report());
                        } catch (S3ReconException e) {
                            if (e.code() == ErrorCode.CANCELLED && injected != null) {
                                throw new IllegalStateException("injected failure of shard " + task.index()
                                        + " in attempt " + attempt, e);
                            }
                            throw e;
                        }
                        checkpoints.flush();
                        ledger.finish(job.jobId(), outcome);
                        finished = true;
                    }
                }
                return outcome;
            }
        } finally {
            source.close();
            if (destination != source) {
                destination.close();
            }
            // A run's directory stays until its shard is finished: a retry here resumes from it.
            if (operation != Operation.RUN || finished) {
                ShardFiles.deleteQuietly(workDirectory);
            }
        }
    }
}
