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
 * <p>The default, {@code SqliteCheckpointStore} in {@code s3recon-inventory}, keeps its tables in
 * the work directory's SQLite database and is found through {@link CheckpointStoreProvider}. Every
 * implementation should pass the testkit's {@code CheckpointStoreContract}.
 */
public interface CheckpointStore extends AutoCloseable {

    // ---- runs ---------------------------------------------------------------------------------

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
     * Returns one run.
     *
     * @param runId the run's id; not null
     * @return the run, or empty if there is none with this id
     */
    Optional<RunRecord> run(String runId);

    /**
     * Returns every run, oldest first (by start, then id).
     *
     * @return the runs; an empty list for a new store
     */
    List<RunRecord> runs();

    /**
     * Deletes what a run left behind for resuming it: its listing checkpoints, task states, values
     * and upload records (not the run's record or log, which are its history).
     *
     * @param runId the run's id; not null; nothing happens for an unknown id
     */
    void clearProgress(String runId);

    // ---- log ----------------------------------------------------------------------------------

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

    // ---- named values -------------------------------------------------------------------------

    /**
     * Sets a named value of a run (e.g. how far its transfer has submitted work), replacing the
     * previous one; batched.
     *
     * @param runId the run's id; not null
     * @param name the value's name; not null
     * @param value the value; not null
     */
    void putValue(String runId, String name, String value);

    /**
     * Returns a named value of a run.
     *
     * @param runId the run's id; not null
     * @param name the value's name; not null
     * @return the value, or empty if it was never set
     */
    Optional<String> value(String runId, String name);

    // ---- listing checkpoints ------------------------------------------------------------------

    /**
     * Saves how far the listing of one key range has come, replacing the range's previous
     * checkpoint of the same phase and index; batched.
     *
     * @param runId the run's id; not null
     * @param checkpoint the checkpoint; not null
     */
    void saveRange(String runId, RangeCheckpoint checkpoint);

    /**
     * Returns the checkpoints of one phase of a run, by index.
     *
     * @param runId the run's id; not null
     * @param phase the phase's name; not null
     * @return the checkpoints in ascending index order; empty if none was saved
     */
    List<RangeCheckpoint> ranges(String runId, String phase);

    /**
     * Deletes the checkpoints of one phase of a run (the phase starts over).
     *
     * @param runId the run's id; not null
     * @param phase the phase's name; not null
     */
    void clearRanges(String runId, String phase);

    // ---- tasks --------------------------------------------------------------------------------

    /**
     * Saves the state of one task (one action of the run's fix plan), replacing its previous
     * state; batched.
     *
     * @param runId the run's id; not null
     * @param task the task; not null
     */
    void saveTask(String runId, TaskRecord task);

    /**
     * Reads the saved tasks of a run in ascending sequence order (tasks never saved are pending).
     * Memory does not grow with the number of tasks.
     *
     * @param runId the run's id; not null
     * @return the tasks; the caller closes the stream
     */
    Stream<TaskRecord> tasks(String runId);

    /**
     * Reads one page of the saved tasks of a run: those after a sequence number, in ascending
     * order, at most {@code limit}. Unlike {@link #tasks(String)}, it holds nothing open when it
     * returns, so a caller can walk millions of tasks page by page while writing (a long read would
     * keep a write-ahead log from being checkpointed). The default filters {@link #tasks(String)};
     * stores override it with a bounded query.
     *
     * @param runId the run's id; not null
     * @param afterSequence the page starts after this sequence number (-1 for the first page)
     * @param limit the most tasks to return, positive
     * @return the tasks, fewer than {@code limit} only on the last page
     */
    default List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        try (Stream<TaskRecord> all = tasks(runId)) {
            return all.filter(t -> t.sequence() > afterSequence).limit(limit).toList();
        }
    }

    /**
     * Counts the saved tasks of a run by state.
     *
     * @param runId the run's id; not null
     * @param state the state; not null
     * @return how many tasks are in that state
     */
    long countTasks(String runId, TaskState state);

    // ---- multipart uploads --------------------------------------------------------------------

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
     * Returns the upload recorded for a key, with its parts in ascending part number order.
     *
     * @param runId the run's id; not null
     * @param key the key relative to the destination's prefix; not null
     * @return the upload (the one started last if there are several), or empty
     */
    Optional<UploadRecord> upload(String runId, String key);

    /**
     * Returns every upload recorded for a run, with their parts.
     *
     * @param runId the run's id; not null
     * @return the uploads; empty if none
     */
    List<UploadRecord> uploads(String runId);

    /**
     * Forgets an upload and its parts (it was completed or aborted); batched.
     *
     * @param runId the run's id; not null
     * @param uploadId the upload's id; not null
     */
    void deleteUpload(String runId, String uploadId);

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
     * @param kind what the run does: {@code RUN}, {@code RECONCILE}, {@code PLAN} or {@code REPAIR}; not null
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
    record RunRecord(String runId, String kind, String configuration, String configurationHash,
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
     * @param phase the phase, e.g. {@code before} or {@code verify}; not null
     * @param index the range's index in key order, from 0
     * @param startAfter the range's start (exclusive), or null for the beginning
     * @param endInclusive the range's end (inclusive), or null for the end
     * @param lastKey the last key decided, or null if none yet
     * @param differencesBytes the length of the range's differences file at this point
     * @param planBytes the length of the range's plan file at this point (0 without a plan)
     * @param tally the range's counts at this point, as the engine encodes them; not null
     * @param done whether the range is finished
     */
    record RangeCheckpoint(String phase, int index, String startAfter, String endInclusive, String lastKey,
            long differencesBytes, long planBytes, String tally, boolean done) {
        /** Checks for null and negative values. */
        public RangeCheckpoint {
            Objects.requireNonNull(phase, "phase");
            Objects.requireNonNull(tally, "tally");
            if (index < 0 || differencesBytes < 0 || planBytes < 0) {
                throw new IllegalArgumentException("range checkpoint index and offsets must not be negative");
            }
        }
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
