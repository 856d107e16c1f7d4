package io.github.s3recon.postgres;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;

/**
 * The batching writer of {@link PostgresCheckpointStore}: it keeps changes in memory and commits
 * them in one transaction when a batch is full, every flush interval (on a daemon thread,
 * {@code s3recon-pg-checkpoint-flusher}), before every read and on demand. Consecutive changes
 * that run the same statement go to the server as one JDBC batch, so that a batch of 1,000 task
 * saves is a few round trips, not 1,000. After a commit fails it refuses every call, so that
 * nothing is dropped silently.
 *
 * <p>Thread-safe. Commits are made one at a time ({@code commitLock}), so batches commit in the
 * order written; the pending changes have a lock of their own ({@code pendingLock}), taken after
 * the commit lock, never before it. Reads run on connections of the pool, in parallel.
 */
final class PgBatcher {

    /** One pending change: statements added to a batch's transaction through {@link Tx}. */
    @FunctionalInterface
    interface Change {
        void apply(Tx tx) throws SQLException;
    }

    /** Work on a connection that returns a result. */
    @FunctionalInterface
    interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /**
     * A transaction being filled with batched statements. {@link #batched} returns the statement
     * for some SQL, after sending the batch of the statement before it when that is another one,
     * so that statements run in the order the changes made them.
     */
    static final class Tx {
        private final Connection connection;
        private String sql;
        private PreparedStatement statement;

        private Tx(Connection connection) {
            this.connection = connection;
        }

        /** The statement to bind and {@code addBatch()}; the batch is sent later, in order. */
        PreparedStatement batched(String nextSql) throws SQLException {
            if (!nextSql.equals(sql)) {
                send();
                statement = connection.prepareStatement(nextSql);
                sql = nextSql;
            }
            return statement;
        }

        /** Sends the batch in progress; then the connection may be used directly. */
        Connection connection() throws SQLException {
            send();
            return connection;
        }

        private void send() throws SQLException {
            if (statement != null) {
                try {
                    statement.executeBatch();
                } finally {
                    statement.close();
                    statement = null;
                    sql = null;
                }
            }
        }
    }

    private final DataSource pool;
    private final String where;
    private final int batchChanges;
    private final Runnable onClose;

    private final ReentrantLock commitLock = new ReentrantLock();
    private final Object pendingLock = new Object();
    private List<Change> pending = new ArrayList<>();
    private S3ReconException failed;
    private boolean closed;
    private final ScheduledExecutorService flusher;

    PgBatcher(DataSource pool, String where, int batchChanges, Runnable onClose) {
        this.pool = pool;
        this.where = where;
        this.batchChanges = batchChanges;
        this.onClose = onClose;
        this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "s3recon-pg-checkpoint-flusher");
            // A store that its owner forgets to close must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        });
    }

    void start(Duration interval) {
        long millis = interval.toMillis();
        flusher.scheduleWithFixedDelay(this::flushInBackground, millis, millis, TimeUnit.MILLISECONDS);
    }

    String where() {
        return where;
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
            commitLock.lock();
            try {
                boolean stillFull;
                synchronized (pendingLock) {
                    stillFull = pending.size() >= batchChanges;
                }
                if (stillFull) {
                    commitPending("commit checkpoint changes", null);
                }
            } finally {
                commitLock.unlock();
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

    /** Commits every pending change; durable when it returns. */
    void flush() {
        commit("commit checkpoint changes", null);
    }

    /** Commits the pending changes (reads see every write made before them), then reads on a pool connection. */
    <T> T read(String action, SqlWork<T> work) {
        flush();
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw PgFailures.failure(where, action, e);
        }
    }

    /** Throws if the store is closed or failed; for the streams, which read page by page. */
    void ensureOpen(String action) {
        synchronized (pendingLock) {
            if (closed) {
                throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the checkpoint store "
                        + where + " was closed while the stream was open. Close streams first.");
            }
            if (failed != null) {
                throw failedBefore();
            }
        }
    }

    /** Reads without committing first (the streams' later pages); the store must be open. */
    <T> T readCommitted(String action, SqlWork<T> work) {
        ensureOpen(action);
        try (Connection connection = pool.getConnection()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw PgFailures.failure(where, action, e);
        }
    }

    /** Commits the pending changes, stops the flusher and closes the pool if the store owns it. */
    void close() {
        synchronized (pendingLock) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            commitPending("commit checkpoint changes before closing", null);
        } finally {
            abandon();
        }
    }

    /** Releases the flusher and the pool (an open that failed half-way, or a close). */
    void abandon() {
        flusher.shutdownNow();
        try {
            flusher.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        onClose.run();
    }

    private <T> T commitPending(String action, SqlWork<T> last) {
        commitLock.lock();
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
            try (Connection connection = pool.getConnection()) {
                connection.setAutoCommit(false);
                try {
                    Tx tx = new Tx(connection);
                    for (Change change : batch) {
                        change.apply(tx);
                    }
                    T result = last == null ? null : last.run(tx.connection());
                    tx.send();
                    connection.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    try {
                        connection.rollback();
                    } catch (SQLException rollback) {
                        e.addSuppressed(rollback);
                    }
                    throw e;
                } finally {
                    connection.setAutoCommit(true);
                }
            } catch (SQLException e) {
                throw fail(batch.size(), PgFailures.failure(where, action, e));
            } catch (S3ReconException e) {
                // A value refused by a change (never the case: values are checked when written).
                throw fail(batch.size(), e);
            } catch (RuntimeException | Error e) {
                throw fail(batch.size(), new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action
                        + " in the PostgreSQL checkpoint store " + where + " (" + e + "). This is a bug: report it;"
                        + " the run resumes from the last commit.", e));
            }
        } finally {
            commitLock.unlock();
        }
    }

    /** Makes the store refuse everything from now on; the failed batch was rolled back. */
    private S3ReconException fail(int changes, S3ReconException cause) {
        if (changes == 0) {
            // Nothing was lost (a run record that could not be written): the caller is told, the store goes on.
            return cause;
        }
        synchronized (pendingLock) {
            if (failed == null) {
                failed = new S3ReconException(ErrorCode.STORE_FAILED, "The checkpoint store " + where + " lost "
                        + changes + " changes and refuses new ones, because a commit failed: " + cause.getMessage()
                        + " The database keeps its last commit: fix the cause, then resume the run from a new"
                        + " store.", cause);
            }
        }
        return cause;
    }

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

    private void ensureUsable() {
        if (closed) {
            throw new S3ReconException(ErrorCode.STORE_FAILED,
                    "The checkpoint store " + where + " is closed: open it again.");
        }
        if (failed != null) {
            throw failedBefore();
        }
    }

    private S3ReconException failedBefore() {
        return new S3ReconException(ErrorCode.STORE_FAILED, failed.getMessage(), failed);
    }
}
