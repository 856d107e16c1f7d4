package io.github.s3recon.transfer;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What every transfer session keeps about its submitted objects: how many have not ended yet (the
 * wait of {@code awaitCompletion()} and of a close), and the first exception its
 * {@code TransferOutcomes} threw. Reporting an outcome must not throw; one that does breaks a
 * contract, not a copy: the session goes on, and the exception is logged once and thrown by
 * {@link #awaitCompletion} so that it is not hidden. Thread-safe.
 */
final class PendingTransfers {

    private static final Logger LOG = LoggerFactory.getLogger(PendingTransfers.class);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition idle = lock.newCondition();
    private long pending;
    private final AtomicReference<Throwable> reportFailure = new AtomicReference<>();

    /** An object was submitted: it is pending until {@link #ended()}. */
    void submitted() {
        lock.lock();
        try {
            pending++;
        } finally {
            lock.unlock();
        }
    }

    /** A submitted object ended (its outcome was reported, or it never started). */
    void ended() {
        lock.lock();
        try {
            if (--pending == 0) {
                idle.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Hands an outcome or a retry to the outcomes; one that throws is kept for {@link #awaitCompletion}. */
    void report(String key, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException | Error e) {
            keepReportFailure(key, e);
        }
    }

    /** Keeps the first exception of the outcomes, and logs it. */
    void keepReportFailure(String key, Throwable e) {
        if (reportFailure.compareAndSet(null, e)) {
            LOG.warn("reporting the outcome of '{}' failed; the transfer goes on and the session will fail "
                    + "when it ends", Redact.key(key), e);
        }
    }

    /**
     * Waits until every submitted object has ended, then throws the first exception the outcomes
     * threw, if any, or returns the totals.
     */
    TransferTotals awaitCompletion(Supplier<TransferTotals> totals) {
        try {
            lock.lockInterruptibly();
            try {
                while (pending > 0) {
                    idle.await();
                }
            } finally {
                lock.unlock();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new S3ReconException(ErrorCode.INTERRUPTED, "interrupted while waiting for the transfers to end; "
                    + "they go on until the session is cancelled or closed", e);
        }
        Throwable failure = reportFailure.get();
        if (failure != null) {
            throw failure instanceof S3ReconException s ? s : new S3ReconException(ErrorCode.COPY_FAILED,
                    "the outcome of a transfer could not be reported: " + Redact.text(failure.toString()), failure);
        }
        return totals.get();
    }

    /** Waits, after a cancel, for the objects in flight to end, at most {@code seconds}; keeps the interrupt flag. */
    void awaitQuietly(long seconds) {
        boolean interrupted = Thread.interrupted();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        lock.lock();
        try {
            while (pending > 0) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("{} transfers did not end within {} s of the session's cancellation", pending, seconds);
                    break;
                }
                try {
                    idle.awaitNanos(left);
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
        } finally {
            lock.unlock();
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
