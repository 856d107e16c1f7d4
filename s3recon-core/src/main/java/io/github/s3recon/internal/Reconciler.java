package io.github.s3recon.internal;

import io.github.s3recon.S3Errors;
import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixAction;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyOrder;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferSummary;
import io.github.s3recon.Verification;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.RunResumed;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ReconciliationReporter;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.UploadCheckpoints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The runs of a migration: reconcile (list, diff, report), plan (the same, with the fix plan), run
 * (plan, copy, verify, report) and repair (a report's fix plan, copy, verify, report).
 *
 * <p>Listings are streamed into the merge. A listing that turns out not to be in UTF-8 byte order
 * (the merge finds out when it happens) is listed again into the inventory store, read back
 * sorted, and the diff starts over; differences and plan actions are staged in the run's directory
 * and delivered to listeners only once the diff is final, so no listener ever sees a wrong
 * difference. One instance serves one run.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Decided keys between two listing checkpoints of a range (at most a second apart as well). */
    private static final int CHECKPOINT_EVERY = Integer.getInteger("s3recon.checkpoint.every", 1000);
    /** Plan actions announced as submitted by one durable write, before they are submitted. */
    private static final int SUBMIT_WINDOW = Integer.getInteger("s3recon.checkpoint.submitWindow", 256);
    private static final String STAGE = "stage";
    private static final String STAGE_COMPARE = "compare";
    private static final String STAGE_TRANSFER = "transfer";
    private static final String STAGE_VERIFY = "verify";

    private final RunSettings settings;
    private final S3Location source;
    private final S3Location destination;
    private final ObjectLister sourceLister;
    private final ObjectLister destinationLister;
    private final InventoryStore store;
    private final CheckpointStore checkpoints;
    private final MigrationListener listener;
    private final Clock clock;

    private volatile MigrationState state;
    private volatile boolean cancelled;
    private volatile TransferScheduler.TransferSession session;
    private volatile CheckpointStore.RunRecord record;
    /** Whether this run goes on from an earlier attempt's checkpoint: its progress lines say so. */
    private volatile boolean resumed;

    /**
     * Creates a run.
     *
     * @param settings the migration's settings
     */
    public Reconciler(RunSettings settings) {
        this.settings = settings;
        this.source = settings.source();
        this.destination = settings.destination();
        this.sourceLister = settings.sourceLister();
        this.destinationLister = settings.destinationLister();
        this.store = settings.store();
        this.checkpoints = settings.checkpoints();
        this.listener = settings.listener();
        this.clock = settings.clock();
    }

    /**
     * Asks the run to stop: listing stops at the next key, no further copy starts, copies in flight
     * are aborted (multipart uploads are kept for a resume), the checkpoint is flushed and the run
     * ends as CANCELLED. Callable from any thread, before or during the run; returns at once.
     */
    public void cancel() {
        cancelled = true;
        TransferScheduler.TransferSession s = session;
        if (s != null) {
            s.cancel();
        }
    }

    /** Thrown inside a run when it sees that it was cancelled. */
    private static final class Cancelled extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Cancelled() {
            super("cancelled", null, false, false);
        }
    }

    private void checkCancelled() {
        if (cancelled) {
            throw new Cancelled();
        }
        if (stopRanges) {
            throw new RangesStopped();
        }
    }

    /** Thrown in a range's thread when another range failed: the listing stops everywhere. */
    private static final class RangesStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RangesStopped() {
            super("another key range failed", null, false, false);
        }
    }

    private volatile boolean stopRanges;

    /**
     * Refuses to go on when the work directory holds an unfinished run of another configuration
     * that has started writing, unless a new run is asked for.
     *
     * @param settings the migration's settings
     * @throws S3ReconException {@link ErrorCode#RESUME_CONFLICT} naming what differs and what to do
     */
    public static void checkResumable(RunSettings settings) {
        RunConfiguration configuration = RunConfiguration.of(settings);
        CheckpointStore.RunRecord unfinished = unfinished(settings.checkpoints());
        if (unfinished == null || settings.newRun() || unfinished.configurationHash().equals(configuration.hash())) {
            return;
        }
        String stage = settings.checkpoints().value(unfinished.runId(), STAGE).orElse(STAGE_COMPARE);
        if (STAGE_COMPARE.equals(stage)) {
            return; // it wrote nothing: a new run simply replaces it
        }
        throw new S3ReconException(ErrorCode.RESUME_CONFLICT, "the work directory " + settings.workDirectory()
                + " holds unfinished run " + unfinished.runId() + " (" + unfinished.state() + ", started "
                + unfinished.startedAt() + ") with another configuration: "
                + String.join("; ", configuration.changesFrom(unfinished.configuration()))
                + ". Resume it by building the migration with its options again, or abandon it with "
                + "Migration.builder().newRun(true) (its multipart uploads are aborted), or use another work directory");
    }

    /** The newest run of kind RUN that has not finished (it still has its progress). */
    private static CheckpointStore.RunRecord unfinished(CheckpointStore checkpoints) {
        CheckpointStore.RunRecord found = null;
        for (CheckpointStore.RunRecord r : checkpoints.runs()) {
            if ("RUN".equals(r.kind()) && checkpoints.value(r.runId(), STAGE).isPresent()) {
                found = r;
            }
        }
        return found;
    }

    /**
     * Reconciles: lists, diffs and reports.
     *
     * @param only the ranges, in key order, or null to plan them with the source's lister
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult reconcile(List<KeyRange> only) {
        return guarded("reconciliation", "RECONCILE", run -> {
            List<KeyRange> ranges = only != null ? only : plan();
            transition(MigrationState.LISTING);
            Comparison c = compare(run, "reconcile", "differences.jsonl", null, ranges, Verification.CHECKSUM,
                    MigrationState.LISTING, -1);
            transition(MigrationState.COMPARING);
            deliver(c.differencesFile());
            MigrationState terminal = c.counts().differences() == 0 ? MigrationState.COMPLETED
                    : MigrationState.COMPLETED_WITH_DIFFERENCES;
            return finish(run, terminal, c, Verification.CHECKSUM, null, 0);
        });
    }

    /**
     * Plans: lists and diffs like a reconcile and derives the fix plan; writes nothing to either bucket.
     *
     * @return the plan
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public FixPlan dryRun() {
        FixPlan[] plan = new FixPlan[1];
        guarded("planning", "PLAN", run -> {
            transition(MigrationState.LISTING);
            Comparison c = compare(run, "plan", "differences.jsonl", "fix-plan.jsonl", plan(),
                    Verification.CHECKSUM, MigrationState.LISTING, -1);
            transition(MigrationState.COMPARING);
            deliver(c.differencesFile());
            plan[0] = c.plan();
            MigrationState terminal = c.counts().differences() == 0 ? MigrationState.COMPLETED
                    : MigrationState.COMPLETED_WITH_DIFFERENCES;
            return finish(run, terminal, c, Verification.CHECKSUM, null, 0);
        });
        return plan[0];
    }

    /**
     * Runs a migration: lists and diffs, copies and deletes what the plan says, verifies, reports.
     * An unfinished run of the same configuration in the work directory is resumed from its checkpoint.
     *
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult migrate() {
        TransferScheduler scheduler = requireScheduler();
        checkResumable(settings);
        return guarded("migration", "RUN", run -> {
            String stage = run.stage();
            List<KeyRange> ranges;
            Comparison before;
            if (STAGE_COMPARE.equals(stage)) {
                ranges = storedRanges(run, "before");
                transition(MigrationState.LISTING);
                before = compare(run, "before", "differences-before.jsonl", "planned.jsonl", ranges,
                        Verification.CHECKSUM, MigrationState.LISTING, -1);
                transition(MigrationState.COMPARING);
                deliver(before.differencesFile());
                checkDeletes(run, before.plan(), before.source().objects(), before.destination().objects());
                checkpoints.putValue(run.id(), "before", encode(before));
                checkpoints.putValue(run.id(), STAGE, STAGE_TRANSFER);
                checkpoints.flush();
                deleteRangeFiles(run.directory(), ranges.size());
            } else {
                ranges = storedRanges(run, "before");
                String saved = checkpoints.value(run.id(), "before").orElseThrow();
                before = decodeComparison(run, saved);
                if (STAGE_TRANSFER.equals(stage)) {
                    checkPlanFile(run, before, planBytes(run, saved));
                }
            }
            TransferOutcome outcome;
            if (!STAGE_VERIFY.equals(stage)) {
                outcome = transfer(scheduler, before.plan(), run, before.source().objects(), before);
                checkpoints.putValue(run.id(), "transfer", encode(outcome));
                checkpoints.putValue(run.id(), STAGE, STAGE_VERIFY);
                checkpoints.flush();
            } else {
                outcome = decodeOutcome(run, checkpoints.value(run.id(), "transfer").orElseThrow());
            }
            return verify(run, ranges, before, outcome);
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
        if (!report.source().bucket().equals(source.bucket()) || !report.source().prefix().equals(source.prefix())
                || !report.destination().bucket().equals(destination.bucket())
                || !report.destination().prefix().equals(destination.prefix())) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the report is of s3://"
                    + report.source().bucket() + "/" + report.source().prefix() + " -> s3://"
                    + report.destination().bucket() + "/" + report.destination().prefix()
                    + ", not of this migration (" + source + " -> " + destination
                    + "): repair it with a migration of the report's locations");
        }
        return guarded("repair", "REPAIR", run -> {
            FixPlan plan = FixPlan.of(report, settings.overwrite(), settings.deleteExtraneous(),
                    run.directory().resolve("planned.jsonl"));
            checkDeletes(run, plan, report.source().objects(), report.destination().objects());
            TransferOutcome outcome = transfer(scheduler, plan, run, report.source().objects(), null);
            return verify(run, plan(), null, outcome);
        });
    }

    /**
     * Plans the key ranges of a run: one unless ranges are asked for and both listers are sorted
     * (an unsorted lister, e.g. an S3 Inventory report, is sorted whole through the store).
     *
     * @return the ranges in key order
     */
    public List<KeyRange> plan() {
        return settings.listingRanges() <= 1 || !sourceLister.listsInKeyOrder() || !destinationLister.listsInKeyOrder()
                ? List.of(KeyRange.ALL) : sourceLister.plan(source, settings.listingRanges());
    }

    /** The ranges a run planned before (kept so that a resume lists the same ranges), or new ones. */
    private List<KeyRange> storedRanges(Run run, String phase) {
        String name = "ranges-" + phase;
        Optional<String> stored = checkpoints.value(run.id(), name);
        if (stored.isPresent()) {
            try {
                List<KeyRange> ranges = new ArrayList<>();
                for (JsonNode r : JSON.readTree(stored.get())) {
                    ranges.add(new KeyRange(r.get(0).isNull() ? null : r.get(0).asText(),
                            r.get(1).isNull() ? null : r.get(1).asText()));
                }
                return ranges;
            } catch (IOException e) {
                throw corrupt(run, name, e);
            }
        }
        List<KeyRange> ranges = plan();
        ArrayNode array = JSON.createArrayNode();
        for (KeyRange r : ranges) {
            array.addArray().add(r.startAfter()).add(r.endInclusive());
        }
        checkpoints.putValue(run.id(), name, array.toString());
        return ranges;
    }

    private static S3ReconException corrupt(Run run, String what, Exception e) {
        return new S3ReconException(ErrorCode.STORE_FAILED, "the checkpoint '" + what + "' of run " + run.id()
                + " cannot be read (" + e.getMessage() + "); start a new run with Migration.builder().newRun(true)", e);
    }

    private TransferScheduler requireScheduler() {
        if (settings.scheduler() == null) {
            throw new S3ReconException(ErrorCode.MISSING_PROVIDER, "no TransferScheduler on the class path: add the "
                    + "io.github.s3recon:s3recon-transfer dependency, or pass one to Migration.builder()"
                    + ".transferScheduler(...)");
        }
        return settings.scheduler();
    }

    /**
     * The deletion guards, checked before the first write: an empty source deletes nothing unless
     * allowed, and no more than maxDeletes objects nor more than maxDeletePercent of the destination.
     */
    private void checkDeletes(Run run, FixPlan plan, long sourceObjects, long destinationObjects) {
        long deletes = plan.deletes();
        if (deletes == 0) {
            return;
        }
        String look = "; nothing was copied or deleted. The planned deletions are in " + plan.file()
                + " (and the differences beside it, in " + run.directory() + ")";
        if (sourceObjects == 0 && !settings.allowEmptySource()) {
            throw new S3ReconException(ErrorCode.EMPTY_SOURCE, "the source " + source + " listed no object (in scope "
                    + "of the include/exclude globs), so the plan deletes all " + deletes + " objects under "
                    + destination + look + ". Check the source bucket, prefix, filters and credentials; to really "
                    + "empty the destination, build the migration with allowEmptySource(true), maxDeletePercent(100) "
                    + "and maxDeletes(" + deletes + ") or more");
        }
        if (deletes > settings.maxDeletes()) {
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the plan deletes " + deletes
                    + " objects from " + destination + ", more than maxDeletes (" + settings.maxDeletes() + ")" + look
                    + ". Check the source and the filters (a wrong or empty source deletes everything), then raise "
                    + "maxDeletes to " + deletes + " or more, or turn deleteExtraneous off");
        }
        if (settings.maxDeletePercent() < 100 && deletes * 100 > settings.maxDeletePercent() * destinationObjects) {
            long percent = (deletes * 100 + destinationObjects - 1) / Math.max(1, destinationObjects);
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the plan deletes " + deletes + " of the "
                    + destinationObjects + " objects under " + destination + " (" + percent + "%), more than "
                    + "maxDeletePercent (" + settings.maxDeletePercent() + "%)" + look + ". Check the source and the "
                    + "filters, then raise maxDeletePercent to " + Math.min(100, percent) + " or more, or turn "
                    + "deleteExtraneous off");
        }
    }

    /** What the transfer phase did. */
    private record TransferOutcome(TransferScheduler.TransferTotals totals, long skipped, Path failuresFile,
            long unfixed) {
    }

    private TransferOutcome transfer(TransferScheduler scheduler, FixPlan plan, Run run, long sourceObjects,
            Comparison before) {
        transition(MigrationState.TRANSFERRING);
        Instant started = phaseStarted(MigrationState.TRANSFERRING);
        Path failuresFile = run.directory().resolve("failures.jsonl");
        try {
            Files.deleteIfExists(failuresFile); // an earlier attempt's: its failures are retried now
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot replace " + failuresFile + ": " + e
                    + " (the work directory must be writable)", e);
        }
        TransferScheduler.TransferTotals totals = TransferScheduler.TransferTotals.NONE;
        String id = run.id();
        // An outcome the store cannot record stops the transfer; the run then fails with STORE_FAILED.
        TaskJournal journal = new TaskJournal(checkpoints, id, () -> {
            TransferScheduler.TransferSession open = session;
            if (open != null) {
                open.cancel();
            }
        });
        long planned = plan.copies() + plan.recopies() + plan.deletes();
        TransferProgress progress = new TransferProgress(planned, plan.bytesToCopy(), before);
        if (!plan.isEmpty()) {
            TransferOutcomes outcomes = new Outcomes(run, journal, progress);
            // Up to here, an earlier attempt may have started the actions: they are checked before being redone.
            long submittedBefore = checkpoints.value(id, "submitted").map(Long::parseLong).orElse(-1L);
            if (submittedBefore >= 0 && "RUN".equals(record.kind())) {
                // A resume: uploads the stopped attempt created without a record are aborted first.
                abortOrphans(id, destination.bucket(), destination.prefix(), true);
            }
            long submitted = submittedBefore;
            try (FailureRecorder failures = new FailureRecorder(outcomes, failuresFile);
                    TransferScheduler.TransferSession s = scheduler.open(new TransferContext(source,
                            destination, settings.checksumAlgorithm(), failures, clock,
                            // Only a RUN resumes: other kinds abort their uploads when they stop.
                            "RUN".equals(record.kind()) ? new Uploads(id) : UploadCheckpoints.NONE));
                    Stream<FixAction> actions = plan.actions()) {
                session = s;
                if (cancelled) {
                    s.cancel();
                }
                // Only a resumed run has saved tasks; a fresh one does not read them at all.
                Iterator<CheckpointStore.TaskRecord> savedTasks = submittedBefore < 0
                        ? java.util.Collections.emptyIterator() : journal.saved();
                CheckpointStore.TaskRecord next = savedTasks.hasNext() ? savedTasks.next() : null;
                long sequence = -1;
                for (Iterator<FixAction> it = actions.iterator(); it.hasNext() && !cancelled && !journal.broken();) {
                    FixAction a = it.next();
                    sequence++;
                    while (next != null && next.sequence() < sequence) {
                        next = savedTasks.hasNext() ? savedTasks.next() : null;
                    }
                    CheckpointStore.TaskRecord task = next != null && next.sequence() == sequence ? next : null;
                    if (task != null && task.state() == CheckpointStore.TaskState.DONE) {
                        journal.doneEarlier(task);
                        progress.earlier(1, task.bytes());
                        continue;
                    }
                    int attempts = task == null ? 0 : task.attempts();
                    if (sequence <= submittedBefore && applied(a)) {
                        // Submitted before the run stopped, and done although its end was not recorded.
                        progress.earlier(1, journal.foundDone(sequence, a, attempts).bytes());
                        continue;
                    }
                    if (sequence > submitted) {
                        // Durable before the work is: a resume checks the objects up to here before redoing them.
                        submitted = sequence + SUBMIT_WINDOW - 1;
                        checkpoints.putValue(id, "submitted", Long.toString(submitted));
                        checkpoints.flush();
                    }
                    journal.submitting(sequence, a, attempts);
                    try {
                        if (a.action() == TransferAction.DELETE) {
                            s.delete(a.destination());
                        } else {
                            s.copy(a.source(), a.action());
                        }
                    } catch (S3ReconException e) {
                        journal.check(); // a session stopped by the journal refuses work: its failure is the cause
                        if (!cancelled) {
                            throw e;
                        }
                    }
                    progress.emit(false);
                }
                totals = s.awaitCompletion();
                journal.check();
                if ("RUN".equals(record.kind())) {
                    // Before the verification: some servers (S3Mock) delete a key's object when any
                    // upload of the key is aborted, which the verification must see.
                    abortOrphans(id, destination.bucket(), destination.prefix(), true);
                }
                for (String note : totals.notes()) {
                    log(run, "WARN", note); // what the engine learned about a server, in the run's history
                }
            } finally {
                session = null;
                checkpoints.flush();
            }
            progress.emit(true);
            checkCancelled();
        } else {
            progress.emit(true);
        }
        totals = journal.plusEarlier(totals);
        phaseFinished(MigrationState.TRANSFERRING, started, progress.objectsDone(), progress.bytesDone());
        long copies = plan.copies() + plan.recopies();
        return new TransferOutcome(totals, Math.max(0, sourceObjects - copies), failuresFile, 0);
    }

    /** Whether an action that may have run before a crash is applied: the copy is there, the object deleted. */
    private boolean applied(FixAction a) {
        String key = destination.fullKey(a.key());
        try {
            var head = destination.client().headObject(b -> b.bucket(destination.bucket()).key(key)).join();
            if (a.action() == TransferAction.DELETE) {
                return false;
            }
            ObjectEntry src = a.source();
            if (head.contentLength() == null || head.contentLength() != src.size()) {
                return false;
            }
            String eTag = head.eTag() == null ? null : head.eTag().replace("\"", "");
            ObjectEntry planned = a.destination();
            if (a.action() == TransferAction.RECOPY && planned != null && eTag != null && eTag.equals(planned.eTag())
                    && (planned.lastModified() == null || planned.lastModified().equals(head.lastModified()))) {
                return false; // still the object the plan saw: the re-copy has not happened
            }
            if (eTag != null && eTag.equals(src.eTag())) {
                return true;
            }
            io.github.s3recon.Fingerprint recorded = io.github.s3recon.Fingerprint.fromMetadata(head.metadata());
            return recorded != null && recorded.sourceETag().equals(src.eTag()) && recorded.size() == src.size();
        } catch (java.util.concurrent.CompletionException e) {
            Throwable cause = S3Errors.unwrap(e);
            if (cause instanceof software.amazon.awssdk.services.s3.model.S3Exception s3 && s3.statusCode() == 404) {
                return a.action() == TransferAction.DELETE;
            }
            LOG.debug("cannot tell whether '{}' was done before the run stopped; doing it", a.key(), cause);
            return false;
        }
    }

    /**
     * Receives each action's outcome from the transfer scheduler (its own channel, not a listener):
     * records it in the task journal, counts it for progress, then tells the user's listeners, which
     * only observe.
     */
    private final class Outcomes implements TransferOutcomes {
        private final Run run;
        private final TaskJournal journal;
        private final TransferProgress progress;

        Outcomes(Run run, TaskJournal journal, TransferProgress progress) {
            this.run = run;
            this.journal = journal;
            this.progress = progress;
        }

        @Override
        public void copied(io.github.s3recon.event.ObjectCopied e) {
            journal.copied(e.key(), e.attempts(), e.bytes(), e.mode() == io.github.s3recon.TransferMode.SERVER_SIDE);
            progress.done(1, e.bytes());
            listener.onObjectCopied(e);
            progress.emit(false);
        }

        @Override
        public void deleted(io.github.s3recon.event.ObjectDeleted e) {
            journal.deleted(e.key());
            progress.done(1, 0);
            listener.onObjectDeleted(e);
            progress.emit(false);
        }

        @Override
        public void failed(io.github.s3recon.event.ObjectFailed e) {
            if ((cancelled || journal.broken()) && e.error().code() == ErrorCode.INTERRUPTED) {
                // Stopped, not failed: it stays in progress, to be checked by the resume.
                journal.interrupted(e.key());
                listener.onObjectFailed(e);
                return;
            }
            journal.failed(e.key(), e.attempts(), e.error().getMessage());
            progress.done(1, 0);
            log(run, "WARN", e.action() + " of '" + e.key() + "' failed: " + e.error().getMessage());
            listener.onObjectFailed(e);
            progress.emit(false);
        }

        @Override
        public void retried(io.github.s3recon.event.TransferRetried e) {
            listener.onRetry(e);
        }
    }

    /** The run's multipart uploads, in the checkpoint store. */
    private final class Uploads implements UploadCheckpoints {
        private final String runId;

        Uploads(String runId) {
            this.runId = runId;
        }

        @Override
        public Optional<CheckpointStore.UploadRecord> find(String key) {
            // An intent is older than the upload created after it: the newest record being an
            // intent means that no upload of the key is live.
            return checkpoints.upload(runId, key).filter(u -> !isIntent(u));
        }

        @Override
        public void intent(String key, Instant at) {
            checkpoints.saveUpload(runId, new CheckpointStore.UploadRecord(key, INTENT + java.util.UUID.randomUUID(),
                    "-", 1, at, List.of()));
            checkpoints.flush();
        }

        @Override
        public String marker() {
            return runId;
        }

        @Override
        public void started(CheckpointStore.UploadRecord upload) {
            checkpoints.saveUpload(runId, upload);
            checkpoints.flush();
        }

        @Override
        public void partDone(String uploadId, CheckpointStore.PartRecord part) {
            checkpoints.savePart(runId, uploadId, part);
        }

        @Override
        public void ended(String uploadId) {
            checkpoints.deleteUpload(runId, uploadId);
        }

        @Override
        public boolean durable() {
            return true;
        }
    }

    /** The upload id of an intent record: an upload about to be created, see {@link UploadCheckpoints#intent}. */
    private static final String INTENT = "s3recon-intent:";
    /** How much older than its intent an orphaned upload may look: the server's clock is not the JVM's. */
    private static final Duration CLOCK_LEEWAY = Duration.ofMinutes(1);

    private static boolean isIntent(CheckpointStore.UploadRecord u) {
        return u.uploadId().startsWith(INTENT);
    }

    /**
     * Aborts the multipart uploads a run started and did not end (a crash, a cancel, a failure),
     * then those it created without a record (see {@link #abortOrphans}), and forgets its intents.
     */
    private void abortUploads(String runId, String bucket, String prefix) {
        for (CheckpointStore.UploadRecord u : checkpoints.uploads(runId)) {
            if (isIntent(u)) {
                continue;
            }
            try {
                destination.client().abortMultipartUpload(b -> b.bucket(bucket).key(prefix + u.key())
                        .uploadId(u.uploadId())).join();
            } catch (RuntimeException e) {
                Throwable cause = S3Errors.unwrap(e);
                if (!(cause instanceof software.amazon.awssdk.services.s3.model.S3Exception s3
                        && s3.statusCode() == 404)) {
                    // Gone already (404) is fine; anything else (e.g. 403 without s3:AbortMultipartUpload)
                    // leaves an upload that costs storage: say so.
                    String message = Redact.text("could not abort multipart upload " + u.uploadId() + " of s3://"
                            + bucket + "/" + prefix + u.key() + ": " + cause + "; abort it, or let a lifecycle rule "
                            + "that aborts incomplete multipart uploads clean it up");
                    LOG.warn(message);
                    checkpoints.log(runId, new CheckpointStore.LogLine(clock.instant(), "WARN", message));
                }
            }
            checkpoints.deleteUpload(runId, u.uploadId());
        }
        abortOrphans(runId, bucket, prefix, false);
    }

    /**
     * Finds the uploads the run created and has no record of, and aborts them: under the
     * destination's prefix, for a key with an intent record, created no earlier than the intent
     * (less a clock leeway), and not a live record's upload. Those come from a kill between a
     * CreateMultipartUpload and its record, or from a retried CreateMultipartUpload whose first
     * answer was lost. Intents are then forgotten: all of them when the run ends, those of keys
     * without a live upload when it resumes.
     *
     * @param keepLive true at a resume: live uploads are kept to be continued, with their intents
     */
    private void abortOrphans(String runId, String bucket, String prefix, boolean keepLive) {
        Map<String, Instant> intents = new java.util.HashMap<>();
        java.util.Set<String> live = new java.util.HashSet<>();
        java.util.Set<String> liveKeys = new java.util.HashSet<>();
        List<CheckpointStore.UploadRecord> records = checkpoints.uploads(runId);
        for (CheckpointStore.UploadRecord u : records) {
            if (isIntent(u)) {
                intents.merge(u.key(), u.startedAt(), (a, b) -> a.isBefore(b) ? a : b);
            } else {
                live.add(u.uploadId());
                liveKeys.add(u.key());
            }
        }
        if (intents.isEmpty()) {
            return;
        }
        try {
            String keyMarker = null;
            String uploadIdMarker = null;
            while (true) {
                String km = keyMarker;
                String um = uploadIdMarker;
                var page = destination.client().listMultipartUploads(b -> {
                    b.bucket(bucket).prefix(prefix.isEmpty() ? null : prefix);
                    if (km != null) {
                        b.keyMarker(km).uploadIdMarker(um);
                    }
                }).join();
                for (var upload : page.uploads()) {
                    String key = upload.key();
                    if (key == null || !key.startsWith(prefix) || live.contains(upload.uploadId())) {
                        continue;
                    }
                    Instant since = intents.get(key.substring(prefix.length()));
                    if (since == null || (upload.initiated() != null
                            && upload.initiated().isBefore(since.minus(CLOCK_LEEWAY)))) {
                        continue;
                    }
                    abortOrphan(runId, bucket, key, upload.uploadId());
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextKeyMarker() == null
                        || (page.nextKeyMarker().equals(km) && java.util.Objects.equals(page.nextUploadIdMarker(), um))) {
                    break;
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (RuntimeException e) {
            // Intents are kept: the next end or resume of the run looks again.
            String message = Redact.text("could not look for multipart uploads left without a record under s3://"
                    + bucket + "/" + prefix + ": " + S3Errors.unwrap(e) + "; grant s3:ListBucketMultipartUploads, or "
                    + "let a lifecycle rule that aborts incomplete multipart uploads clean them up");
            LOG.warn(message);
            checkpoints.log(runId, new CheckpointStore.LogLine(clock.instant(), "WARN", message));
            return;
        }
        for (CheckpointStore.UploadRecord u : records) {
            if (isIntent(u) && !(keepLive && liveKeys.contains(u.key()))) {
                checkpoints.deleteUpload(runId, u.uploadId());
            }
        }
        checkpoints.flush();
    }

    private void abortOrphan(String runId, String bucket, String key, String uploadId) {
        String where = "multipart upload " + uploadId + " of s3://" + bucket + "/" + Redact.key(key);
        try {
            destination.client().abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)).join();
            String message = "aborted " + where + ", which this run created without a record (a kill or a lost "
                    + "answer while it was being created)";
            LOG.info(message);
            checkpoints.log(runId, new CheckpointStore.LogLine(clock.instant(), "INFO", Redact.text(message)));
        } catch (RuntimeException e) {
            Throwable cause = S3Errors.unwrap(e);
            if (!(cause instanceof software.amazon.awssdk.services.s3.model.S3Exception s3 && s3.statusCode() == 404)) {
                String message = Redact.text("could not abort " + where + ": " + cause + "; abort it, or let a "
                        + "lifecycle rule that aborts incomplete multipart uploads clean it up");
                LOG.warn(message);
                checkpoints.log(runId, new CheckpointStore.LogLine(clock.instant(), "WARN", message));
            }
        }
    }

    private MigrationResult verify(Run run, List<KeyRange> ranges, Comparison before, TransferOutcome outcome) {
        transition(MigrationState.VERIFYING);
        Verification verification = settings.verification();
        Comparison c;
        MigrationState terminal;
        if (verification == Verification.NONE && before != null) {
            phaseFinished(MigrationState.VERIFYING, phaseStarted(MigrationState.VERIFYING), 0, 0); // nothing listed
            c = before;
            long fixed = before.plannedFixes();
            terminal = outcome.totals().objectsFailed() == 0 && before.counts().differences() == fixed
                    ? MigrationState.COMPLETED : MigrationState.COMPLETED_WITH_DIFFERENCES;
        } else {
            Verification mode = verification == Verification.NONE ? Verification.SIZE : verification;
            long expected = before == null ? -1 : before.source().objects() * 2;
            c = compare(run, "verify", "differences.jsonl", null, ranges, mode, MigrationState.VERIFYING, expected);
            deliver(c.differencesFile());
            terminal = outcome.totals().objectsFailed() == 0 && c.counts().differences() == 0
                    ? MigrationState.COMPLETED : MigrationState.COMPLETED_WITH_DIFFERENCES;
            verification = mode;
        }
        TransferScheduler.TransferTotals t = outcome.totals();
        TransferSummary transfer = new TransferSummary(t.objectsCopied(), t.bytesCopied(), outcome.skipped(),
                t.objectsDeleted(), t.objectsFailed(), t.retries(), t.objectsServerSide(), t.bytesServerSide(),
                t.objectsRelayed(), t.bytesRelayed(), outcome.failuresFile(), t.deletionsKept(), t.notes());
        return finish(run, terminal, c, verification, transfer, t.deletionsKept());
    }

    private MigrationResult finish(Run run, MigrationState terminal, Comparison c, Verification verification,
            TransferSummary transfer, long deletionsKept) {
        transition(MigrationState.REPORTING);
        ReconciliationReport report = new ReconciliationReport(terminal, c.source(), c.destination(), c.counts(),
                c.matchedByRule(), run.startedAt(), clock.instant(), c.differencesFile(), verification, transfer);
        for (ReconciliationReporter reporter : settings.reporters()) {
            reporter.report(report);
        }
        abortUploads(run.id(), destination.bucket(), destination.prefix());
        checkpoints.clearProgress(run.id());
        state = terminal;
        Instant now = clock.instant();
        record = new CheckpointStore.RunRecord(record.runId(), record.kind(), record.configuration(),
                record.configurationHash(), terminal, record.startedAt(), now, now, report.summaryJson(), null,
                record.attempts());
        checkpoints.updateRun(record);
        String summary = "finished " + terminal + ": " + c.counts().differences() + " differences"
                + (transfer == null ? "" : ", " + transfer.objectsCopied() + " copied, " + transfer.objectsDeleted()
                        + " deleted, " + (deletionsKept == 0 ? "" : deletionsKept + " kept (changed since the plan), ")
                        + transfer.objectsFailed() + " failed");
        log(run, "INFO", summary);
        LOG.info("{} {} of {} to {}", record.kind().toLowerCase(java.util.Locale.ROOT), summary, source, destination);
        checkpoints.flush();
        listener.onFinished(new RunFinished(now, terminal, Duration.between(run.startedAt(), now), null));
        return new MigrationResult(terminal, report);
    }

    /** The run being carried out: its id, directory, start and the stage it starts at. */
    private record Run(String id, Path directory, Instant startedAt, String stage, boolean resumed) {
    }

    private interface Body {
        MigrationResult run(Run run);
    }

    /** Starts or resumes the run's record, and runs a body; any failure ends the run as FAILED, a cancel as CANCELLED. */
    private MigrationResult guarded(String what, String kind, Body body) {
        try (WorkDirectoryLock lock = WorkDirectoryLock.acquire(settings.workDirectory(), listener, clock)) {
            return guardedRun(what, kind, body);
        }
    }

    /**
     * One run at a time per work directory, across processes: an OS file lock, which a killed process
     * releases with its life.
     */
    private static final class WorkDirectoryLock implements AutoCloseable {
        private final java.nio.channels.FileChannel channel;
        private final java.nio.channels.FileLock lock;

        private WorkDirectoryLock(java.nio.channels.FileChannel channel, java.nio.channels.FileLock lock) {
            this.channel = channel;
            this.lock = lock;
        }

        static WorkDirectoryLock acquire(Path workDirectory, MigrationListener listener, Clock clock) {
            Path file = workDirectory.resolve("s3recon.lock");
            java.nio.channels.FileChannel channel = null;
            try {
                channel = java.nio.channels.FileChannel.open(file, java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.WRITE);
                java.nio.channels.FileLock lock = channel.tryLock();
                if (lock != null) {
                    return new WorkDirectoryLock(channel, lock);
                }
            } catch (java.nio.channels.OverlappingFileLockException e) {
                // held by another migration in this JVM: the same answer
            } catch (IOException e) {
                close(channel);
                S3ReconException failure = new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot lock "
                        + file + ": " + e + " (the work directory must be writable)", e);
                listener.onFinished(new RunFinished(clock.instant(), MigrationState.FAILED, Duration.ZERO, failure));
                throw failure;
            }
            close(channel);
            S3ReconException busy = new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "another migration is "
                    + "running in the work directory " + workDirectory + " (it holds " + file + "): wait until it "
                    + "ends, or give each concurrent migration (e.g. each shard) a work directory of its own");
            listener.onFinished(new RunFinished(clock.instant(), MigrationState.FAILED, Duration.ZERO, busy));
            throw busy;
        }

        private static void close(java.nio.channels.FileChannel channel) {
            try {
                if (channel != null) {
                    channel.close();
                }
            } catch (IOException ignored) {
                // nothing was locked
            }
        }

        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException ignored) {
                // closing the channel releases it too
            }
            close(channel);
        }
    }

    private MigrationResult guardedRun(String what, String kind, Body body) {
        Instant startedAt = clock.instant();
        Run run;
        try {
            run = begin(kind, startedAt);
        } catch (RuntimeException e) {
            listener.onFinished(new RunFinished(clock.instant(), MigrationState.FAILED, Duration.ZERO,
                    e instanceof S3ReconException s ? s : null));
            throw e;
        }
        try {
            transition(MigrationState.INITIALIZING);
            createDirectories(run.directory());
            if (run.resumed()) {
                resumed = true;
                log(run, "INFO", "resuming at stage " + run.stage() + " (attempt " + record.attempts() + ")");
                listener.onResumed(new RunResumed(clock.instant(), run.id(), STAGE_TRANSFER.equals(run.stage())
                        ? MigrationState.TRANSFERRING : STAGE_VERIFY.equals(run.stage()) ? MigrationState.VERIFYING
                        : MigrationState.LISTING, record.attempts()));
            }
            checkCancelled();
            return body.run(run);
        } catch (Cancelled e) {
            return cancelledRun(run, e);
        } catch (RuntimeException | Error e) {
            if (cancelled && (e instanceof RangesStopped
                    || e instanceof S3ReconException s && s.code() == ErrorCode.INTERRUPTED)) {
                return cancelledRun(run, (RuntimeException) e);
            }
            S3ReconException failure = e instanceof S3ReconException s ? s
                    : new S3ReconException(ErrorCode.LISTING_FAILED, what + " of " + source + " to "
                            + destination + " failed: " + e, e);
            state = MigrationState.FAILED;
            Instant now = clock.instant();
            try {
                log(run, "ERROR", failure.getMessage());
                if (!"RUN".equals(record.kind())) {
                    forget(run.id()); // only a RUN resumes
                }
                record = new CheckpointStore.RunRecord(record.runId(), record.kind(), record.configuration(),
                        record.configurationHash(), MigrationState.FAILED, record.startedAt(), now, now,
                        record.summary(), Redact.text(failure.getMessage()), record.attempts());
                checkpoints.updateRun(record);
            } catch (RuntimeException storeFailure) {
                failure.addSuppressed(storeFailure);
            }
            listener.onFinished(new RunFinished(now, MigrationState.FAILED, Duration.between(run.startedAt(), now),
                    failure));
            if (e instanceof Error err) {
                throw err;
            }
            throw failure;
        }
    }

    private MigrationResult cancelledRun(Run run, RuntimeException cause) {
        state = MigrationState.CANCELLED;
        Instant now = clock.instant();
        boolean resumable = "RUN".equals(record.kind());
        S3ReconException failure = new S3ReconException(ErrorCode.CANCELLED, "the " + record.kind().toLowerCase(
                java.util.Locale.ROOT) + " of " + source + " to " + destination + " was cancelled"
                + (resumable ? "; its checkpoint is saved: build the migration again on " + settings.workDirectory()
                        + " and call run() to resume it" : ""),
                cause instanceof Cancelled ? null : cause);
        try {
            log(run, "INFO", "cancelled");
            if (!resumable) {
                forget(run.id());
            }
            record = new CheckpointStore.RunRecord(record.runId(), record.kind(), record.configuration(),
                    record.configurationHash(), MigrationState.CANCELLED, record.startedAt(), now, now,
                    record.summary(), null, record.attempts());
            checkpoints.updateRun(record);
        } catch (RuntimeException storeFailure) {
            failure.addSuppressed(storeFailure);
        }
        listener.onFinished(new RunFinished(now, MigrationState.CANCELLED, Duration.between(run.startedAt(), now),
                failure));
        throw failure;
    }

    /** Ends what a run that will not resume left: its multipart uploads, its checkpoints. */
    private void forget(String runId) {
        abortUploads(runId, destination.bucket(), destination.prefix());
        checkpoints.clearProgress(runId);
    }

    /** Creates the run's record, or takes up the unfinished run of the same configuration. */
    private Run begin(String kind, Instant startedAt) {
        RunConfiguration configuration = RunConfiguration.of(settings);
        // Runs of other kinds never resume: one left unfinished by a stopped process is closed as failed.
        for (CheckpointStore.RunRecord r : checkpoints.runs()) {
            if (!"RUN".equals(r.kind()) && !r.state().isTerminal()) {
                abortUploads(r.runId(), destination.bucket(), destination.prefix());
                checkpoints.updateRun(new CheckpointStore.RunRecord(r.runId(), r.kind(), r.configuration(),
                        r.configurationHash(), MigrationState.FAILED, r.startedAt(), startedAt, startedAt, r.summary(),
                        "the process stopped before the run ended", r.attempts()));
                checkpoints.clearProgress(r.runId());
            }
        }
        if ("RUN".equals(kind)) {
            CheckpointStore.RunRecord unfinished = unfinished(checkpoints);
            if (unfinished != null) {
                if (!settings.newRun() && unfinished.configurationHash().equals(configuration.hash())) {
                    String stage = checkpoints.value(unfinished.runId(), STAGE).orElse(STAGE_COMPARE);
                    record = new CheckpointStore.RunRecord(unfinished.runId(), kind, configuration.json(),
                            configuration.hash(), MigrationState.INITIALIZING, unfinished.startedAt(), startedAt, null,
                            null, null, unfinished.attempts() + 1);
                    checkpoints.updateRun(record);
                    return new Run(unfinished.runId(), runDirectory(unfinished.runId()), unfinished.startedAt(), stage,
                            true);
                }
                abandon(unfinished, startedAt);
            }
        }
        String runId = RUN_ID.format(startedAt) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
        record = new CheckpointStore.RunRecord(runId, kind, configuration.json(), configuration.hash(),
                MigrationState.INITIALIZING, startedAt, startedAt, null, null, null, 1);
        checkpoints.createRun(record);
        if ("RUN".equals(kind)) {
            checkpoints.putValue(runId, STAGE, STAGE_COMPARE);
            checkpoints.flush();
        }
        return new Run(runId, runDirectory(runId), startedAt, STAGE_COMPARE, false);
    }

    /** Gives up an unfinished run for a new one: aborts its uploads, forgets its progress, keeps its history. */
    private void abandon(CheckpointStore.RunRecord old, Instant at) {
        String bucket = RunConfiguration.field(old.configuration(), "destination", "bucket");
        String prefix = RunConfiguration.field(old.configuration(), "destination", "prefix");
        abortUploads(old.runId(), bucket == null ? destination.bucket() : bucket, prefix == null ? "" : prefix);
        MigrationState ended = old.state().isTerminal() ? old.state() : MigrationState.CANCELLED;
        checkpoints.updateRun(new CheckpointStore.RunRecord(old.runId(), old.kind(), old.configuration(),
                old.configurationHash(), ended, old.startedAt(), at, old.endedAt() != null ? old.endedAt() : at,
                old.summary(), "abandoned for a new run", old.attempts()));
        checkpoints.log(old.runId(), new CheckpointStore.LogLine(at, "INFO", "abandoned for a new run"));
        checkpoints.clearProgress(old.runId());
        LOG.info("abandoned unfinished run {} for a new run", old.runId());
    }

    private Path runDirectory(String runId) {
        return settings.workDirectory().resolve("runs").resolve(runId);
    }

    private void log(Run run, String level, String message) {
        checkpoints.log(run.id(), new CheckpointStore.LogLine(clock.instant(), level, Redact.text(message)));
    }

    // ---- checkpoint encodings -----------------------------------------------------------------

    private String encode(Comparison c) {
        ObjectNode n = JSON.createObjectNode();
        n.put("sourceObjects", c.source().objects()).put("sourceBytes", c.source().bytes())
                .put("destinationObjects", c.destination().objects()).put("destinationBytes", c.destination().bytes());
        DifferenceCounts k = c.counts();
        n.putArray("counts").add(k.matched()).add(k.missingInDestination()).add(k.extraInDestination())
                .add(k.sizeMismatch()).add(k.contentMismatch()).add(k.stale()).add(k.unverified());
        ObjectNode rules = n.putObject("matchedByRule");
        c.matchedByRule().forEach((rule, count) -> rules.put(rule.name(), count));
        n.put("differencesFile", c.differencesFile().getFileName().toString());
        if (c.plan() != null) {
            n.put("planFile", c.plan().file().getFileName().toString()).put("copies", c.plan().copies())
                    .put("recopies", c.plan().recopies()).put("deletes", c.plan().deletes())
                    .put("bytesToCopy", c.plan().bytesToCopy()).put("planBytes", size(c.plan().file()));
        }
        n.put("plannedFixes", c.plannedFixes());
        return n.toString();
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot read the size of " + file + ": " + e, e);
        }
    }

    private Comparison decodeComparison(Run run, String text) {
        try {
            JsonNode n = JSON.readTree(text);
            LocationSummary src = new LocationSummary(source.bucket(), source.prefix(), n.get("sourceObjects").asLong(),
                    n.get("sourceBytes").asLong());
            LocationSummary dst = new LocationSummary(destination.bucket(), destination.prefix(),
                    n.get("destinationObjects").asLong(), n.get("destinationBytes").asLong());
            JsonNode k = n.get("counts");
            DifferenceCounts counts = new DifferenceCounts(k.get(0).asLong(), k.get(1).asLong(), k.get(2).asLong(),
                    k.get(3).asLong(), k.get(4).asLong(), k.get(5).asLong(), k.get(6).asLong());
            Map<MatchRule, Long> rules = new EnumMap<>(MatchRule.class);
            n.get("matchedByRule").fields().forEachRemaining(e -> rules.put(MatchRule.valueOf(e.getKey()),
                    e.getValue().asLong()));
            FixPlan plan = null;
            if (n.has("planFile")) {
                plan = new FixPlan(src, dst, run.directory().resolve(n.get("planFile").asText()),
                        n.get("copies").asLong(), n.get("recopies").asLong(), n.get("deletes").asLong(),
                        n.get("bytesToCopy").asLong());
            }
            return new Comparison(src, dst, counts, rules, run.directory().resolve(n.get("differencesFile").asText()),
                    plan, n.get("plannedFixes").asLong());
        } catch (IOException | RuntimeException e) {
            throw corrupt(run, "before", e);
        }
    }

    /** The plan file's size the checkpoint recorded, or -1 for a checkpoint written before sizes were. */
    private long planBytes(Run run, String saved) {
        try {
            JsonNode n = JSON.readTree(saved);
            return n.has("planBytes") ? n.get("planBytes").asLong() : -1;
        } catch (IOException e) {
            throw corrupt(run, "before", e);
        }
    }

    private static String encode(TransferOutcome o) {
        TransferScheduler.TransferTotals t = o.totals();
        ArrayNode a = JSON.createArrayNode().add(t.objectsCopied()).add(t.bytesCopied()).add(t.objectsServerSide())
                .add(t.bytesServerSide()).add(t.objectsRelayed()).add(t.bytesRelayed()).add(t.objectsDeleted())
                .add(t.objectsFailed()).add(t.retries()).add(o.skipped()).add(t.deletionsKept());
        return a.toString();
    }

    private TransferOutcome decodeOutcome(Run run, String text) {
        try {
            JsonNode a = JSON.readTree(text);
            TransferScheduler.TransferTotals t = new TransferScheduler.TransferTotals(a.get(0).asLong(),
                    a.get(1).asLong(), a.get(2).asLong(), a.get(3).asLong(), a.get(4).asLong(), a.get(5).asLong(),
                    a.get(6).asLong(), a.get(7).asLong(), a.get(8).asLong(),
                    a.size() > 10 ? a.get(10).asLong() : 0, List.of()); // older checkpoints have no kept count
            return new TransferOutcome(t, a.get(9).asLong(), run.directory().resolve("failures.jsonl"), 0);
        } catch (IOException | RuntimeException e) {
            throw corrupt(run, "transfer", e);
        }
    }

    /** The outcome of listing and diffing both sides. */
    private record Comparison(LocationSummary source, LocationSummary destination, DifferenceCounts counts,
            Map<MatchRule, Long> matchedByRule, Path differencesFile, FixPlan plan, long plannedFixes) {
    }

    /**
     * Lists and diffs both sides, range by range, with a checkpoint per range so that a resumed run
     * goes on from the last key each range decided.
     *
     * @param phase names the checkpoints: {@code before}, {@code verify}, ...
     * @param expectedObjects how many objects the listing will see on both sides, or -1 if not known
     */
    private Comparison compare(Run run, String phase, String differencesName, String planName, List<KeyRange> ranges,
            Verification mode, MigrationState progressPhase, long expectedObjects) {
        Instant started = phaseStarted(progressPhase);
        Progress progress = new Progress(started, progressPhase, expectedObjects);
        boolean planning = planName != null;
        Map<Integer, CheckpointStore.RangeCheckpoint> saved = new java.util.HashMap<>();
        for (CheckpointStore.RangeCheckpoint cp : checkpoints.ranges(run.id(), phase)) {
            saved.put(cp.index(), cp);
        }
        List<Tally> tallies = runRanges(run, phase, ranges, saved, progress, mode, planning);
        progress.emit(true);
        Tally tally = Tally.sum(tallies);
        Path runDirectory = run.directory();
        Path differencesFile = runDirectory.resolve(differencesName);
        concatenate(runDirectory, "range-", ranges.size(), differencesFile);
        LocationSummary src = new LocationSummary(source.bucket(), source.prefix(), tally.sourceObjects,
                tally.sourceBytes);
        LocationSummary dst = new LocationSummary(destination.bucket(), destination.prefix(),
                tally.destinationObjects, tally.destinationBytes);
        FixPlan plan = null;
        if (planning) {
            Path planFile = runDirectory.resolve(planName);
            concatenate(runDirectory, "plan-", ranges.size(), planFile);
            plan = new FixPlan(src, dst, planFile, tally.copies, tally.recopies, tally.deletes, tally.bytesToCopy);
        }
        if (!"before".equals(phase)) {
            // The "before" files are kept until the run has recorded that it is past them.
            deleteRangeFiles(runDirectory, ranges.size());
        }
        phaseFinished(progressPhase, started, src.objects() + dst.objects(), src.bytes() + dst.bytes());
        return new Comparison(src, dst, tally.counts(), tally.matchedByRule(), differencesFile, plan,
                tally.plannedFixes);
    }

    private static void deleteRangeFiles(Path runDirectory, int ranges) {
        for (int i = 0; i < ranges; i++) {
            try {
                Files.deleteIfExists(rangeFile(runDirectory, "range-", i));
                Files.deleteIfExists(rangeFile(runDirectory, "plan-", i));
            } catch (IOException e) {
                LOG.debug("cannot delete a range file in {}", runDirectory, e);
            }
        }
    }

    private void deliver(Path differencesFile) {
        try (Stream<Difference> differences = DifferencesJson.read(differencesFile)) {
            differences.forEach(d -> listener.onDifference(new DifferenceFound(clock.instant(), d)));
        }
    }

    private List<Tally> runRanges(Run run, String phase, List<KeyRange> ranges,
            Map<Integer, CheckpointStore.RangeCheckpoint> saved, Progress progress, Verification mode,
            boolean planning) {
        if (ranges.size() == 1) {
            return List.of(runRange(run, phase, 0, ranges.get(0), saved.get(0), progress, mode, planning));
        }
        LOG.debug("listing {} and {} as {} key ranges", source, destination, ranges.size());
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(ranges.size(),
                r -> {
                    Thread t = new Thread(r, "s3recon-range-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<Tally>> futures = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> runRange(run, phase, index, ranges.get(index), saved.get(index),
                        progress, mode, planning)));
            }
            List<Tally> tallies = new ArrayList<>();
            for (java.util.concurrent.Future<Tally> f : futures) {
                try {
                    tallies.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    // The other ranges stop too, and are waited for, so that none writes its files or
                    // checkpoints after the run has ended.
                    stopRanges = true;
                    pool.shutdownNow();
                    try {
                        pool.awaitTermination(60, java.util.concurrent.TimeUnit.SECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new S3ReconException(ErrorCode.INTERRUPTED, "reconciliation of " + source + " with "
                            + destination + " was interrupted", e);
                }
            }
            return tallies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Diffs one range; on a listing out of UTF-8 order, sorts that side in the store and starts the range over. */
    private Tally runRange(Run run, String phase, int index, KeyRange range, CheckpointStore.RangeCheckpoint saved,
            Progress progress, Verification mode, boolean planning) {
        Set<MergeDiff.Side> sortInStore = EnumSet.noneOf(MergeDiff.Side.class);
        if (!sourceLister.listsInKeyOrder()) {
            sortInStore.add(MergeDiff.Side.SOURCE);
        }
        if (!destinationLister.listsInKeyOrder()) {
            sortInStore.add(MergeDiff.Side.DESTINATION);
        }
        Path differencesFile = rangeFile(run.directory(), "range-", index);
        Path planFile = planning ? rangeFile(run.directory(), "plan-", index) : null;
        if (saved != null && saved.done() && holds(differencesFile, saved.differencesBytes())
                && (planFile == null || holds(planFile, saved.planBytes()))) {
            Tally tally = Tally.decode(saved.tally());
            progress.restored(tally);
            return tally;
        }
        CheckpointStore.RangeCheckpoint from = saved != null && saved.lastKey() != null && sortInStore.isEmpty()
                && holds(differencesFile, saved.differencesBytes()) && (planFile == null
                        || holds(planFile, saved.planBytes())) ? saved : null;
        while (true) {
            Tally tally = from == null ? new Tally() : Tally.decode(from.tally());
            Tally restored = from == null ? new Tally() : Tally.decode(from.tally());
            progress.restored(restored);
            try {
                attempt(run, phase, index, range, from, sortInStore, differencesFile, planFile, tally, progress, mode);
                return tally;
            } catch (MergeDiff.UnsortedInputException e) {
                progress.forget(tally, restored);
                from = null;
                // The range starts over from nothing: so must a resume if the run stops while it does.
                checkpoints.saveRange(run.id(), new CheckpointStore.RangeCheckpoint(phase, index, range.startAfter(),
                        range.endInclusive(), null, 0, 0, new Tally().encode(), false));
                if (!sortInStore.add(e.side())) {
                    throw e; // the store itself returned an unsorted listing: a store bug
                }
                S3Location location = e.side() == MergeDiff.Side.SOURCE ? source : destination;
                LOG.warn("{} is not listed in UTF-8 byte order ({}); listing key range {} again through the "
                        + "inventory store to sort it", location, e.getMessage(), range);
                log(run, "WARN", location + " is not listed in UTF-8 byte order; key range " + range
                        + " is sorted through the inventory store");
            }
        }
    }

    /** Whether a range's file holds at least the bytes its checkpoint recorded (else the range starts over). */
    private static boolean holds(Path file, long bytes) {
        try {
            return Files.exists(file) && Files.size(file) >= bytes;
        } catch (IOException e) {
            return false;
        }
    }

    /** Saves a range's progress now and then: the files are flushed first, so the offsets are in them. */
    private final class RangeCheckpointer {
        private final Run run;
        private final String phase;
        private final int index;
        private final KeyRange range;
        private final DifferencesJson.Writer differences;
        private final DifferencesJson.Writer plan;
        private final Tally tally;
        private final boolean enabled;
        private int sinceLast;
        private long lastNanos = System.nanoTime();

        RangeCheckpointer(Run run, String phase, int index, KeyRange range, DifferencesJson.Writer differences,
                DifferencesJson.Writer plan, Tally tally, boolean enabled) {
            this.run = run;
            this.phase = phase;
            this.index = index;
            this.range = range;
            this.differences = differences;
            this.plan = plan;
            this.tally = tally;
            this.enabled = enabled;
        }

        void decided(String key) {
            checkCancelled();
            if (!enabled) {
                return;
            }
            // The clock is read every 64 keys only: at millions of keys per second it would show.
            if (++sinceLast >= CHECKPOINT_EVERY
                    || (sinceLast & 63) == 0 && System.nanoTime() - lastNanos >= 1_000_000_000L) {
                save(key, false);
            }
        }

        void save(String key, boolean done) {
            long d = differences.checkpoint();
            long p = plan == null ? 0 : plan.checkpoint();
            checkpoints.saveRange(run.id(), new CheckpointStore.RangeCheckpoint(phase, index, range.startAfter(),
                    range.endInclusive(), key, d, p, tally.encode(), done));
            sinceLast = 0;
            lastNanos = System.nanoTime();
        }
    }

    private void attempt(Run run, String phase, int index, KeyRange range, CheckpointStore.RangeCheckpoint from,
            Set<MergeDiff.Side> sortInStore, Path differencesFile, Path planFile, Tally tally, Progress progress,
            Verification mode) {
        MergeDiff diff = switch (mode) {
            case NONE, SIZE -> MergeDiff.sizesOnly();
            case CHECKSUM -> MergeDiff.withLookup(new HeadLookup(source, destination));
            case DEEP -> MergeDiff.deep(new HeadLookup(source, destination));
        };
        OverwritePolicy overwrite = settings.overwrite();
        boolean deleteExtraneous = settings.deleteExtraneous();
        String name = run.directory().getFileName() + "-" + phase + "-" + index;
        // A checkpoint's last key is decided on both sides: listing goes on after it.
        KeyRange listed = range;
        boolean finished = false;
        if (from != null) {
            if (range.endInclusive() != null && KeyOrder.compareKeys(from.lastKey(), range.endInclusive()) >= 0) {
                finished = true;
            } else {
                listed = new KeyRange(from.lastKey(), range.endInclusive());
            }
        }
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(differencesFile,
                from == null ? 0 : from.differencesBytes());
                DifferencesJson.Writer plan = planFile == null ? null
                        : new DifferencesJson.Writer(planFile, from == null ? 0 : from.planBytes())) {
            RangeCheckpointer checkpointer = new RangeCheckpointer(run, phase, index, range, writer, plan, tally,
                    sortInStore.isEmpty());
            if (!finished) {
                try (Stream<ObjectEntry> src = open(name, MergeDiff.Side.SOURCE, listed, sortInStore, progress);
                        Stream<ObjectEntry> dst = open(name, MergeDiff.Side.DESTINATION, listed, sortInStore,
                                progress)) {
                    diff.diff(src.iterator(), dst.iterator(), new MergeDiff.Sink() {
                        @Override
                        public void matched(ObjectEntry s, ObjectEntry d, MatchRule rule) {
                            tally.source(s);
                            tally.destination(d);
                            tally.matched(rule);
                            if (plan != null && overwrite == OverwritePolicy.ALWAYS) {
                                tally.planned(new FixAction(TransferAction.RECOPY, s.key(), null, s, d), plan);
                            }
                            checkpointer.decided(s.key());
                        }

                        @Override
                        public void difference(Difference d) {
                            if (d.source() != null) {
                                tally.source(d.source());
                            }
                            if (d.destination() != null) {
                                tally.destination(d.destination());
                            }
                            tally.difference(d);
                            writer.write(d);
                            if (plan != null) {
                                FixAction a = FixAction.of(d, overwrite, deleteExtraneous);
                                if (a != null) {
                                    tally.planned(a, plan);
                                }
                            }
                            checkpointer.decided(d.key());
                        }
                    });
                }
            }
            checkpointer.save(range.endInclusive(), true);
        } finally {
            for (MergeDiff.Side side : sortInStore) {
                store.delete(inventoryName(name, side));
            }
        }
    }

    private Stream<ObjectEntry> open(String name, MergeDiff.Side side, KeyRange range,
            Set<MergeDiff.Side> sortInStore, Progress progress) {
        S3Location location = side == MergeDiff.Side.SOURCE ? source : destination;
        ObjectLister lister = side == MergeDiff.Side.SOURCE ? sourceLister : destinationLister;
        Stream<ObjectEntry> listing = lister.list(location, range);
        Iterator<ObjectEntry> entries = listing.iterator();
        if (!settings.filter().acceptsAll()) {
            entries = filtered(entries, settings.filter());
        }
        Iterator<ObjectEntry> counted = progress.counting(side, entries);
        if (!sortInStore.contains(side)) {
            return iteratorStream(counted).onClose(listing::close);
        }
        String inventory = inventoryName(name, side);
        try (listing; InventoryStore.Writer writer = store.writer(inventory)) {
            while (counted.hasNext()) {
                writer.add(counted.next());
            }
        }
        return store.readSorted(inventory);
    }

    private static Iterator<ObjectEntry> filtered(Iterator<ObjectEntry> entries, KeyFilter filter) {
        return new Iterator<>() {
            private ObjectEntry next;

            @Override
            public boolean hasNext() {
                while (next == null && entries.hasNext()) {
                    ObjectEntry e = entries.next();
                    if (filter.test(e.key())) {
                        next = e;
                    }
                }
                return next != null;
            }

            @Override
            public ObjectEntry next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                ObjectEntry e = next;
                next = null;
                return e;
            }
        };
    }

    private static Path rangeFile(Path runDirectory, String kind, int index) {
        return runDirectory.resolve(String.format(java.util.Locale.ROOT, "%s%06d.jsonl", kind, index));
    }

    /** Joins the ranges' files of one kind, in range order and so in key order, into one file. */
    /**
     * Joins the range files into one, and forces it (and its directory entry) to disk: a resumed run
     * reads the plan from it after the checkpoint says the compare stage is over.
     */
    private static void concatenate(Path runDirectory, String kind, int ranges, Path differencesFile) {
        try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(differencesFile,
                java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE,
                java.nio.file.StandardOpenOption.TRUNCATE_EXISTING)) {
            for (int i = 0; i < ranges; i++) {
                try (java.nio.channels.FileChannel part = java.nio.channels.FileChannel.open(
                        rangeFile(runDirectory, kind, i), java.nio.file.StandardOpenOption.READ)) {
                    long size = part.size();
                    for (long at = 0; at < size; ) {
                        at += part.transferTo(at, size - at, out);
                    }
                }
            }
            out.force(true);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write " + differencesFile + ": " + e
                    + " (check free disk space in the work directory)", e);
        }
        forceDirectory(runDirectory);
    }

    /** Makes a new file's directory entry durable (where the platform allows opening a directory). */
    private static void forceDirectory(Path directory) {
        try (java.nio.channels.FileChannel dir = java.nio.channels.FileChannel.open(directory,
                java.nio.file.StandardOpenOption.READ)) {
            dir.force(true);
        } catch (IOException | UnsupportedOperationException e) {
            LOG.debug("cannot force the directory {} to disk (not supported here)", directory, e);
        }
    }

    /**
     * Before a resumed run copies from its plan: the plan file must hold exactly what the checkpoint
     * recorded, or the run would copy less than it planned and still report success.
     */
    private void checkPlanFile(Run run, Comparison before, long recordedBytes) {
        FixPlan plan = before.plan();
        Path file = plan.file();
        long records = plan.copies() + plan.recopies() + plan.deletes();
        String fix = ": it was deleted, moved or damaged since the run stopped. Start the run again from its "
                + "listing with Migration.builder().newRun(true) (nothing already copied is copied twice: the new "
                + "plan leaves out what the destination has)";
        if (!Files.isRegularFile(file)) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "the plan file " + file + " of run " + run.id()
                    + " (" + records + " actions) is missing" + fix);
        }
        long size;
        long lines = 0;
        try (java.io.InputStream in = new java.io.BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
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
            throw new S3ReconException(ErrorCode.STORE_FAILED, "the plan file " + file + " of run " + run.id()
                    + " cannot be read (" + e + ")" + fix, e);
        }
        if ((recordedBytes >= 0 && size != recordedBytes) || lines != records) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "the plan file " + file + " of run " + run.id()
                    + " holds " + lines + " actions in " + size + " bytes, but the checkpoint recorded " + records
                    + " actions" + (recordedBytes >= 0 ? " in " + recordedBytes + " bytes" : "") + fix);
        }
    }

    private static Stream<ObjectEntry> iteratorStream(Iterator<ObjectEntry> it) {
        return java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(it, java.util.Spliterator.ORDERED), false);
    }

    private static String inventoryName(String runId, MergeDiff.Side side) {
        return "run-" + runId + "-" + side.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** Tells the listeners that a phase began; returns when. */
    private Instant phaseStarted(MigrationState phase) {
        Instant now = clock.instant();
        listener.onPhaseStarted(new PhaseStarted(now, phase));
        return now;
    }

    /** Tells the listeners that a phase ended normally, with its counts and duration. */
    private void phaseFinished(MigrationState phase, Instant started, long objects, long bytes) {
        Instant now = clock.instant();
        Duration took = Duration.between(started, now);
        listener.onPhaseFinished(new PhaseFinished(now, phase, Math.max(0, objects), Math.max(0, bytes),
                took.isNegative() ? Duration.ZERO : took));
    }

    /** Moves to a state: the run's record (durably), its log and the listeners. */
    private void transition(MigrationState to) {
        MigrationState from = state;
        state = to;
        Instant now = clock.instant();
        CheckpointStore.RunRecord r = record;
        if (r != null) {
            record = new CheckpointStore.RunRecord(r.runId(), r.kind(), r.configuration(), r.configurationHash(), to,
                    r.startedAt(), now, null, r.summary(), r.error(), r.attempts());
            checkpoints.updateRun(record);
            checkpoints.log(r.runId(), new CheckpointStore.LogLine(now, "INFO", "state " + to));
        }
        listener.onStateChanged(new StateChanged(now, from, to));
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot create " + directory + ": " + e
                    + " (the work directory must be writable, with free space)", e);
        }
    }

    /** Counts of one range's attempt, written by the range's thread only; the decided keys only. */
    private static final class Tally {
        long sourceObjects;
        long sourceBytes;
        long destinationObjects;
        long destinationBytes;
        long missing;
        long extra;
        long sizeMismatch;
        long contentMismatch;
        long stale;
        long unverified;
        long copies;
        long recopies;
        long deletes;
        long bytesToCopy;
        long plannedFixes;
        // By rule ordinal: a map with boxed counts cost an allocation per matched key.
        final long[] matchedByRule = new long[MatchRule.values().length];

        void source(ObjectEntry e) {
            sourceObjects++;
            sourceBytes += e.size();
        }

        void destination(ObjectEntry e) {
            destinationObjects++;
            destinationBytes += e.size();
        }

        void planned(FixAction a, DifferencesJson.Writer plan) {
            plan.write(a);
            switch (a.action()) {
                case COPY -> copies++;
                case RECOPY -> recopies++;
                case DELETE -> deletes++;
            }
            if (a.action() != TransferAction.DELETE) {
                bytesToCopy += a.source().size();
            }
            if (a.reason() != null) {
                plannedFixes++;
            }
        }

        void matched(MatchRule rule) {
            matchedByRule[rule.ordinal()]++;
        }

        void difference(Difference d) {
            switch (d.type()) {
                case MISSING_IN_DESTINATION -> missing++;
                case EXTRA_IN_DESTINATION -> extra++;
                case SIZE_MISMATCH -> sizeMismatch++;
                case CONTENT_MISMATCH -> contentMismatch++;
                case STALE -> stale++;
                case UNVERIFIED -> unverified++;
            }
        }

        /** The counts as text for a checkpoint: the fields in order, then the matches per rule. */
        String encode() {
            StringBuilder b = new StringBuilder();
            for (long v : new long[] {sourceObjects, sourceBytes, destinationObjects, destinationBytes, missing, extra,
                    sizeMismatch, contentMismatch, stale, unverified, copies, recopies, deletes, bytesToCopy,
                    plannedFixes}) {
                b.append(v).append(',');
            }
            for (MatchRule rule : MatchRule.values()) {
                b.append(rule.name()).append('=').append(matchedByRule[rule.ordinal()]).append(',');
            }
            return b.toString();
        }

        static Tally decode(String text) {
            Tally t = new Tally();
            String[] parts = text.split(",");
            long[] v = new long[15];
            for (int i = 0; i < v.length; i++) {
                v[i] = Long.parseLong(parts[i]);
            }
            t.sourceObjects = v[0];
            t.sourceBytes = v[1];
            t.destinationObjects = v[2];
            t.destinationBytes = v[3];
            t.missing = v[4];
            t.extra = v[5];
            t.sizeMismatch = v[6];
            t.contentMismatch = v[7];
            t.stale = v[8];
            t.unverified = v[9];
            t.copies = v[10];
            t.recopies = v[11];
            t.deletes = v[12];
            t.bytesToCopy = v[13];
            t.plannedFixes = v[14];
            for (int i = v.length; i < parts.length; i++) {
                int eq = parts[i].indexOf('=');
                long n = Long.parseLong(parts[i].substring(eq + 1));
                t.matchedByRule[MatchRule.valueOf(parts[i].substring(0, eq)).ordinal()] = n;
            }
            return t;
        }

        static Tally sum(List<Tally> tallies) {
            Tally sum = new Tally();
            for (Tally t : tallies) {
                sum.sourceObjects += t.sourceObjects;
                sum.sourceBytes += t.sourceBytes;
                sum.destinationObjects += t.destinationObjects;
                sum.destinationBytes += t.destinationBytes;
                sum.missing += t.missing;
                sum.extra += t.extra;
                sum.sizeMismatch += t.sizeMismatch;
                sum.contentMismatch += t.contentMismatch;
                sum.stale += t.stale;
                sum.unverified += t.unverified;
                sum.copies += t.copies;
                sum.recopies += t.recopies;
                sum.deletes += t.deletes;
                sum.bytesToCopy += t.bytesToCopy;
                sum.plannedFixes += t.plannedFixes;
                for (int i = 0; i < sum.matchedByRule.length; i++) {
                    sum.matchedByRule[i] += t.matchedByRule[i];
                }
            }
            return sum;
        }

        /** The rules that matched at least once, with their counts. */
        Map<MatchRule, Long> matchedByRule() {
            Map<MatchRule, Long> byRule = new EnumMap<>(MatchRule.class);
            for (MatchRule rule : MatchRule.values()) {
                if (matchedByRule[rule.ordinal()] > 0) {
                    byRule.put(rule, matchedByRule[rule.ordinal()]);
                }
            }
            return byRule;
        }

        DifferenceCounts counts() {
            long matched = java.util.Arrays.stream(matchedByRule).sum();
            return new DifferenceCounts(matched, missing, extra, sizeMismatch, contentMismatch, stale, unverified);
        }
    }

    /** Counts listed entries over all ranges and emits throttled snapshots. */
    private final class Progress {
        private final java.util.concurrent.atomic.LongAdder sourceObjects = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder sourceBytes = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder destinationObjects =
                new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder destinationBytes =
                new java.util.concurrent.atomic.LongAdder();
        private final Instant phaseStart;
        private final MigrationState phase;
        private final long expectedObjects;
        private final java.util.concurrent.atomic.LongAdder restoredObjects = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder restoredBytes = new java.util.concurrent.atomic.LongAdder();
        private final RateMeter rates = new RateMeter(10);
        private Instant lastEmitted;

        Progress(Instant phaseStart, MigrationState phase, long expectedObjects) {
            this.phaseStart = phaseStart;
            this.phase = phase;
            this.expectedObjects = expectedObjects;
            this.lastEmitted = phaseStart;
            rates.sample(phaseStart, 0, 0);
        }

        Iterator<ObjectEntry> counting(MergeDiff.Side side, Iterator<ObjectEntry> entries) {
            boolean isSource = side == MergeDiff.Side.SOURCE;
            return new Iterator<>() {
                private long n;

                @Override
                public boolean hasNext() {
                    checkCancelled();
                    return entries.hasNext();
                }

                @Override
                public ObjectEntry next() {
                    ObjectEntry e = entries.next();
                    if (isSource) {
                        sourceObjects.increment();
                        sourceBytes.add(e.size());
                    } else {
                        destinationObjects.increment();
                        destinationBytes.add(e.size());
                    }
                    if ((++n & 1023) == 0) {
                        emit(false);
                    }
                    return e;
                }
            };
        }

        /** Counts what a range's checkpoint says was listed before the run stopped: done, but not in the rate. */
        void restored(Tally tally) {
            sourceObjects.add(tally.sourceObjects);
            sourceBytes.add(tally.sourceBytes);
            destinationObjects.add(tally.destinationObjects);
            destinationBytes.add(tally.destinationBytes);
            restoredObjects.add(tally.sourceObjects + tally.destinationObjects);
            restoredBytes.add(tally.sourceBytes + tally.destinationBytes);
        }

        /** Takes back what an abandoned attempt counted (and what it had restored), before its range starts over. */
        void forget(Tally tally, Tally restored) {
            sourceObjects.add(-tally.sourceObjects);
            sourceBytes.add(-tally.sourceBytes);
            destinationObjects.add(-tally.destinationObjects);
            destinationBytes.add(-tally.destinationBytes);
            restoredObjects.add(-(restored.sourceObjects + restored.destinationObjects));
            restoredBytes.add(-(restored.sourceBytes + restored.destinationBytes));
        }

        synchronized void emit(boolean force) {
            Instant now = clock.instant();
            if (!force && Duration.between(lastEmitted, now).compareTo(settings.progressInterval()) < 0) {
                return;
            }
            lastEmitted = now;
            long so = Math.max(0, sourceObjects.sum());
            long sb = Math.max(0, sourceBytes.sum());
            long d = Math.max(0, destinationObjects.sum());
            long db = Math.max(0, destinationBytes.sum());
            long total = expectedObjects < 0 ? -1 : Math.max(expectedObjects, so + d);
            rates.sample(now, Math.max(0, so + d - restoredObjects.sum()), Math.max(0, sb + db - restoredBytes.sum()));
            listener.onProgress(new ProgressSnapshot(now, phase, so + d, total, sb + db, -1,
                    rates.objectsPerSecond(), rates.bytesPerSecond(), rates.eta(so + d, total, sb + db, -1), so, sb,
                    d, db, Duration.between(phaseStart, now), resumed));
        }
    }

    /** Counts the plan's actions done and emits throttled snapshots of the transfer. */
    private final class TransferProgress {
        private final long objectsTotal;
        private final long bytesTotal;
        private final Comparison before;
        private final java.util.concurrent.atomic.LongAdder objects = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder bytes = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder earlierObjects =
                new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder earlierBytes = new java.util.concurrent.atomic.LongAdder();
        private final Instant phaseStart = clock.instant();
        private final RateMeter rates = new RateMeter(10);
        private Instant lastEmitted = phaseStart;

        TransferProgress(long objectsTotal, long bytesTotal, Comparison before) {
            this.objectsTotal = objectsTotal;
            this.bytesTotal = bytesTotal;
            this.before = before;
            rates.sample(phaseStart, 0, 0);
        }

        /** Counts actions done in this attempt. */
        void done(long n, long b) {
            objects.add(n);
            bytes.add(b);
        }

        /** Counts actions an earlier attempt did: done, but not part of this attempt's rate. */
        void earlier(long n, long b) {
            earlierObjects.add(n);
            earlierBytes.add(b);
        }

        synchronized void emit(boolean force) {
            Instant now = clock.instant();
            if (!force && Duration.between(lastEmitted, now).compareTo(settings.progressInterval()) < 0) {
                return;
            }
            lastEmitted = now;
            long o = objects.sum();
            long b = bytes.sum();
            rates.sample(now, o, b);
            long doneObjects = o + earlierObjects.sum();
            long doneBytes = b + earlierBytes.sum();
            LocationSummary src = before == null ? null : before.source();
            LocationSummary dst = before == null ? null : before.destination();
            listener.onProgress(new ProgressSnapshot(now, MigrationState.TRANSFERRING, doneObjects, objectsTotal,
                    doneBytes, bytesTotal, rates.objectsPerSecond(), rates.bytesPerSecond(),
                    rates.eta(doneObjects, objectsTotal, doneBytes, bytesTotal), src == null ? 0 : src.objects(),
                    src == null ? 0 : src.bytes(), dst == null ? 0 : dst.objects(), dst == null ? 0 : dst.bytes(),
                    Duration.between(phaseStart, now), resumed));
        }

        /** Actions done, in this attempt and earlier ones. */
        long objectsDone() {
            return objects.sum() + earlierObjects.sum();
        }

        /** Bytes copied, in this attempt and earlier ones. */
        long bytesDone() {
            return bytes.sum() + earlierBytes.sum();
        }
    }
}
