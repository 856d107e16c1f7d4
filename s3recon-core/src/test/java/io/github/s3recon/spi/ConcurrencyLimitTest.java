package io.github.s3recon.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ConcurrencyLimitTest {

    @Test
    void startsAtItsMaximumAndWaitsWhenFull() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit(2);
        limit.acquire();
        limit.acquire();
        CompletableFuture<Void> third = CompletableFuture.runAsync(() -> acquire(limit));
        assertThatThrownBy(() -> third.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        limit.release();
        third.get(5, TimeUnit.SECONDS);
    }

    @Test
    void aBurstOfThrottledResponsesHalvesTheLimitOnceAndSuccessesBringItBack() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit(16);
        for (int i = 0; i < 16; i++) {
            limit.acquire();
        }
        // All 16 in flight come back throttled: one halving for the round, not sixteen.
        assertThat(limit.onThrottled()).isTrue();
        for (int i = 1; i < 16; i++) {
            assertThat(limit.onThrottled()).isFalse();
        }
        assertThat(limit.limit()).isEqualTo(8);
        for (int i = 0; i < 16; i++) {
            limit.release();
        }
        // The next round's throttling halves it again.
        for (int i = 0; i < 8; i++) {
            limit.acquire();
        }
        assertThat(limit.onThrottled()).isTrue();
        assertThat(limit.limit()).isEqualTo(4);
        for (int i = 0; i < 8; i++) {
            limit.release();
        }
        // Additive increase: about one slot per round of successes, up to the maximum and no further.
        for (int i = 0; i < 4; i++) {
            limit.onSuccess();
        }
        assertThat(limit.limit()).isEqualTo(4);
        limit.onSuccess();
        assertThat(limit.limit()).isEqualTo(5);
        for (int i = 0; i < 1_000; i++) {
            limit.onSuccess();
        }
        assertThat(limit.limit()).isEqualTo(16);
    }

    @Test
    void neverGoesBelowOne() {
        ConcurrencyLimit limit = new ConcurrencyLimit(4);
        for (int i = 0; i < 10; i++) {
            limit.onThrottled();
        }
        assertThat(limit.limit()).isEqualTo(1);
    }

    @Test
    void aLoweredLimitHoldsBackNewTransfersUntilEnoughEnd() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit(4);
        for (int i = 0; i < 4; i++) {
            limit.acquire();
        }
        limit.onThrottled();
        limit.release();
        limit.release();
        // Two in flight, limit two: a third waits.
        CompletableFuture<Void> next = CompletableFuture.runAsync(() -> acquire(limit));
        assertThatThrownBy(() -> next.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        limit.release();
        next.get(5, TimeUnit.SECONDS);
    }

    @Test
    void closingWakesWaiters() throws Exception {
        ConcurrencyLimit limit = new ConcurrencyLimit(1);
        limit.acquire();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> acquire(limit));
        Thread.sleep(50);
        limit.close();
        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(CancellationException.class);
    }

    private static void acquire(ConcurrencyLimit limit) {
        try {
            limit.acquire();
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
