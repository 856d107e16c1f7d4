package io.github.s3recon.internal.relay;

import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many reads of the source a relay session has in flight at once (a GET of a small object, of
 * a part, or the one streamed GET of a large object), adapting to throttling the AIMD way TCP
 * does: the limit halves when the server answers 429 or 503, and creeps back by one per round of
 * successful reads, up to the configured maximum. Reads, not copies, are limited because the reads
 * are what the source server counts; writes to the destination go on at the session's concurrency.
 *
 * <p>A burst of throttled answers to reads that were in flight together halves the limit once, not
 * once per answer: after a decrease, the next one waits until as many reads have ended as were in
 * flight at the decrease (about one round trip), without reference to a clock. This is the
 * algorithm of the S3 engine's lane limit ({@code s3recon-transfer}'s {@code ConcurrencyLimit}),
 * which core cannot reach.
 *
 * <p>Thread-safe. {@link #close()} wakes every waiter; acquisitions then fail.
 */
final class ReadLimit {

    private final int max;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private double limit;
    private int inFlight;
    private long ended;
    private long nextDecreaseAt;
    private boolean closed;

    /**
     * Creates a limit that starts at its maximum.
     *
     * @param max the most reads at once; positive
     */
    ReadLimit(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        this.max = max;
        this.limit = max;
    }

    /**
     * Takes a slot, waiting while as many reads run as the limit allows.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws CancellationException if closed
     */
    void acquire() throws InterruptedException {
        lock.lockInterruptibly();
        try {
            while (!closed && inFlight >= (int) limit) {
                changed.await();
            }
            if (closed) {
                throw new CancellationException("the transfer was cancelled");
            }
            inFlight++;
        } finally {
            lock.unlock();
        }
    }

    /** Gives a slot back. */
    void release() {
        lock.lock();
        try {
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A read ended well: additive increase, one slot per round of successes. */
    void onSuccess() {
        lock.lock();
        try {
            ended++;
            if (limit < max) {
                limit = Math.min(max, limit + 1 / limit);
                changed.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * A read was throttled: multiplicative decrease, at most once per round.
     *
     * @return whether the limit was lowered
     */
    boolean onThrottled() {
        lock.lock();
        try {
            ended++;
            if (ended < nextDecreaseAt) {
                return false;
            }
            limit = Math.max(1, limit / 2);
            nextDecreaseAt = ended + inFlight;
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** A read failed otherwise: it ended, without bearing on the limit. */
    void onOtherFailure() {
        lock.lock();
        try {
            ended++;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter and fails every further acquisition. */
    void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The current limit, rounded down. */
    int limit() {
        lock.lock();
        try {
            return (int) limit;
        } finally {
            lock.unlock();
        }
    }
}
