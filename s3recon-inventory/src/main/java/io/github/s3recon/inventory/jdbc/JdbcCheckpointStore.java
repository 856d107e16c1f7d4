package io.github.s3recon.inventory.jdbc;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.CheckpointStore;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A {@link CheckpointStore} in the tables of a SQL database, whatever the database: the base of
 * {@code SqliteCheckpointStore} and {@code PostgresCheckpointStore}, which give it a
 * {@link JdbcCheckpointBackend} for their dialect and connections. An SPI for store implementers
 * (see the package's javadoc); applications use the stores.
 *
 * <p><b>Batching.</b> Changes are kept in memory and committed in one transaction every
 * {@code batchChanges} changes (by the thread whose change fills the batch) or every flush
 * interval (by a daemon thread of the store), whichever comes first. {@link #flush()},
 * {@link #createRun}, {@link #updateRun} and {@link #clearProgress} commit everything pending
 * before they return, and so does every read: a caller that reads often between writes makes its
 * batches smaller. A process killed at any instant leaves the tables as they were at its last
 * commit.
 *
 * <p><b>Failures.</b> When a commit of pending changes fails (a full disk, a server gone), they are
 * not retried: the store refuses every later call (including {@link #flush()} and {@link #close()})
 * with {@link ErrorCode#STORE_FAILED}, naming the cause and the fix; the tables keep the last
 * commit, from which a run resumes. A failed {@link #createRun} or {@link #updateRun} with nothing
 * pending throws and leaves the store usable.
 *
 * <p><b>Values.</b> As the SPI says, exactly: instants as seconds and nanoseconds ({@link
 * java.time.Instant#MIN} and {@link java.time.Instant#MAX} included), keys as their UTF-8 bytes (a
 * key with an unpaired surrogate has none and is refused with
 * {@link ErrorCode#INVALID_CONFIGURATION} to its writer), resume states and tallies byte for byte
 * (copied when written, new arrays on every read), enums by name. Runs that started at the same
 * instant are ordered by the UTF-8 bytes of their ids; of uploads of a key started at the same
 * instant, the one saved last is the newest.
 *
 * <p><b>Threads.</b> Thread-safe: any thread may write and read at once, and reads see every change
 * written before them by any thread of this store. A {@link #log(String)} stream reads the log as
 * it was when the stream was made, page by page, holding no connection between pages, and need not
 * be closed; after the store is closed its next element throws. Nothing accepts nulls where the
 * SPI says not null: those throw {@link NullPointerException}.
 */
public abstract class JdbcCheckpointStore implements CheckpointStore {

    private final JdbcBatcher batcher;
    private final JdbcRuns runs;
    private final JdbcProgress progress;
    private final JdbcUploads uploads;

    /**
     * Makes a store on a backend whose tables exist in the current layout, and starts its flusher
     * thread.
     *
     * @param backend the database; not null; the store owns it and closes it
     * @param batchChanges the changes committed in one transaction, at most; positive
     * @param flushInterval how long a change waits, at most, before the flusher commits it; positive
     * @param flusherName the name of the flusher thread
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} for a batch size or an interval
     *     that is not positive
     */
    protected JdbcCheckpointStore(JdbcCheckpointBackend backend, int batchChanges, Duration flushInterval,
            String flusherName) {
        Objects.requireNonNull(backend, "backend");
        checkBatching(batchChanges, flushInterval);
        this.batcher = new JdbcBatcher(backend, batchChanges, flusherName);
        JdbcColumns columns = new JdbcColumns(backend.textAsBytes());
        this.runs = new JdbcRuns(batcher, columns);
        this.progress = new JdbcProgress(batcher, columns);
        this.uploads = new JdbcUploads(batcher);
        batcher.start(flushInterval);
    }

    /**
     * Checks batching settings, so that a store may refuse them before it opens its database.
     *
     * @param batchChanges the changes committed in one transaction, at most
     * @param flushInterval how long a change waits, at most
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} for a value that is not positive
     */
    protected static void checkBatching(int batchChanges, Duration flushInterval) {
        if (batchChanges < 1) {
            throw S3ReconException.invalidConfiguration("batchChanges", batchChanges, "must be positive");
        }
        if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
            throw S3ReconException.invalidConfiguration("flushInterval", flushInterval, "must be positive");
        }
    }

    /**
     * Returns the store as messages name it (its backend's description).
     *
     * @return e.g. {@code "checkpoint store on /work/s3recon.db"}
     */
    protected final String describe() {
        return batcher.backend().describe();
    }

    // ---- runs ---------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Commits the changes pending before it and the run in one transaction.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        if (!runs.create(run)) {
            throw new IllegalStateException("run '" + run.runId() + "' exists already in the " + describe()
                    + ": give the new run another id");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Commits the changes pending before it and the run in one transaction; the pending changes
     * are committed also when the run is unknown.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final void updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        if (!runs.update(run)) {
            throw new IllegalStateException("there is no run '" + run.runId() + "' in the " + describe()
                    + " to update: create it first");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Runs that started at the same instant are ordered by the UTF-8 bytes of their ids.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final List<RunRecord> runs() {
        return runs.runs();
    }

    /**
     * {@inheritDoc}
     *
     * <p>One lookup by id, rather than the default's search of every run.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final Optional<RunRecord> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        return runs.run(runId);
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public final void log(String runId, LogLine line) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(line, "line");
        runs.log(runId, line);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lines written before the call, read lazily by pages of 1,000; the stream holds no
     * connection and need not be closed, though closing it is harmless.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails, also from the stream's operations
     */
    @Override
    public final Stream<LogLine> log(String runId) {
        Objects.requireNonNull(runId, "runId");
        return runs.log(runId);
    }

    // ---- progress -----------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>The array is copied before this returns.
     *
     * @throws IllegalArgumentException if {@code state} is empty
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public final void saveResumeState(String runId, byte[] state) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(state, "state");
        if (state.length == 0) {
            throw new IllegalArgumentException("the resume state of run '" + runId + "' must not be empty");
        }
        progress.saveResumeState(runId, state);
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final Optional<byte[]> resumeState(String runId) {
        Objects.requireNonNull(runId, "runId");
        return progress.resumeState(runId);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The tally is copied before this returns.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed;
     *     {@link ErrorCode#INVALID_CONFIGURATION} for a key with an unpaired surrogate
     */
    @Override
    public final void saveRange(String runId, RangeCheckpoint checkpoint) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(checkpoint, "checkpoint");
        progress.saveRange(runId, checkpoint);
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(pass, "pass");
        return progress.ranges(runId, pass);
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed;
     *     {@link ErrorCode#INVALID_CONFIGURATION} for a key with an unpaired surrogate
     */
    @Override
    public final void saveTask(String runId, TaskRecord task) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(task, "task");
        progress.saveTask(runId, task);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One bounded query on the primary key, read whole before it returns.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
        Objects.requireNonNull(runId, "runId");
        if (limit < 1) {
            throw new IllegalArgumentException("limit must be positive, was " + limit);
        }
        return progress.tasks(runId, afterSequence, limit);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Counts entries of an index: it reads only the tasks in that state.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final long countTasks(String runId, TaskState state) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(state, "state");
        return progress.countTasks(runId, state);
    }

    // ---- multipart uploads --------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Batched, as one change whatever the number of parts; parts saved before for this upload
     * id (also by {@link #savePart} before the upload was saved) are replaced by the record's.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed;
     *     {@link ErrorCode#INVALID_CONFIGURATION} for a key with an unpaired surrogate
     */
    @Override
    public final void saveUpload(String runId, UploadRecord upload) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(upload, "upload");
        uploads.save(runId, upload);
    }

    /**
     * {@inheritDoc}
     *
     * <p>A part of an upload that was never saved is kept, but returned by nothing until the
     * upload is saved, which replaces it; {@link #clearProgress} deletes it.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public final void savePart(String runId, String uploadId, PartRecord part) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(uploadId, "uploadId");
        Objects.requireNonNull(part, "part");
        uploads.savePart(runId, uploadId, part);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The uploads come oldest first by {@code startedAt}, then in the order they were saved (not
     * by upload id: see {@link #upload}); one query reads them with their parts, from one snapshot.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final List<UploadRecord> uploads(String runId) {
        Objects.requireNonNull(runId, "runId");
        return uploads.all(runId);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One indexed lookup rather than the default's search of every upload. Of uploads of the
     * key started at the same instant, the one saved last (the engine saves an intent record, then
     * the upload created after it, often at the same instant: the upload must be found).
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails; {@link ErrorCode#INVALID_CONFIGURATION} for a key with an
     *     unpaired surrogate
     */
    @Override
    public final Optional<UploadRecord> upload(String runId, String key) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(key, "key");
        return uploads.newest(runId, key);
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public final void deleteUpload(String runId, String uploadId) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(uploadId, "uploadId");
        uploads.delete(runId, uploadId);
    }

    /**
     * {@inheritDoc}
     *
     * <p>Commits the changes pending before it and the deletion in one transaction.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public final void clearProgress(String runId) {
        Objects.requireNonNull(runId, "runId");
        batcher.commit("clear the progress of run '" + runId + "'", sql -> {
            progress.clear(sql, runId);
            uploads.clear(sql, runId);
            return null;
        });
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Durable against a crash of the process when it returns (against a power loss, as durable
     * as the database's commits).
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed, when this
     *     commit fails or when an earlier one did
     */
    @Override
    public final void flush() {
        batcher.flush();
    }

    /**
     * Commits the pending changes, stops the flusher thread and releases the backend's
     * connections; the log streams still open throw at their next element. Changes written by other
     * threads after this call has begun are refused. Does nothing when the store is already closed.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the last commit fails, or an
     *     earlier one did: the changes since the last successful commit are lost. The store is
     *     closed all the same.
     */
    @Override
    public final void close() {
        batcher.close();
    }

    @Override
    public String toString() {
        return getClass().getSimpleName() + "[" + describe() + "]";
    }
}
