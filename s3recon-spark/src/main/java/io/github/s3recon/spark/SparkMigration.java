package io.github.s3recon.spark;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.Migration;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ShardSpec;
import io.github.s3recon.Verification;
import io.github.s3recon.postgres.PostgresSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.storage.StorageLevel;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A migration spread over an Apache Spark cluster. The driver splits the source's key space into
 * shards (contiguous key ranges, many more than executors, so that stragglers even out), each shard
 * is reconciled, planned or run by a Spark task with the single-JVM engine, and the driver merges
 * the shards' outcomes into one report:
 *
 * <pre>{@code
 * SparkMigration job = SparkMigration.builder().jobId("archive-2026-12")
 *         .source("old-bucket", "data/", S3ClientSettings.defaultChain())
 *         .destination("new-bucket", "data/", S3ClientSettings.profile("target"))
 *         .checkpoints(PostgresSettings.fromEnvironment())
 *         .build();
 * SparkResult result = job.run(JavaSparkContext.fromSparkContext(spark.sparkContext()));
 * }</pre>
 *
 * <p><b>Nothing secret in a task.</b> Tasks carry the settings only: each JVM builds its clients
 * from {@link S3ClientSettings} and reads the PostgreSQL password from its own environment.
 *
 * <p><b>Shared state.</b> Shards keep their checkpoints in one PostgreSQL schema that every
 * executor reaches (each shard's runs under a scope of its own), and a run's job keeps its shards'
 * ranges and which of them finished there too. A driver that fails runs the job again (same
 * {@code jobId}) and skips the shards that finished; a finished job run again runs no task and
 * returns the same report.
 *
 * <p><b>What a retried task redoes.</b> A task that fails is retried by Spark. On the machine of
 * the failed attempt, the retry resumes the shard's run from its checkpoints and the attempt's work
 * directory: it copies only what the shard's task journal does not mark done. On another machine
 * the attempt's listings and plan (local files of its work directory) are missing, so the retry
 * starts the shard's run anew: it aborts the multipart uploads the attempt left unfinished, lists
 * the shard's key range on both sides again and diffs it; what the attempt copied is in the
 * destination and matches, so it is not written again. A retry elsewhere therefore costs one
 * shard's listing of both sides and the parts of the uploads that were in flight, never a second
 * write of a finished object.
 *
 * <p><b>Guards.</b> With {@link Builder#deleteExtraneous(boolean)}, {@link #run} first plans every
 * unfinished shard (a distributed plan, which writes nothing) and checks the deletion guards
 * ({@code maxDeletes}, {@code maxDeletePercent}, an empty source) on the whole job's plan on the
 * driver, before any task writes; each shard may then delete no more than the driver saw it plan.
 *
 * <p>Turn Spark's speculative execution off for runs ({@code spark.speculation=false}, the
 * default): two attempts of one shard on two machines would copy at once. Immutable and
 * thread-safe; one call at a time per job id.
 */
public final class SparkMigration {

    /** Shards per task slot when {@link Builder#shards(int)} is not set. */
    public static final int DEFAULT_SHARDS_PER_SLOT = 4;

    private final JobSettings job;
    private final Path reportDirectory;

    private SparkMigration(JobSettings job, Path reportDirectory) {
        this.job = job;
        this.reportDirectory = reportDirectory;
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with every option at its default
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Reconciles every shard as a Spark task and merges their reports; writes nothing to either bucket.
     *
     * @param spark the job's Spark context; not null
     * @return the job's report, the same as a single-JVM reconcile's (counts and differences)
     * @throws S3ReconException as {@link Migration#reconcile()}, or when a task failed for good
     */
    public SparkResult reconcile(JavaSparkContext spark) {
        S3ReconException.requireSetting(spark, "spark");
        List<KeyRange> ranges = planRanges(spark);
        return collected(spark, ShardWork.Operation.RECONCILE, ranges, "reconcile");
    }

    /**
     * Plans every shard as a Spark task (the differences and what would fix them) and merges the
     * plans in key order; writes nothing to either bucket.
     *
     * @param spark the job's Spark context; not null
     * @return the job's report with {@link SparkResult#planned()}
     * @throws S3ReconException as {@link Migration#plan()}, or when a task failed for good
     */
    public SparkResult plan(JavaSparkContext spark) {
        S3ReconException.requireSetting(spark, "spark");
        return collected(spark, ShardWork.Operation.PLAN, planRanges(spark), "plan");
    }

    /**
     * Runs the job: every unfinished shard's run (list, diff, copy, delete, verify) as a Spark
     * task, then one report. The shards' ranges are planned when the job first runs and kept.
     *
     * @param spark the job's Spark context; not null
     * @return the job's report; {@link SparkResult#shardsRun()} is 0 when the job had finished before
     * @throws S3ReconException {@link ErrorCode#TOO_MANY_DELETES} or {@link ErrorCode#EMPTY_SOURCE}
     *     before any task writes, {@link ErrorCode#RESUME_CONFLICT} if the job id ran with another
     *     configuration, or what a task failed with for good
     */
    public SparkResult run(JavaSparkContext spark) {
        S3ReconException.requireSetting(spark, "spark");
        ShardLedger ledger = ShardLedger.open(job.checkpoints());
        String hash = job.configurationHash();
        List<KeyRange> ranges = ledger.ranges(job.jobId(), hash).orElse(null);
        if (ranges == null) {
            List<KeyRange> planned = planRanges(spark);
            // Another driver may have recorded the job meanwhile: its ranges win.
            ranges = ledger.create(job.jobId(), hash, planned) ? planned
                    : ledger.ranges(job.jobId(), hash).orElseThrow();
        }
        BitSet finished = ledger.finished(job.jobId());
        List<ShardWork.Task> todo = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            if (!finished.get(i)) {
                todo.add(new ShardWork.Task(i, ranges.get(i), 0));
            }
        }
        if (job.deleteExtraneous() && !todo.isEmpty()) {
            todo = guarded(spark, ledger, ranges.size(), finished, todo);
        }
        if (!todo.isEmpty()) {
            JobSettings settings = job;
            spark.setJobGroup("s3recon-" + job.jobId(), "s3recon run of " + todo.size() + " shards", false);
            spark.parallelize(todo, todo.size()).map(t -> ShardWork.execute(settings, ShardWork.Operation.RUN, t))
                    .map(o -> o.index).collect();
        }
        Path directory = reportDirectory.resolve("run");
        try (ReportMerger merger = new ReportMerger(directory, job, true)) {
            for (int i = 0; i < ranges.size(); i++) {
                int index = i;
                merger.add(ledger.outcome(job.jobId(), i).orElseThrow(() -> new S3ReconException(
                        ErrorCode.STORE_FAILED, "shard " + index + " of job '" + job.jobId() + "' ran but is not"
                                + " marked finished in " + job.checkpoints().describe() + ": run the job again")));
            }
            ReconciliationReport report = merger.finish(Instant.now());
            return new SparkResult(report.state(), report, ranges.size(), todo.size(), null, directory);
        }
    }

    /** The distributed plan of the unfinished shards and the deletion guards on the whole job's plan. */
    private List<ShardWork.Task> guarded(JavaSparkContext spark, ShardLedger ledger, int shards, BitSet finished,
            List<ShardWork.Task> todo) {
        JobSettings settings = job;
        List<long[]> planned = spark.parallelize(todo, todo.size())
                .map(t -> {
                    ShardOutcome o = ShardWork.execute(settings, ShardWork.Operation.PLAN, t);
                    return new long[] {o.index, o.plannedDeletes(), o.sourceObjects, o.destinationObjects};
                }).collect();
        long deletes = 0;
        long sourceObjects = 0;
        long destinationObjects = 0;
        long[] allowed = new long[shards];
        for (long[] p : planned) {
            allowed[(int) p[0]] = p[1];
            deletes += p[1];
            sourceObjects += p[2];
            destinationObjects += p[3];
        }
        for (int i = finished.nextSetBit(0); i >= 0; i = finished.nextSetBit(i + 1)) {
            Optional<ShardOutcome> done = ledger.outcome(job.jobId(), i);
            if (done.isPresent()) {
                sourceObjects += done.get().sourceObjects;
                destinationObjects += done.get().destinationObjects;
            }
        }
        DeletionGuards.check(job, deletes, sourceObjects, destinationObjects);
        List<ShardWork.Task> checked = new ArrayList<>(todo.size());
        for (ShardWork.Task t : todo) {
            checked.add(new ShardWork.Task(t.index(), t.range(), allowed[t.index()]));
        }
        return checked;
    }

    /** A reconcile or plan: tasks' outcomes kept by Spark, then read back one shard at a time, in order. */
    private SparkResult collected(JavaSparkContext spark, ShardWork.Operation operation, List<KeyRange> ranges,
            String name) {
        List<ShardWork.Task> tasks = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            tasks.add(new ShardWork.Task(i, ranges.get(i), 0));
        }
        JobSettings settings = job;
        spark.setJobGroup("s3recon-" + job.jobId(), "s3recon " + name + " of " + tasks.size() + " shards", false);
        JavaRDD<ShardOutcome> outcomes = spark.parallelize(tasks, tasks.size())
                .map(t -> ShardWork.execute(settings, operation, t)).persist(StorageLevel.MEMORY_AND_DISK());
        try {
            outcomes.count(); // every shard at once; then read back one partition at a time
            Path directory = reportDirectory.resolve(name);
            try (ReportMerger merger = new ReportMerger(directory, job, false)) {
                for (Iterator<ShardOutcome> it = outcomes.toLocalIterator(); it.hasNext();) {
                    merger.add(it.next());
                }
                ReconciliationReport report = merger.finish(Instant.now());
                long[] p = merger.plan();
                SparkResult.PlanTotals totals = operation == ShardWork.Operation.PLAN
                        ? new SparkResult.PlanTotals(p[0], p[1], p[2], p[3], directory.resolve("fix-plan.jsonl"))
                        : null;
                return new SparkResult(report.state(), report, ranges.size(), ranges.size(), totals, directory);
            }
        } finally {
            outcomes.unpersist(false);
        }
    }

    /** Plans the shards on the driver from the source's shape (see {@link Migration#shards()}). */
    private List<KeyRange> planRanges(JavaSparkContext spark) {
        int shards = job.shards() > 0 ? job.shards()
                : Math.max(1, DEFAULT_SHARDS_PER_SLOT * spark.defaultParallelism());
        S3AsyncClient source = job.sourceClient().create();
        S3AsyncClient destination = job.destinationClient().equals(job.sourceClient()) ? source
                : job.destinationClient().create();
        Path directory = null;
        try {
            directory = Files.createTempDirectory("s3recon-spark-plan");
            try (Migration planner = Migration.builder()
                    .source(S3Location.of(source, job.sourceBucket(), job.sourcePrefix()))
                    .destination(S3Location.of(destination, job.destinationBucket(), job.destinationPrefix()))
                    .workDirectory(directory).listingRanges(shards).build()) {
                List<KeyRange> ranges = new ArrayList<>();
                for (ShardSpec shard : planner.shards()) {
                    ranges.add(shard.range());
                }
                return ranges;
            }
        } catch (java.io.IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot create a temporary directory on"
                    + " the driver to plan the shards: " + e + " (set java.io.tmpdir to a writable directory)", e);
        } finally {
            source.close();
            if (destination != source) {
                destination.close();
            }
            if (directory != null) {
                ShardFiles.deleteQuietly(directory);
            }
        }
    }

    /**
     * Builds a {@link SparkMigration}. Setters check their input at once; {@link #build()} checks
     * that the required settings are there. Not thread-safe.
     */
    public static final class Builder {

        private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

        private String jobId;
        private String sourceBucket;
        private String sourcePrefix = "";
        private S3ClientSettings sourceClient;
        private String destinationBucket;
        private String destinationPrefix = "";
        private S3ClientSettings destinationClient;
        private PostgresSettings checkpoints;
        private String workDirectory = Path.of(System.getProperty("java.io.tmpdir"), "s3recon-spark").toString();
        private Path reportDirectory;
        private int shards;
        private OverwritePolicy overwrite = OverwritePolicy.IF_DIFFERENT;
        private boolean deleteExtraneous;
        private long maxDeletes = Migration.DEFAULT_MAX_DELETES;
        private int maxDeletePercent = Migration.DEFAULT_MAX_DELETE_PERCENT;
        private boolean allowEmptySource;
        private Verification verification = Verification.CHECKSUM;
        private List<String> include = List.of();
        private List<String> exclude = List.of();

        private Builder() {
        }

        /**
         * Names the job: its shards' state in PostgreSQL is kept under this id, so that the same id
         * run again resumes it. Required.
         *
         * @param id letters, digits, {@code .}, {@code _} and {@code -}, at most 100, starting with a
         *     letter or digit
         * @return this builder
         */
        public Builder jobId(String id) {
            if (id == null || !JOB_ID.matcher(id).matches()) {
                throw S3ReconException.invalidConfiguration("jobId", id, "must be 1 to 100 letters, digits, '.', '_'"
                        + " or '-', starting with a letter or digit");
            }
            this.jobId = id;
            return this;
        }

        /**
         * Sets the source. Required.
         *
         * @param bucket the bucket; not blank
         * @param prefix the prefix; not null, may be empty
         * @param client how each JVM builds the source's client; not null
         * @return this builder
         */
        public Builder source(String bucket, String prefix, S3ClientSettings client) {
            this.sourceBucket = bucket(bucket, "source bucket");
            this.sourcePrefix = S3ReconException.requireSetting(prefix, "source prefix");
            this.sourceClient = S3ReconException.requireSetting(client, "source client");
            return this;
        }

        /**
         * Sets the destination. Required.
         *
         * @param bucket the bucket; not blank
         * @param prefix the prefix; not null, may be empty
         * @param client how each JVM builds the destination's client; not null
         * @return this builder
         */
        public Builder destination(String bucket, String prefix, S3ClientSettings client) {
            this.destinationBucket = bucket(bucket, "destination bucket");
            this.destinationPrefix = S3ReconException.requireSetting(prefix, "destination prefix");
            this.destinationClient = S3ReconException.requireSetting(client, "destination client");
            return this;
        }

        /**
         * Sets the PostgreSQL schema every JVM of the job keeps the checkpoints in. Required.
         *
         * @param settings the settings (no password: each JVM reads it from its environment); not null
         * @return this builder
         */
        public Builder checkpoints(PostgresSettings settings) {
            this.checkpoints = S3ReconException.requireSetting(settings, "checkpoints");
            return this;
        }

        /**
         * Sets the local directory, on each executor, under which shards keep their work files
         * ({@code <dir>/<jobId>/<operation>/shard-<n>}); {@code java.io.tmpdir}/s3recon-spark by
         * default. A run's shard deletes its directory once finished.
         *
         * @param directory an absolute path valid on every executor; not blank
         * @return this builder
         */
        public Builder workDirectory(String directory) {
            if (directory == null || directory.isBlank() || !Path.of(directory).isAbsolute()) {
                throw S3ReconException.invalidConfiguration("workDirectory", directory, "must be an absolute path");
            }
            this.workDirectory = directory;
            return this;
        }

        /**
         * Sets the driver's directory for the job's report; {@code <workDirectory>/<jobId>/report}
         * by default.
         *
         * @param directory the directory; not null
         * @return this builder
         */
        public Builder reportDirectory(Path directory) {
            this.reportDirectory = S3ReconException.requireSetting(directory, "reportDirectory");
            return this;
        }

        /**
         * Sets about how many shards to split the keys into; by default
         * {@value #DEFAULT_SHARDS_PER_SLOT} per task slot ({@code defaultParallelism}). The source's
         * layout may allow fewer. Kept for a run's job once it first ran.
         *
         * @param count 1 to 100,000
         * @return this builder
         */
        public Builder shards(int count) {
            if (count < 1 || count > 100_000) {
                throw S3ReconException.invalidConfiguration("shards", count, "must be 1 to 100,000");
            }
            this.shards = count;
            return this;
        }

        /**
         * As {@link Migration.Builder#overwrite(OverwritePolicy)}; {@code IF_DIFFERENT} by default.
         *
         * @param policy the policy; not null
         * @return this builder
         */
        public Builder overwrite(OverwritePolicy policy) {
            this.overwrite = S3ReconException.requireSetting(policy, "overwrite");
            return this;
        }

        /**
         * As {@link Migration.Builder#deleteExtraneous(boolean)}, guarded on the whole job; off by default.
         *
         * @param delete true to delete destination objects the source lacks
         * @return this builder
         */
        public Builder deleteExtraneous(boolean delete) {
            this.deleteExtraneous = delete;
            return this;
        }

        /**
         * The most deletions the whole job may plan; {@value Migration#DEFAULT_MAX_DELETES} by default.
         *
         * @param max not negative
         * @return this builder
         */
        public Builder maxDeletes(long max) {
            if (max < 0) {
                throw S3ReconException.invalidConfiguration("maxDeletes", max, "must not be negative");
            }
            this.maxDeletes = max;
            return this;
        }

        /**
         * The largest share of the destination the whole job may delete, in percent;
         * {@value Migration#DEFAULT_MAX_DELETE_PERCENT} by default, 100 turns this guard off.
         *
         * @param percent 0 to 100
         * @return this builder
         */
        public Builder maxDeletePercent(int percent) {
            if (percent < 0 || percent > 100) {
                throw S3ReconException.invalidConfiguration("maxDeletePercent", percent, "must be 0 to 100");
            }
            this.maxDeletePercent = percent;
            return this;
        }

        /**
         * Whether a job whose whole source is empty may delete; off by default.
         *
         * @param allow true to allow
         * @return this builder
         */
        public Builder allowEmptySource(boolean allow) {
            this.allowEmptySource = allow;
            return this;
        }

        /**
         * As {@link Migration.Builder#verification(Verification)}; {@code CHECKSUM} by default.
         *
         * @param how the verification; not null
         * @return this builder
         */
        public Builder verification(Verification how) {
            this.verification = S3ReconException.requireSetting(how, "verification");
            return this;
        }

        /**
         * As {@link Migration.Builder#include(String...)}; everything by default.
         *
         * @param globs the globs; not null
         * @return this builder
         */
        public Builder include(String... globs) {
            this.include = List.copyOf(Arrays.asList(S3ReconException.requireSetting(globs, "include")));
            return this;
        }

        /**
         * As {@link Migration.Builder#exclude(String...)}; nothing by default.
         *
         * @param globs the globs; not null
         * @return this builder
         */
        public Builder exclude(String... globs) {
            this.exclude = List.copyOf(Arrays.asList(S3ReconException.requireSetting(globs, "exclude")));
            return this;
        }

        /**
         * Builds the job.
         *
         * @return the job
         * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} naming a missing setting
         */
        public SparkMigration build() {
            List<String> missing = new ArrayList<>();
            if (jobId == null) {
                missing.add("jobId(...)");
            }
            if (sourceBucket == null) {
                missing.add("source(...)");
            }
            if (destinationBucket == null) {
                missing.add("destination(...)");
            }
            if (checkpoints == null) {
                missing.add("checkpoints(...)");
            }
            if (!missing.isEmpty()) {
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "a Spark migration needs "
                        + String.join(", ", missing) + ": set them on SparkMigration.builder()");
            }
            JobSettings job = new JobSettings(jobId, sourceBucket, sourcePrefix, sourceClient, destinationBucket,
                    destinationPrefix, destinationClient, checkpoints, workDirectory, shards, overwrite,
                    deleteExtraneous, maxDeletes, maxDeletePercent, allowEmptySource, verification, include, exclude);
            return new SparkMigration(job, reportDirectory != null ? reportDirectory
                    : Path.of(workDirectory, jobId, "report"));
        }

        private static String bucket(String bucket, String name) {
            if (bucket == null || bucket.isBlank()) {
                throw S3ReconException.invalidConfiguration(name, bucket, "must name a bucket");
            }
            return bucket;
        }
    }
}
