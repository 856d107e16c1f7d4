package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.sqlite.SQLiteConfig;

/**
 * The default {@link CheckpointStore}: runs, logs, listing checkpoints, task states and multipart
 * uploads in the SQLite database {@code s3recon.db} of a work directory, in WAL mode, the same
 * database as {@link SqliteInventoryStore}'s. This class only creates and touches the tables
 * whose names start with {@code checkpoint_}; both stores may be open on one work directory at
 * once.
 *
 * <p><b>Batching.</b> Changes are kept in memory and committed in one transaction every
 * {@value #BATCH_CHANGES} changes (by the thread whose change fills the batch) or every second (by
 * a daemon thread of the store, {@code s3recon-checkpoint-flusher}), whichever comes first, so
 * that saving a task costs a few microseconds rather than a disk write. At most about
 * {@value #BATCH_CHANGES} changes (plus one per writing thread) wait in memory: a writer that fills
 * the batch commits it before it returns. {@link #flush()}, {@link #createRun} and
 * {@link #updateRun} commit everything pending before they return, and so does every read: a
 * caller that reads often between writes makes its batches smaller. A process killed at any
 * instant leaves the database as it was at its last commit (SQLite's WAL); with
 * {@code synchronous=NORMAL}, a power loss may also take back the last commits, never a part of
 * one.
 *
 * <p><b>Failures.</b> When a commit fails (disk full, I/O error), the changes it held are not
 * retried: the store stops accepting changes, and every later call (including {@link #flush()} and
 * {@link #close()}) throws {@link ErrorCode#STORE_FAILED} with the cause and what to do. The
 * database keeps its last commit, from which a run resumes.
 *
 * <p><b>Values.</b> Instants are stored as seconds and nanoseconds: they come back exactly,
 * {@link Instant#MIN} and {@link Instant#MAX} included. Enums are stored by name. Keys are stored
 * as their UTF-8 bytes; a key with an unpaired surrogate has none and is refused with
 * {@link ErrorCode#INVALID_CONFIGURATION}.
 *
 * <p><b>Threads.</b> Thread-safe: any thread may write and read at once, and reads see every
 * change written before them by any thread. Changes and reads share one connection, one at a time;
 * each stream ({@link #tasks}, {@link #log(String)}) has a connection of its own until it is
 * exhausted or closed, and reads a snapshot of the store as it was when it was opened. Nothing here
 * accepts nulls where {@link CheckpointStore} says not null. The store is meant to be the only
 * process writing the checkpoints of its work directory.
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

    private static final String[] SCHEMA = {
        "CREATE TABLE IF NOT EXISTS checkpoint_runs ("
                + "run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, configuration TEXT NOT NULL, "
                + "configuration_hash TEXT NOT NULL, state TEXT NOT NULL, "
                + "started_seconds INTEGER NOT NULL, started_nanos INTEGER NOT NULL, "
                + "updated_seconds INTEGER NOT NULL, updated_nanos INTEGER NOT NULL, "
                + "ended_seconds INTEGER, ended_nanos INTEGER, summary TEXT, error TEXT, "
                + "attempts INTEGER NOT NULL) WITHOUT ROWID",
        // The rowid is the order of writing: log lines are never deleted one by one, so it only grows.
        "CREATE TABLE IF NOT EXISTS checkpoint_log ("
                + "line INTEGER PRIMARY KEY, run_id TEXT NOT NULL, at_seconds INTEGER NOT NULL, "
                + "at_nanos INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS checkpoint_log_by_run ON checkpoint_log (run_id, line)",
        "CREATE TABLE IF NOT EXISTS checkpoint_values ("
                + "run_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, "
                + "PRIMARY KEY (run_id, name)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS checkpoint_ranges ("
                + "run_id TEXT NOT NULL, phase TEXT NOT NULL, range_index INTEGER NOT NULL, "
                + "start_after BLOB, end_inclusive BLOB, last_key BLOB, differences_bytes INTEGER NOT NULL, "
                + "plan_bytes INTEGER NOT NULL, tally TEXT NOT NULL, done INTEGER NOT NULL, "
                + "PRIMARY KEY (run_id, phase, range_index)) WITHOUT ROWID",
        // WITHOUT ROWID: the rows are the B-tree on (run_id, sequence), so tasks() is a sequential scan.
        "CREATE TABLE IF NOT EXISTS checkpoint_tasks ("
                + "run_id TEXT NOT NULL, sequence INTEGER NOT NULL, key BLOB NOT NULL, action TEXT NOT NULL, "
                + "state TEXT NOT NULL, attempts INTEGER NOT NULL, bytes INTEGER NOT NULL, "
                + "server_side INTEGER NOT NULL, last_error TEXT, "
                + "PRIMARY KEY (run_id, sequence)) WITHOUT ROWID",
        // So that countTasks() counts index entries instead of reading every task of the run.
        "CREATE INDEX IF NOT EXISTS checkpoint_tasks_by_state ON checkpoint_tasks (run_id, state)",
        // A rowid table: the rowid breaks ties between uploads of one key started at the same instant
        // (the one saved last is the newest).
        "CREATE TABLE IF NOT EXISTS checkpoint_uploads ("
                + "run_id TEXT NOT NULL, upload_id TEXT NOT NULL, key BLOB NOT NULL, source_etag TEXT NOT NULL, "
                + "part_size INTEGER NOT NULL, started_seconds INTEGER NOT NULL, started_nanos INTEGER NOT NULL, "
                + "PRIMARY KEY (run_id, upload_id))",
        "CREATE INDEX IF NOT EXISTS checkpoint_uploads_by_key ON checkpoint_uploads (run_id, key)",
        "CREATE TABLE IF NOT EXISTS checkpoint_parts ("
                + "run_id TEXT NOT NULL, upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL, "
                + "stored_checksum TEXT, relayed_checksum TEXT, "
                + "PRIMARY KEY (run_id, upload_id, part_number)) WITHOUT ROWID"
    };

    private static final String RUN_COLUMNS = "run_id, kind, configuration, configuration_hash, state, "
            + "started_seconds, started_nanos, updated_seconds, updated_nanos, ended_seconds, ended_nanos, "
            + "summary, error, attempts";

    // ON CONFLICT DO NOTHING rather than a lookup first: the transaction's first statement writes,
    // and the update count says whether the id was new.
    private static final String INSERT_RUN = "INSERT INTO checkpoint_runs (" + RUN_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING";

    private static final String UPDATE_RUN = "UPDATE checkpoint_runs SET run_id = ?, kind = ?, configuration = ?, "
            + "configuration_hash = ?, state = ?, started_seconds = ?, started_nanos = ?, updated_seconds = ?, "
            + "updated_nanos = ?, ended_seconds = ?, ended_nanos = ?, summary = ?, error = ?, attempts = ? "
            + "WHERE run_id = ?";

    private static final String INSERT_LOG = "INSERT INTO checkpoint_log (run_id, at_seconds, at_nanos, level, "
            + "message) VALUES (?, ?, ?, ?, ?)";

    private static final String PUT_VALUE = "INSERT OR REPLACE INTO checkpoint_values (run_id, name, value) "
            + "VALUES (?, ?, ?)";

    private static final String SAVE_RANGE = "INSERT OR REPLACE INTO checkpoint_ranges (run_id, phase, range_index, "
            + "start_after, end_inclusive, last_key, differences_bytes, plan_bytes, tally, done) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String SAVE_TASK = "INSERT OR REPLACE INTO checkpoint_tasks (run_id, sequence, key, action, "
            + "state, attempts, bytes, server_side, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String SAVE_UPLOAD = "INSERT OR REPLACE INTO checkpoint_uploads (run_id, upload_id, key, "
            + "source_etag, part_size, started_seconds, started_nanos) VALUES (?, ?, ?, ?, ?, ?, ?)";

    private static final String SAVE_PART = "INSERT OR REPLACE INTO checkpoint_parts (run_id, upload_id, part_number, "
            + "etag, stored_checksum, relayed_checksum) VALUES (?, ?, ?, ?, ?, ?)";

    private static final String DELETE_PARTS = "DELETE FROM checkpoint_parts WHERE run_id = ? AND upload_id = ?";

    private static final String DELETE_UPLOAD = "DELETE FROM checkpoint_uploads WHERE run_id = ? AND upload_id = ?";

    private static final String[] CLEAR_PROGRESS = {
        "DELETE FROM checkpoint_ranges WHERE run_id = ?",
        "DELETE FROM checkpoint_tasks WHERE run_id = ?",
        "DELETE FROM checkpoint_values WHERE run_id = ?",
        "DELETE FROM checkpoint_parts WHERE run_id = ?",
        "DELETE FROM checkpoint_uploads WHERE run_id = ?"
    };

    // One statement per read of uploads, so that uploads and parts come from one snapshot; a LEFT
    // JOIN keeps the uploads without parts.
    private static final String UPLOAD_COLUMNS = "u.upload_id, u.key, u.source_etag, u.part_size, u.started_seconds, "
            + "u.started_nanos, p.part_number, p.etag, p.stored_checksum, p.relayed_checksum";

    private static final String SELECT_NEWEST_UPLOAD = "SELECT " + UPLOAD_COLUMNS + " FROM (SELECT * "
            + "FROM checkpoint_uploads WHERE run_id = ? AND key = ? "
            + "ORDER BY started_seconds DESC, started_nanos DESC, rowid DESC LIMIT 1) u "
            + "LEFT JOIN checkpoint_parts p ON p.run_id = u.run_id AND p.upload_id = u.upload_id "
            + "ORDER BY p.part_number";

    private static final String SELECT_UPLOADS = "SELECT " + UPLOAD_COLUMNS + " FROM checkpoint_uploads u "
            + "LEFT JOIN checkpoint_parts p ON p.run_id = u.run_id AND p.upload_id = u.upload_id "
            + "WHERE u.run_id = ? ORDER BY u.started_seconds, u.started_nanos, u.rowid, p.part_number";

    private final Path workDirectory;
    private final Path database;
    private final String url;
    private final SQLiteConfig config;
    private final int batchChanges;

    // Guards the write connection and its statements; taken before pendingLock, never after it.
    // Batches are taken out of `pending` only while it is held, so they commit in the order written.
    private final ReentrantLock connectionLock = new ReentrantLock();
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private final Object pendingLock = new Object();
    private List<Change> pending = new ArrayList<>();
    private S3ReconException failed;
    private boolean closed;

    private final ScheduledExecutorService flusher;
    // Streams not yet closed by their callers; close() ends them.
    private final Set<Cursor<?>> open = ConcurrentHashMap.newKeySet();

    private SqliteCheckpointStore(Path workDirectory, SQLiteConfig config, int batchChanges, Connection connection) {
        this.workDirectory = workDirectory;
        this.database = workDirectory.resolve(SqliteInventoryStore.DATABASE_FILE_NAME);
        this.url = "jdbc:sqlite:" + database;
        this.config = config;
        this.batchChanges = batchChanges;
        this.connection = connection;
        this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "s3recon-checkpoint-flusher");
            // A store that its owner forgets to close must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Opens (creating if needed) the store in a work directory: the directory, the database file
     * {@code s3recon.db} in it and the store's tables are created when missing. Runs written
     * before, by this or an earlier process, are kept.
     *
     * @param workDirectory the work directory; not null; created with its parents when missing
     * @return the store, owned by the caller, who closes it
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code workDirectory} is
     *     null, {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} when the directory cannot be created or
     *     written, {@link ErrorCode#STORE_FAILED} when the database cannot be opened
     */
    public static SqliteCheckpointStore open(Path workDirectory) {
        return open(workDirectory, config -> { }, BATCH_CHANGES, FLUSH_INTERVAL);
    }

    /** Opens a store whose settings a test may change (a maximum database size, the batching). */
    static SqliteCheckpointStore open(Path workDirectory, Consumer<SQLiteConfig> tuning, int batchChanges,
            Duration flushInterval) {
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
            throw SqliteInventoryStore.failure(database, directory, "open the database", e);
        }
        SqliteCheckpointStore store = new SqliteCheckpointStore(directory, config, batchChanges, connection);
        try (Statement statement = connection.createStatement()) {
            for (String ddl : SCHEMA) {
                statement.execute(ddl);
            }
        } catch (SQLException e) {
            store.flusher.shutdownNow();
            store.release();
            throw store.failure("create the checkpoint tables", e);
        }
        long millis = flushInterval.toMillis();
        store.flusher.scheduleWithFixedDelay(store::flushInBackground, millis, millis, TimeUnit.MILLISECONDS);
        return store;
    }

    /**
     * Returns the database file, {@code <work directory>/s3recon.db}.
     *
     * @return the absolute path of the database
     */
    public Path databaseFile() {
        return database;
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
        boolean created = commit("create run '" + run.runId() + "'", () -> {
            PreparedStatement statement = statement(INSERT_RUN);
            bindRun(statement, run);
            return statement.executeUpdate() == 1;
        });
        if (!created) {
            throw new IllegalStateException("run '" + run.runId() + "' exists already in " + database
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
        boolean updated = commit("update run '" + run.runId() + "'", () -> {
            PreparedStatement statement = statement(UPDATE_RUN);
            bindRun(statement, run);
            statement.setString(15, run.runId());
            return statement.executeUpdate() == 1;
        });
        if (!updated) {
            throw new IllegalStateException("there is no run '" + run.runId() + "' in " + database
                    + " to update: create it first");
        }
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public Optional<RunRecord> run(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read("read run '" + runId + "'", () -> {
            PreparedStatement statement = statement("SELECT " + RUN_COLUMNS + " FROM checkpoint_runs WHERE run_id = ?");
            statement.setString(1, runId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(toRun(rows)) : Optional.empty();
            }
        });
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
        return read("read the runs", () -> {
            PreparedStatement statement = statement("SELECT " + RUN_COLUMNS + " FROM checkpoint_runs "
                    + "ORDER BY started_seconds, started_nanos, run_id");
            List<RunRecord> runs = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    runs.add(toRun(rows));
                }
            }
            return runs;
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Batched, as one change.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public void clearProgress(String runId) {
        Objects.requireNonNull(runId, "runId");
        write(() -> {
            for (String sql : CLEAR_PROGRESS) {
                PreparedStatement statement = statement(sql);
                statement.setString(1, runId);
                statement.executeUpdate();
            }
        });
    }

    // ---- log ----------------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public void log(String runId, LogLine line) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(line, "line");
        write(() -> {
            PreparedStatement statement = statement(INSERT_LOG);
            statement.setString(1, runId);
            statement.setLong(2, line.at().getEpochSecond());
            statement.setInt(3, line.at().getNano());
            statement.setString(4, line.level());
            statement.setString(5, line.message());
            statement.executeUpdate();
        });
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
        return stream("read the log of run '" + runId + "'",
                "SELECT at_seconds, at_nanos, level, message FROM checkpoint_log WHERE run_id = ? ORDER BY line",
                runId, rows -> new LogLine(instant(rows, 1), rows.getString(3), rows.getString(4)));
    }

    // ---- named values -------------------------------------------------------------------------

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public void putValue(String runId, String name, String value) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(value, "value");
        write(() -> {
            PreparedStatement statement = statement(PUT_VALUE);
            statement.setString(1, runId);
            statement.setString(2, name);
            statement.setString(3, value);
            statement.executeUpdate();
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public Optional<String> value(String runId, String name) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(name, "name");
        return read("read value '" + name + "' of run '" + runId + "'", () -> {
            PreparedStatement statement = statement(
                    "SELECT value FROM checkpoint_values WHERE run_id = ? AND name = ?");
            statement.setString(1, runId);
            statement.setString(2, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(rows.getString(1)) : Optional.empty();
            }
        });
    }

    // ---- listing checkpoints ------------------------------------------------------------------

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
        // Converted here, so that a key that cannot be stored is refused to its writer, not to a commit.
        byte[] startAfter = utf8OrNull(checkpoint.startAfter());
        byte[] endInclusive = utf8OrNull(checkpoint.endInclusive());
        byte[] lastKey = utf8OrNull(checkpoint.lastKey());
        write(() -> {
            PreparedStatement statement = statement(SAVE_RANGE);
            statement.setString(1, runId);
            statement.setString(2, checkpoint.phase());
            statement.setInt(3, checkpoint.index());
            setNullableBytes(statement, 4, startAfter);
            setNullableBytes(statement, 5, endInclusive);
            setNullableBytes(statement, 6, lastKey);
            statement.setLong(7, checkpoint.differencesBytes());
            statement.setLong(8, checkpoint.planBytes());
            statement.setString(9, checkpoint.tally());
            statement.setBoolean(10, checkpoint.done());
            statement.executeUpdate();
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public List<RangeCheckpoint> ranges(String runId, String phase) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(phase, "phase");
        return read("read the '" + phase + "' checkpoints of run '" + runId + "'", () -> {
            PreparedStatement statement = statement("SELECT phase, range_index, start_after, end_inclusive, last_key, "
                    + "differences_bytes, plan_bytes, tally, done FROM checkpoint_ranges "
                    + "WHERE run_id = ? AND phase = ? ORDER BY range_index");
            statement.setString(1, runId);
            statement.setString(2, phase);
            List<RangeCheckpoint> ranges = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ranges.add(new RangeCheckpoint(rows.getString(1), rows.getInt(2), stringOrNull(rows, 3),
                            stringOrNull(rows, 4), stringOrNull(rows, 5), rows.getLong(6), rows.getLong(7),
                            rows.getString(8), rows.getBoolean(9)));
                }
            }
            return ranges;
        });
    }

    /**
     * {@inheritDoc}
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed
     */
    @Override
    public void clearRanges(String runId, String phase) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(phase, "phase");
        write(() -> {
            PreparedStatement statement = statement("DELETE FROM checkpoint_ranges WHERE run_id = ? AND phase = ?");
            statement.setString(1, runId);
            statement.setString(2, phase);
            statement.executeUpdate();
        });
    }

    // ---- tasks --------------------------------------------------------------------------------

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
        byte[] key = SqliteInventoryStore.utf8(task.key());
        write(() -> {
            PreparedStatement statement = statement(SAVE_TASK);
            statement.setString(1, runId);
            statement.setLong(2, task.sequence());
            statement.setBytes(3, key);
            statement.setString(4, task.action().name());
            statement.setString(5, task.state().name());
            statement.setInt(6, task.attempts());
            statement.setLong(7, task.bytes());
            statement.setBoolean(8, task.serverSide());
            setNullableString(statement, 9, task.lastError());
            statement.executeUpdate();
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The tasks come lazily from the database, one row at a time, whatever their number; the
     * stream has a connection of its own until it is exhausted or closed, and reads a snapshot:
     * tasks saved while it is open may or may not appear in it.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails, also from the stream's operations
     */
    @Override
    public Stream<TaskRecord> tasks(String runId) {
        Objects.requireNonNull(runId, "runId");
        return stream("read the tasks of run '" + runId + "'",
                "SELECT sequence, key, action, state, attempts, bytes, server_side, last_error FROM checkpoint_tasks "
                        + "WHERE run_id = ? ORDER BY sequence",
                runId, rows -> new TaskRecord(rows.getLong(1), new String(rows.getBytes(2), StandardCharsets.UTF_8),
                        TransferAction.valueOf(rows.getString(3)), TaskState.valueOf(rows.getString(4)),
                        rows.getInt(5), rows.getLong(6), rows.getBoolean(7), rows.getString(8)));
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
        return read("read the tasks of run '" + runId + "' after " + afterSequence, () -> {
            PreparedStatement statement = statement("SELECT sequence, key, action, state, attempts, bytes, "
                    + "server_side, last_error FROM checkpoint_tasks WHERE run_id = ? AND sequence > ? "
                    + "ORDER BY sequence LIMIT ?");
            statement.setString(1, runId);
            statement.setLong(2, afterSequence);
            statement.setInt(3, limit);
            List<TaskRecord> page = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    page.add(new TaskRecord(rows.getLong(1), new String(rows.getBytes(2), StandardCharsets.UTF_8),
                            TransferAction.valueOf(rows.getString(3)), TaskState.valueOf(rows.getString(4)),
                            rows.getInt(5), rows.getLong(6), rows.getBoolean(7), rows.getString(8)));
                }
            }
            return page;
        });
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
        return read("count the " + state + " tasks of run '" + runId + "'", () -> {
            PreparedStatement statement = statement(
                    "SELECT count(*) FROM checkpoint_tasks WHERE run_id = ? AND state = ?");
            statement.setString(1, runId);
            statement.setString(2, state.name());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
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
        byte[] key = SqliteInventoryStore.utf8(upload.key());
        write(() -> {
            PreparedStatement statement = statement(SAVE_UPLOAD);
            statement.setString(1, runId);
            statement.setString(2, upload.uploadId());
            statement.setBytes(3, key);
            statement.setString(4, upload.sourceETag());
            statement.setLong(5, upload.partSize());
            statement.setLong(6, upload.startedAt().getEpochSecond());
            statement.setInt(7, upload.startedAt().getNano());
            statement.executeUpdate();
            deleteParts(runId, upload.uploadId());
            for (PartRecord part : upload.parts()) {
                insertPart(runId, upload.uploadId(), part);
            }
        });
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
        write(() -> insertPart(runId, uploadId, part));
    }

    /**
     * {@inheritDoc}
     *
     * <p>The newest is the one with the latest {@code startedAt}; of uploads started at the same
     * instant, the one saved last.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails; {@link ErrorCode#INVALID_CONFIGURATION} for a key with an
     *     unpaired surrogate
     */
    @Override
    public Optional<UploadRecord> upload(String runId, String key) {
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(key, "key");
        byte[] keyBytes = SqliteInventoryStore.utf8(key);
        return read("read the upload of '" + key + "' in run '" + runId + "'", () -> {
            PreparedStatement statement = statement(SELECT_NEWEST_UPLOAD);
            statement.setString(1, runId);
            statement.setBytes(2, keyBytes);
            List<UploadRecord> uploads = toUploads(statement);
            return uploads.isEmpty() ? Optional.empty() : Optional.of(uploads.get(0));
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>The uploads come oldest first (by {@code startedAt}, then in the order they were saved).
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or failed,
     *     or the database fails
     */
    @Override
    public List<UploadRecord> uploads(String runId) {
        Objects.requireNonNull(runId, "runId");
        return read("read the uploads of run '" + runId + "'", () -> {
            PreparedStatement statement = statement(SELECT_UPLOADS);
            statement.setString(1, runId);
            return toUploads(statement);
        });
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
        write(() -> {
            deleteParts(runId, uploadId);
            PreparedStatement statement = statement(DELETE_UPLOAD);
            statement.setString(1, runId);
            statement.setString(2, uploadId);
            statement.executeUpdate();
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
        commit("commit checkpoint changes", null);
    }

    /**
     * Commits the pending changes, stops the flusher thread, ends the streams still open (their
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
        synchronized (pendingLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            // Changes written before `closed` was set are in `pending`: this commits them.
            commitPending("commit checkpoint changes before closing", null);
        } finally {
            flusher.shutdownNow();
            try {
                flusher.awaitTermination(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            for (Cursor<?> cursor : open) {
                cursor.abandon();
            }
            release();
        }
    }

    @Override
    public String toString() {
        return "SqliteCheckpointStore[" + database + "]";
    }

    // ---- batching -----------------------------------------------------------------------------

    /** One pending change: statements to run on the write connection, inside a batch's transaction. */
    @FunctionalInterface
    private interface Change {
        void apply() throws SQLException;
    }

    @FunctionalInterface
    private interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Buffers a change, and commits the batch if the change filled it. */
    private void write(Change change) {
        boolean full;
        synchronized (pendingLock) {
            ensureUsable();
            pending.add(change);
            full = pending.size() >= batchChanges;
        }
        if (full) {
            connectionLock.lock();
            try {
                // Another writer, or the flusher, may have committed the batch meanwhile.
                boolean stillFull;
                synchronized (pendingLock) {
                    stillFull = pending.size() >= batchChanges;
                }
                if (stillFull) {
                    commitPending("commit checkpoint changes", null);
                }
            } finally {
                connectionLock.unlock();
            }
        }
    }

    /** Commits the pending changes, then {@code last} in the same transaction, and returns its result. */
    private <T> T commit(String action, SqlWork<T> last) {
        synchronized (pendingLock) {
            ensureUsable();
        }
        return commitPending(action, last);
    }

    private <T> T commitPending(String action, SqlWork<T> last) {
        connectionLock.lock();
        try {
            List<Change> batch;
            synchronized (pendingLock) {
                if (failed != null) {
                    throw failedBefore();
                }
                batch = pending;
                pending = new ArrayList<>();
            }
            if (batch.isEmpty() && last == null) {
                return null;
            }
            try (Statement statement = connection.createStatement()) {
                // IMMEDIATE: wait here (busy timeout) for the write lock, rather than fail later
                // when another connection of the database holds it.
                statement.execute("BEGIN IMMEDIATE");
                for (Change change : batch) {
                    change.apply();
                }
                T result = last == null ? null : last.run();
                statement.execute("COMMIT");
                return result;
            } catch (SQLException e) {
                throw fail(batch.size(), failure(action, e));
            } catch (RuntimeException | Error e) {
                throw fail(batch.size(), new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action
                        + " in " + database + " (" + e + "). This is a bug: report it; the run resumes from the"
                        + " last commit.", e));
            }
        } finally {
            connectionLock.unlock();
        }
    }

    /** Rolls back a failed batch and makes the store refuse everything from now on. */
    private S3ReconException fail(int changes, S3ReconException cause) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("ROLLBACK");
        } catch (SQLException e) {
            // SQLite may have rolled back already (e.g. on a full disk); there is nothing more to do.
        }
        synchronized (pendingLock) {
            if (failed == null) {
                failed = new S3ReconException(ErrorCode.STORE_FAILED, "The checkpoint store on " + database
                        + " lost " + changes + " changes and refuses new ones, because a commit failed: "
                        + cause.getMessage() + " The database keeps its last commit: fix the cause, then resume"
                        + " the run from a new store.", cause);
            }
        }
        return cause;
    }

    /** The flusher's task: failures are kept for the next call of any method, which throws them. */
    private void flushInBackground() {
        synchronized (pendingLock) {
            if (closed || failed != null || pending.isEmpty()) {
                return;
            }
        }
        try {
            commitPending("commit checkpoint changes", null);
        } catch (RuntimeException e) {
            // Kept in `failed` by commitPending; a background thread has no caller to tell.
        }
    }

    /** Commits the pending changes, then runs a read on the write connection, under its lock. */
    private <T> T read(String action, SqlWork<T> work) {
        connectionLock.lock();
        try {
            // Reads see every change written before them: commit those changes first.
            commit("commit checkpoint changes", null);
            try {
                return work.run();
            } catch (SQLException e) {
                throw failure(action, e);
            }
        } finally {
            connectionLock.unlock();
        }
    }

    /** Called with pendingLock held. */
    private void ensureUsable() {
        if (closed) {
            throw new S3ReconException(ErrorCode.STORE_FAILED,
                    "The checkpoint store on " + database + " is closed: open it again.");
        }
        if (failed != null) {
            throw failedBefore();
        }
    }

    /** A new exception each time, so that its stack trace shows the caller; the cause is the first failure. */
    private S3ReconException failedBefore() {
        return new S3ReconException(ErrorCode.STORE_FAILED, failed.getMessage(), failed);
    }

    // ---- statements and connections -----------------------------------------------------------

    /** Returns the write connection's statement for this SQL, prepared once; called with connectionLock held. */
    private PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    private void insertPart(String runId, String uploadId, PartRecord part) throws SQLException {
        PreparedStatement statement = statement(SAVE_PART);
        statement.setString(1, runId);
        statement.setString(2, uploadId);
        statement.setInt(3, part.number());
        statement.setString(4, part.eTag());
        setNullableString(statement, 5, part.storedChecksum());
        setNullableString(statement, 6, part.relayedChecksum());
        statement.executeUpdate();
    }

    private void deleteParts(String runId, String uploadId) throws SQLException {
        PreparedStatement statement = statement(DELETE_PARTS);
        statement.setString(1, runId);
        statement.setString(2, uploadId);
        statement.executeUpdate();
    }

    /** Groups the rows of an uploads-with-parts query, in their order. */
    private static List<UploadRecord> toUploads(PreparedStatement statement) throws SQLException {
        Map<String, UploadRecord> uploads = new LinkedHashMap<>();
        Map<String, List<PartRecord>> parts = new HashMap<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String uploadId = rows.getString(1);
                if (!uploads.containsKey(uploadId)) {
                    uploads.put(uploadId, new UploadRecord(new String(rows.getBytes(2), StandardCharsets.UTF_8),
                            uploadId, rows.getString(3), rows.getLong(4), instant(rows, 5), List.of()));
                    parts.put(uploadId, new ArrayList<>());
                }
                int number = rows.getInt(7);
                if (!rows.wasNull()) {
                    parts.get(uploadId).add(new PartRecord(number, rows.getString(8), rows.getString(9),
                            rows.getString(10)));
                }
            }
        }
        List<UploadRecord> result = new ArrayList<>(uploads.size());
        for (UploadRecord upload : uploads.values()) {
            result.add(new UploadRecord(upload.key(), upload.uploadId(), upload.sourceETag(), upload.partSize(),
                    upload.startedAt(), parts.get(upload.uploadId())));
        }
        return result;
    }

    /** Streams a query's rows on a connection of its own, so that nothing is collected in memory. */
    private <T> Stream<T> stream(String action, String sql, String runId, RowReader<T> reader) {
        // Commits what was written before, so that the stream's snapshot holds it.
        flush();
        Connection own;
        try {
            own = config.createConnection(url);
        } catch (SQLException e) {
            throw failure(action, e);
        }
        try {
            PreparedStatement statement = own.prepareStatement(sql);
            statement.setString(1, runId);
            Cursor<T> cursor = new Cursor<>(action, own, statement, statement.executeQuery(), reader);
            open.add(cursor);
            synchronized (pendingLock) {
                if (closed) {
                    // close() may have run since flush(): do not outlive the store.
                    cursor.abandon();
                    ensureUsable();
                }
            }
            return StreamSupport.stream(cursor, false).onClose(cursor::close);
        } catch (SQLException e) {
            closeQuietly(own);
            throw failure(action, e);
        }
    }

    /** Closes the write connection; the pending changes are committed or lost by then. */
    private void release() {
        connectionLock.lock();
        try {
            for (PreparedStatement statement : statements.values()) {
                try {
                    statement.close();
                } catch (SQLException e) {
                    // Closing the connection below frees it all the same.
                }
            }
            statements.clear();
            closeQuietly(connection);
        } finally {
            connectionLock.unlock();
        }
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // Closing rolls back what was not committed; there is nothing more to save.
        }
    }

    private S3ReconException failure(String action, SQLException e) {
        return SqliteInventoryStore.failure(database, workDirectory, action, e);
    }

    // ---- records <-> rows ---------------------------------------------------------------------

    @FunctionalInterface
    private interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private static void bindRun(PreparedStatement statement, RunRecord run) throws SQLException {
        statement.setString(1, run.runId());
        statement.setString(2, run.kind());
        statement.setString(3, run.configuration());
        statement.setString(4, run.configurationHash());
        statement.setString(5, run.state().name());
        statement.setLong(6, run.startedAt().getEpochSecond());
        statement.setInt(7, run.startedAt().getNano());
        statement.setLong(8, run.updatedAt().getEpochSecond());
        statement.setInt(9, run.updatedAt().getNano());
        if (run.endedAt() == null) {
            statement.setNull(10, Types.BIGINT);
            statement.setNull(11, Types.INTEGER);
        } else {
            statement.setLong(10, run.endedAt().getEpochSecond());
            statement.setInt(11, run.endedAt().getNano());
        }
        setNullableString(statement, 12, run.summary());
        setNullableString(statement, 13, run.error());
        statement.setInt(14, run.attempts());
    }

    private static RunRecord toRun(ResultSet rows) throws SQLException {
        rows.getLong(10);
        Instant endedAt = rows.wasNull() ? null : instant(rows, 10);
        return new RunRecord(rows.getString(1), rows.getString(2), rows.getString(3), rows.getString(4),
                MigrationState.valueOf(rows.getString(5)), instant(rows, 6), instant(rows, 8), endedAt,
                rows.getString(12), rows.getString(13), rows.getInt(14));
    }

    /** Reads an instant from two columns: seconds, then nanoseconds. */
    private static Instant instant(ResultSet rows, int secondsColumn) throws SQLException {
        return Instant.ofEpochSecond(rows.getLong(secondsColumn), rows.getInt(secondsColumn + 1));
    }

    private static byte[] utf8OrNull(String key) {
        return key == null ? null : SqliteInventoryStore.utf8(key);
    }

    private static String stringOrNull(ResultSet rows, int column) throws SQLException {
        byte[] bytes = rows.getBytes(column);
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }

    private static void setNullableBytes(PreparedStatement statement, int index, byte[] value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.BLOB);
        } else {
            statement.setBytes(index, value);
        }
    }

    private static void setNullableString(PreparedStatement statement, int index, String value) throws SQLException {
        if (value == null) {
            statement.setNull(index, Types.VARCHAR);
        } else {
            statement.setString(index, value);
        }
    }

    // ---- streams ------------------------------------------------------------------------------

    /** Streams rows from an open query on a connection of its own; ends its query as soon as it is exhausted. */
    private final class Cursor<T> extends Spliterators.AbstractSpliterator<T> {

        private final String action;
        private final RowReader<T> reader;
        private Connection own;
        private PreparedStatement statement;
        private ResultSet rows;
        private boolean abandoned;

        Cursor(String action, Connection own, PreparedStatement statement, ResultSet rows, RowReader<T> reader) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
            this.action = action;
            this.own = own;
            this.statement = statement;
            this.rows = rows;
            this.reader = reader;
        }

        @Override
        public boolean tryAdvance(Consumer<? super T> consumer) {
            T next = next();
            if (next == null) {
                return false;
            }
            // Outside the lock: the consumer is the caller's code.
            consumer.accept(next);
            return true;
        }

        private synchronized T next() {
            if (rows == null) {
                if (abandoned) {
                    throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the checkpoint"
                            + " store on " + database + " was closed while the stream was open. Close streams first.");
                }
                return null;
            }
            try {
                if (!rows.next()) {
                    // Ends the read transaction now rather than when the caller closes the stream,
                    // so that the WAL can be checkpointed.
                    end();
                    return null;
                }
                return reader.read(rows);
            } catch (SQLException e) {
                end();
                throw failure(action, e);
            } catch (IllegalArgumentException e) {
                end();
                throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the database "
                        + database + " holds a row that this version cannot read (" + e + "). Resume the run with"
                        + " the version that started it, or start a new run.", e);
            }
        }

        /** Called by the stream's close(), which may come more than once. */
        synchronized void close() {
            if (rows != null) {
                end();
            }
        }

        synchronized void abandon() {
            if (rows != null) {
                abandoned = true;
                end();
            }
        }

        private void end() {
            try {
                rows.close();
                statement.close();
            } catch (SQLException e) {
                // Closing the connection below frees them all the same.
            }
            closeQuietly(own);
            rows = null;
            statement = null;
            own = null;
            open.remove(this);
        }
    }
}
