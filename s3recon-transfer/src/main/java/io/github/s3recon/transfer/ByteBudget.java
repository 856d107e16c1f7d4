package io.github.s3recon.transfer;

import java.util.concurrent.CancellationException;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The in-flight byte budget: a semaphore of bytes that the relays of a session take before they
 * start and give back when they end, so that memory is bounded by bytes in flight rather than by
 * a count of workers.
 *
 * <p>Two lanes share it. Large objects' parts may hold at most {@link #largeAllowance()} bytes,
 * so that some room (the small reserve) is always left for small objects: they never wait for
 * room behind a queue of parts. A request for more than a lane may ever hold is cut to what it may
 * hold, so that an object or part larger than the whole budget still proceeds, alone.
 *
 * <p>Thread-safe. {@link #close()} wakes every waiter; acquisitions then fail.
 */
final class ByteBudget {

    private final long capacity;
    private final long largeAllowance;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition released = lock.newCondition();
    private long used;
    private long largeUsed;
    private long peak;
    private boolean closed;

    /**
     * Creates a budget.
     *
     * @param capacity the bytes in flight at most; positive
     * @param smallReserve the bytes that large parts must leave to small objects; from 0 to capacity - 1
     */
    ByteBudget(long capacity, long smallReserve) {
        if (capacity <= 0 || smallReserve < 0 || smallReserve >= capacity) {
            throw new IllegalArgumentException("capacity " + capacity + ", small reserve " + smallReserve);
        }
        this.capacity = capacity;
        this.largeAllowance = capacity - smallReserve;
    }

    /**
     * Takes bytes, waiting for room.
     *
     * @param large whether for a part of a large object (bounded by the large allowance)
     * @param bytes the bytes wanted; not negative
     * @return the bytes taken, to give back to {@link #release}: {@code bytes}, or less where the lane
     *     may never hold that much
     * @throws InterruptedException if interrupted while waiting
     * @throws CancellationException if the budget was closed
     */
    long acquire(boolean large, long bytes) throws InterruptedException {
        long n = Math.min(bytes, large ? largeAllowance : capacity);
        lock.lockInterruptibly();
        try {
            while (!closed && !(used + n <= capacity && (!large || largeUsed + n <= largeAllowance))) {
                released.await();
            }
            if (closed) {
                throw new CancellationException("the transfer was cancelled");
            }
            used += n;
            if (large) {
                largeUsed += n;
            }
            peak = Math.max(peak, used);
            return n;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Gives bytes back.
     *
     * @param large the lane they were taken for
     * @param taken what {@link #acquire} returned
     */
    void release(boolean large, long taken) {
        if (taken == 0) {
            return;
        }
        lock.lock();
        try {
            used -= taken;
            if (large) {
                largeUsed -= taken;
            }
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiter and fails every further acquisition. */
    void close() {
        lock.lock();
        try {
            closed = true;
            released.signalAll();
        } finally {
            lock.unlock();
        }
    }

    long capacity() {
        return capacity;
    }

    long largeAllowance() {
        return largeAllowance;
    }

    /** Bytes held now. */
    long used() {
        lock.lock();
        try {
            return used;
        } finally {
            lock.unlock();
        }
    }

    /** The most bytes ever held at once. */
    long peak() {
        lock.lock();
        try {
            return peak;
        } finally {
            lock.unlock();
        }
    }
}
