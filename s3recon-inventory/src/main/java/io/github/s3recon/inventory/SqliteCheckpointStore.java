package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Consumer;
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
 * a {@link #log(String)} stream reads the log as it was when it was made, by pages of 1,000 lines
 * on that connection, and holds nothing between pages. Nothing here accepts nulls where
 * {@link CheckpointStore} says not null. The store is meant to be the only process writing the
 * checkpoints of its work directory.
 *
 * <p>The statements, row mapping, batching and transactions are those of
 * {@link JdbcCheckpointStore}, which the PostgreSQL store shares; this class adds SQLite's
 * connection, {@code INSERT OR REPLACE} and the layout's versions ({@code CheckpointSchema}).
 *
 * <p>Errors are {@link S3ReconException}s: {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} when the work
 * directory cannot be created or written, {@link ErrorCode#STORE_FAILED} otherwise, each naming the
 * database file and what to do.
 */
public final class SqliteCheckpointStore extends JdbcCheckpointStore {

    /** Changes committed in one transaction, at most. */
    static final int BATCH_CHANGES = 1_000;

    /** How long a change waits, at most, before the flusher thread commits it. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private final Path database;

    private SqliteCheckpointStore(SqliteCheckpointBackend backend, int batchChanges, Duration flushInterval) {
        super(backend, batchChanges, flushInterval, "s3recon-checkpoint-flusher");
        this.database = backend.database();
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
        checkBatching(batchChanges, flushInterval);
        SQLiteConfig config = SqliteInventoryStore.connectionConfig();
        tuning.accept(config);
        Path database = directory.resolve(SqliteInventoryStore.DATABASE_FILE_NAME);
        Connection connection;
        try {
            connection = config.createConnection("jdbc:sqlite:" + database);
        } catch (SQLException e) {
            throw SqliteFailures.failure(database, directory, "open the database", e);
        }
        SqliteCheckpointBackend backend = new SqliteCheckpointBackend(directory, database, connection);
        try {
            CheckpointSchema.prepare(connection, database, beforeUpgradeCommit);
        } catch (SQLException e) {
            backend.close();
            throw backend.failure("create or upgrade the checkpoint tables", e);
        } catch (RuntimeException | Error e) {
            backend.close();
            throw e;
        }
        return new SqliteCheckpointStore(backend, batchChanges, flushInterval);
    }

    /**
     * Returns the database file, {@code <work directory>/s3recon.db}.
     *
     * @return the absolute path of the database
     */
    public Path databaseFile() {
        return database;
    }

    @Override
    public String toString() {
        return "SqliteCheckpointStore[" + database + "]";
    }
}
