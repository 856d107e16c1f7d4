package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

class ByteBudgetTest {

    @Test
    void holdsAtMostItsCapacityAndGivesBytesBack() throws Exception {
        ByteBudget budget = new ByteBudget(100, 20);
        assertThat(budget.acquire(false, 60)).isEqualTo(60);
        assertThat(budget.acquire(false, 40)).isEqualTo(40);
        assertThat(budget.used()).isEqualTo(100);
        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> take(budget, false, 10));
        assertThatThrownBy(() -> waiting.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        budget.release(false, 60);
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isEqualTo(10);
        assertThat(budget.used()).isEqualTo(50);
        assertThat(budget.peak()).isEqualTo(100);
    }

    @Test
    void largePartsLeaveTheSmallReserveToSmallObjects() throws Exception {
        ByteBudget budget = new ByteBudget(100, 30);
        assertThat(budget.largeAllowance()).isEqualTo(70);
        budget.acquire(true, 40);
        CompletableFuture<Long> part = CompletableFuture.supplyAsync(() -> take(budget, true, 40));
        assertThatThrownBy(() -> part.get(100, TimeUnit.MILLISECONDS)).isInstanceOf(TimeoutException.class);
        // Small objects still get the 60 bytes left, though a large part is waiting.
        assertThat(budget.acquire(false, 30)).isEqualTo(30);
        assertThat(budget.acquire(false, 30)).isEqualTo(30);
        budget.release(true, 40);
        assertThat(part.get(5, TimeUnit.SECONDS)).isEqualTo(40);
    }

    @Test
    void aRequestLargerThanWhatItsLaneMayHoldTakesAllItMayHoldAndProceedsAlone() throws Exception {
        ByteBudget budget = new ByteBudget(100, 30);
        assertThat(budget.acquire(false, 1_000)).isEqualTo(100);
        budget.release(false, 100);
        assertThat(budget.acquire(true, 1_000)).isEqualTo(70);
        assertThat(budget.used()).isEqualTo(70);
        budget.release(true, 70);
        assertThat(budget.used()).isZero();
    }

    @Test
    void zeroBytesNeverWait() throws Exception {
        ByteBudget budget = new ByteBudget(10, 0);
        budget.acquire(false, 10);
        assertThat(budget.acquire(false, 0)).isZero();
    }

    @Test
    void closingWakesWaitersAndFailsFurtherAcquisitions() throws Exception {
        ByteBudget budget = new ByteBudget(10, 0);
        budget.acquire(false, 10);
        CompletableFuture<Long> waiting = CompletableFuture.supplyAsync(() -> take(budget, false, 5));
        Thread.sleep(50);
        budget.close();
        assertThatThrownBy(() -> waiting.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(CancellationException.class);
        assertThatThrownBy(() -> budget.acquire(false, 1)).isInstanceOf(CancellationException.class);
    }

    private static long take(ByteBudget budget, boolean large, long bytes) {
        try {
            return budget.acquire(large, bytes);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
