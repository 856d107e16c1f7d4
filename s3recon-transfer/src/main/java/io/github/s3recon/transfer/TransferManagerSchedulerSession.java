package io.github.s3recon.transfer;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One run's transfers through the transfer manager: at most {@code maxConcurrency} objects in
 * flight (a semaphore that {@link #copy} and {@link #delete} wait on), each tried as a whole up to
 * {@code maxAttempts} times with backoffs on a timer thread; every submitted object ends in
 * {@link #finish} exactly once. The requests themselves are {@link TransferManagerSchedulerCopies}'.
 * Thread-safe as {@link TransferSession} requires.
 */
final class TransferManagerSchedulerSession implements TransferSession {

    private static final Logger LOG = LoggerFactory.getLogger(TransferManagerScheduler.class);
    private static final long CLOSE_WAIT_SECONDS = 30;

    final TransferManagerScheduler settings;
    final TransferContext context;
    final boolean serverSide;
    final TransferManagerSchedulerClients clients;
    private final TransferManagerSchedulerCopies copies;
    private final TransferOutcomes outcomes;
    private final Clock clock;
    private final Semaphore slots;
    private final ScheduledExecutorService timer;
    private final Set<Job> inFlight = ConcurrentHashMap.newKeySet();

    private final LongAdder objectsCopied = new LongAdder();
    private final LongAdder bytesCopied = new LongAdder();
    private final LongAdder objectsServerSide = new LongAdder();
    private final LongAdder bytesServerSide = new LongAdder();
    private final LongAdder objectsRelayed = new LongAdder();
    private final LongAdder bytesRelayed = new LongAdder();
    private final LongAdder objectsDeleted = new LongAdder();
    private final LongAdder objectsFailed = new LongAdder();
    private final LongAdder deletionsKept = new LongAdder();
    private final LongAdder retries = new LongAdder();
    private final java.util.Map<String, String> notes = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Pending objects and the first exception of the outcomes. */
    private final PendingTransfers pending = new PendingTransfers();
    private volatile boolean cancelled;
    private volatile boolean closing;

    /** One submitted copy or deletion. */
    static final class Job {
        final ObjectEntry entry;
        final TransferAction action;
        final boolean delete;
        final java.util.concurrent.atomic.AtomicBoolean reported = new java.util.concurrent.atomic.AtomicBoolean();
        /** The source's ETag: as listed, or as the first response said when the listing did not. */
        volatile String eTag;
        volatile int attempts;
        /** Set when the server could not copy it although the source has it: relayed instead. */
        volatile boolean relay;
        /** The transfer in progress, cancelled by {@link #cancel()}. */
        volatile CompletableFuture<?> current;

        Job(ObjectEntry entry, TransferAction action) {
            this.entry = entry;
            this.action = action;
            this.delete = action == TransferAction.DELETE;
            this.eTag = entry.eTag();
        }
    }

    TransferManagerSchedulerSession(TransferManagerScheduler settings, TransferContext context, int number) {
        this.settings = settings;
        this.context = context;
        this.outcomes = context.outcomes();
        this.clock = context.clock();
        this.serverSide = settings.serverSideCopy()
                && Endpoints.sameService(context.source().client(), context.destination().client());
        this.clients = new TransferManagerSchedulerClients(settings, context.source(), context.destination(),
                serverSide);
        this.copies = new TransferManagerSchedulerCopies(this);
        this.slots = new Semaphore(settings.maxConcurrency());
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "s3recon-tm-" + number + "-timer");
            t.setDaemon(true);
            return t;
        });
        LOG.debug("transfer manager session {} from {} to {}: {}, {}", number, context.source(),
                context.destination(), serverSide ? "server-side copies" : "relayed through this JVM", settings);
    }

    // ---------------------------------------------------------------------------------------------
    // TransferSession

    @Override
    public void copy(ObjectEntry entry) {
        copy(entry, TransferAction.COPY);
    }

    @Override
    public void copy(ObjectEntry entry, TransferAction action) {
        Objects.requireNonNull(entry, "source");
        Objects.requireNonNull(action, "action");
        if (action == TransferAction.DELETE) {
            throw new IllegalArgumentException("copy takes COPY or RECOPY; submit deletions with delete()");
        }
        submit(new Job(entry, action));
    }

    @Override
    public void delete(ObjectEntry entry) {
        Objects.requireNonNull(entry, "destination");
        submit(new Job(entry, TransferAction.DELETE));
    }

    private void submit(Job job) {
        if (closing) {
            throw new IllegalStateException("the transfer session was closed; open a new one");
        }
        pending.submitted();
        boolean slot = false;
        try {
            while (!cancelled && !(slot = slots.tryAcquire(100, TimeUnit.MILLISECONDS))) {
                // Back-pressure: as many objects in flight as allowed; checking for cancellation.
            }
        } catch (InterruptedException e) {
            pending.ended();
            Thread.currentThread().interrupt();
            throw new S3ReconException(ErrorCode.INTERRUPTED, "interrupted while waiting for room to submit '"
                    + Redact.key(job.entry.key()) + "'; it was not submitted", e);
        }
        if (cancelled) {
            if (slot) {
                slots.release();
            }
            finish(job, null, new CancellationException());
            return;
        }
        inFlight.add(job);
        attempt(job, 1);
    }

    /** Starts an attempt of a job; its end retries, or releases the slot and reports. */
    private void attempt(Job job, int n) {
        if (cancelled) {
            end(job, null, new CancellationException());
            return;
        }
        job.attempts = n;
        CompletableFuture<Copied> work;
        try {
            work = job.delete ? copies.delete(job) : copies.copy(job);
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.whenComplete((copied, failure) -> {
            if (failure == null) {
                end(job, copied, null);
            } else if (!cancelled && n < settings.maxAttempts() && Failures.isTransient(failure)) {
                Duration backoff = backoff(n);
                retries.increment();
                TransferRetried event = new TransferRetried(clock.instant(), job.entry.key(), n,
                        Redact.text(Failures.reason(failure)), backoff);
                pending.report(job.entry.key(), () -> outcomes.retried(event));
                try {
                    timer.schedule(() -> attempt(job, n + 1), backoff.toNanos(), TimeUnit.NANOSECONDS);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    end(job, null, new CancellationException());
                }
            } else {
                end(job, null, attempts(failure, n, Failures.isTransient(failure)));
            }
        });
    }

    /** Records how many attempts a failure took, for its message. */
    private static Throwable attempts(Throwable failure, int n, boolean exhausted) {
        Throwable unwrapped = io.github.s3recon.S3Errors.unwrap(failure);
        if (unwrapped instanceof StepException s) {
            return new StepException(s.step(), s.getCause(), n, exhausted);
        }
        return failure;
    }

    private Duration backoff(int attempt) {
        long initial = settings.initialBackoff().toNanos();
        long cap = settings.maxBackoff().toNanos();
        long ceiling = attempt >= 40 ? cap : Math.min(cap, initial << Math.min(attempt - 1, 30));
        return Duration.ofNanos(ThreadLocalRandom.current().nextLong(Math.max(1, ceiling)));
    }

    private void end(Job job, Copied copied, Throwable failure) {
        if (inFlight.remove(job)) {
            slots.release();
        }
        finish(job, copied, failure);
    }

    @Override
    public TransferTotals awaitCompletion() {
        return pending.awaitCompletion(this::totals);
    }

    /**
     * Stops: waiting submissions end as cancelled, and the transfers in flight are cancelled (the
     * transfer manager aborts their requests and its multipart uploads).
     */
    @Override
    public void cancel() {
        cancelled = true;
        for (Job job : inFlight) {
            CompletableFuture<?> current = job.current;
            if (current != null) {
                current.cancel(true);
            }
        }
    }

    @Override
    public void close() {
        if (closing) {
            return;
        }
        closing = true;
        cancel();
        pending.awaitQuietly(CLOSE_WAIT_SECONDS);
        timer.shutdownNow();
        for (Job job : inFlight) {
            end(job, null, new CancellationException()); // did not end in time: ended now, once
        }
        clients.close();
        settings.closed(this);
    }

    TransferTotals totals() {
        return new TransferTotals(objectsCopied.sum(), bytesCopied.sum(), objectsServerSide.sum(),
                bytesServerSide.sum(), objectsRelayed.sum(), bytesRelayed.sum(), objectsDeleted.sum(),
                objectsFailed.sum(), retries.sum(), deletionsKept.sum(), List.copyOf(notes.values()));
    }

    /** Adds a note for the run's history and logs it, once per topic. */
    void note(String topic, String note) {
        if (notes.putIfAbsent(topic, note) == null) {
            LOG.warn(note);
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    // ---------------------------------------------------------------------------------------------
    // Outcomes

    /** Reports a job's outcome, once, and counts it done. */
    private void finish(Job job, Copied copied, Throwable failure) {
        if (!job.reported.compareAndSet(false, true)) {
            return;
        }
        String key = job.entry.key();
        int attempts = job.attempts;
        try {
            if (failure == null) {
                if (job.delete) {
                    objectsDeleted.increment();
                    ObjectDeleted event = new ObjectDeleted(clock.instant(), key, attempts);
                    pending.report(key, () -> outcomes.deleted(event));
                } else {
                    long size = job.entry.size();
                    objectsCopied.increment();
                    bytesCopied.add(size);
                    if (copied.mode() == TransferMode.SERVER_SIDE) {
                        objectsServerSide.increment();
                        bytesServerSide.add(size);
                    } else {
                        objectsRelayed.increment();
                        bytesRelayed.add(size);
                    }
                    ObjectCopied event = new ObjectCopied(clock.instant(), key, size, copied.mode(), attempts,
                            copied.checksum());
                    pending.report(key, () -> outcomes.copied(event));
                }
            } else if (job.delete && Failures.root(failure) instanceof DestinationChangedException changed) {
                deletionsKept.increment();
                ObjectFailed event = new ObjectFailed(clock.instant(), key, job.action,
                        new S3ReconException(ErrorCode.DELETE_FAILED, "kept '" + Redact.key(key) + "', not deleted: "
                                + changed.getMessage() + "; the plan is older than the object. Run again to plan "
                                + "with what is there now"),
                        attempts);
                pending.report(key, () -> outcomes.failed(event));
            } else {
                objectsFailed.increment();
                ObjectFailed event = new ObjectFailed(clock.instant(), key, job.action, error(job, failure), attempts);
                pending.report(key, () -> outcomes.failed(event));
            }
        } catch (RuntimeException | Error e) {
            pending.keepReportFailure(key, e);
        } finally {
            pending.ended();
        }
    }

    private S3ReconException error(Job job, Throwable failure) {
        Throwable root = Failures.root(failure);
        boolean interrupted = root instanceof CancellationException || root instanceof InterruptedException;
        if (interrupted || (cancelled && Failures.isTransient(root))) {
            return new S3ReconException(ErrorCode.INTERRUPTED, (job.delete ? "deleting '" : "copying '")
                    + Redact.key(job.entry.key()) + "' was cancelled"
                    + (job.attempts > 0 ? " while in progress" : " before it started")
                    + (job.delete ? "" : "; a multipart upload under way was aborted (this scheduler does not "
                            + "resume uploads)") + ": run again to finish it");
        }
        return Failures.describe(job.delete ? ErrorCode.DELETE_FAILED : ErrorCode.COPY_FAILED, job.entry.key(),
                failure);
    }
}
