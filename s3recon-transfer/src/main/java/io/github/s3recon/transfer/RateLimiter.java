package io.github.s3recon.transfer;

import java.util.function.LongSupplier;

/**
 * A token bucket that hands out reservations rather than blocking: {@link #reserve} takes the
 * tokens at once, going into debt if need be, and says how long the caller must wait before it
 * uses them. Waiting callers thus hold no thread (they are scheduled on a timer), and the long-run
 * rate is exact. The bucket holds at most one second's worth of tokens, the largest burst.
 *
 * <p>Thread-safe.
 */
final class RateLimiter {

    private final double perSecond;
    private final LongSupplier nanoTime;
    private double available;
    private long last;

    /**
     * Creates a limiter that starts full.
     *
     * @param perSecond the tokens per second; positive
     * @param nanoTime the time source, e.g. {@code System::nanoTime}
     */
    RateLimiter(double perSecond, LongSupplier nanoTime) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException("rate must be positive and finite, was " + perSecond);
        }
        this.perSecond = perSecond;
        this.nanoTime = nanoTime;
        this.available = perSecond;
        this.last = nanoTime.getAsLong();
    }

    /**
     * Takes tokens.
     *
     * @param tokens how many; not negative
     * @return nanoseconds to wait before using them; 0 when they are there now
     */
    synchronized long reserve(double tokens) {
        long now = nanoTime.getAsLong();
        available = Math.min(perSecond, available + (now - last) / 1e9 * perSecond);
        last = now;
        available -= tokens;
        return available >= 0 ? 0 : (long) Math.ceil(-available / perSecond * 1e9);
    }
}
