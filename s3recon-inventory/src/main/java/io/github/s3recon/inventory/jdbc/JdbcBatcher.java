package io.github.s3recon.inventory.jdbc;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend.Sql;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend.SqlWork;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The batching writer of a {@link JdbcCheckpointStore}: it keeps changes in memory and commits
 * them in one transaction of its backend when a batch is full, every flush interval (on a daemon
 * thread), before every read and on demand. After a commit of changes fails it refuses every call,
 * so that nothing is dropped silently.
 *
 * <p>Thread-safe. Commits are made one at a time ({@code commitLock}), so batches commit in the
 * order written; the pending changes have a lock of their own ({@code pendingLock}), taken after
 * the commit lock, never before it, so that a writer only waits for a commit when its change fills
 * the batch. Reads go to the backend, which may run them in parallel.
 */
final class JdbcBatcher {

    /** One pending change: statements run inside a batch's transaction. */
    @FunctionalInterface
    interface Change {
        void apply(Sql sql) throws SQLException;
    }

    private final JdbcCheckpointBackend backend;
    private final int batchChanges;

    private final ReentrantLock commitLock = new ReentrantLock();
    private final Object pendingLock = new Object();
    private List<Change> pending = new ArrayList<>();
    private S3ReconException failed;
    private boolean closed;
    private final ScheduledExecutorService flusher;

    JdbcBatcher(JdbcCheckpointBackend backend, int batchChanges, String flusherName) {
        this.backend = backend;
        this.batchChanges = batchChanges;
        this.flusher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, flusherName);
            // A store that its owner forgets to close must not keep the JVM alive.
            thread.setDaemon(true);
            return thread;
        });
    }

    void start(Duration interval) {
        long millis = interval.toMillis();
        flusher.scheduleWithFixedDelay(this::flushInBackground, millis, millis, TimeUnit.MILLISECONDS);
    }

    JdbcCheckpointBackend backend() {
        return backend;
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
                // Another writer, or the flusher, may have committed the batch meanwhile.
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

    /** Commits every pending change; durable (as the backend's commits are) when it returns. */
    void flush() {
        commit("commit checkpoint changes", null);
    }

    /** Commits the pending changes (reads see every write made before them), then reads. */
    <T> T read(String action, SqlWork<T> work) {
        flush();
        return readCommitted(action, work);
    }

    /** Reads without committing first (a stream's later pages); the store must be open. */
    <T> T readCommitted(String action, SqlWork<T> work) {
        ensureOpen(action);
        try {
            return backend.read(work);
        } catch (SQLException e) {
            throw backend.failure(action, e);
        } catch (IllegalArgumentException e) {
            // An enum name this version does not know: a row that a newer version wrote.
            throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the "
                    + backend.describe() + " holds a row that this version cannot read (" + e + "). Resume the"
                    + " run with the version that started it, or start a new run.", e);
        }
    }

    /** Throws if the store is closed or failed; for streams, which read page by page. */
    void ensureOpen(String action) {
        synchronized (pendingLock) {
            if (closed) {
                throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the "
                        + backend.describe() + " is closed (close streams before their store): open it again.");
            }
            if (failed != null) {
                throw failedBefore();
            }
        }
    }

    /** Commits the pending changes, stops the flusher and releases the backend; once. */
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
            commitLock.lock();
            try {
                backend.close();
            } finally {
                commitLock.unlock();
            }
        }
    }

    // ---- commits ------------------------------------------------------------------------------

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
            try {
                return backend.transaction(sql -> {
                    for (Change change : batch) {
                        change.apply(sql);
                    }
                    return last == null ? null : last.run(sql);
                });
            } catch (SQLException e) {
                throw fail(batch.size(), backend.failure(action, e));
            } catch (S3ReconException e) {
                // A value refused by a change (never the case: values are checked when written).
                throw fail(batch.size(), e);
            } catch (RuntimeException | Error e) {
                throw fail(batch.size(), new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action
                        + " in the " + backend.describe() + " (" + e + "). This is a bug: report it; the run"
                        + " resumes from the last commit.", e));
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
                failed = new S3ReconException(ErrorCode.STORE_FAILED, "The " + backend.describe() + " lost "
                        + changes + " changes and refuses new ones, because a commit failed: " + cause.getMessage()
                        + " The database keeps its last commit: fix the cause, then resume the run from a new"
                        + " store.", cause);
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
            throw new S3ReconException(ErrorCode.STORE_FAILED, "The " + backend.describe()
                    + " is closed: open it again.");
        }
        if (failed != null) {
            throw failedBefore();
        }
    }

    /** A new exception each time, so that its stack trace shows the caller; the cause is the first failure. */
    private S3ReconException failedBefore() {
        return new S3ReconException(ErrorCode.STORE_FAILED, failed.getMessage(), failed);
    }
}
