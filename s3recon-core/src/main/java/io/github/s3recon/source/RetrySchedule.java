package io.github.s3recon.source;

import io.github.s3recon.S3ReconException;
import java.time.Duration;
import java.util.Objects;

/**
 * How often and after which pauses a failed HTTP request is tried again: the pause before retry
 * {@code n} (from 1) is {@code initialBackoff * backoffMultiplier^(n-1)}, and a request is sent at
 * most {@code maxAttempts} times. {@code RetrySchedule.of(Duration.ofSeconds(1), 3, 4)} pauses 1 s,
 * 3 s and 9 s. A server's {@code Retry-After} replaces the computed pause, up to
 * {@code maxRetryAfter}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param initialBackoff the pause before the first retry; not negative
 * @param backoffMultiplier the factor from one pause to the next; at least 1
 * @param maxAttempts how many times a request is sent at most, the first included; 1 to 100
 * @param maxRetryAfter the longest {@code Retry-After} honoured; longer ones are cut to it; not negative
 */
public record RetrySchedule(Duration initialBackoff, double backoffMultiplier, int maxAttempts, Duration maxRetryAfter) {

    /** 1 s, 3 s, 9 s: four attempts; {@code Retry-After} honoured up to 5 minutes. */
    public static final RetrySchedule DEFAULT = of(Duration.ofSeconds(1), 3, 4);

    /**
     * Checks the values.
     *
     * @throws S3ReconException with {@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION} naming
     *     the value out of range
     */
    public RetrySchedule {
        S3ReconException.requireSetting(initialBackoff, "initialBackoff");
        S3ReconException.requireSetting(maxRetryAfter, "maxRetryAfter");
        if (initialBackoff.isNegative()) {
            throw S3ReconException.invalidConfiguration("initialBackoff", initialBackoff, "must not be negative");
        }
        if (!(backoffMultiplier >= 1) || Double.isInfinite(backoffMultiplier)) {
            throw S3ReconException.invalidConfiguration("backoffMultiplier", backoffMultiplier, "must be at least 1");
        }
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw S3ReconException.invalidConfiguration("maxAttempts", maxAttempts, "must be from 1 to 100");
        }
        if (maxRetryAfter.isNegative()) {
            throw S3ReconException.invalidConfiguration("maxRetryAfter", maxRetryAfter, "must not be negative");
        }
    }

    /**
     * A schedule honouring {@code Retry-After} up to 5 minutes.
     *
     * @param initialBackoff the pause before the first retry; not null, not negative
     * @param backoffMultiplier the factor from one pause to the next; at least 1
     * @param maxAttempts the most attempts, the first included; 1 to 100
     * @return the schedule
     */
    public static RetrySchedule of(Duration initialBackoff, double backoffMultiplier, int maxAttempts) {
        return new RetrySchedule(initialBackoff, backoffMultiplier, maxAttempts, Duration.ofMinutes(5));
    }

    /**
     * Returns the pause before a retry.
     *
     * @param retry the retry's number, from 1 (the pause after the first attempt)
     * @param retryAfter the server's {@code Retry-After}, or null
     * @return the pause
     */
    public Duration pause(int retry, Duration retryAfter) {
        if (retryAfter != null) {
            return retryAfter.isNegative() ? Duration.ZERO
                    : retryAfter.compareTo(maxRetryAfter) > 0 ? maxRetryAfter : retryAfter;
        }
        double millis = initialBackoff.toMillis() * Math.pow(backoffMultiplier, Math.max(0, retry - 1));
        return Duration.ofMillis(millis >= Long.MAX_VALUE / 2 ? Long.MAX_VALUE / 2 : Math.round(millis));
    }

    /** Returns e.g. {@code 1s x3, 4 attempts}. */
    @Override
    public String toString() {
        String m = backoffMultiplier == Math.rint(backoffMultiplier) ? String.valueOf((long) backoffMultiplier)
                : String.valueOf(backoffMultiplier);
        return Objects.toString(initialBackoff).substring(2).toLowerCase(java.util.Locale.ROOT) + " x" + m + ", "
                + maxAttempts + " attempts";
    }
}
