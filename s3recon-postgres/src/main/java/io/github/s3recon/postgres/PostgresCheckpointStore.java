package io.github.s3recon.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.CheckpointStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * A {@link CheckpointStore} on PostgreSQL: runs, logs, resume states, range checkpoints, task
 * states and multipart uploads in tables of one schema, so that several JVMs share one history
 * (the replicas of a service, the executors of a Spark job) where the SQLite store keeps it in one
 * machine's work directory. Pass it to the migration's builder:
 *
 * <pre>{@code
 * try (PostgresCheckpointStore checkpoints = PostgresCheckpointStore.open(PostgresSettings.fromEnvironment());
 *         Migration migration = Migration.builder().source(...).destination(...).workDirectory(dir)
 *                 .checkpointStore(checkpoints).build()) {
 *     migration.run();
 * }
 * }</pre>
 *
 * <p><b>Layout.</b> The store creates its schema and tables when missing and versions them itself
 * (table {@code checkpoint_schema}); JVMs opening one schema at once upgrade it once, under an
 * advisory lock. A schema written by a newer s3recon is refused and left as it is. Only the tables
 * whose names start with {@code checkpoint_} are touched.
 *
 * <p><b>Batching.</b> Changes are kept in memory and committed in one transaction every
 * {@value #BATCH_CHANGES} changes or every second, whichever comes first; consecutive changes of
 * one kind go to the server as one JDBC batch. {@link #flush()}, {@link #createRun},
 * {@link #updateRun} and {@link #clearProgress} commit everything pending before they return, and
 * so does every read. A process killed at any instant leaves the tables as they were at its last
 * commit. Another JVM sees a change once it is committed.
 *
 * <p><b>Failures.</b> When a commit of pending changes fails (the server went away, a full disk),
 * they are not retried: the store refuses every later call with {@link ErrorCode#STORE_FAILED},
 * naming the cause and the fix; the tables keep the last commit, from which a run resumes. A
 * failed {@link #createRun} or {@link #updateRun} with nothing pending throws and leaves the
 * store usable. Messages name the server by its URL, user and schema, never a password.
 *
 * <p><b>Values.</b> As the SPI says, exactly: instants as seconds and nanoseconds, keys and free
 * texts as UTF-8 {@code bytea} (any character, NUL included; a key with an unpaired surrogate is
 * refused with {@link ErrorCode#INVALID_CONFIGURATION}, a free text's becomes {@code ?}), opaque
 * bytes as given. Runs that started at the same instant are ordered by their ids' UTF-8 bytes.
 *
 * <p><b>Threads.</b> Thread-safe: any thread may write and read at once, and reads see every
 * change written before them by any thread of this JVM. Writes are committed one batch at a time;
 * reads use the pool's other connections in parallel. A {@link #log(String)} stream reads the log
 * as it was when the stream was made, page by page, holding no connection between pages; after the
 * store is closed its next element throws. Nothing accepts nulls where the SPI says not null.
 */
public final class PostgresCheckpointStore implements CheckpointStore {

    /** Changes committed in one transaction, at most. */
    static final int BATCH_CHANGES = 1_000;

    /** How long a change waits, at most, before the flusher thread commits it. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final PgBatcher batcher;
    private final PgRuns runs;
    private final PgProgress progress;
    private final PgUploads uploads;
    private final String schema;

    private PostgresCheckpointStore(PgBatcher batcher, String schema) {
        this.batcher = batcher;
        this.schema = schema;
        String quoted = PgSchema.quote(schema);
        this.runs = new PgRuns(batcher, quoted);
        this.progress = new PgProgress(batcher, quoted);
        this.uploads = new PgUploads(batcher, quoted);
    }

    /**
     * Opens the store with a connection pool of its own (HikariCP), which {@link #close()} closes:
     * connects, creates the schema and tables when missing and upgrades an older layout. The
     * password is read from the environment variable the settings name, now.
     *
     * @param settings where the store is; not null
     * @return the store, owned by the caller, who closes it
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code settings} is null;
     *     {@link ErrorCode#STORE_FAILED} when the server cannot be reached, refuses the user, or the
     *     schema cannot be created or was written by a newer s3recon, each naming the fix
     */
    public static PostgresCheckpointStore open(PostgresSettings settings) {
        S3ReconException.requireSetting(settings, "settings");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.maximumPoolSize());
        config.setMinimumIdle(1);
        config.setPoolName("s3recon-checkpoints-" + settings.schema());
        // Fail the open at once, with the driver's reason, rather than on the first write.
        config.setInitializationFailTimeout(1);
        config.setConnectionTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw PgFailures.failure(settings.describe(), "connect", e.getCause() != null ? e.getCause() : e);
        }
        return open(pool, settings.schema(), settings.describe(), pool::close, BATCH_CHANGES, FLUSH_INTERVAL);
    }

    /**
     * Opens the store on a data source the caller owns and closes (an application's pool, a
     * container's), creating the schema and tables when missing.
     *
     * @param dataSource the data source; not null; its connections must start in auto-commit mode
     * @param schema the schema of the tables; a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*})
     * @return the store, owned by the caller; closing it leaves the data source open
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} for a null data source or a
     *     bad schema name; {@link ErrorCode#STORE_FAILED} as {@link #open(PostgresSettings)}
     */
    public static PostgresCheckpointStore open(DataSource dataSource, String schema) {
        S3ReconException.requireSetting(dataSource, "dataSource");
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            throw S3ReconException.invalidConfiguration("schema", schema,
                    "must be a lower-case SQL identifier: a letter or _, then letters, digits or _, at most 63");
        }
        return open(dataSource, schema, "schema " + schema + " of " + dataSource.getClass().getSimpleName(),
                () -> { }, BATCH_CHANGES, FLUSH_INTERVAL);
    }

    /** Opens a store whose batching a test may change. */
    static PostgresCheckpointStore open(DataSource pool, String schema, String where, Runnable release,
            int batchChanges, Duration flushInterval) {
        try (Connection connection = pool.getConnection()) {
            PgSchema.prepare(connection, schema, where);
        } catch (SQLException e) {
            release.run();
            throw PgFailures.failure(where, "create or upgrade the checkpoint tables", e);
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
        PgBatcher batcher = new PgBatcher(pool, where, batchChanges, release);
        batcher.start(flushInterval);
        return new PostgresCheckpointStore(batcher, schema);
    }

    /**
     * Returns the schema of the store's tables.
     *
     * @return the schema's name
     */
    public String schema() {
        return schema;
    }

    // ---- runs ---------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * <p>Commits the changes pending before it and the run in one transaction.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
     */
    @Override
    public void createRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        if (!runs.create(run)) {
            throw new IllegalStateException("run '" + run.runId() + "' exists already in " + batcher.where()
                    + ": give the new run another id");
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>Commits the changes pending before it and the run in one transaction.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
     */
    @Override
    public void updateRun(RunRecord run) {
        Objects.requireNonNull(run, "run");
        if (!runs.update(run)) {
            throw new IllegalStateException("there is no run '" + run.runId() + "' in " + batcher.where()
                    + " to update: create it first");
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
     */
    @Override
    public List<RunRecord> runs() {
        return runs.runs();
    }

    /**
     * {@inheritDoc}
     *
     * <p>One lookup by id.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
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
     * <p>The lines written before the call, read lazily by pages of 1,000; the stream holds no
     * connection and need not be closed, though closing it is harmless.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails, also from the stream's operations
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
     *     or the server fails
     */
    @Override
    public Optional<byte[]> resumeState(String runId) {
        Objects.requireNonNull(runId, "runId");
        return progress.resumeState(runId);
    }

    /**
     * {@inheritDoc}
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
     *     or the server fails
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
     * <p>One bounded query on the primary key.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
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
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
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
     * <p>Parts saved before for this upload id are replaced by the record's.
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
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails
     */
    @Override
    public List<UploadRecord> uploads(String runId) {
        Objects.requireNonNull(runId, "runId");
        return uploads.all(runId);
    }

    /**
     * {@inheritDoc}
     *
     * <p>One indexed lookup rather than the default's search of every upload.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the server fails; {@link ErrorCode#INVALID_CONFIGURATION} for a key with an unpaired
     *     surrogate
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
     *     or the server fails
     */
    @Override
    public void clearProgress(String runId) {
        Objects.requireNonNull(runId, "runId");
        batcher.commit("clear the progress of run '" + runId + "'", connection -> {
            progress.clear(connection, runId);
            uploads.clear(connection, runId);
            return null;
        });
    }

    // ---- lifecycle ----------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed, when this
     *     commit fails or when an earlier one did
     */
    @Override
    public void flush() {
        batcher.flush();
    }

    /**
     * Commits the pending changes, stops the flusher thread and closes the connection pool if the
     * store opened it; does nothing when the store is already closed.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the last commit fails, or an
     *     earlier one did; the store is closed all the same
     */
    @Override
    public void close() {
        batcher.close();
    }

    @Override
    public String toString() {
        return "PostgresCheckpointStore[" + batcher.where() + "]";
    }
}
