package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.sqlite.SQLiteConfig;

/**
 * The batching writer of {@link SqliteCheckpointStore}: it keeps changes in memory and commits
 * them in one transaction when a batch is full, every flush interval (on a daemon thread,
 * {@code s3recon-checkpoint-flusher}), before every read and on demand. After a commit fails it
 * refuses every call, so that nothing is dropped silently.
 *
 * <p>Thread-safe. One write connection, one caller at a time ({@code connectionLock}); the pending
 * changes have a lock of their own ({@code pendingLock}), taken after the connection's, never
 * before it, so that a writer only waits for a commit when its change fills the batch. Batches are
 * taken out of {@code pending} only while the connection's lock is held, so they commit in the
 * order written. Streams ({@link #stream}) read on connections of their own.
 */
final class CheckpointBatcher {

    /** One pending change: statements to run on the write connection, inside a batch's transaction. */
    @FunctionalInterface
    interface Change {
        void apply() throws SQLException;
    }

    /** Work on the write connection that returns a result. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run() throws SQLException;
    }

    /** Reads one record from the current row of a result set. */
    @FunctionalInterface
    interface RowReader<T> {
        T read(ResultSet row) throws SQLException;
    }

    private final Path workDirectory;
    private final Path database;
    private final String url;
    private final SQLiteConfig config;
    private final int batchChanges;

    private final ReentrantLock connectionLock = new ReentrantLock();
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();

    private final Object pendingLock = new Object();
    private List<Change> pending = new ArrayList<>();
    private S3ReconException failed;
    private boolean closed;

    private final ScheduledExecutorService flusher;
    // Streams not yet closed by their callers; close() ends them.
    private final Set<CheckpointCursor<?>> open = ConcurrentHashMap.newKeySet();

    CheckpointBatcher(Path workDirectory, Path database, SQLiteConfig config, int batchChanges,
            Connection connection) {
        this.workDirectory = workDirectory;
        this.database = database;
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

    /** Starts the flusher thread, which commits pending changes every {@code interval}. */
    void start(Duration interval) {
        long millis = interval.toMillis();
        flusher.scheduleWithFixedDelay(this::flushInBackground, millis, millis, TimeUnit.MILLISECONDS);
    }

    Path database() {
        return database;
    }

    /** Buffers a change, and commits the batch if the change filled it. */
    void write(Change change) {
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
    <T> T commit(String action, SqlWork<T> last) {
        synchronized (pendingLock) {
            ensureUsable();
        }
        return commitPending(action, last);
    }

    /** Commits every pending change; durable against a crash of the process when it returns. */
    void flush() {
        commit("commit checkpoint changes", null);
    }

    /** Commits the pending changes, then runs a read on the write connection, under its lock. */
    <T> T read(String action, SqlWork<T> work) {
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

    /**
     * Returns the write connection's statement for this SQL, prepared once; only inside a
     * {@link Change} or {@link SqlWork}, which run with the connection's lock held.
     */
    PreparedStatement statement(String sql) throws SQLException {
        PreparedStatement statement = statements.get(sql);
        if (statement == null) {
            statement = connection.prepareStatement(sql);
            statements.put(sql, statement);
        }
        return statement;
    }

    /**
     * Streams a query's rows on a connection of its own, so that nothing is collected in memory;
     * the query's only parameter is bound to {@code runId}.
     */
    <T> Stream<T> stream(String action, String sql, String runId, RowReader<T> reader) {
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
            CheckpointCursor<T> cursor = new CheckpointCursor<>(this, action, own, statement,
                    statement.executeQuery(), reader);
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

    /** Called by a cursor once it has ended. */
    void ended(CheckpointCursor<?> cursor) {
        open.remove(cursor);
    }

    /**
     * Commits the pending changes, stops the flusher thread, ends the streams still open and
     * closes the connection; does nothing when closed already.
     */
    void close() {
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
            for (CheckpointCursor<?> cursor : open) {
                cursor.abandon();
            }
            release();
        }
    }

    /** Releases what an open that failed half-way holds: the flusher and the connection. */
    void abandon() {
        flusher.shutdownNow();
        release();
    }

    S3ReconException failure(String action, SQLException e) {
        return SqliteFailures.failure(database, workDirectory, action, e);
    }

    static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // Closing rolls back what was not committed; there is nothing more to save.
        }
    }

    // ---- commits ------------------------------------------------------------------------------

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
}
