package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimiterTest {

    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void allowsABurstOfOneSecondThenSpacesRequestsOut() {
        RateLimiter limiter = new RateLimiter(10, now::get);
        for (int i = 0; i < 10; i++) {
            assertThat(limiter.reserve(1)).isZero();
        }
        assertThat(limiter.reserve(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(limiter.reserve(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(200));
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(limiter.reserve(1)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
    }

    @Test
    void refillsOverTimeButNeverBeyondOneSecondsWorth() {
        RateLimiter limiter = new RateLimiter(1_000, now::get);
        assertThat(limiter.reserve(1_000)).isZero();
        now.addAndGet(TimeUnit.SECONDS.toNanos(60));
        assertThat(limiter.reserve(1_000)).isZero();
        assertThat(limiter.reserve(500)).isEqualTo(TimeUnit.MILLISECONDS.toNanos(500));
    }

    @Test
    void aReservationLargerThanABurstGoesIntoDebtAndTheLongRunRateHolds() {
        RateLimiter limiter = new RateLimiter(1 << 20, now::get); // 1 MiB/s
        assertThat(limiter.reserve(1 << 20)).isZero();
        long wait = limiter.reserve(5 << 20);
        assertThat(wait).isEqualTo(TimeUnit.SECONDS.toNanos(5));
    }
}
