package io.github.s3recon.transfer;

import io.github.s3recon.spi.ConcurrencyLimit;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.Redact;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler.TransferSession;
import io.github.s3recon.spi.TransferScheduler.TransferTotals;
import java.net.URI;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.awscore.AwsRequestOverrideConfiguration;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * One run's transfers: two lanes (a queue and a thread each for small objects and deletions, a
 * queue and a thread per concurrent object for large ones), the byte budget and concurrency limits
 * they take from, and the tally; its {@link Requests} send the requests, with the retry loop and a
 * timer for backoffs and rate limits.
 *
 * <p>Every submitted task ends in {@link #finish} exactly once, which reports its outcome and lets
 * {@link #awaitCompletion()} return once none is pending. The context's {@link TransferOutcomes}
 * must not throw; if it does anyway, the session is not broken and it is not hidden
 * ({@link #report}). Thread-safe as {@link TransferSession} requires.
 */
final class SizeTieredSession implements TransferSession {

    private static final Logger LOG = LoggerFactory.getLogger(SizeTieredScheduler.class);

    /**
     * Turns the SDK's own retries off for a request: the scheduler retries, counts and reports
     * each retry itself, and a relayed body cannot be sent twice anyway.
     */
    static final AwsRequestOverrideConfiguration NO_SDK_RETRIES = AwsRequestOverrideConfiguration.builder()
            .addPlugin(config -> config.overrideConfiguration(config.overrideConfiguration().toBuilder()
                    .retryStrategy(AwsRetryStrategy.doNotRetry()).build()))
            .build();

    /** The large lane's queue: entries are small, and a deep queue keeps copy() from blocking small objects. */
    private static final int LARGE_QUEUE = 1024;
    private static final long CLOSE_WAIT_SECONDS = 30;

    final SizeTieredScheduler settings;
    final S3Location source;
    final S3Location destination;
    final ChecksumAlgorithm algorithm;
    final boolean serverSide;
    final ByteBudget budget;
    final ConcurrencyLimit smallLimit;
    final ConcurrencyLimit largeLimit;
    final ServerCapabilities capabilities = new ServerCapabilities();

    private final TransferOutcomes outcomes;
    /** Stamps the events. */
    final Clock clock;
    /** Sends the requests: tracked, paced, retried. */
    final Requests requests;
    /** Small relays' GETs and PUTs over the JDK's client, where the clients allow it. */
    final DirectRelay direct;
    private final BlockingQueue<Task> smallQueue;
    private final BlockingQueue<Task> largeQueue = new ArrayBlockingQueue<>(LARGE_QUEUE);
    private final Thread smallLane;
    private final List<Thread> largeLane = new ArrayList<>();
    private final SmallCopies small;
    private final LargeCopies large;

    private final LongAdder objectsCopied = new LongAdder();
    private final LongAdder bytesCopied = new LongAdder();
    private final LongAdder objectsServerSide = new LongAdder();
    private final LongAdder bytesServerSide = new LongAdder();
    private final LongAdder objectsRelayed = new LongAdder();
    private final LongAdder bytesRelayed = new LongAdder();
    private final LongAdder objectsDeleted = new LongAdder();
    private final LongAdder objectsFailed = new LongAdder();
    private final LongAdder deletionsKept = new LongAdder();
    /** What the session learned about the servers, for the run's history; each note once. */
    private final java.util.Map<String, String> notes = new java.util.concurrent.ConcurrentSkipListMap<>();

    /** Pending objects and the first exception of the outcomes. */
    private final PendingTransfers pending = new PendingTransfers();
    private volatile boolean cancelled;
    private volatile boolean closed;
    /** Where multipart uploads are recorded for a resume. */
    final io.github.s3recon.spi.UploadCheckpoints uploads;
    private final AtomicBoolean closing = new AtomicBoolean();

    SizeTieredSession(SizeTieredScheduler settings, TransferContext context, int number) {
        this.settings = settings;
        this.source = context.source();
        this.destination = context.destination();
        this.algorithm = context.checksumAlgorithm();
        this.outcomes = context.outcomes();
        this.clock = context.clock();
        this.uploads = context.uploads();
        this.serverSide = settings.serverSideCopy() && Endpoints.sameService(source.client(), destination.client());
        if (settings.plainUploads()) {
            capabilities.plainUploads();
        }
        if (Endpoints.isAwsS3(source.client())) {
            // AWS sends the tag count whenever there are tags: no GetObjectTagging for untagged objects.
            capabilities.sawTagCount();
        }
        long capacity = settings.maxInFlightBytes();
        this.budget = new ByteBudget(capacity, Math.min(settings.smallObjectThreshold(), capacity / 2));
        this.smallLimit = new ConcurrencyLimit(settings.smallObjectConcurrency());
        this.largeLimit = new ConcurrencyLimit(settings.largeObjectConcurrency());
        this.smallQueue = new ArrayBlockingQueue<>(settings.smallObjectConcurrency());
        this.direct = new DirectRelay(settings.directRequests());
        this.small = new SmallCopies(this);
        this.large = new LargeCopies(this, small);
        String name = "s3recon-transfer-" + number;
        this.requests = new Requests(this, name + "-timer");
        this.smallLane = daemon(this::runSmallLane, name + "-small");
        for (int i = 1; i <= settings.largeObjectConcurrency(); i++) {
            largeLane.add(daemon(this::runLargeLane, name + "-large-" + i));
        }
        smallLane.start();
        largeLane.forEach(Thread::start);
        LOG.debug("transfer session {} from {} to {}: {}, {}", number, source, destination,
                serverSide ? "server-side copies" : "relayed through this JVM", settings);
    }

    private static Thread daemon(Runnable r, String name) {
        Thread t = new Thread(r, name);
        t.setDaemon(true);
        return t;
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
        submit(new Task(entry, action), small(entry.size()) ? smallQueue : largeQueue);
    }

    /**
     * Tells whether an object goes to the small lane: below the threshold and, when relayed, no
     * larger than the budget (and an array), since a small relay holds its object in memory. A
     * larger one streams as a multipart upload instead.
     */
    boolean small(long size) {
        if (serverSide) {
            return size < settings.multipartCopyThreshold();
        }
        return size < settings.smallObjectThreshold() && size <= Math.min(budget.capacity(), Integer.MAX_VALUE - 8);
    }

    @Override
    public void delete(ObjectEntry entry) {
        Objects.requireNonNull(entry, "destination");
        submit(new Task(entry, true), smallQueue);
    }

    private void submit(Task task, BlockingQueue<Task> queue) {
        if (closed || closing.get()) {
            throw new IllegalStateException("the transfer session was closed; open a new one");
        }
        pending.submitted();
        boolean offered = false;
        try {
            while (!cancelled && !(offered = queue.offer(task, 100, TimeUnit.MILLISECONDS))) {
                // Back-pressure: the lane is full. Checking for cancellation now and then.
            }
        } catch (InterruptedException e) {
            pending.ended();
            Thread.currentThread().interrupt();
            throw new S3ReconException(ErrorCode.INTERRUPTED, "interrupted while waiting for room to submit '"
                    + task.entry.key() + "'; it was not submitted", e);
        }
        if (cancelled) {
            // The task is in the queue or was not offered: whoever takes a task from a queue ends
            // it, the lanes included (a lane may have taken it already and be copying it).
            if (!offered) {
                finish(task, null, new CancellationException());
            }
            drain(queue);
        }
    }

    @Override
    public TransferTotals awaitCompletion() {
        return pending.awaitCompletion(this::totals);
    }

    @Override
    public void cancel() {
        cancelled = true;
        budget.close();
        smallLimit.close();
        largeLimit.close();
        requests.cancel();
        drain(smallQueue);
        drain(largeQueue);
        for (Thread t : largeLane) {
            t.interrupt(); // wakes a large object's thread waiting for its parts; it aborts its upload
        }
    }

    @Override
    public void close() {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        cancel();
        pending.awaitQuietly(CLOSE_WAIT_SECONDS);
        closed = true;
        smallLane.interrupt();
        largeLane.forEach(Thread::interrupt);
        joinQuietly(smallLane);
        largeLane.forEach(SizeTieredSession::joinQuietly);
        drain(smallQueue);
        drain(largeQueue);
        requests.close();
        direct.close();
        if (direct.directRequests() > 0 || direct.fallbacks() > 0) {
            LOG.debug("transfer session from {} to {}: {} requests sent directly, {} sent through the SDK after a "
                    + "direct attempt", source, destination, direct.directRequests(), direct.fallbacks());
        }
        settings.closed(this);
    }

    private static void joinQuietly(Thread t) {
        try {
            t.join(TimeUnit.SECONDS.toMillis(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void drain(BlockingQueue<Task> queue) {
        Task task;
        while ((task = queue.poll()) != null) {
            finish(task, null, new CancellationException());
        }
    }

    TransferTotals totals() {
        return new TransferTotals(objectsCopied.sum(), bytesCopied.sum(), objectsServerSide.sum(),
                bytesServerSide.sum(), objectsRelayed.sum(), bytesRelayed.sum(), objectsDeleted.sum(),
                objectsFailed.sum(), requests.retries(), deletionsKept.sum(), List.copyOf(notesSnapshot()));
    }

    private List<String> notesSnapshot() {
        return List.copyOf(notes.values());
    }

    /**
     * Adds a note for the run's history and logs it, once per topic: the first note of a topic
     * stands for the later ones.
     */
    void note(String topic, String note) {
        if (notes.putIfAbsent(topic, note) == null) {
            LOG.warn(note);
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    // ---------------------------------------------------------------------------------------------
    // Lanes

    private void runSmallLane() {
        while (!closed) {
            Task task;
            try {
                task = smallQueue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (task != null) {
                dispatchSmall(task);
            }
        }
    }

    private void dispatchSmall(Task task) {
        if (cancelled) {
            finish(task, null, new CancellationException());
            return;
        }
        boolean relay = !task.delete && !serverSide;
        boolean slot = false;
        long taken;
        try {
            smallLimit.acquire();
            slot = true;
            taken = relay ? budget.acquire(false, task.entry.size()) : 0;
        } catch (InterruptedException | CancellationException e) {
            if (slot) {
                smallLimit.release();
            }
            finish(task, null, new CancellationException());
            return;
        }
        CompletableFuture<Copied> work;
        try {
            work = task.delete ? small.delete(task) : small.copy(task);
        } catch (RuntimeException e) {
            work = CompletableFuture.failedFuture(e);
        }
        work.whenComplete((copied, failure) -> {
            budget.release(false, taken);
            smallLimit.release();
            finish(task, copied, failure);
        });
    }

    private void runLargeLane() {
        while (!closed) {
            Task task;
            try {
                task = largeQueue.poll(100, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                continue;
            }
            if (task == null) {
                continue;
            }
            Copied copied = null;
            Throwable failure = null;
            if (cancelled) {
                failure = new CancellationException();
            } else {
                try {
                    copied = large.copy(task);
                } catch (Throwable t) {
                    failure = t;
                }
            }
            Thread.interrupted(); // a cancellation's interrupt was for this task, not the next
            finish(task, copied, failure);
        }
    }

    /** Reports a task's outcome, once, and counts it done. */
    private void finish(Task task, Copied copied, Throwable failure) {
        if (!task.reported.compareAndSet(false, true)) {
            return;
        }
        try {
            String key = task.entry.key();
            if (failure == null) {
                if (task.delete) {
                    objectsDeleted.increment();
                    ObjectDeleted event = new ObjectDeleted(clock.instant(), key, task.attempts());
                    pending.report(key, () -> outcomes.deleted(event));
                } else {
                    long size = task.entry.size();
                    objectsCopied.increment();
                    bytesCopied.add(size);
                    if (copied.mode() == TransferMode.SERVER_SIDE) {
                        objectsServerSide.increment();
                        bytesServerSide.add(size);
                    } else {
                        objectsRelayed.increment();
                        bytesRelayed.add(size);
                    }
                    ObjectCopied event = new ObjectCopied(clock.instant(), key, size, copied.mode(), task.attempts(),
                            copied.checksum());
                    pending.report(key, () -> outcomes.copied(event));
                }
            } else if (task.delete && Failures.root(failure) instanceof DestinationChangedException changed) {
                deletionsKept.increment();
                ObjectFailed event = new ObjectFailed(clock.instant(), key, task.action,
                        new S3ReconException(ErrorCode.DELETE_FAILED, "kept '" + Redact.key(key) + "', not deleted: "
                                + changed.getMessage() + "; the plan is older than the object. Run again to plan "
                                + "with what is there now"),
                        task.attempts());
                pending.report(key, () -> outcomes.failed(event));
            } else {
                task.abandoned = true;
                objectsFailed.increment();
                ObjectFailed event = new ObjectFailed(clock.instant(), key, task.action, error(task, failure),
                        task.attempts());
                pending.report(key, () -> outcomes.failed(event));
            }
        } catch (RuntimeException | Error e) {
            // A bug of the session's own (building the event): the object must still end, and the run learn of it.
            pending.keepReportFailure(task.entry.key(), e);
        } finally {
            pending.ended();
        }
    }

    /** Reports a retry; {@link Requests} has counted it. */
    void retried(TransferRetried event) {
        pending.report(event.key(), () -> outcomes.retried(event));
    }

    private S3ReconException error(Task task, Throwable failure) {
        Throwable root = Failures.root(failure);
        boolean permanent = !(root instanceof CancellationException) && !Failures.isTransient(root)
                && !(root instanceof InterruptedException);
        boolean interrupted = root instanceof CancellationException || root instanceof InterruptedException;
        if (interrupted || (cancelled && !permanent)) {
            return new S3ReconException(ErrorCode.INTERRUPTED, (task.delete ? "deleting '" : "copying '")
                    + task.entry.key() + "' was cancelled"
                    + (task.started ? " while in progress" : " before it started")
                    + (task.delete ? "" : uploads.durable()
                            ? "; a multipart upload under way is kept, to be continued by a resume"
                            : "; nothing partial was left at the destination")
                    + ": run again to finish it");
        }
        return Failures.describe(task.delete ? ErrorCode.DELETE_FAILED : ErrorCode.COPY_FAILED, task.entry.key(),
                failure);
    }

    // ---------------------------------------------------------------------------------------------
    // Server options

    /**
     * Asks the destination with an option, and once more without it if the destination rejects
     * it; the option is then off for the rest of the session.
     */
    <T> CompletableFuture<T> withFallback(ServerCapabilities.Option option,
            Function<Boolean, CompletableFuture<T>> op) {
        return withFallback(option, Failures::isUnsupportedOption, op);
    }

    /**
     * Like {@link #withFallback(ServerCapabilities.Option, Function)}, for the failures a test
     * names.
     */
    <T> CompletableFuture<T> withFallback(ServerCapabilities.Option option,
            java.util.function.Predicate<Throwable> rejected, Function<Boolean, CompletableFuture<T>> op) {
        if (!option.enabled()) {
            return op.apply(false);
        }
        return op.apply(true).exceptionallyCompose(e -> {
            if (cancelled || !rejected.test(e)) {
                return CompletableFuture.failedFuture(e);
            }
            return op.apply(false).thenApply(v -> {
                if (option.disable(describe(destination)) && option.note() != null) {
                    note(option.description(), describe(destination) + " " + option.note());
                }
                return v;
            });
        });
    }

    // ---------------------------------------------------------------------------------------------
    // Small helpers for the copiers

    Step sourceStep(Task task, String operation) {
        return new Step(source, true, operation, source.fullKey(task.entry.key()), null);
    }

    Step destinationStep(Task task, String operation) {
        return new Step(destination, false, operation, destination.fullKey(task.entry.key()), null);
    }

    /** A server-side copy's request: sent to the destination, reading the source. */
    Step copyStep(Task task, String operation) {
        return new Step(destination, false, operation, destination.fullKey(task.entry.key()),
                "s3://" + source.bucket() + "/" + source.fullKey(task.entry.key()));
    }

    static String quoted(String eTag) {
        return eTag == null ? null : "\"" + eTag + "\"";
    }

    static String describe(S3Location location) {
        S3AsyncClient client = location.client();
        try {
            return client.serviceClientConfiguration().endpointOverride().map(URI::toString)
                    .orElse("S3 (" + client.serviceClientConfiguration().region() + ")");
        } catch (RuntimeException e) {
            return "the server of " + location;
        }
    }

    /** Rethrows a failure from inside a completion stage. */
    static RuntimeException rethrow(Throwable t) {
        return t instanceof RuntimeException r ? r : new CompletionException(t);
    }
}
