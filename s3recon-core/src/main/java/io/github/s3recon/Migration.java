package io.github.s3recon;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.internal.Estimator;
import io.github.s3recon.internal.KeyFilter;
import io.github.s3recon.internal.Listeners;
import io.github.s3recon.internal.run.RunSequencer;
import io.github.s3recon.internal.RunSettings;
import io.github.s3recon.internal.validation.Validator;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.InventoryStoreProvider;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ObjectListerProvider;
import io.github.s3recon.spi.ObjectSource;
import io.github.s3recon.spi.ReconciliationReporter;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.TransferSchedulerProvider;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Function;

/**
 * Moves the objects of one S3 location (or of another {@link ObjectSource}, e.g. a manifest of
 * URLs: {@link Builder#source(ObjectSource)}) to another and proves that nothing was lost or changed.
 *
 * <pre>{@code
 * try (Migration m = Migration.builder()
 *         .source(S3Location.of(client, "bucket-a"))
 *         .destination(S3Location.of(client, "bucket-b", "backup/"))
 *         .workDirectory(Path.of("/var/lib/s3recon/a-to-b"))
 *         .listener(MigrationListener.logging())
 *         .build()) {
 *     MigrationResult r = m.run();           // or reconcile() to compare only, plan() for a dry run
 *     r.report().writeJson(Path.of("report"));
 * }
 * }</pre>
 *
 * <p>A migration is immutable once built and may run several times, one run at a time (a second
 * concurrent call waits). Memory does not grow with the number of objects. It owns the lister,
 * store and transfer scheduler it found through {@link ServiceLoader} and closes them in {@link #close()}; instances
 * passed to the builder stay the caller's. The S3 clients are always the caller's.
 *
 * <p>This file is longer than the 600 lines a source file of core keeps to, on purpose: it is the
 * public face of the library, the facade and its nested {@link Builder} (a nested type of the API),
 * and more than half of it is the javadoc of each operation and option. What they do is elsewhere:
 * the options and their defaults in {@code MigrationOptions}, finding and owning the lister, stores
 * and scheduler in {@code MigrationResources} and {@code ProviderLookup}, one run at a time and
 * cancelling in {@code RunGate}, the events of a validation or estimate in {@code StandalonePhase},
 * and the runs themselves in the engine ({@code internal}).
 */
public final class Migration implements AutoCloseable {

    /**
     * The number of key ranges a location is listed in when {@link Builder#listingRanges(int)} is
     * not set and the first listing page of both sides is short (fewer than
     * {@value #FULL_FIRST_PAGE} keys): one listing per side, no planning requests.
     */
    public static final int DEFAULT_LISTING_RANGES = 1;

    /**
     * The number of key ranges a location is listed in when {@link Builder#listingRanges(int)} is
     * not set and the first listing page of either side is full ({@value #FULL_FIRST_PAGE} keys): a
     * large bucket, listed and diffed in parallel ranges planned from the source's common prefixes.
     */
    public static final int LARGE_BUCKET_LISTING_RANGES = 8;

    /**
     * The number of keys in a full first listing page (S3's page size), which tells a large bucket
     * from a small one when {@link Builder#listingRanges(int)} is not set.
     */
    public static final int FULL_FIRST_PAGE = 1000;

    /** The most deletions a run may plan unless {@link Builder#maxDeletes(long)} says otherwise. */
    public static final long DEFAULT_MAX_DELETES = 1000;

    /**
     * The default largest share of the destination's objects (in scope) that a run may delete, in
     * percent: a run that would delete more than half of a destination is almost always a wrong source.
     */
    public static final int DEFAULT_MAX_DELETE_PERCENT = 50;

    /**
     * Where, under the destination prefix, {@link #validate()} writes its probe object unless
     * {@link Builder#validationProbePrefix(String)} says otherwise.
     */
    public static final String DEFAULT_VALIDATION_PROBE_PREFIX = Validator.DEFAULT_PROBE_PREFIX;

    /**
     * Where, under the destination prefix, {@link #trial(int)} writes its test copies unless
     * {@link Builder#trialPrefix(String)} says otherwise.
     */
    public static final String DEFAULT_TRIAL_PREFIX = "_test/";

    /** The options as built; never changed. */
    private final MigrationOptions options;
    private final KeyFilter filter;
    private final MigrationResources resources;
    private final RunGate<RunSequencer> gate = new RunGate<>(RunSequencer::cancel);

    private Migration(MigrationOptions options, MigrationResources resources) {
        this.options = options;
        this.filter = options.filter();
        this.resources = resources;
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
     * Lists both locations, diffs them and reports; writes nothing to either bucket.
     *
     * <p>Listeners see INITIALIZING, LISTING, COMPARING (with each difference), REPORTING, then the
     * run's end. Every reporter added to the builder receives the report.
     *
     * @return COMPLETED if the destination matches the source, else COMPLETED_WITH_DIFFERENCES
     * @throws S3ReconException if the run cannot complete: a missing bucket, rejected credentials,
     *     an unreachable endpoint, an unusable work directory; listeners then see it finish as FAILED
     */
    public MigrationResult reconcile() {
        return gate.run(this::sequencer, r -> r.reconcile(null));
    }

    /**
     * Migrates: lists both locations, diffs them, copies what is missing or different (as the
     * {@linkplain Builder#overwrite overwrite policy} says), deletes extraneous objects if asked,
     * then lists both again to verify ({@linkplain Builder#verification verification}) and reports.
     * The failure of one object is recorded in the report ({@code transfer.objectsFailed} and
     * {@code failures.jsonl}) and the run goes on.
     *
     * <p>Listeners see INITIALIZING, LISTING, COMPARING (the differences found), TRANSFERRING (each
     * object copied, deleted or failed, and each retry), VERIFYING (the differences that remain),
     * REPORTING, then the run's end.
     *
     * <p>The run is durable: its checkpoint (listing progress per key range, the state of each
     * object of the plan, the multipart uploads under way) is kept in the work directory. If the
     * work directory holds an unfinished run of the same configuration (killed, cancelled, failed),
     * this call resumes it where it stopped instead of starting over: listeners then see
     * INITIALIZING and the phase it resumes in. Objects that were in flight are checked with a HEAD
     * and copied again only if they are not there; multipart uploads go on from their last part.
     *
     * @return COMPLETED if the destination was verified to match the source and nothing failed, else
     *     COMPLETED_WITH_DIFFERENCES; the report's counts describe the destination after copying
     * @throws S3ReconException if the run cannot complete (as for {@link #reconcile()}), with
     *     {@link ErrorCode#TOO_MANY_DELETES} before anything is written if more deletions are planned
     *     than {@link Builder#maxDeletes(long)} allows, {@link ErrorCode#MISSING_PROVIDER} if no
     *     transfer scheduler is on the class path, {@link ErrorCode#CANCELLED} after {@link #cancel()}
     *     (resumable), or {@link ErrorCode#RESUME_CONFLICT} if an unfinished run of another
     *     configuration is in the work directory
     */
    public MigrationResult run() {
        return gate.run(this::sequencer, RunSequencer::migrate);
    }

    /**
     * The dry run: lists and diffs like {@link #run()} and returns what it would copy, re-copy and
     * delete; writes nothing to either bucket. Listeners see the events of a reconcile.
     *
     * @return the plan, in key order
     * @throws S3ReconException if the listing fails, as for {@link #reconcile()}
     */
    public FixPlan plan() {
        return gate.run(this::sequencer, RunSequencer::dryRun);
    }

    /**
     * Applies the fix plan of a report (of this migration's locations) under this migration's
     * overwrite policy and delete settings, then lists both sides again to verify, like {@link #run()}.
     * Keys that the report does not name are not copied, only verified.
     *
     * @param report a report of a reconcile or run of the same source and destination; not null
     * @return the result of the repair; its report describes the destination after it
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the report is of other
     *     locations, or any failure {@link #run()} can have
     */
    public MigrationResult repair(ReconciliationReport report) {
        if (report == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "report must not be null: pass the report of "
                    + "reconcile() or plan()");
        }
        return gate.run(this::sequencer, r -> r.repair(report));
    }

    /**
     * Splits this migration into shards: contiguous key ranges, as many as
     * {@link Builder#listingRanges(int)} asks for (not set: chosen from the first listing page, see
     * there) and the source's layout allows. A shard names the
     * buckets and prefixes but holds no client or secret and is serializable, so that a distributed
     * engine (e.g. Apache Spark) can send each to a worker, which builds its own migration with its
     * own clients and calls {@link #reconcile(ShardSpec)}.
     *
     * @return the shards in key order; their reports together cover every key once
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} when the source is not an
     *     S3 bucket (a manifest lists in one piece)
     */
    public List<ShardSpec> shards() {
        requireBucketSource("shards()");
        List<KeyRange> ranges = sequencer().plan();
        List<ShardSpec> shards = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++) {
            shards.add(ShardSpec.of(i, options.source, options.destination, ranges.get(i)));
        }
        return List.copyOf(shards);
    }

    /**
     * Reconciles one shard: lists and diffs only the keys of its range, like {@link #reconcile()}.
     *
     * @param shard a shard of this migration's source and destination (from {@link #shards()},
     *     possibly planned elsewhere); not null
     * @return the shard's result; its counts and differences cover the shard's keys only
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the shard names other
     *     buckets or prefixes, or any failure {@link #reconcile()} can have
     */
    public MigrationResult reconcile(ShardSpec shard) {
        checkShard(shard);
        return gate.run(this::sequencer, r -> r.reconcile(List.of(shard.range())));
    }

    /**
     * Runs one shard: like {@link #run()}, but lists, copies, deletes and verifies only the keys of
     * its range, so that a distributed engine runs each shard on a worker. The deletion guards
     * apply to the shard's own plan; a resume of an unfinished run of the shard goes on with it.
     *
     * @param shard a shard of this migration's source and destination; not null
     * @return the shard's result; its counts and transfer cover the shard's keys only
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the shard names other
     *     buckets or prefixes, or any failure {@link #run()} can have
     */
    public MigrationResult run(ShardSpec shard) {
        checkShard(shard);
        return gate.run(this::sequencer, r -> r.migrate(List.of(shard.range())));
    }

    private void checkShard(ShardSpec shard) {
        if (shard == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "shard must not be null");
        }
        requireBucketSource("reconcile(ShardSpec)");
        if (!shard.sourceBucket().equals(options.source.bucket()) || !shard.sourcePrefix().equals(options.source.prefix())
                || !shard.destinationBucket().equals(options.destination.bucket())
                || !shard.destinationPrefix().equals(options.destination.prefix())) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "shard " + shard.index() + " is of s3://"
                    + shard.sourceBucket() + "/" + shard.sourcePrefix() + " -> s3://" + shard.destinationBucket() + "/"
                    + shard.destinationPrefix() + ", not of this migration (" + options.source + " -> " + options.destination
                    + "): build the migration with the shard's locations");
        }
    }

    /**
     * Checks, before a run, that the credentials, buckets and permissions work and which bucket
     * settings deserve attention. For the source: HeadBucket, a listing under the prefix, a
     * HeadObject and a 1-byte read of the first object listed. For the destination: HeadBucket, and a
     * small probe object written under the destination prefix and the
     * {@linkplain Builder#validationProbePrefix(String) probe prefix}, read back and deleted (the
     * delete is always tried, and on a versioned bucket the probe's versions are removed too; a denied
     * delete is a warning, not a failure, when {@link Builder#deleteExtraneous(boolean)} is off). On both
     * sides: versioning and object lock. A check that fails does not stop the others, except those it
     * makes meaningless, which are skipped. Nothing but the probe is written. For a source that is
     * not a bucket (a manifest of URLs), the source checks list its first 3 objects (HEADing URLs
     * without a size) and read each with a HEAD and a 1-byte GET; versioning and object lock are
     * skipped for it. Listeners see a
     * {@link io.github.s3recon.event.StateChanged} into {@link MigrationState#VALIDATING}, a
     * {@link io.github.s3recon.event.PhaseStarted} and, once the report is made, a
     * {@link io.github.s3recon.event.PhaseFinished} (with zero counts); not a RunFinished, since a
     * validation is not a run.
     *
     * @return the report: per check a status, what was seen and, where it did not pass, what to do;
     *     no secret in it. {@link ValidationReport#passed()} tells whether a run can go ahead
     */
    public ValidationReport validate() {
        return gate.exclusive(() -> {
            StandalonePhase phase = StandalonePhase.start(new Listeners(options.listeners), options.clock,
                    MigrationState.VALIDATING);
            Validator.Guards guards = new Validator.Guards(options.deleteExtraneous, options.maxDeletes,
                    options.maxDeletePercent, options.allowEmptySource, filter);
            ValidationReport report = (options.source != null
                    ? new Validator(options.source, options.destination, options.validationProbePrefix, options.clock,
                            guards)
                    : new Validator(options.sourceObject, options.destination, options.validationProbePrefix,
                            options.clock, guards)).validate();
            phase.finish(0, 0);
            return report;
        });
    }

    /**
     * Estimates a run from a full listing of the source (the keys in scope of the include and
     * exclude globs): object count, bytes, a size histogram by the transfer scheduler's
     * {@linkplain TransferScheduler#lanes() lanes}, rates measured by listing and by reading a few
     * source objects (at most 8 per lane, 64 MiB in all, 8 MiB of each), and a rough projected
     * duration with the scheduler's concurrency and the {@linkplain Builder#listingRanges(int)
     * listing ranges}. Writes nothing. Listeners see a {@link io.github.s3recon.event.StateChanged}
     * into {@link MigrationState#ESTIMATING}, a {@link io.github.s3recon.event.PhaseStarted} and, once
     * the estimate is made, a {@link io.github.s3recon.event.PhaseFinished} with the objects and bytes
     * estimated; not a RunFinished, since an estimate is not a run. For buckets too large to list
     * first, see {@link #estimate(long)}. A manifest of URLs is listed whole (a HEAD of each URL
     * without a size); {@link #estimate(long)} HEADs its first URLs only and scales the counts by
     * the manifest's number of entries.
     *
     * @return the estimate, with exact counts
     * @throws S3ReconException if the listing or a read fails: a missing bucket, rejected credentials,
     *     a missing permission, an unreachable endpoint
     */
    public Estimate estimate() {
        return estimated(Estimator::full);
    }

    /**
     * Estimates a run from a sample of the source, for very large buckets: the source lister splits
     * the source into key ranges, randomly chosen ranges are listed in full until at least
     * {@code sampleObjects} objects were listed, and the counts are scaled by the share of ranges
     * listed; otherwise as {@link #estimate()}. {@link Estimate#basis()} says how the counts were
     * obtained: exact if every range was listed, a lower bound if the source does not split.
     *
     * @param sampleObjects the number of objects to list at least, e.g. 100,000; positive
     * @return the estimate
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code sampleObjects}
     *     is not positive, or if the planning, listing or a read fails, as for {@link #estimate()}
     */
    public Estimate estimate(long sampleObjects) {
        if (sampleObjects < 1) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "sampleObjects must be positive, was "
                    + sampleObjects);
        }
        return estimated(e -> e.sampled(sampleObjects));
    }

    private Estimate estimated(Function<Estimator, Estimate> how) {
        return gate.exclusive(() -> {
            StandalonePhase phase = StandalonePhase.start(new Listeners(options.listeners), options.clock,
                    MigrationState.ESTIMATING);
            TransferScheduler.Lanes lanes = resources.scheduler == null ? TransferScheduler.Lanes.DEFAULTS
                    : resources.scheduler.lanes();
            int ranges = options.listingRanges == RunSequencer.CHOSEN_LISTING_RANGES ? LARGE_BUCKET_LISTING_RANGES
                    : options.listingRanges;
            Estimate estimate = how.apply(options.source != null
                    ? new Estimator(options.source, resources.sourceLister, filter, lanes.smallObjectThreshold(),
                            lanes.smallObjectConcurrency(), lanes.largeObjectConcurrency(), ranges, options.clock)
                    // Not a bucket: one listing, and the relay's concurrency for both lanes.
                    : new Estimator(options.sourceObject, filter, lanes.smallObjectThreshold(),
                            io.github.s3recon.internal.relay.RelaySession.Settings.defaults().concurrency(),
                            io.github.s3recon.internal.relay.RelaySession.Settings.defaults().concurrency(), 1,
                            options.clock));
            phase.finish(estimate.objects(), estimate.bytes());
            return estimate;
        });
    }

    /**
     * Tries the migration on a few real objects before running it: the first {@code n} objects the
     * source lists in scope (for a bucket, in key order; for a manifest, in its order) are copied
     * under the {@linkplain Builder#trialPrefix(String) trial prefix} of the destination
     * ({@value #DEFAULT_TRIAL_PREFIX} by default), read back and compared with the source byte for
     * byte, then deleted, whatever happened. Nothing else is written to the destination, nothing to
     * the work directory. The copies are relayed through the JVM (small objects in one PUT, large
     * ones as multipart uploads), also for a bucket source whose run would copy server-side, so the
     * measured rate is that of relayed copies. Waits for a run in progress, like {@link #validate()}.
     *
     * @param n how many objects to try, e.g. 10; 1 to 1,000
     * @return the report: counts, failures (copy, verification or cleanup), the rate measured
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code n} is out of
     *     range; another if the source's listing fails
     */
    public TrialReport trial(int n) {
        if (n < 1 || n > 1000) {
            throw S3ReconException.invalidConfiguration("n", n, "must be 1 to 1000 objects to try");
        }
        return gate.exclusive(() -> {
            ObjectSource source = options.sourceObject != null ? options.sourceObject
                    : new io.github.s3recon.source.S3BucketSource(options.source, resources.sourceLister);
            return new io.github.s3recon.internal.relay.Trial(source, options.destination, options.trialPrefix, filter,
                    options.clock).run(n);
        });
    }

    /**
     * Stops the run in progress, from any thread: listing stops, no further copy starts, copies in
     * flight are aborted (multipart uploads are kept, to be continued), the checkpoint is flushed,
     * and the run ends as {@link MigrationState#CANCELLED}: listeners see it finish so, and
     * {@link #run()} throws an {@link S3ReconException} with code {@link ErrorCode#CANCELLED}. A
     * migration built again on the same work directory with the same options resumes it. A cancel that
     * arrives while a run is starting (called, but not yet listing) is honoured: that run ends as
     * CANCELLED before it lists anything. Returns at once; does nothing when no run is in progress or
     * starting.
     */
    public void cancel() {
        gate.cancel();
    }

    private RunSettings settings() {
        MigrationOptions o = options;
        MigrationResources res = resources;
        return new RunSettings(o.source, o.destination, res.sourceLister, res.destinationLister, res.store,
                o.workDirectory, new Listeners(o.listeners), o.reporters, o.clock, o.progressInterval,
                o.listingRanges, filter, res.scheduler, o.overwrite, o.deleteExtraneous, o.maxDeletes,
                o.maxDeletePercent, o.allowEmptySource, o.verification, o.checksumAlgorithm, res.checkpoints,
                o.newRun, o.sourceObject);
    }

    private RunSequencer sequencer() {
        return RunSequencer.of(settings());
    }

    /**
     * Returns the source when it is an S3 bucket.
     *
     * @return the source location, or null when the source is not an S3 bucket (see {@link #sourceObject()})
     */
    public S3Location source() {
        return options.source;
    }

    /**
     * Returns the source as given to {@link Builder#source(ObjectSource)} when it is not an S3
     * bucket (e.g. a {@link io.github.s3recon.source.UrlManifestSource}).
     *
     * @return the source, or empty for a bucket source
     */
    public java.util.Optional<ObjectSource> sourceObject() {
        return java.util.Optional.ofNullable(options.sourceObject);
    }

    private void requireBucketSource(String operation) {
        if (options.source == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, operation + " needs an S3 bucket as source; "
                    + options.sourceObject.describe() + " is not one (it lists in one piece): use reconcile() instead");
        }
    }

    /**
     * Returns the destination.
     *
     * @return the destination location
     */
    public S3Location destination() {
        return options.destination;
    }

    /**
     * Returns the work directory.
     *
     * @return the directory that holds the store and the runs' files
     */
    public Path workDirectory() {
        return options.workDirectory;
    }

    /** Closes the lister, store and scheduler this migration found itself; not the S3 clients. */
    @Override
    public void close() {
        gate.exclusive(() -> {
            resources.close();
            return null;
        });
    }

    /**
     * Configures a {@link Migration}. Setters check their argument at once; {@link #build()} checks
     * what needs several. Not thread-safe; a builder can build several migrations.
     */
    public static final class Builder {
        /** Every setting so far; each setter checks its value before writing it here. */
        private final MigrationOptions o = new MigrationOptions();

        private Builder() {
        }

        /**
         * Sets the copy engine. By default the one a {@link TransferSchedulerProvider} on the class
         * path creates ({@code s3recon-transfer}: {@code SizeTieredScheduler} with its defaults); the
         * migration then closes it. Only {@link Migration#run()} and {@link Migration#repair} use it.
         *
         * @param scheduler the scheduler, still owned by the caller; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder transferScheduler(TransferScheduler scheduler) {
            o.scheduler = requireNonNull(scheduler, "transferScheduler");
            return this;
        }

        /**
         * Adds globs of keys to include, matched against the key relative to the location's prefix:
         * {@code *} and {@code ?} within one segment, {@code **} across segments ({@code **}{@code /x}
         * also matches {@code x} at the top), {@code [a-z]}, {@code {jpg,png}}, {@code \} escapes.
         * Keys outside the scope are neither copied, deleted nor reported, on either side. All keys
         * by default.
         *
         * @param globs one or more globs; not null or empty
         * @return this builder
         * @throws S3ReconException if a glob is malformed, naming it and the position
         */
        public Builder include(String... globs) {
            o.includes.addAll(MigrationOptions.checkGlobs(globs, "include"));
            return this;
        }

        /**
         * Adds globs of keys to exclude (syntax as {@link #include}); an excluded key is out of scope
         * even if included. None by default.
         *
         * @param globs one or more globs; not null or empty
         * @return this builder
         * @throws S3ReconException if a glob is malformed, naming it and the position
         */
        public Builder exclude(String... globs) {
            o.excludes.addAll(MigrationOptions.checkGlobs(globs, "exclude"));
            return this;
        }

        /**
         * Sets which keys that the destination already has a run copies; {@link OverwritePolicy#IF_DIFFERENT}
         * by default (those not proved equal).
         *
         * @param policy the policy; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder overwrite(OverwritePolicy policy) {
            o.overwrite = requireNonNull(policy, "overwrite");
            return this;
        }

        /**
         * Sets whether a run deletes the destination objects (in scope) that the source does not
         * have; off by default. Guarded, before anything is written, by {@link #maxDeletes(long)},
         * {@link #maxDeletePercent(int)} and {@link #allowEmptySource(boolean)}; a run whose listings
         * cannot be proved complete deletes nothing, and each deletion first makes sure that the object
         * is still the one the plan saw (a destination object rewritten since is kept and reported).
         *
         * @param delete true to delete them
         * @return this builder
         */
        public Builder deleteExtraneous(boolean delete) {
            o.deleteExtraneous = delete;
            return this;
        }

        /**
         * Sets the most deletions a run may plan; a run that plans more fails before writing
         * anything, so that a wrong source (an empty prefix, a typo) cannot empty the destination.
         * {@value Migration#DEFAULT_MAX_DELETES} by default.
         *
         * @param max 0 or more
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code max} is negative
         */
        public Builder maxDeletes(long max) {
            if (max < 0) {
                throw S3ReconException.invalidConfiguration("maxDeletes", max, "must not be negative (0 forbids deletions)");
            }
            o.maxDeletes = max;
            return this;
        }

        /**
         * Sets the largest share of the destination's objects (those in scope, as the run listed them)
         * that a run may delete; a run that plans more fails before writing anything, with
         * {@link ErrorCode#TOO_MANY_DELETES}. {@value Migration#DEFAULT_MAX_DELETE_PERCENT} by default;
         * 100 turns this guard off ({@link #maxDeletes(long)} still applies).
         *
         * @param percent 0 to 100
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code percent} is not 0 to 100
         */
        public Builder maxDeletePercent(int percent) {
            if (percent < 0 || percent > 100) {
                throw S3ReconException.invalidConfiguration("maxDeletePercent", percent, "must be 0 to 100");
            }
            o.maxDeletePercent = percent;
            return this;
        }

        /**
         * Sets whether a run whose source listing is empty may delete the destination's objects. Off
         * by default: an empty source is far more often a wrong bucket, prefix, filter or credentials
         * than a wish to empty the destination, so such a run fails before writing anything, with
         * {@link ErrorCode#EMPTY_SOURCE}. Turn it on (with {@link #maxDeletePercent(int) maxDeletePercent(100)}
         * and a large enough {@link #maxDeletes(long)}) to really empty a destination.
         *
         * @param allow true to let an empty source delete
         * @return this builder
         */
        public Builder allowEmptySource(boolean allow) {
            o.allowEmptySource = allow;
            return this;
        }

        /**
         * Sets how a run verifies the destination after copying; {@link Verification#CHECKSUM} by default.
         *
         * @param verification the verification; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder verification(Verification verification) {
            o.verification = requireNonNull(verification, "verification");
            return this;
        }

        /**
         * Sets the checksum computed while copying and that the destination is asked to store as a
         * full-object checksum; {@link ChecksumAlgorithm#CRC64NVME} by default.
         *
         * @param algorithm the algorithm; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder checksumAlgorithm(ChecksumAlgorithm algorithm) {
            o.checksumAlgorithm = requireNonNull(algorithm, "checksumAlgorithm");
            return this;
        }

        /**
         * Sets how many contiguous key ranges the listings are split into, each listed (both sides)
         * and diffed in parallel. Not set, the number is chosen from the first listing page of each
         * side (one request each, before the listing): when either is full
         * ({@value Migration#FULL_FIRST_PAGE} keys) the bucket is large and gets
         * {@value Migration#LARGE_BUCKET_LISTING_RANGES} ranges; otherwise
         * {@value Migration#DEFAULT_LISTING_RANGES} (one listing per side, no planning requests: the
         * fastest for small buckets). A value set here always wins. One ListObjectsV2 stream runs at
         * about 12,000 keys/s against AWS, so buckets of tens of millions of objects far from the
         * client may want 32 or more. The ranges come from the lister's plan (for S3, the bucket's
         * common prefixes); a bucket that offers fewer boundaries gets fewer ranges. A run that
         * resumes lists the ranges it planned first, whatever this says now. Memory grows with the
         * number of ranges (a few pages each), never with the object count.
         *
         * @param ranges 1 (one listing per side) to 1,024
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code ranges} is not 1 to 1,024
         */
        public Builder listingRanges(int ranges) {
            if (ranges < 1 || ranges > 1024) {
                throw S3ReconException.invalidConfiguration("listingRanges", ranges, "must be 1 to 1024");
            }
            o.listingRanges = ranges;
            return this;
        }

        /**
         * Sets the location to read from. Required.
         *
         * @param source the source; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder source(S3Location source) {
            o.source = requireNonNull(source, "source");
            o.sourceObject = null;
            return this;
        }

        /**
         * Sets the source as an {@link ObjectSource}: a manifest of URLs
         * ({@link io.github.s3recon.source.UrlManifestSource#of(Path)}) or any other source. A source
         * with an S3 {@linkplain ObjectSource#location() location} (an
         * {@link io.github.s3recon.source.S3BucketSource}) is taken as that location, listed by the
         * migration's source lister. Another source is listed through it, sorted through the
         * inventory store (in bounded memory), and every copy relays its bytes: small objects in
         * one PUT, large ones as a multipart upload (from ranged reads where the source supports
         * them); {@link Migration#shards()} is not available for it. The source stays the caller's.
         * Replaces a source set before.
         *
         * @param source the source; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder source(ObjectSource source) {
            requireNonNull(source, "source");
            if (source.location().isPresent()) {
                o.source = source.location().get();
                o.sourceObject = null;
            } else {
                o.source = null;
                o.sourceObject = source;
            }
            return this;
        }

        /**
         * Sets the location to compare with (and, for a migration, write to). Required.
         *
         * @param destination the destination; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder destination(S3Location destination) {
            o.destination = requireNonNull(destination, "destination");
            return this;
        }

        /**
         * Sets the directory for the inventory database and the runs' files; created if missing.
         * Required; use one directory per source-destination pair.
         *
         * @param workDirectory the directory; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder workDirectory(Path workDirectory) {
            o.workDirectory = requireNonNull(workDirectory, "workDirectory");
            return this;
        }

        /**
         * Adds a listener; listeners receive events in the order they were added. None by default.
         *
         * @param listener the listener; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder listener(MigrationListener listener) {
            o.listeners.add(requireNonNull(listener, "listener"));
            return this;
        }

        /**
         * Adds a reporter, called with the report of every run. None by default: the report is
         * always kept in the work directory and returned in the result.
         *
         * @param reporter the reporter; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder reporter(ReconciliationReporter reporter) {
            o.reporters.add(requireNonNull(reporter, "reporter"));
            return this;
        }

        /**
         * Sets the lister. By default the one an {@link ObjectListerProvider} on the class path
         * creates; the migration then closes it. {@code s3recon-inventory}'s is its
         * {@code FastS3ObjectLister}, which fetches and parses pages itself where that honours the
         * client's settings and lists through the client elsewhere (its javadoc says which clients
         * those are); pass {@code S3ObjectLister.create()} to list every page through the client.
         *
         * @param lister the lister, still owned by the caller; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder objectLister(ObjectLister lister) {
            o.lister = requireNonNull(lister, "objectLister");
            return this;
        }

        /**
         * Sets the lister of the source only, e.g. one that reads an S3 Inventory report instead of
         * listing the bucket. By default the source is listed by {@link #objectLister(ObjectLister)}.
         *
         * @param lister the lister, still owned by the caller; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder sourceLister(ObjectLister lister) {
            o.sourceLister = requireNonNull(lister, "sourceLister");
            return this;
        }

        /**
         * Sets the lister of the destination only. By default the destination is listed by
         * {@link #objectLister(ObjectLister)}.
         *
         * @param lister the lister, still owned by the caller; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder destinationLister(ObjectLister lister) {
            o.destinationLister = requireNonNull(lister, "destinationLister");
            return this;
        }

        /**
         * Sets the inventory store. By default the one an {@link InventoryStoreProvider} on the class
         * path opens in the work directory ({@code s3recon-inventory}: SQLite); the migration then
         * closes it.
         *
         * @param store the store, still owned by the caller; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder inventoryStore(InventoryStore store) {
            o.store = requireNonNull(store, "inventoryStore");
            return this;
        }

        /**
         * Sets the store of the run history and checkpoints; by default the one a
         * {@link io.github.s3recon.spi.CheckpointStoreProvider} on the class path opens in the work
         * directory ({@code SqliteCheckpointStore} of {@code s3recon-inventory}), which the migration
         * then owns and closes. A store passed here stays the caller's.
         *
         * @param store the store; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder checkpointStore(CheckpointStore store) {
            o.checkpoints = requireNonNull(store, "checkpointStore");
            return this;
        }

        /**
         * Sets where, under the destination prefix, {@link Migration#validate()} writes (and then
         * deletes) its probe object, named by a random UUID;
         * {@value Migration#DEFAULT_VALIDATION_PROBE_PREFIX} by default. A run never writes there.
         *
         * @param prefix appended to the destination prefix as it is; not null, may be empty, at most
         *     512 characters, not starting with {@code /}
         * @return this builder
         */
        public Builder validationProbePrefix(String prefix) {
            o.validationProbePrefix = Validator.checkProbePrefix(prefix);
            return this;
        }

        /**
         * Sets where, under the destination prefix, {@link Migration#trial(int)} writes (and then
         * deletes) its copies; {@value Migration#DEFAULT_TRIAL_PREFIX} by default. A run never writes there
         * unless the source has keys under it.
         *
         * @param prefix appended to the destination prefix as it is; not null, not empty, at most 512
         *     characters, not starting with {@code /}
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if it is not so
         */
        public Builder trialPrefix(String prefix) {
            requireNonNull(prefix, "trialPrefix");
            if (prefix.isEmpty() || prefix.length() > 512 || prefix.startsWith("/")) {
                throw S3ReconException.invalidConfiguration("trialPrefix", "'" + prefix + "'",
                        "must be 1 to 512 characters, not starting with '/' (e.g. _test/)");
            }
            o.trialPrefix = prefix;
            return this;
        }

        /**
         * Whether {@link Migration#run()} starts a new run even when the work directory holds an
         * unfinished one (killed, cancelled or failed). By default (false) the unfinished run is
         * resumed if it has the same configuration; if it has another and has started copying,
         * {@link #build()} refuses with {@link ErrorCode#RESUME_CONFLICT}. With true, the unfinished
         * run is abandoned when the new one starts: its multipart uploads are aborted, its history kept.
         *
         * @param newRun true to abandon an unfinished run
         * @return this builder
         */
        public Builder newRun(boolean newRun) {
            o.newRun = newRun;
            return this;
        }

        /**
         * Sets the clock that stamps events and reports; {@link Clock#systemUTC()} by default.
         *
         * @param clock the clock; not null
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder clock(Clock clock) {
            o.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Sets the least time between two progress snapshots; 1 second by default.
         *
         * @param interval a positive duration
         * @return this builder
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the argument is null
         */
        public Builder progressInterval(Duration interval) {
            requireNonNull(interval, "progressInterval");
            if (interval.isNegative() || interval.isZero()) {
                throw S3ReconException.invalidConfiguration("progressInterval", interval, "must be positive");
            }
            o.progressInterval = interval;
            return this;
        }

        /**
         * Builds the migration: checks that the required settings are present, creates the work
         * directory, and finds the lister and store on the class path where none were given.
         *
         * @return the migration; close it
         * @throws S3ReconException if a required setting is missing, the work directory is unusable
         *     or no lister or store is on the class path; {@link ErrorCode#LOCATIONS_OVERLAP} if the
         *     source and destination are on the same server (by endpoint, not by client instance) and
         *     bucket with one prefix inside the other
         */
        public Migration build() {
            MigrationOptions frozen = o.frozen();
            Migration m = new Migration(frozen, MigrationResources.open(frozen));
            try {
                RunSequencer.checkResumable(m.settings());
            } catch (RuntimeException e) {
                m.close();
                throw e;
            }
            return m;
        }

        private static <T> T requireNonNull(T value, String name) {
            return S3ReconException.requireSetting(value, name);
        }
    }
}
