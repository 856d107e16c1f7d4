package io.github.s3recon.internal.run;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.FixAction;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import io.github.s3recon.spi.TransferScheduler;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The transfer's task journal: the state of each action of the fix plan (in progress, done,
 * failed), in the checkpoint store, so that a resumed run skips what is done and checks what was
 * in flight. The engine writes it itself, before it tells the listeners, and never through a
 * {@link io.github.s3recon.event.MigrationListener}: a user's listener only observes.
 *
 * <p>A store that fails to record an outcome is not a warning: a resume would trust a journal
 * that lies. The first such failure is kept ({@link #check()} throws it, with code
 * {@code STORE_FAILED}) and {@code onBroken} is called once, to stop the transfer; later ones are
 * not recorded either. A failure to record an action as submitted throws at once, on the engine's
 * thread, before the action starts.
 *
 * <p>Thread-safe: the scheduler's threads record outcomes while the engine's thread submits.
 */
final class TaskJournal {

    /** Tasks read per page when a resume reads what earlier attempts saved. */
    private static final int PAGE = 10_000;

    private final CheckpointStore checkpoints;
    private final String runId;
    private final Runnable onBroken;
    private final Map<String, InFlight> inFlight = new ConcurrentHashMap<>();
    private final AtomicReference<S3ReconException> broken = new AtomicReference<>();
    private final Earlier earlier = new Earlier();

    /** A submitted action, until its outcome comes back. */
    private record InFlight(long sequence, FixAction action, int earlierAttempts) {
    }

    /**
     * Opens the journal of a run.
     *
     * @param checkpoints where the tasks are kept
     * @param runId the run
     * @param onBroken called once, on the thread that saw it, when an outcome cannot be recorded
     */
    TaskJournal(CheckpointStore checkpoints, String runId, Runnable onBroken) {
        this.checkpoints = checkpoints;
        this.runId = runId;
        this.onBroken = onBroken;
    }

    /**
     * The tasks earlier attempts saved, in sequence order, read a page at a time: each page is a
     * short read, so that the writes of the transfer do not pile up in the database's write-ahead
     * log behind a long one.
     */
    Iterator<TaskRecord> saved() {
        return new Iterator<>() {
            private List<TaskRecord> page = List.of();
            private int position;
            private long last = -1;
            private boolean exhausted;

            @Override
            public boolean hasNext() {
                if (position < page.size()) {
                    return true;
                }
                if (exhausted) {
                    return false;
                }
                page = checkpoints.tasks(runId, last, PAGE);
                position = 0;
                exhausted = page.size() < PAGE;
                return !page.isEmpty();
            }

            @Override
            public TaskRecord next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                TaskRecord t = page.get(position++);
                last = t.sequence();
                return t;
            }
        };
    }

    /** Counts a task an earlier attempt finished. */
    void doneEarlier(TaskRecord task) {
        earlier.add(task);
    }

    /**
     * Records an action that an earlier attempt submitted and that is found applied although its
     * end was not recorded; counts it as done earlier.
     *
     * @return the record saved
     */
    TaskRecord foundDone(long sequence, FixAction a, int attempts) {
        TaskRecord done = new TaskRecord(sequence, a.key(), a.action(), TaskState.DONE, attempts,
                a.action() == TransferAction.DELETE ? 0 : a.source().size(), false, null);
        checkpoints.saveTask(runId, done);
        earlier.add(done);
        return done;
    }

    /** Records an action as in progress, before it is submitted; a store failure throws here. */
    void submitting(long sequence, FixAction a, int attempts) {
        inFlight.put(a.key(), new InFlight(sequence, a, attempts));
        checkpoints.saveTask(runId, new TaskRecord(sequence, a.key(), a.action(), TaskState.IN_PROGRESS, attempts, 0,
                false, null));
    }

    /** Records a copy done. */
    void copied(String key, int attempts, long bytes, boolean serverSide) {
        record(key, TaskState.DONE, attempts, bytes, serverSide, null);
    }

    /** Records a deletion done. */
    void deleted(String key) {
        record(key, TaskState.DONE, 1, 0, false, null);
    }

    /** Records an action failed for good. */
    void failed(String key, int attempts, String error) {
        record(key, TaskState.FAILED, attempts, 0, false, error);
    }

    /** Forgets an action stopped by a cancel: it stays in progress, to be checked by the resume. */
    void interrupted(String key) {
        inFlight.remove(key);
    }

    private void record(String key, TaskState state, int attempts, long bytes, boolean serverSide, String error) {
        InFlight f = inFlight.remove(key);
        if (f == null || broken.get() != null) {
            return;
        }
        try {
            checkpoints.saveTask(runId, new TaskRecord(f.sequence(), key, f.action().action(), state,
                    f.earlierAttempts() + attempts, bytes, serverSide, error));
        } catch (RuntimeException e) {
            S3ReconException failure = new S3ReconException(ErrorCode.STORE_FAILED, "cannot record the outcome of '"
                    + Redact.key(key) + "' in the checkpoint store of run " + runId + " ("
                    + Redact.text(e.getMessage()) + "); the transfer stopped, since a resume relies on these records. "
                    + "Check the work directory (free space, permissions), then run again to resume", e);
            if (broken.compareAndSet(null, failure)) {
                onBroken.run();
            }
        }
    }

    /** Whether an outcome could not be recorded. */
    boolean broken() {
        return broken.get() != null;
    }

    /**
     * Throws the first failure to record an outcome, if there was one.
     *
     * @throws S3ReconException with code {@code STORE_FAILED}
     */
    void check() {
        S3ReconException failure = broken.get();
        if (failure != null) {
            throw failure;
        }
    }

    /** Adds what earlier attempts did to this attempt's totals. */
    TransferScheduler.TransferTotals plusEarlier(TransferScheduler.TransferTotals t) {
        return earlier.plus(t);
    }

    /** Objects the previous attempts of the run copied (the summary tells them apart from this attempt's). */
    long copiedEarlier() {
        synchronized (earlier) {
            return earlier.copied;
        }
    }

    /** Bytes the previous attempts of the run copied. */
    long bytesCopiedEarlier() {
        synchronized (earlier) {
            return earlier.bytesCopied;
        }
    }

    /** How the previous attempts of a run did part of its transfer. */
    private static final class Earlier {
        long copied;
        long bytesCopied;
        long serverSide;
        long bytesServerSide;
        long relayed;
        long bytesRelayed;
        long deleted;

        synchronized void add(TaskRecord t) {
            if (t.action() == TransferAction.DELETE) {
                deleted++;
                return;
            }
            copied++;
            bytesCopied += t.bytes();
            if (t.serverSide()) {
                serverSide++;
                bytesServerSide += t.bytes();
            } else {
                relayed++;
                bytesRelayed += t.bytes();
            }
        }

        synchronized TransferScheduler.TransferTotals plus(TransferScheduler.TransferTotals t) {
            return new TransferScheduler.TransferTotals(t.objectsCopied() + copied, t.bytesCopied() + bytesCopied,
                    t.objectsServerSide() + serverSide, t.bytesServerSide() + bytesServerSide,
                    t.objectsRelayed() + relayed, t.bytesRelayed() + bytesRelayed, t.objectsDeleted() + deleted,
                    t.objectsFailed(), t.retries(), t.deletionsKept(), t.notes());
        }
    }
}
