package io.github.s3recon.transfer;

import io.github.s3recon.inventory.DirectRoute;
import io.github.s3recon.spi.ConcurrencyLimit;
import io.github.s3recon.S3Errors;
import io.github.s3recon.event.TransferRetried;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a session sends its requests: each one tracked so that a cancellation aborts it, paced by the
 * session's rate limits, and retried after a transient failure with exponential backoff and full
 * jitter, on the session's timer. Each retry is counted here and reported through the session.
 * Thread-safe: the lanes and the S3 client's completion threads call it at once.
 */
final class Requests {

    private static final Logger LOG = LoggerFactory.getLogger(SizeTieredScheduler.class);

    private final SizeTieredSession session;
    private final RateLimiter requestRate;
    private final RateLimiter byteRate;
    private final ScheduledThreadPoolExecutor timer;
    private final Set<CompletableFuture<?>> inFlight = ConcurrentHashMap.newKeySet();
    private final Set<Delayed> delayed = ConcurrentHashMap.newKeySet();
    private final LongAdder retries = new LongAdder();

    /**
     * Starts the session's timer thread.
     *
     * @param session the session whose settings, cancellation and retry reports these requests follow
     * @param timerName the timer thread's name
     */
    Requests(SizeTieredSession session, String timerName) {
        this.session = session;
        SizeTieredScheduler settings = session.settings;
        this.requestRate = settings.maxRequestsPerSecond() > 0
                ? new RateLimiter(settings.maxRequestsPerSecond(), System::nanoTime) : null;
        this.byteRate = settings.maxBytesPerSecond() > 0
                ? new RateLimiter(settings.maxBytesPerSecond(), System::nanoTime) : null;
        this.timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, timerName);
            t.setDaemon(true);
            return t;
        });
        timer.setRemoveOnCancelPolicy(true);
    }

    /** Requests retried so far. */
    long retries() {
        return retries.sum();
    }

    /** Aborts the requests in flight and the waits for a backoff or a rate limit; called once the session is cancelled. */
    void cancel() {
        for (CompletableFuture<?> f : inFlight) {
            f.cancel(true);
        }
        for (Delayed d : delayed) {
            d.abort();
        }
    }

    /** Stops the timer. */
    void close() {
        timer.shutdownNow();
    }

    /**
     * Sends a request and tracks it, so that {@link SizeTieredSession#cancel()} can abort it; a failure comes back as
     * a {@link StepException} that names the request.
     */
    <T> CompletableFuture<T> call(Step step, Supplier<CompletableFuture<T>> request) {
        return call(step, request, true);
    }

    /**
     * Like {@link #call(Step, Supplier)}, but {@link SizeTieredSession#cancel()} lets the request run to its end:
     * for a request whose outcome must be known, as a CreateMultipartUpload whose upload is to be
     * aborted (cutting it off loses the upload id, not the upload).
     */
    <T> CompletableFuture<T> callToTheEnd(Step step, Supplier<CompletableFuture<T>> request) {
        return call(step, request, false);
    }

    private <T> CompletableFuture<T> call(Step step, Supplier<CompletableFuture<T>> request, boolean cancellable) {
        CompletableFuture<T> future;
        try {
            future = request.get();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(new StepException(step, e));
        }
        if (cancellable) {
            inFlight.add(future);
            future.whenComplete((v, e) -> inFlight.remove(future));
            if (session.cancelled()) {
                future.cancel(true);
            }
        }
        return future.handle((value, failure) -> {
            if (failure != null) {
                Throwable t = S3Errors.unwrap(failure);
                throw t instanceof StepException s ? s : new StepException(step, t);
            }
            return value;
        });
    }

    /**
     * Runs a call until it succeeds, fails permanently or runs out of attempts, waiting out the
     * rate limits before each attempt and a backoff with full jitter after each transient failure.
     * Each retry is reported and counted; throttling and success steer the lane's limit. The
     * result fails with a {@link StepException} carrying the attempts made, or with a
     * {@link CancellationException}.
     *
     * @param task the object
     * @param step the request to blame when the call's failure names none
     * @param limit the lane's limit to steer, or null
     * @param requests the requests one attempt sends, for the request rate
     * @param bytes the bytes one attempt copies, for the byte rate
     * @param call starts attempt {@code n} (from 1)
     */
    <T> CompletableFuture<T> attempt(Task task, Step step, ConcurrencyLimit limit, int requests, long bytes,
            IntFunction<CompletableFuture<T>> call) {
        CompletableFuture<T> result = new CompletableFuture<>();
        tryOnce(new Attempt<>(task, step, limit, requests, bytes, call, result), 1);
        return result;
    }

    private record Attempt<T>(Task task, Step step, ConcurrencyLimit limit, int requests, long bytes,
            IntFunction<CompletableFuture<T>> call, CompletableFuture<T> result) {

        void stop() {
            result.completeExceptionally(new CancellationException("the transfer was cancelled"));
        }
    }

    private <T> void tryOnce(Attempt<T> a, int n) {
        if (session.cancelled() || a.task().abandoned) {
            a.stop();
            return;
        }
        long wait = 0;
        if (requestRate != null && a.requests() > 0) {
            wait = requestRate.reserve(a.requests());
        }
        if (byteRate != null && a.bytes() > 0) {
            wait = Math.max(wait, byteRate.reserve(a.bytes()));
        }
        if (wait > 0) {
            later(wait, () -> start(a, n), a::stop);
        } else {
            start(a, n);
        }
    }

    private <T> void start(Attempt<T> a, int n) {
        if (session.cancelled() || a.task().abandoned) {
            a.stop();
            return;
        }
        a.task().started = true;
        CompletableFuture<T> f;
        try {
            f = a.call().apply(n);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((value, failure) -> {
            try {
                ended(a, n, value, failure);
            } catch (RuntimeException | Error e) {
                // Whatever went wrong here, the attempt must end, or its object would never finish.
                LOG.warn("handling the outcome of a request for '{}' failed", a.task().entry.key(), e);
                a.result().completeExceptionally(failure != null ? failure : e);
            }
        });
    }

    private <T> void ended(Attempt<T> a, int n, T value, Throwable failure) {
        if (failure == null) {
            if (a.limit() != null) {
                a.limit().onSuccess();
            }
            a.result().complete(value);
            return;
        }
        if (session.cancelled()) {
            a.stop();
            return;
        }
        boolean again = Failures.isTransient(failure);
        if (a.limit() != null) {
            if (Failures.isThrottle(failure)) {
                a.limit().onThrottled();
            } else {
                a.limit().onOtherFailure();
            }
        }
        Step step = S3Errors.unwrap(failure) instanceof StepException s ? s.step() : a.step();
        if (!again || n >= session.settings.maxAttempts() || a.task().abandoned) {
            a.result().completeExceptionally(new StepException(step, Failures.root(failure), n, again));
            return;
        }
        Duration backoff = backoff(n);
        a.task().retries.incrementAndGet();
        retries.increment();
        session.retried(new TransferRetried(session.clock.instant(), a.task().entry.key(), n,
                step.operation() + ": " + Failures.reason(failure), backoff));
        later(backoff.toNanos(), () -> tryOnce(a, n + 1), a::stop);
    }

    /**
     * Sends a request directly and, where the direct answer was not a plain one (a
     * {@link DirectRelay.DirectFailure}), at once through the SDK instead: counted as the route's
     * failure and as a retry. A definitive answer (the server's word, an {@code S3Exception}) or a
     * failure of the SDK request is the result.
     *
     * @param route the route the direct request went by; told of its success or failure
     * @param direct sends the request directly
     * @param sdk sends it through the SDK
     */
    <T> CompletableFuture<T> directElseSdk(Task task, Step step, DirectRoute route,
            Supplier<CompletableFuture<T>> direct, Supplier<CompletableFuture<T>> sdk) {
        return call(step, direct).handle((value, failure) -> {
            if (failure == null) {
                route.succeeded();
                return CompletableFuture.completedFuture(value);
            }
            if (Failures.root(failure) instanceof DirectRelay.DirectFailure && !session.cancelled()) {
                session.direct.fellBack(route, failure);
                sentAgainThroughSdk(task, step, failure);
                return sdk.get();
            }
            return CompletableFuture.<T>failedFuture(failure);
        }).thenCompose(java.util.function.Function.identity());
    }

    /**
     * Counts a direct request that failed after it was sent and that the caller sends again
     * through the SDK at once: a retry without backoff, reported like any other (a request that was
     * never sent, e.g. one with a field the direct path does not know, is not a retry).
     */
    void sentAgainThroughSdk(Task task, Step step, Throwable failure) {
        if (!(Failures.root(failure) instanceof DirectRelay.DirectFailure d) || !d.sent()) {
            return;
        }
        int attempt = task.retries.incrementAndGet();
        retries.increment();
        session.retried(new TransferRetried(session.clock.instant(), task.entry.key(), attempt,
                step.operation() + ": " + d.getMessage() + " (sent again through the SDK)", Duration.ZERO));
    }

    /** Exponential backoff with full jitter: uniform between 0 and min(max, initial × 2^(n-1)). */
    Duration backoff(int failedAttempt) {
        long initial = session.settings.initialBackoff().toNanos();
        long max = session.settings.maxBackoff().toNanos();
        long ceiling = failedAttempt > 62 ? max : Math.min(max, initial << Math.min(failedAttempt - 1, 62));
        if (ceiling <= 0 || ceiling > max) {
            ceiling = max; // the shift overflowed
        }
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(ceiling + 1));
    }

    /** Runs an action after a delay on the timer; or its abort action if the session is cancelled first. */
    private void later(long nanos, Runnable action, Runnable abort) {
        Delayed d = new Delayed(action, abort);
        delayed.add(d);
        if (session.cancelled()) {
            d.abort();
            return;
        }
        try {
            timer.schedule(d, nanos, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            d.abort();
        }
    }

    private final class Delayed implements Runnable {
        private final AtomicBoolean done = new AtomicBoolean();
        private final Runnable action;
        private final Runnable abort;

        Delayed(Runnable action, Runnable abort) {
            this.action = action;
            this.abort = abort;
        }

        @Override
        public void run() {
            if (done.compareAndSet(false, true)) {
                delayed.remove(this);
                try {
                    action.run();
                } catch (RuntimeException e) {
                    LOG.warn("a scheduled transfer step failed", e);
                }
            }
        }

        void abort() {
            if (done.compareAndSet(false, true)) {
                delayed.remove(this);
                abort.run();
            }
        }
    }
}
