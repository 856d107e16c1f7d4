package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.FixAction;
import io.github.s3recon.FixPlan;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.internal.relay.RelaySession;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.UploadCheckpoints;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Collections;
import java.util.Iterator;
import java.util.concurrent.CompletionException;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The transfer stage: hands the plan's actions, in plan order, to the transfer scheduler, and keeps
 * the task journal (what each action came to) so that a resumed run skips what is done and checks
 * what was in flight before redoing it.
 *
 * <p>Before actions are submitted, the last sequence number about to be submitted is made durable
 * (a window of {@code s3recon.checkpoint.submitWindow}, 256, per write): at a resume, the actions
 * up to it are looked at on the destination (done although their end was not recorded?) before
 * being redone. The multipart uploads of a RUN are recorded to be continued, and those it created
 * without a record are aborted, at a resume and after the transfer.
 *
 * <p>The engine's thread submits; the scheduler's threads report outcomes through {@link Outcomes}.
 * {@link #cancel()} may be called from any thread.
 */
final class TransferStage {

    private static final Logger LOG = LoggerFactory.getLogger(TransferStage.class);
    /** Plan actions announced as submitted by one durable write, before they are submitted. */
    private static final int SUBMIT_WINDOW = Integer.getInteger("s3recon.checkpoint.submitWindow", 256);

    private final RunContext run;
    private final RunLifecycle lifecycle;
    private final UploadJournal uploads;
    private volatile TransferScheduler.TransferSession session;

    TransferStage(RunContext run, RunLifecycle lifecycle, UploadJournal uploads) {
        this.run = run;
        this.lifecycle = lifecycle;
        this.uploads = uploads;
    }

    /** Stops the session in flight, if there is one: no further copy starts, copies in flight are aborted. */
    void cancel() {
        TransferScheduler.TransferSession s = session;
        if (s != null) {
            s.cancel();
        }
    }

    /**
     * Carries out a plan.
     *
     * @param sourceObjects the source's objects in scope (those not copied are counted as skipped)
     * @param before the comparison the plan was made from, or null for a repair's plan
     */
    TransferOutcome run(TransferScheduler scheduler, FixPlan plan, long sourceObjects, Comparison before) {
        lifecycle.transition(MigrationState.TRANSFERRING);
        Instant started = lifecycle.phaseStarted(MigrationState.TRANSFERRING);
        Path failuresFile = lifecycle.directory().resolve("failures.jsonl");
        try {
            Files.deleteIfExists(failuresFile); // an earlier attempt's: its failures are retried now
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot replace " + failuresFile + ": " + e
                    + " (the work directory must be writable)", e);
        }
        // The source objects the listing found gone are failures of this run, whatever the plan holds.
        long notFound = NotFoundLog.appendTo(lifecycle.directory(), failuresFile);
        TransferScheduler.TransferTotals totals = TransferScheduler.TransferTotals.NONE;
        String id = lifecycle.id();
        boolean resumable = lifecycle.kind() == RunKind.RUN;
        // An outcome the store cannot record stops the transfer; the run then fails with STORE_FAILED.
        TaskJournal journal = new TaskJournal(run.checkpoints, id, this::cancel);
        long planned = plan.copies() + plan.recopies() + plan.deletes();
        TransferProgress progress = new TransferProgress(run, started, planned, plan.bytesToCopy(), before);
        if (!plan.isEmpty()) {
            TransferOutcomes outcomes = new Outcomes(journal, progress);
            // Up to here, an earlier attempt may have started the actions: they are checked before being redone.
            long submittedBefore = lifecycle.resume().submitted();
            if (submittedBefore >= 0 && resumable) {
                // A resume: uploads the stopped attempt created without a record are aborted first.
                uploads.abortOrphans(id, run.destination.bucket(), run.destination.prefix(), true);
            }
            long submitted = submittedBefore;
            try (FailureRecorder failures = new FailureRecorder(outcomes, failuresFile);
                    TransferScheduler.TransferSession s = run.source == null
                            // Not a bucket: the engine relays every copy itself (no server-side copy to choose).
                            ? new RelaySession(run.sourceSide, run.destination, failures, run.clock,
                                    RelaySession.Settings.defaults(),
                                    resumable ? uploads.checkpoints(id) : UploadCheckpoints.NONE)
                            : scheduler.open(new TransferContext(run.source,
                            run.destination, run.settings.checksumAlgorithm(), failures, run.clock,
                            // Only a RUN resumes: other kinds abort their uploads when they stop.
                            resumable ? uploads.checkpoints(id) : UploadCheckpoints.NONE));
                    Stream<FixAction> actions = plan.actions()) {
                session = s;
                if (run.cancelled()) {
                    s.cancel();
                }
                // Only a resumed run has saved tasks; a fresh one does not read them at all.
                Iterator<TaskRecord> savedTasks = submittedBefore < 0 ? Collections.emptyIterator() : journal.saved();
                TaskRecord next = savedTasks.hasNext() ? savedTasks.next() : null;
                long sequence = -1;
                for (Iterator<FixAction> it = actions.iterator(); it.hasNext() && !run.cancelled()
                        && !journal.broken();) {
                    FixAction a = it.next();
                    sequence++;
                    while (next != null && next.sequence() < sequence) {
                        next = savedTasks.hasNext() ? savedTasks.next() : null;
                    }
                    TaskRecord task = next != null && next.sequence() == sequence ? next : null;
                    if (task != null && task.state() == TaskState.DONE) {
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
                        lifecycle.save(lifecycle.resume().withSubmitted(submitted));
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
                        if (!run.cancelled()) {
                            throw e;
                        }
                    }
                    progress.emit(false);
                }
                totals = s.awaitCompletion();
                journal.check();
                if (resumable) {
                    // Before the verification: some servers (S3Mock) delete a key's object when any
                    // upload of the key is aborted, which the verification must see.
                    uploads.abortOrphans(id, run.destination.bucket(), run.destination.prefix(), true);
                }
                for (String note : totals.notes()) {
                    lifecycle.log("WARN", note); // what the engine learned about a server, in the run's history
                }
            } finally {
                session = null;
                run.checkpoints.flush();
            }
            progress.emit(true);
            run.checkCancelled();
        } else {
            progress.emit(true);
        }
        totals = journal.plusEarlier(totals);
        long repeats = NotFoundLog.duplicates(lifecycle.directory());
        if (notFound > 0 || repeats > 0) {
            java.util.List<String> notes = new java.util.ArrayList<>(totals.notes());
            if (repeats > 0) {
                notes.add(0, repeats + " manifest entries repeated a key listed before: each key copied once (from "
                        + "the entry listed last)");
            }
            if (notFound > 0) {
                notes.add(0, notFound + " source objects not found (HTTP 404 or 410) when listed: skipped, listed in "
                        + failuresFile.getFileName());
            }
            totals = new TransferScheduler.TransferTotals(totals.objectsCopied(), totals.bytesCopied(),
                    totals.objectsServerSide(), totals.bytesServerSide(), totals.objectsRelayed(), totals.bytesRelayed(),
                    totals.objectsDeleted(), totals.objectsFailed() + notFound, totals.retries(), totals.deletionsKept(),
                    notes);
        }
        lifecycle.phaseFinished(MigrationState.TRANSFERRING, started, progress.objectsDone(), progress.bytesDone());
        long copies = plan.copies() + plan.recopies();
        return new TransferOutcome(totals, journal.copiedEarlier(), journal.bytesCopiedEarlier(),
                Math.max(0, sourceObjects - copies), failuresFile);
    }

    /** Whether an action that may have run before a crash is applied: the copy is there, the object deleted. */
    private boolean applied(FixAction a) {
        String key = run.destination.fullKey(a.key());
        try {
            var head = run.destination.client().headObject(b -> b.bucket(run.destination.bucket()).key(key)).join();
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
            if (src.eTag() == null && run.source == null) {
                // A relayed copy of an object without ETag: its metadata says which size of which source it is.
                return head.hasMetadata() && head.metadata().containsKey("s3recon-source-url")
                        && String.valueOf(src.size()).equals(head.metadata().get(Fingerprint.SIZE_KEY));
            }
            Fingerprint recorded = Fingerprint.fromMetadata(head.metadata());
            return recorded != null && recorded.sourceETag().equals(src.eTag()) && recorded.size() == src.size();
        } catch (CompletionException e) {
            Throwable cause = S3Errors.unwrap(e);
            if (cause instanceof S3Exception s3 && s3.statusCode() == 404) {
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
        private final TaskJournal journal;
        private final TransferProgress progress;

        Outcomes(TaskJournal journal, TransferProgress progress) {
            this.journal = journal;
            this.progress = progress;
        }

        @Override
        public void copied(ObjectCopied e) {
            journal.copied(e.key(), e.attempts(), e.bytes(), e.mode() == TransferMode.SERVER_SIDE);
            progress.done(1, e.bytes());
            run.listener.onObjectCopied(e);
            progress.emit(false);
        }

        @Override
        public void deleted(ObjectDeleted e) {
            journal.deleted(e.key());
            progress.done(1, 0);
            run.listener.onObjectDeleted(e);
            progress.emit(false);
        }

        @Override
        public void failed(ObjectFailed e) {
            if ((run.cancelled() || journal.broken()) && e.error().code() == ErrorCode.INTERRUPTED) {
                // Stopped, not failed: it stays in progress, to be checked by the resume.
                journal.interrupted(e.key());
                run.listener.onObjectFailed(e);
                return;
            }
            journal.failed(e.key(), e.attempts(), e.error().getMessage());
            progress.done(1, 0);
            lifecycle.log("WARN", e.action() + " of '" + e.key() + "' failed: " + e.error().getMessage());
            run.listener.onObjectFailed(e);
            progress.emit(false);
        }

        @Override
        public void retried(TransferRetried e) {
            run.listener.onRetry(e);
        }
    }
}
