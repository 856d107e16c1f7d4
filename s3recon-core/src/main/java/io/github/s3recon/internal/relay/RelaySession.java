package io.github.s3recon.internal.relay;

import io.github.s3recon.spi.ConcurrencyLimit;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.source.RetrySchedule;
import io.github.s3recon.source.SourceNotFoundException;
import io.github.s3recon.source.UrlManifestSource;
import io.github.s3recon.spi.ObjectSource;
import io.github.s3recon.spi.TransferOutcomes;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.UploadCheckpoints;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The transfer session of a migration whose source is not an S3 bucket (a manifest of URLs): every
 * copy relays the bytes ({@link ObjectRelay}: one PutObject for a small object, a multipart upload
 * for a large one, its parts read with up to {@link Settings#partsInFlight()} ranged GETs at once
 * when the server takes ranges), {@link Settings#concurrency()} objects at once, with at most
 * {@link Settings#byteBudget()} bytes of buffers in memory.
 *
 * <ul>
 *   <li>Throttling (HTTP 429 or 503, retried by the source after its {@code Retry-After}) lowers
 *       how many reads of the source are in flight, AIMD ({@link ConcurrencyLimit}): halved on a
 *       throttled answer, at most once per round of reads; back up by one per round of reads that
 *       end well, up to {@link Settings#concurrency()}.
 *   <li>A source object that is gone ({@link SourceNotFoundException}: HTTP 404 or 410) fails at
 *       once, never retried; the run records it in its failures and goes on.
 *   <li>A body that breaks off, or has another size than listed, is read again on the source's
 *       {@link RetrySchedule} (for a {@link UrlManifestSource}; {@link RetrySchedule#DEFAULT}
 *       otherwise), each retry reported as a {@link TransferRetried}. The HTTP requests themselves
 *       (429, 5xx, timeouts, with {@code Retry-After}) are retried by the source.
 *   <li>A deletion removes the destination object only if it is still the one the plan saw (same
 *       ETag, else same size), checked with a HEAD; otherwise it is kept and reported.
 * </ul>
 *
 * <p>{@link #copy} and {@link #delete} are called from the engine's thread and block while
 * {@code 2 x concurrency} objects are waiting or in flight; outcomes are reported from the
 * session's threads, once per object.
 */
public final class RelaySession implements TransferScheduler.TransferSession {

    /**
     * How a relay session copies.
     *
     * @param concurrency objects copied at once; 1 to 1,024
     * @param partSize the size from which an object is a multipart upload, and its parts' size
     *     (larger when an object would need more than 10,000 parts); 5 MiB to 5 GiB
     * @param byteBudget the most bytes of buffers held at once; at least the part size
     * @param partsInFlight how many parts of one large object are read at once with ranged GETs
     *     when the source takes ranges; 1 to 64 (1: parts in turn)
     */
    public record Settings(int concurrency, long partSize, long byteBudget, int partsInFlight) {

        /**
         * 16 objects at once, 16 MiB parts, 256 MiB of buffers or a quarter of the heap (whichever
         * is smaller, at least the part size: relays near the heap's size fail with
         * OutOfMemoryError), 4 parts of an object at once; the system properties {@code s3recon.relay.concurrency}, {@code s3recon.relay.partSize},
         * {@code s3recon.relay.byteBudget} (bytes) and {@code s3recon.relay.partsInFlight}
         * override them.
         */
        public static Settings defaults() {
            long partSize = Long.getLong("s3recon.relay.partSize", 16L << 20);
            long heapQuarter = Runtime.getRuntime().maxMemory() == Long.MAX_VALUE ? Long.MAX_VALUE
                    : Runtime.getRuntime().maxMemory() / 4;
            return new Settings(Integer.getInteger("s3recon.relay.concurrency", 16), partSize,
                    Long.getLong("s3recon.relay.byteBudget", Math.max(partSize, Math.min(256L << 20, heapQuarter))),
                    Integer.getInteger("s3recon.relay.partsInFlight", 4));
        }

        /**
         * Settings with 4 parts of an object at once.
         *
         * @param concurrency objects copied at once; 1 to 1,024
         * @param partSize the multipart threshold and part size; 5 MiB to 5 GiB
         * @param byteBudget the most bytes of buffers held at once; at least the part size
         */
        public Settings(int concurrency, long partSize, long byteBudget) {
            this(concurrency, partSize, byteBudget, 4);
        }

        /** Checks the ranges, naming the setting. */
        public Settings {
            if (concurrency < 1 || concurrency > 1024) {
                throw S3ReconException.invalidConfiguration("s3recon.relay.concurrency", concurrency, "must be 1 to 1024");
            }
            if (partSize < (5L << 20) || partSize > (5L << 30)) {
                throw S3ReconException.invalidConfiguration("s3recon.relay.partSize", partSize,
                        "must be 5 MiB (5242880) to 5 GiB");
            }
            if (byteBudget < partSize) {
                throw S3ReconException.invalidConfiguration("s3recon.relay.byteBudget", byteBudget,
                        "must be at least the part size (" + partSize + ")");
            }
            if (partsInFlight < 1 || partsInFlight > 64) {
                throw S3ReconException.invalidConfiguration("s3recon.relay.partsInFlight", partsInFlight,
                        "must be 1 to 64");
            }
        }
    }

    private static final AtomicInteger SESSIONS = new AtomicInteger();

    private final ObjectSource source;
    private final S3Location destination;
    private final TransferOutcomes outcomes;
    private final Clock clock;
    private final RetrySchedule retries;
    private final ExecutorService pool;
    private final ExecutorService partPool;
    private final ConcurrencyLimit reads;
    private final ObjectRelay.Shared shared;
    private final Semaphore room;
    private final ByteBudget budget;
    private final Settings settings;
    private final UploadCheckpoints checkpoints;
    private final Map<String, String> uploadsInFlight = new ConcurrentHashMap<>();
    private final Object lock = new Object();
    private long pending;
    private RuntimeException outcomeFailure;
    private volatile boolean cancelled;
    private final AtomicLong copied = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();
    private final AtomicLong deleted = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong kept = new AtomicLong();
    private final AtomicLong notFound = new AtomicLong();

    /**
     * Opens a session.
     *
     * @param source the source, read with {@link ObjectSource#open} (or {@link UrlManifestSource#download}); not null
     * @param destination where to write; not null
     * @param outcomes receives each object's outcome and each retry; not null
     * @param clock stamps the events; not null
     * @param settings concurrency, part size and byte budget; not null
     */
    public RelaySession(ObjectSource source, S3Location destination, TransferOutcomes outcomes, Clock clock,
            Settings settings) {
        this(source, destination, outcomes, clock, settings, UploadCheckpoints.NONE);
    }

    /**
     * Opens a session whose multipart uploads are recorded: a resumed run continues an upload from
     * its last recorded part, and a cancelled session keeps its uploads for that when the record is
     * {@linkplain UploadCheckpoints#durable() durable}.
     *
     * @param source the source; not null
     * @param destination where to write; not null
     * @param outcomes receives each object's outcome and each retry; not null
     * @param clock stamps the events; not null
     * @param settings concurrency, part size and byte budget; not null
     * @param uploads where uploads are recorded; not null ({@link UploadCheckpoints#NONE} for none)
     */
    public RelaySession(ObjectSource source, S3Location destination, TransferOutcomes outcomes, Clock clock,
            Settings settings, UploadCheckpoints uploads) {
        this.checkpoints = uploads;
        this.source = source;
        this.destination = destination;
        this.outcomes = outcomes;
        this.clock = clock;
        this.settings = settings;
        this.retries = source instanceof UrlManifestSource u ? u.retries() : RetrySchedule.DEFAULT;
        int id = SESSIONS.incrementAndGet();
        AtomicInteger threads = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "s3recon-relay-" + id + "-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        AtomicInteger partThreads = new AtomicInteger();
        this.partPool = Executors.newFixedThreadPool(settings.concurrency(), r -> {
            Thread t = new Thread(r, "s3recon-relay-" + id + "-part-" + partThreads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        this.room = new Semaphore(2 * settings.concurrency());
        this.budget = new ByteBudget(settings.byteBudget());
        this.reads = new ConcurrencyLimit(settings.concurrency());
        this.shared = new ObjectRelay.Shared(budget, reads, partPool, settings.partSize(), settings.partsInFlight());
    }

    @Override
    public void copy(ObjectEntry entry) {
        copy(entry, TransferAction.COPY);
    }

    @Override
    public void copy(ObjectEntry entry, TransferAction action) {
        submit(entry, action, () -> copyOne(entry, action));
    }

    @Override
    public void delete(ObjectEntry entry) {
        submit(entry, TransferAction.DELETE, () -> deleteOne(entry));
    }

    private void submit(ObjectEntry entry, TransferAction action, Runnable work) {
        if (cancelled) {
            fail(entry.key(), action, new S3ReconException(ErrorCode.INTERRUPTED, "the transfer was cancelled before "
                    + "'" + Redact.key(entry.key()) + "' started"), 0);
            return;
        }
        try {
            room.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new S3ReconException(ErrorCode.INTERRUPTED, "interrupted while waiting to submit '"
                    + Redact.key(entry.key()) + "'", e);
        }
        synchronized (lock) {
            pending++;
        }
        try {
            pool.execute(() -> {
                try {
                    work.run();
                } finally {
                    room.release();
                    synchronized (lock) {
                        pending--;
                        lock.notifyAll();
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            room.release();
            synchronized (lock) {
                pending--;
                lock.notifyAll();
            }
            fail(entry.key(), action, new S3ReconException(ErrorCode.INTERRUPTED, "the transfer was cancelled before '"
                    + Redact.key(entry.key()) + "' started"), 0);
        }
    }

    private void copyOne(ObjectEntry entry, TransferAction action) {
        AtomicInteger attempts = new AtomicInteger(1);
        ObjectRelay.RetryPause pause = (attempt, reason) -> {
            attempts.incrementAndGet();
            Duration wait = retries.pause(attempt, null);
            retried.incrementAndGet();
            report(() -> outcomes.retried(new TransferRetried(clock.instant(), entry.key(), attempt,
                    Redact.text(reason), wait)));
            Thread.sleep(wait.toMillis());
        };
        ObjectRelay relay = new ObjectRelay(source, destination, shared, retries.maxAttempts(),
                pause, new ObjectRelay.UploadRegistry() {
                    @Override
                    public void started(String key, String uploadId) {
                        uploadsInFlight.put(uploadId, key);
                    }

                    @Override
                    public void ended(String key, String uploadId) {
                        uploadsInFlight.remove(uploadId);
                    }
                }, checkpoints, () -> cancelled);
        for (int attempt = 1; ; attempt++) {
            try {
                checkNotCancelled(entry);
                long n = relay.copy(entry);
                copied.incrementAndGet();
                bytes.addAndGet(n);
                report(() -> outcomes.copied(new ObjectCopied(clock.instant(), entry.key(), n, TransferMode.RELAY,
                        attempts.get(), null)));
                return;
            } catch (SourceNotFoundException e) {
                notFound.incrementAndGet();
                fail(entry.key(), action, e, attempts.get()); // gone: never retried
                return;
            } catch (ObjectRelay.BrokenRead e) {
                if (attempt >= retries.maxAttempts() || cancelled) {
                    fail(entry.key(), action, new S3ReconException(ErrorCode.COPY_FAILED, e.getMessage() + " (after "
                            + attempts.get() + " attempts, " + retries + ")", e), attempts.get());
                    return;
                }
                try {
                    pause.pause(attempt, e.getMessage());
                } catch (InterruptedException x) {
                    interrupted(entry, action, attempts.get(), x);
                    return;
                }
            } catch (InterruptedException e) {
                interrupted(entry, action, attempts.get(), e);
                return;
            } catch (S3ReconException e) {
                fail(entry.key(), action, cancelled ? new S3ReconException(ErrorCode.INTERRUPTED, e.getMessage(), e) : e,
                        attempts.get());
                return;
            } catch (RuntimeException e) {
                fail(entry.key(), action, new S3ReconException(cancelled ? ErrorCode.INTERRUPTED : ErrorCode.COPY_FAILED,
                        "copying '" + Redact.key(entry.key()) + "' from " + source.describe() + " failed: "
                                + Redact.text(String.valueOf(e)), e), attempts.get());
                return;
            }
        }
    }

    private void checkNotCancelled(ObjectEntry entry) throws InterruptedException {
        if (cancelled || Thread.currentThread().isInterrupted()) {
            throw new InterruptedException("cancelled before '" + entry.key() + "'");
        }
    }

    private void interrupted(ObjectEntry entry, TransferAction action, int attempts, InterruptedException e) {
        fail(entry.key(), action, new S3ReconException(ErrorCode.INTERRUPTED, "copying '" + Redact.key(entry.key())
                + "' was interrupted", e), attempts);
    }

    private void deleteOne(ObjectEntry entry) {
        String key = destination.fullKey(entry.key());
        try {
            HeadObjectResponse head;
            try {
                head = destination.client().headObject(b -> b.bucket(destination.bucket()).key(key)).join();
            } catch (RuntimeException e) {
                Throwable t = S3Errors.unwrap(e);
                if (t instanceof NoSuchKeyException || (t instanceof S3Exception s && s.statusCode() == 404)) {
                    keep(entry, "it is gone since the plan");
                    return;
                }
                throw S3Errors.translate(t, destination, "HeadObject of '" + key + "'");
            }
            String eTag = head.eTag() == null ? null : head.eTag().replace("\"", "");
            boolean same = entry.eTag() != null ? entry.eTag().equals(eTag)
                    : head.contentLength() != null && head.contentLength() == entry.size();
            if (!same) {
                keep(entry, "it was rewritten since the plan");
                return;
            }
            try {
                destination.client().deleteObject(b -> b.bucket(destination.bucket()).key(key)).join();
            } catch (RuntimeException e) {
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "DeleteObject of '" + key + "'");
            }
            deleted.incrementAndGet();
            report(() -> outcomes.deleted(new ObjectDeleted(clock.instant(), entry.key(), 1)));
        } catch (S3ReconException e) {
            fail(entry.key(), TransferAction.DELETE, e, 1);
        }
    }

    private void keep(ObjectEntry entry, String why) {
        kept.incrementAndGet();
        S3ReconException e = new S3ReconException(ErrorCode.DELETE_FAILED, "'" + Redact.key(entry.key()) + "' in "
                + destination + " was not deleted: " + why + "; run again to plan anew");
        report(() -> outcomes.failed(new ObjectFailed(clock.instant(), entry.key(), TransferAction.DELETE, e, 1)));
    }

    private void fail(String key, TransferAction action, S3ReconException error, int attempts) {
        failed.incrementAndGet();
        report(() -> outcomes.failed(new ObjectFailed(clock.instant(), key, action, error, attempts)));
    }

    /** Delivers an outcome; the first that throws is kept for {@link #awaitCompletion()}. */
    private void report(Runnable delivery) {
        try {
            delivery.run();
        } catch (RuntimeException e) {
            synchronized (lock) {
                if (outcomeFailure == null) {
                    outcomeFailure = e;
                }
            }
        }
    }

    @Override
    public TransferScheduler.TransferTotals awaitCompletion() {
        synchronized (lock) {
            while (pending > 0) {
                try {
                    lock.wait();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new S3ReconException(ErrorCode.INTERRUPTED, "interrupted while waiting for the copies from "
                            + source.describe(), e);
                }
            }
            if (outcomeFailure != null) {
                throw outcomeFailure;
            }
        }
        List<String> notes = new ArrayList<>();
        if (notFound.get() > 0) {
            notes.add(notFound.get() + " source objects of " + source.describe() + " answered 404 or 410 when copied: "
                    + "skipped, listed in failures.jsonl");
        }
        return new TransferScheduler.TransferTotals(copied.get(), bytes.get(), 0, 0, copied.get(), bytes.get(),
                deleted.get(), failed.get() - kept.get(), retried.get(), kept.get(), notes);
    }

    /** Returns how many copies failed because the source object was gone (404, 410). */
    public long notFound() {
        return notFound.get();
    }

    /** For tests: how many reads of the source may be in flight now (the AIMD limit). */
    int readLimit() {
        return reads.limit();
    }

    @Override
    public void cancel() {
        cancelled = true;
        pool.shutdownNow(); // interrupts the reads and waits in flight; their copies end as INTERRUPTED
        partPool.shutdownNow();
        reads.close();
    }

    @Override
    public void close() {
        cancel();
        try {
            if (!pool.awaitTermination(30, TimeUnit.SECONDS) || !partPool.awaitTermination(30, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (checkpoints.durable()) {
            return; // kept for a resume to continue; the run aborts what it no longer needs when it ends
        }
        for (Map.Entry<String, String> u : uploadsInFlight.entrySet()) {
            try {
                destination.client().abortMultipartUpload(b -> b.bucket(destination.bucket()).key(u.getValue())
                        .uploadId(u.getKey())).join();
            } catch (RuntimeException e) {
                // left for the resume's sweep of orphan uploads
            }
        }
    }
}
