package io.github.s3recon.spi;

import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * How many transfers of a lane may run at once, adapting to throttling the AIMD way TCP does:
 * the limit halves when the server says "slow down" and creeps back by one per round of
 * successful requests, up to the configured maximum.
 *
 * <p>A burst of throttled responses to requests that were in flight together halves the limit
 * once, not once per response: after a decrease, the next one waits until as many requests have
 * ended as were in flight at the decrease (about one round trip), without reference to a clock.
 *
 * <p>A building block for {@link TransferScheduler} implementations: the S3 engine of
 * {@code s3recon-transfer} bounds its lanes with it, and the relay of a non-bucket source its reads
 * of the source, where a 429 or 503 halves the reads in flight.
 *
 * <p>Thread-safe. {@link #close()} wakes every waiter; acquisitions then fail.
 */
public final class ConcurrencyLimit {

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
     * @param max the most transfers at once; positive
     */
    public ConcurrencyLimit(int max) {
        if (max <= 0) {
            throw new IllegalArgumentException("max must be positive, was " + max);
        }
        this.max = max;
        this.limit = max;
    }

    /**
     * Takes a slot, waiting while as many transfers run as the limit allows.
     *
     * @throws InterruptedException if interrupted while waiting
     * @throws CancellationException if closed
     */
    public void acquire() throws InterruptedException {
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
    public void release() {
        lock.lock();
        try {
            inFlight--;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** A request ended well: additive increase, one slot per round of successes. */
    public void onSuccess() {
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
     * A request was throttled: multiplicative decrease, at most once per round.
     *
     * @return whether the limit was lowered
     */
    public boolean onThrottled() {
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

    /** A request failed otherwise: it ended, without bearing on the limit. */
    public void onOtherFailure() {
        lock.lock();
        try {
            ended++;
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter and fails every further acquisition. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The current limit, rounded down. */
    public int limit() {
        lock.lock();
        try {
            return (int) limit;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Returns the most transfers the limit allows, the value it creeps back to.
     *
     * @return the maximum given at construction
     */
    public int max() {
        return max;
    }
}
