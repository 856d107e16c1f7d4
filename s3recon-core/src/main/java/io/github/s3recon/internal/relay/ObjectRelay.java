package io.github.s3recon.internal.relay;

import io.github.s3recon.spi.ConcurrencyLimit;
import io.github.s3recon.Fingerprint;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.UploadCheckpoints;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Copies one object of a source that is not an S3 bucket into the destination, streaming, with no
 * local disk: an object smaller than the part size is read whole into one buffer (within the byte
 * budget) and written with one PutObject; a larger one is a multipart upload. Its parts are read
 * with ranged GETs, up to {@code partsInFlight} at once, when the source takes ranges (the first
 * part's ranged GET is answered 206, or with {@code Accept-Ranges: bytes}), else in turn from one
 * streamed GET of the whole object. A body that breaks off is read again from the part where it broke (a ranged GET
 * where the server supports ranges; otherwise the server's whole body with the bytes before the
 * part skipped), on the source's retry schedule; the upload is aborted when the copy fails for good.
 *
 * <p>Every read of the source holds a slot of the session's {@link ConcurrencyLimit} while its body
 * streams (the one GET of a streamed large object holds it to the end), and tells it when the
 * server throttled it (429, 503) and when it ended well: throttling lowers how many reads the
 * session has in flight. A read takes its slot before its bytes of the {@link ByteBudget}, always
 * in that order, so that neither waits for the other in a cycle.
 *
 * <p>The object keeps the source's content type; its user metadata records the source URL and
 * HTTP ETag ({@link SourceRead}) and, when the listing knew an ETag, the {@link Fingerprint}
 * that lets a later reconcile prove the copy.
 *
 * <p>One instance per copy, on one thread; the parts of a large object after its first run on the
 * session's part pool.
 */
final class ObjectRelay {

    /** S3's largest number of parts in an upload. */
    private static final int MAX_PARTS = 10_000;

    /** A read of the source that broke off: retried from where it broke. */
    static final class BrokenRead extends Exception {
        private static final long serialVersionUID = 1L;

        BrokenRead(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /** Called before each retry of a part, with the attempt that failed and why; sleeps the pause. */
    interface RetryPause {
        void pause(int attempt, String reason) throws InterruptedException;
    }

    /** How the relay reads and writes: shared by every copy of a session. */
    record Shared(ByteBudget budget, ConcurrencyLimit reads, ExecutorService partPool, long partSize, int partsInFlight) {
    }

    private final ObjectSource source;
    private final S3Location destination;
    private final ByteBudget budget;
    private final ConcurrencyLimit reads;
    private final ExecutorService partPool;
    private final long partSize;
    private final int partsInFlight;
    private final int maxAttempts;
    private final RetryPause retry;
    private final UploadRegistry uploads;
    private final UploadCheckpoints checkpoints;
    private final BooleanSupplier cancelled;

    ObjectRelay(ObjectSource source, S3Location destination, Shared shared, int maxAttempts,
            RetryPause retry, UploadRegistry uploads, UploadCheckpoints checkpoints, BooleanSupplier cancelled) {
        this.checkpoints = checkpoints;
        this.cancelled = cancelled;
        this.source = source;
        this.destination = destination;
        this.budget = shared.budget();
        this.reads = shared.reads();
        this.partPool = shared.partPool();
        this.partSize = shared.partSize();
        this.partsInFlight = shared.partsInFlight();
        this.maxAttempts = maxAttempts;
        this.retry = retry;
        this.uploads = uploads;
    }

    /**
     * Copies an entry.
     *
     * @return the bytes copied (the entry's size)
     * @throws BrokenRead when the source's body broke off or had another size than listed (the
     *     whole copy may be tried again)
     * @throws InterruptedException when cancelled
     */
    long copy(ObjectEntry entry) throws BrokenRead, InterruptedException {
        return entry.size() < partSize ? putWhole(entry) : multipart(entry);
    }

    /**
     * A read of the source holding a slot of the read limit, until {@link #end} closes the body and
     * gives the slot back (once, whichever thread calls it).
     */
    private final class HeldRead {
        final SourceRead read;
        private final AtomicBoolean ended = new AtomicBoolean();

        HeldRead(SourceRead read) {
            this.read = read;
        }

        InputStream body() {
            return read.body();
        }

        void end(boolean ok) {
            if (ended.compareAndSet(false, true)) {
                close(read.body());
                if (ok) {
                    reads.onSuccess();
                } else {
                    reads.onOtherFailure();
                }
                reads.release();
            }
        }
    }

    /** Takes a read slot, then opens {@code length} bytes (-1: to the end) from {@code offset}. */
    private HeldRead open(ObjectEntry entry, long offset, long length) throws InterruptedException {
        reads.acquire();
        try {
            return new HeldRead(SourceRead.open(source, entry, offset, length, status -> reads.onThrottled()));
        } catch (RuntimeException e) {
            reads.onOtherFailure();
            reads.release();
            throw e;
        }
    }

    private long putWhole(ObjectEntry entry) throws BrokenRead, InterruptedException {
        HeldRead read = open(entry, 0, -1);
        int taken = 0;
        try {
            taken = budget.acquire(entry.size());
            byte[] bytes;
            try {
                bytes = readExactly(read.body(), entry.size(), entry, 0, true);
            } catch (IOException e) {
                throw broken(entry, 0, e);
            }
            read.end(true);
            String key = destination.fullKey(entry.key());
            try {
                destination.client().putObject(b -> b.bucket(destination.bucket()).key(key)
                        .contentType(read.read.contentType()).contentLength((long) bytes.length)
                        .metadata(metadata(entry, read.read)), AsyncRequestBody.fromBytes(bytes)).join();
            } catch (RuntimeException e) {
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "PutObject of '" + key + "'");
            }
            return bytes.length;
        } finally {
            read.end(false);
            budget.release(taken);
        }
    }

    private long multipart(ObjectEntry entry) throws BrokenRead, InterruptedException {
        long size = entry.size();
        long part = Math.max(partSize, (size + MAX_PARTS - 1) / MAX_PARTS);
        int parts = (int) ((size + part - 1) / part);
        String key = destination.fullKey(entry.key());
        // Which version of the source an upload is of: a resume continues only an upload of the same one.
        String sourceTag = entry.eTag() != null ? entry.eTag() : "size-" + size;
        CompletedPart[] done = new CompletedPart[parts];
        String uploadId = continued(entry, sourceTag, part, done);
        int from = 0;
        while (from < parts && done[from] != null) {
            from++;
        }
        // The first GET, of the first part still to send: its headers are the object's content type
        // and metadata (so it comes before the upload), and its answer (206, or Accept-Ranges) says
        // whether the server takes ranges. Asked as a range when the other parts would be too, so
        // that a server that takes ranges sends no more than the part.
        boolean wantRanges = partsInFlight > 1 && parts - from > 1;
        HeldRead first = from < parts ? open(entry, from * part, wantRanges ? part : -1) : null;
        if (uploadId == null) {
            checkpoints.intent(entry.key(), Instant.now());
            try {
                uploadId = destination.client().createMultipartUpload(b -> b.bucket(destination.bucket()).key(key)
                        .contentType(first.read.contentType()).metadata(metadata(entry, first.read))).join().uploadId();
            } catch (RuntimeException e) {
                first.end(false);
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "CreateMultipartUpload of '" + key + "'");
            }
            checkpoints.started(new CheckpointStore.UploadRecord(entry.key(), uploadId, sourceTag, part, Instant.now(),
                    List.of()));
        }
        String id = uploadId;
        uploads.started(key, uploadId);
        boolean completed = false;
        try {
            Upload upload = new Upload(entry, key, id, size, part, parts, done);
            if (first != null && wantRanges && first.read.acceptsRanges()) {
                rangedParts(upload, from, first);
            } else if (first != null && wantRanges) {
                // A server without ranges answered the whole body, cut to the part: one GET of the rest instead.
                first.end(true);
                streamedParts(upload, from, null);
            } else if (first != null) {
                streamedParts(upload, from, first);
            }
            List<CompletedPart> all = List.of(done);
            try {
                destination.client().completeMultipartUpload(b -> b.bucket(destination.bucket()).key(key)
                        .uploadId(id).multipartUpload(u -> u.parts(all))).join();
            } catch (RuntimeException e) {
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "CompleteMultipartUpload of '" + key + "'");
            }
            completed = true;
            return size;
        } finally {
            if (first != null) {
                first.end(false);
            }
            uploads.ended(key, id);
            if (completed) {
                checkpoints.ended(id);
            } else if (!(cancelled.getAsBoolean() && checkpoints.durable())) {
                // Failed for good: aborted. Cancelled with a durable record: kept for the resume to continue.
                abort(key, id);
                checkpoints.ended(id);
            }
        }
    }

    /** A multipart upload in progress: its parts' layout and those sent ({@code done}, by index). */
    private record Upload(ObjectEntry entry, String key, String id, long size, long part, int parts,
            CompletedPart[] done) {
        long offset(int i) {
            return i * part;
        }

        long length(int i) {
            return Math.min(part, size - offset(i));
        }
    }

    /**
     * Sends the parts from {@code from} on in turn from one streamed GET ({@code first}, or opened
     * here when null), reading again from the part that broke when a body breaks off.
     */
    private void streamedParts(Upload u, int from, HeldRead first) throws BrokenRead, InterruptedException {
        HeldRead read = first;
        try {
            for (int i = from; i < u.parts(); i++) {
                long offset = u.offset(i);
                long length = u.length(i);
                boolean last = i == u.parts() - 1;
                for (int attempt = 1; ; attempt++) {
                    if (read == null) {
                        read = open(u.entry(), offset, -1);
                    }
                    IOException brokenBy = null;
                    int taken = budget.acquire(length);
                    try {
                        byte[] bytes = readExactly(read.body(), length, u.entry(), offset, last);
                        if (last) {
                            read.end(true);
                        }
                        sendPart(u, i, bytes);
                    } catch (IOException e) {
                        brokenBy = e;
                        read.end(false);
                        read = null; // read again from this part
                    } finally {
                        budget.release(taken);
                    }
                    if (brokenBy == null) {
                        break;
                    }
                    if (attempt >= maxAttempts) {
                        throw broken(u.entry(), offset, brokenBy);
                    }
                    retry.pause(attempt, "part " + (i + 1) + ": " + brokenBy.getMessage());
                }
            }
        } finally {
            if (read != null) {
                read.end(false);
            }
        }
    }

    /**
     * Sends the parts from {@code from} on with a ranged GET each, up to {@code partsInFlight} at
     * once: part {@code from} from the first GET on this thread, the others on the part pool. The
     * first failure stops the parts not yet started; the parts running are waited for.
     *
     * <p>The first part is read here, not on the pool: a read slot is then only ever held by a
     * thread that is reading, so the pool's threads, waiting for slots, never wait for a read
     * queued behind them.
     */
    private void rangedParts(Upload u, int from, HeldRead first) throws BrokenRead, InterruptedException {
        Semaphore window = new Semaphore(partsInFlight - 1);
        List<Future<?>> running = new ArrayList<>();
        AtomicReference<Exception> failure = new AtomicReference<>();
        int next = from + 1;
        try {
            while (next < u.parts() && window.tryAcquire()) {
                submit(u, next++, window, running, failure);
            }
            try {
                rangedPart(u, from, first);
            } catch (BrokenRead | InterruptedException | RuntimeException e) {
                failure.compareAndSet(null, e);
            }
            while (next < u.parts() && failure.get() == null) {
                window.acquire();
                submit(u, next++, window, running, failure);
            }
        } finally {
            for (Future<?> f : running) {
                awaitQuietly(f);
            }
        }
        Exception e = failure.get();
        if (e instanceof BrokenRead b) {
            throw b;
        }
        if (e instanceof InterruptedException x) {
            throw x;
        }
        if (e instanceof RuntimeException r) {
            throw r;
        }
    }

    /** Runs a part on the pool, giving its window slot back when it ends; its failure goes to {@code failure}. */
    private void submit(Upload u, int index, Semaphore window, List<Future<?>> running,
            AtomicReference<Exception> failure) throws InterruptedException {
        try {
            running.add(partPool.submit(() -> {
                try {
                    rangedPart(u, index, null);
                } catch (BrokenRead | InterruptedException | RuntimeException e) {
                    failure.compareAndSet(null, e);
                } finally {
                    window.release();
                }
            }));
        } catch (RejectedExecutionException e) {
            window.release();
            throw new InterruptedException("the transfer was cancelled");
        }
    }

    /** Reads one part with its own ranged GET (or from {@code given}), retrying a body that breaks, and sends it. */
    private void rangedPart(Upload u, int i, HeldRead given) throws BrokenRead, InterruptedException {
        long offset = u.offset(i);
        long length = u.length(i);
        boolean last = i == u.parts() - 1;
        for (int attempt = 1; ; attempt++) {
            if (cancelled.getAsBoolean()) {
                if (given != null) {
                    given.end(false);
                }
                throw new InterruptedException("cancelled before part " + (i + 1));
            }
            // The last part is read to the end, so that a body longer than listed is seen.
            HeldRead read = attempt == 1 && given != null ? given : open(u.entry(), offset, last ? -1 : length);
            IOException brokenBy = null;
            int taken = 0;
            try {
                taken = budget.acquire(length);
                byte[] bytes = readExactly(read.body(), length, u.entry(), offset, last);
                read.end(true);
                sendPart(u, i, bytes);
                return;
            } catch (IOException e) {
                brokenBy = e;
            } finally {
                read.end(false);
                budget.release(taken);
            }
            if (attempt >= maxAttempts) {
                throw broken(u.entry(), offset, brokenBy);
            }
            retry.pause(attempt, "part " + (i + 1) + ": " + brokenBy.getMessage());
        }
    }

    private void sendPart(Upload u, int i, byte[] bytes) {
        int number = i + 1;
        String eTag;
        try {
            eTag = destination.client().uploadPart(b -> b.bucket(destination.bucket()).key(u.key())
                    .uploadId(u.id()).partNumber(number).contentLength((long) bytes.length),
                    AsyncRequestBody.fromBytes(bytes)).join().eTag();
        } catch (RuntimeException e) {
            throw S3Errors.translate(S3Errors.unwrap(e), destination, "UploadPart " + number + " of '" + u.key() + "'");
        }
        u.done()[i] = CompletedPart.builder().partNumber(number).eTag(eTag).build();
        checkpoints.partDone(u.id(), new CheckpointStore.PartRecord(number, eTag, null, null));
    }

    private static void awaitQuietly(Future<?> f) {
        boolean interrupted = false;
        while (true) {
            try {
                f.get();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // the part is interrupted by the pool's shutdown; wait for it to end
            } catch (ExecutionException | java.util.concurrent.CancellationException e) {
                break;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Takes up the upload an earlier attempt recorded for the entry, if it is of the same source
     * version and part size: its parts 1 to k (those recorded without a gap) go into {@code done}
     * (parts sent in parallel end in any order: the ones after a gap are sent again).
     *
     * @return the upload's id, or null to start a new upload
     */
    private String continued(ObjectEntry entry, String sourceTag, long part, CompletedPart[] done) {
        CheckpointStore.UploadRecord prior = checkpoints.find(entry.key()).orElse(null);
        if (prior == null) {
            return null;
        }
        if (!prior.sourceETag().equals(sourceTag) || prior.partSize() != part) {
            abort(destination.fullKey(entry.key()), prior.uploadId()); // of another version: not to be continued
            checkpoints.ended(prior.uploadId());
            return null;
        }
        List<CheckpointStore.PartRecord> parts = new ArrayList<>(prior.parts());
        parts.sort(java.util.Comparator.comparingInt(CheckpointStore.PartRecord::number));
        int next = 0;
        for (CheckpointStore.PartRecord p : parts) {
            if (p.number() != next + 1 || next >= done.length) {
                break;
            }
            done[next++] = CompletedPart.builder().partNumber(p.number()).eTag(p.eTag()).build();
        }
        return prior.uploadId();
    }

    private void abort(String key, String uploadId) {
        try {
            destination.client().abortMultipartUpload(b -> b.bucket(destination.bucket()).key(key).uploadId(uploadId))
                    .join();
        } catch (RuntimeException e) {
            // Left for the resume's sweep of uploads (TransferStage aborts the run's orphans).
        }
    }

    private static Map<String, String> metadata(ObjectEntry entry, SourceRead read) {
        Map<String, String> m = new LinkedHashMap<>(read.metadata());
        if (entry.eTag() != null) {
            m.putAll(Fingerprint.of(entry, null).toMetadata());
        } else {
            m.put(Fingerprint.SIZE_KEY, Long.toString(entry.size()));
        }
        return m;
    }

    /**
     * Reads exactly {@code length} bytes; for the end of the object, also checks that nothing
     * follows (a body longer than listed is another object than the one planned).
     */
    private static byte[] readExactly(InputStream in, long length, ObjectEntry entry, long offset, boolean end)
            throws IOException {
        byte[] bytes = in.readNBytes((int) length);
        if (bytes.length < length) {
            throw new IOException("the body ended after " + (offset + bytes.length) + " bytes of " + entry.size()
                    + " listed");
        }
        if (end && in.read() >= 0) {
            throw new IOException("the body is longer than the " + entry.size() + " bytes listed");
        }
        return bytes;
    }

    private BrokenRead broken(ObjectEntry entry, long offset, IOException e) {
        return new BrokenRead("reading '" + io.github.s3recon.Redact.key(entry.key()) + "' from " + source.describe()
                + " at byte " + offset + " failed: " + io.github.s3recon.Redact.text(String.valueOf(e.getMessage())), e);
    }

    private static void close(InputStream in) {
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // a body not read to its end
            }
        }
    }

    /** Keeps the uploads in flight, so that a cancel can abort them. */
    interface UploadRegistry {
        void started(String key, String uploadId);

        void ended(String key, String uploadId);
    }
}
