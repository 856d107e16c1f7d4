package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.CheckpointStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.sqlite.SQLiteConfig;

/**
 * The default {@link CheckpointStore}: runs, logs, resume states, range checkpoints, task states
 * and multipart uploads in the SQLite database {@code s3recon.db} of a work directory, in WAL mode,
 * the same database as {@link SqliteInventoryStore}'s. This class only creates and touches the
 * tables whose names start with {@code checkpoint_}, and the database's {@code user_version}; both
 * stores may be open on one work directory at once.
 *
 * <p><b>Batching.</b> Changes are kept in memory and committed in one transaction every
 * {@value #BATCH_CHANGES} changes (by the thread whose change fills the batch) or every second (by
 * a daemon thread of the store, {@code s3recon-checkpoint-flusher}), whichever comes first, so
 * that saving a task costs a few microseconds rather than a disk write. At most about
 * {@value #BATCH_CHANGES} changes (plus one per writing thread) wait in memory: a writer that fills
 * the batch commits it before it returns. {@link #flush()}, {@link #createRun}, {@link #updateRun}
 * and {@link #clearProgress} commit everything pending before they return, and so does every read:
 * a caller that reads often between writes makes its batches smaller. A process killed at any
 * instant leaves the database as it was at its last commit (SQLite's WAL); with
 * {@code synchronous=NORMAL}, a power loss may also take back the last commits, never a part of
 * one.
 *
 * <p><b>Failures.</b> When a commit fails (disk full, I/O error), the changes it held are not
 * retried: the store stops accepting changes, and every later call (including {@link #flush()} and
 * {@link #close()}) throws {@link ErrorCode#STORE_FAILED} with the cause and what to do. The
 * database keeps its last commit, from which a run resumes.
 *
 * <p><b>Values.</b> The resume state and the range tallies are BLOBs, kept byte for byte (an empty
 * tally comes back empty, never absent); the arrays are copied when they are written and every read
 * returns new ones, so callers may reuse them. Run kinds, listing passes and states are stored by
 * enum name. Instants are stored as seconds and nanoseconds: they come back exactly,
 * {@link Instant#MIN} and {@link Instant#MAX} included. Keys are stored as their UTF-8 bytes; a key
 * with an unpaired surrogate has none and is refused with {@link ErrorCode#INVALID_CONFIGURATION}.
 *
 * <p><b>Versions.</b> The tables' layout is versioned ({@code PRAGMA user_version}, now 2). Opening a
 * database that an older s3recon wrote upgrades it in one transaction: runs, logs and uploads are
 * kept, each run's old named values become its resume state as JSON text (which the engine refuses
 * to resume, naming {@code Migration.builder().newRun(true)}), and the old range checkpoints and
 * task states are dropped. A database that a newer s3recon wrote is refused with
 * {@link ErrorCode#STORE_FAILED} and left as it is.
 *
 * <p><b>Threads.</b> Thread-safe: any thread may write and read at once, and reads see every
 * change written before them by any thread. Changes and reads share one connection, one at a time;
 * each {@link #log(String)} stream has a connection of its own until it is exhausted or closed, and
 * reads a snapshot of the store as it was when it was opened. Nothing here accepts nulls where
 * {@link CheckpointStore} says not null. The store is meant to be the only process writing the
 * checkpoints of its work directory.
 *
 * <p>Errors are {@link S3ReconException}s: {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} when the work
 * directory cannot be created or written, {@link ErrorCode#STORE_FAILED} otherwise, each naming the
 * database file and what to do.
 */
public final class SqliteCheckpointStore implements CheckpointStore {

    /** Changes committed in one transaction, at most. */
    static final int BATCH_CHANGES = 1_000;

    /** How long a change waits, at most, before the flusher thread commits it. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private final CheckpointBatcher batcher;
    private final CheckpointRuns runs;
    private final CheckpointProgress progress;
    private final CheckpointUploads uploads;

    private SqliteCheckpointStore(CheckpointBatcher batcher) {
        this.batcher = batcher;
        this.runs = new CheckpointRuns(batcher);
        this.progress = new CheckpointProgress(batcher);
        this.uploads = new CheckpointUploads(batcher);
    }

    /**
     * Opens (creating if needed) the store in a work directory: the directory, the database file
     * {@code s3recon.db} in it and the store's tables are created when missing, and a database an
     * older version wrote is upgraded (see the class's javadoc). Runs written before, by this or
     * an earlier process, are kept.
     *
     * @param workDirectory the work directory; not null; created with its parents when missing
     * @return the store, owned by the caller, who closes it
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code workDirectory} is
     *     null, {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} when the directory cannot be created or
     *     written, {@link ErrorCode#STORE_FAILED} when the database cannot be opened or upgraded, or
     *     was written by a newer s3recon
     */
    public static SqliteCheckpointStore open(Path workDirectory) {
        return open(workDirectory, config -> { }, BATCH_CHANGES, FLUSH_INTERVAL);
    }

    /** Opens a store whose settings a test may change (a maximum database size, the batching). */
    static SqliteCheckpointStore open(Path workDirectory, Consumer<SQLiteConfig> tuning, int batchChanges,
            Duration flushInterval) {
        return open(workDirectory, tuning, batchChanges, flushInterval, () -> { });
    }

    /** Opens a store, running {@code beforeUpgradeCommit} inside the schema's transaction (a test fails it). */
    static SqliteCheckpointStore open(Path workDirectory, Consumer<SQLiteConfig> tuning, int batchChanges,
            Duration flushInterval, Runnable beforeUpgradeCommit) {
        Path directory = SqliteInventoryStore.usableWorkDirectory(workDirectory);
        if (batchChanges < 1) {
            throw S3ReconException.invalidConfiguration("batchChanges", batchChanges, "must be positive");
        }
        if (flushInterval == null || flushInterval.isNegative() || flushInterval.isZero()) {
            throw S3ReconException.invalidConfiguration("flushInterval", flushInterval, "must be positive");
        }
        SQLiteConfig config = SqliteInventoryStore.connectionConfig();
        tuning.accept(config);
        Path database = directory.resolve(SqliteInventoryStore.DATABASE_FILE_NAME);
        Connection connection;
        try {
            connection = config.createConnection("jdbc:sqlite:" + database);
        } catch (SQLException e) {
            throw SqliteFailures.failure(database, directory, "open the database", e);
        }
        CheckpointBatcher batcher = new CheckpointBatcher(directory, database, config, batchChanges, connection);
        try {
            CheckpointSchema.prepare(connection, database, beforeUpgradeCommit);
        } catch (SQLException e) {
            batcher.abandon();
            throw batcher.failure("create or upgrade the checkpoint tables", e);
        } catch (RuntimeException | Error e) {
            batcher.abandon();
            throw e;
        }
        batcher.start(flushInterval);
        return new SqliteCheckpointStore(batcher);
    }

    /**
     * Returns the database file, {@code <work directory>/s3recon.db}.
     *
     * @return the absolute path of the database
     */
    public Path databaseFile() {
        return batcher.database();
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
    public void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        if (!runs.create(run)) {
            throw new IllegalStateException("run '" + run.runId() + "' exists already in " + databaseFile()
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
    public void updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        if (!runs.update(run)) {
            throw new IllegalStateException("there is no run '" + run.runId() + "' in " + databaseFile()
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
    public List<RunRecord> runs() {
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
    public Optional<RunRecord> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        return runs.run(runId);
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public void log(String runId, LogLine line) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(line, "line");
        runs.log(runId, line);
    }

    /**
     * {@inheritDoc}
     *
     * <p>The lines come lazily from the database; the stream has a connection of its own until it
     * is exhausted or closed.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails, also from the stream's operations
     */
    @Override
    public Stream<LogLine> log(String runId) {
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
    public void saveResumeState(String runId, byte[] state) {
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
    public Optional<byte[]> resumeState(String runId) {
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
    public void saveRange(String runId, RangeCheckpoint checkpoint) {
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
    public List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
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
    public void saveTask(String runId, TaskRecord task) {
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
    public List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
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
    public long countTasks(String runId, TaskState state) {
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
    public void saveUpload(String runId, UploadRecord upload) {
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
    public void savePart(String runId, String uploadId, PartRecord part) {
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
    public List<UploadRecord> uploads(String runId) {
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
    public Optional<UploadRecord> upload(String runId, String key) {
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
    public void deleteUpload(String runId, String uploadId) {
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
    public void clearProgress(String runId) {
        Objects.requireNonNull(runId, "runId");
        batcher.commit("clear the progress of run '" + runId + "'", () -> {
            progress.clear(runId);
            uploads.clear(runId);
            return null;
        });
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Durable against a crash of the process when it returns; against a power loss, once SQLite
     * has checkpointed its WAL (see the class's javadoc).
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed, when this
     *     commit fails or when an earlier one did
     */
    @Override
    public void flush() {
        batcher.flush();
    }

    /**
     * Commits the pending changes, stops the flusher thread, ends the log streams still open (their
     * next read throws) and closes the database connection; the database stays in the work
     * directory. Changes written by other threads after this call has begun are refused. Does
     * nothing when the store is already closed.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the last commit fails, or an
     *     earlier one did: the changes since the last successful commit are lost. The store is
     *     closed all the same.
     */
    @Override
    public void close() {
        batcher.close();
    }

    @Override
    public String toString() {
        return "SqliteCheckpointStore[" + databaseFile() + "]";
    }
}
