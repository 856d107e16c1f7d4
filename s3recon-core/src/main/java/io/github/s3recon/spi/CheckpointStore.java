package io.github.s3recon.spi;

import io.github.s3recon.MigrationState;
import io.github.s3recon.TransferAction;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Durable state of a work directory's runs, so that a run killed at any instant (even with
 * {@code kill -9}) resumes without losing or repeating work: the run history and log, the
 * per-range listing checkpoints, the per-object task states and the multipart uploads in progress.
 *
 * <p><b>Durability.</b> Writes may be buffered and committed in batches (the default store commits
 * every 1,000 changes or every second, whichever comes first). {@link #flush()} commits everything
 * written before it; {@link #createRun} and {@link #updateRun} are durable when they return. A
 * process killed at any instant leaves the store as it was at some commit: never a torn write.
 * A caller that must not act before a change is durable (e.g. before submitting work that the
 * change announces) calls {@link #flush()} first. A batch that cannot be committed (a full disk)
 * is not retried or dropped silently: every later call throws, so that the run stops with the
 * store at its last commit.
 *
 * <p><b>Threads.</b> Implementations are thread-safe: any thread may write and read at once. Reads
 * see every write made before them by any thread, committed or not (a batching store may commit
 * its pending writes before a read, so reads in a tight loop make batches smaller).
 *
 * <p><b>Secrets.</b> The engine never hands a secret to the store; stores need not encrypt.
 *
 * <p><b>Versions.</b> What the engine must interpret is written as opaque, versioned bytes (the
 * resume state, a range's tally) that a store keeps as given; everything else is a typed record.
 * A store opening data that an older version of it wrote keeps the runs and their logs and each
 * run's upload records, and keeps each run's old progress as a resume state the engine cannot
 * decode (e.g. the old values as text): the engine then refuses to resume that run and names
 * {@code Migration.builder().newRun(true)}, which aborts its uploads and starts over.
 *
 * <p>The default, {@code SqliteCheckpointStore} in {@code s3recon-inventory}, keeps its tables in
 * the work directory's SQLite database and is found through {@link CheckpointStoreProvider}. Every
 * implementation should pass the testkit's {@code CheckpointStoreContract}.
 */
public interface CheckpointStore extends AutoCloseable {

    // ---- runs: the history, kept after a run ends ------------------------------------------

    /**
     * Records a new run; durable when it returns.
     *
     * @param run the run; not null; its id must be new
     * @throws IllegalStateException if a run with this id exists
     */
    void createRun(RunRecord run);

    /**
     * Replaces the record of a run (its state, counts, end); durable when it returns, together with
     * every change written before it.
     *
     * @param run the run's new record; not null; a run with this id must exist
     * @throws IllegalStateException if there is no run with this id
     */
    void updateRun(RunRecord run);

    /**
     * Returns every run, oldest first (by start, then id).
     *
     * @return the runs; an empty list for a new store
     */
    List<RunRecord> runs();

    /**
     * Returns one run. The default searches {@link #runs()}.
     *
     * @param runId the run's id; not null
     * @return the run, or empty if there is none with this id
     */
    default Optional<RunRecord> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        return runs().stream().filter(r -> r.runId().equals(runId)).findFirst();
    }

    /**
     * Appends a line to a run's log; batched.
     *
     * @param runId the run's id; not null
     * @param line the line; not null
     */
    void log(String runId, LogLine line);

    /**
     * Reads a run's log in the order it was written.
     *
     * @param runId the run's id; not null
     * @return the lines; empty for an unknown run; the caller closes the stream
     */
    Stream<LogLine> log(String runId);

    // ---- progress: what a resume needs, deleted by clearProgress -----------------------------

    /**
     * Saves the engine's resume state of a run (which stage it is at and what the stages before
     * produced), replacing the previous one; batched. The bytes are the engine's versioned
     * encoding: a store keeps them byte for byte and never interprets them.
     *
     * @param runId the run's id; not null
     * @param state the encoded state; not null, not empty
     */
    void saveResumeState(String runId, byte[] state);

    /**
     * Returns the resume state last saved for a run.
     *
     * @param runId the run's id; not null
     * @return exactly the bytes last saved, or empty if none were (or its progress was cleared)
     */
    Optional<byte[]> resumeState(String runId);

    /**
     * Saves how far the listing of one key range has come, replacing the range's previous
     * checkpoint of the same pass and index; batched.
     *
     * @param runId the run's id; not null
     * @param checkpoint the checkpoint; not null
     */
    void saveRange(String runId, RangeCheckpoint checkpoint);

    /**
     * Returns the range checkpoints of one pass of a run.
     *
     * @param runId the run's id; not null
     * @param pass the pass; not null
     * @return the checkpoints in ascending index order; empty if none was saved
     */
    List<RangeCheckpoint> ranges(String runId, DiffPass pass);

    /**
     * Saves the state of one task (one action of the run's fix plan), replacing its previous
     * state (same sequence number); batched.
     *
     * @param runId the run's id; not null
     * @param task the task; not null
     */
    void saveTask(String runId, TaskRecord task);

    /**
     * Reads one page of the saved tasks of a run: those after a sequence number, in ascending
     * order, at most {@code limit} (tasks never saved are pending). It holds nothing open when it
     * returns, so a caller walks millions of tasks page by page while writing, in bounded memory.
     *
     * @param runId the run's id; not null
     * @param afterSequence the page starts after this sequence number (-1 for the first page)
     * @param limit the most tasks to return, positive
     * @return the tasks, fewer than {@code limit} only on the last page
     * @throws IllegalArgumentException if {@code limit} is not positive
     */
    List<TaskRecord> tasks(String runId, long afterSequence, int limit);

    /**
     * Counts the saved tasks of a run by state.
     *
     * @param runId the run's id; not null
     * @param state the state; not null
     * @return how many tasks are in that state
     */
    long countTasks(String runId, TaskState state);

    /**
     * Records a multipart upload that a run started, or replaces its record (same upload id) and
     * its parts; batched.
     *
     * @param runId the run's id; not null
     * @param upload the upload; not null
     */
    void saveUpload(String runId, UploadRecord upload);

    /**
     * Records a part of an upload as transferred, replacing a part with the same number; batched.
     *
     * @param runId the run's id; not null
     * @param uploadId the upload's id; not null
     * @param part the part; not null
     */
    void savePart(String runId, String uploadId, PartRecord part);

    /**
     * Returns every upload recorded for a run, with their parts in ascending part number order,
     * oldest first: by start, then in the order they were first saved (an intent record and the
     * upload created after it often share an instant, and the later one must come last).
     *
     * @param runId the run's id; not null
     * @return the uploads; empty if none
     */
    List<UploadRecord> uploads(String runId);

    /**
     * Returns the upload recorded for a key. The default searches {@link #uploads(String)} (a run has
     * one upload per large object in flight, not per object).
     *
     * @param runId the run's id; not null
     * @param key the key relative to the destination's prefix; not null
     * @return the upload started last for the key, with its parts, or empty
     */
    default Optional<UploadRecord> upload(String runId, String key) {
        Objects.requireNonNull(key, "key");
        UploadRecord found = null;
        for (UploadRecord u : uploads(runId)) {
            if (u.key().equals(key) && (found == null || !u.startedAt().isBefore(found.startedAt()))) {
                found = u;
            }
        }
        return Optional.ofNullable(found);
    }

    /**
     * Forgets an upload and its parts (it was completed or aborted); batched.
     *
     * @param runId the run's id; not null
     * @param uploadId the upload's id; not null
     */
    void deleteUpload(String runId, String uploadId);

    /**
     * Deletes what a run kept for resuming it: its resume state, range checkpoints, task states and
     * upload records (not the run's record or log, which are its history); durable when it returns.
     *
     * @param runId the run's id; not null; nothing happens for an unknown id
     */
    void clearProgress(String runId);

    // ---- lifecycle ----------------------------------------------------------------------------

    /** Commits every change written before the call; durable when it returns. */
    void flush();

    /** Flushes, then releases the store; its data stays in the work directory. Idempotent. */
    @Override
    void close();

    // ---- records ------------------------------------------------------------------------------

    /**
     * A run in the history.
     *
     * @param runId the run's id, unique in the work directory; not null
     * @param kind what the run does; not null
     * @param configuration the run's configuration as JSON, without secrets; not null
     * @param configurationHash a digest of the options that a resume must not change; not null
     * @param state the run's state; not null
     * @param startedAt when the run started; not null
     * @param updatedAt when the record was last written; not null
     * @param endedAt when the run ended, or null while it has not
     * @param summary the report's summary as JSON once the run has one, else null
     * @param error the message of the failure that ended the run, or null
     * @param attempts how many times the run was started (1, plus 1 per resume)
     */
    record RunRecord(String runId, RunKind kind, String configuration, String configurationHash,
            MigrationState state, Instant startedAt, Instant updatedAt, Instant endedAt, String summary,
            String error, int attempts) {

        /** Checks for null. */
        public RunRecord {
            Objects.requireNonNull(runId, "runId");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(configuration, "configuration");
            Objects.requireNonNull(configurationHash, "configurationHash");
            Objects.requireNonNull(state, "state");
            Objects.requireNonNull(startedAt, "startedAt");
            Objects.requireNonNull(updatedAt, "updatedAt");
        }

        /**
         * Returns this record with another state.
         *
         * @param newState the state; not null
         * @param at when it changed; not null
         * @return the new record
         */
        public RunRecord withState(MigrationState newState, Instant at) {
            return new RunRecord(runId, kind, configuration, configurationHash, newState, startedAt, at,
                    newState.isTerminal() ? at : null, summary, error, attempts);
        }
    }

    /**
     * A line of a run's log.
     *
     * @param at when; not null
     * @param level {@code INFO}, {@code WARN} or {@code ERROR}; not null
     * @param message the message, without secrets; not null
     */
    record LogLine(Instant at, String level, String message) {
        /** Checks for null. */
        public LogLine {
            Objects.requireNonNull(at, "at");
            Objects.requireNonNull(level, "level");
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * How far the listing of one key range has come: every key up to {@code lastKey} is decided,
     * and the range's output files hold exactly the bytes given.
     *
     * @param pass the listing pass the range belongs to; not null
     * @param index the range's index in key order, from 0
     * @param startAfter the range's start (exclusive), or null for the beginning
     * @param endInclusive the range's end (inclusive), or null for the end
     * @param lastKey the last key decided, or null if none yet
     * @param differencesBytes the length of the range's differences file at this point
     * @param planBytes the length of the range's plan file at this point (0 without a plan)
     * @param tally the range's counts at this point in the engine's versioned encoding, which a store
     *     keeps byte for byte and never interprets; not null
     * @param done whether the range is finished
     */
    record RangeCheckpoint(DiffPass pass, int index, String startAfter, String endInclusive, String lastKey,
            long differencesBytes, long planBytes, byte[] tally, boolean done) {
        /** Checks for null and negative values. */
        public RangeCheckpoint {
            Objects.requireNonNull(pass, "pass");
            Objects.requireNonNull(tally, "tally");
            if (index < 0 || differencesBytes < 0 || planBytes < 0) {
                throw new IllegalArgumentException("range checkpoint index and offsets must not be negative");
            }
        }
    }

    /** What a run does; a store keeps it by {@link #name()}. */
    enum RunKind {
        /** {@code Migration.run()}: list, diff, plan, transfer, verify, report; the only kind that resumes. */
        RUN,
        /** {@code Migration.reconcile()}: list, diff, report. */
        RECONCILE,
        /** {@code Migration.plan()}: list, diff, plan, report; writes nothing to either bucket. */
        PLAN,
        /** {@code Migration.repair(report)}: the report's plan, transfer, verify, report. */
        REPAIR
    }

    /** The listing passes of a run, each with its own range checkpoints; a store keeps them by {@link #name()}. */
    enum DiffPass {
        /** The listing of a reconcile. */
        RECONCILE,
        /** The listing of a plan (a dry run). */
        PLAN,
        /** The listing of a run before it transfers, from which its plan is made. */
        BEFORE,
        /** The listing that verifies a run after its transfer. */
        VERIFY
    }

    /** The state of one task. */
    enum TaskState {
        /** Not started (tasks never saved are pending too). */
        PENDING,
        /** Submitted to the transfer engine, not known to have ended. */
        IN_PROGRESS,
        /** Copied or deleted. */
        DONE,
        /** Failed for good in its last attempt. */
        FAILED
    }

    /**
     * One action of a run's fix plan and how far it has come.
     *
     * @param sequence the action's position in the plan, from 0
     * @param key the key relative to the locations' prefixes; not null
     * @param action what the action does; not null
     * @param state how far it has come; not null
     * @param attempts the attempts made so far (over all of the run's resumes)
     * @param bytes the bytes it copied (0 for a deletion or before it is done)
     * @param serverSide whether the copy was made by the server
     * @param lastError the last error's message, or null
     */
    record TaskRecord(long sequence, String key, TransferAction action, TaskState state, int attempts, long bytes,
            boolean serverSide, String lastError) {
        /** Checks for null and negative values. */
        public TaskRecord {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(action, "action");
            Objects.requireNonNull(state, "state");
            if (sequence < 0 || attempts < 0 || bytes < 0) {
                throw new IllegalArgumentException("task sequence, attempts and bytes must not be negative");
            }
        }
    }

    /**
     * A multipart upload that a run started.
     *
     * @param key the key relative to the destination's prefix; not null
     * @param uploadId the upload's id; not null
     * @param sourceETag the ETag of the source object being copied; not null
     * @param partSize the size of every part but the last
     * @param startedAt when the upload was created; not null
     * @param parts the parts transferred, in ascending number order; not null (empty when saving)
     */
    record UploadRecord(String key, String uploadId, String sourceETag, long partSize, Instant startedAt,
            List<PartRecord> parts) {
        /** Checks for null; copies the parts. */
        public UploadRecord {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(uploadId, "uploadId");
            Objects.requireNonNull(sourceETag, "sourceETag");
            Objects.requireNonNull(startedAt, "startedAt");
            parts = List.copyOf(Objects.requireNonNull(parts, "parts"));
            if (partSize <= 0) {
                throw new IllegalArgumentException("partSize must be positive");
            }
        }
    }

    /**
     * A transferred part of a multipart upload.
     *
     * @param number the part number, from 1
     * @param eTag the part's ETag as the destination returned it; not null
     * @param storedChecksum the checksum the destination stored for the part, or null
     * @param relayedChecksum the checksum computed while relaying the part, or null
     */
    record PartRecord(int number, String eTag, String storedChecksum, String relayedChecksum) {
        /** Checks for null and the number. */
        public PartRecord {
            Objects.requireNonNull(eTag, "eTag");
            if (number < 1) {
                throw new IllegalArgumentException("part numbers start at 1");
            }
        }
    }
}
