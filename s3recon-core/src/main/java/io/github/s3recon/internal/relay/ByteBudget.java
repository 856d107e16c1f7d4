package io.github.s3recon.internal.relay;

import java.util.concurrent.Semaphore;

/**
 * The bytes a relay may hold in memory at once: a copy takes what its buffer needs before reading
 * and gives it back once written, waiting while the budget is spent. A buffer larger than the whole
 * budget takes the whole budget (it then runs alone). Thread-safe.
 */
final class ByteBudget {

    private static final int UNIT = 64 * 1024;
    private final int units;
    private final Semaphore free;

    ByteBudget(long bytes) {
        this.units = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes / UNIT));
        this.free = new Semaphore(units, true);
    }

    /** Takes room for a buffer; returns the units taken, for {@link #release}. */
    int acquire(long bytes) throws InterruptedException {
        int n = (int) Math.min(units, Math.max(1, (bytes + UNIT - 1) / UNIT));
        free.acquire(n);
        return n;
    }

    void release(int taken) {
        free.release(taken);
    }
}
