package io.github.s3recon.internal.relay;

import io.github.s3recon.Fingerprint;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.time.Instant;
import java.util.function.BooleanSupplier;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.UploadCheckpoints;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Copies one object of a source that is not an S3 bucket into the destination, streaming, with no
 * local disk: an object smaller than the part size is read whole into one buffer (within the byte
 * budget) and written with one PutObject; a larger one is a multipart upload whose parts are read
 * in turn from one GET. A body that breaks off is read again from the part where it broke (a
 * ranged GET where the server supports ranges; otherwise the server's whole body with the bytes
 * before the part skipped), on the source's retry schedule; the upload is aborted when the copy
 * fails for good.
 *
 * <p>The object keeps the source's content type; its user metadata records the source URL and
 * HTTP ETag ({@link SourceRead}) and, when the listing knew an ETag, the {@link Fingerprint}
 * that lets a later reconcile prove the copy.
 *
 * <p>One instance per copy, on one thread.
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

    private final ObjectSource source;
    private final S3Location destination;
    private final ByteBudget budget;
    private final long partSize;
    private final int maxAttempts;
    private final RetryPause retry;
    private final UploadRegistry uploads;
    private final UploadCheckpoints checkpoints;
    private final BooleanSupplier cancelled;

    ObjectRelay(ObjectSource source, S3Location destination, ByteBudget budget, long partSize, int maxAttempts,
            RetryPause retry, UploadRegistry uploads, UploadCheckpoints checkpoints, BooleanSupplier cancelled) {
        this.checkpoints = checkpoints;
        this.cancelled = cancelled;
        this.source = source;
        this.destination = destination;
        this.budget = budget;
        this.partSize = partSize;
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

    private long putWhole(ObjectEntry entry) throws BrokenRead, InterruptedException {
        int taken = budget.acquire(entry.size());
        try {
            SourceRead read = SourceRead.open(source, entry, 0);
            byte[] bytes;
            try (InputStream in = read.body()) {
                bytes = readExactly(in, entry.size(), entry, 0, true);
            } catch (IOException e) {
                throw broken(entry, 0, e);
            }
            String key = destination.fullKey(entry.key());
            try {
                destination.client().putObject(b -> b.bucket(destination.bucket()).key(key)
                        .contentType(read.contentType()).contentLength((long) bytes.length)
                        .metadata(metadata(entry, read)), AsyncRequestBody.fromBytes(bytes)).join();
            } catch (RuntimeException e) {
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "PutObject of '" + key + "'");
            }
            return bytes.length;
        } finally {
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
        List<CompletedPart> done = new ArrayList<>(parts);
        String uploadId = continued(entry, sourceTag, part, done);
        InputStream in = null;
        if (uploadId == null) {
            // The first GET's headers are the object's content type and metadata: it comes before the upload.
            SourceRead read = SourceRead.open(source, entry, 0);
            in = read.body();
            checkpoints.intent(entry.key(), Instant.now());
            try {
                uploadId = destination.client().createMultipartUpload(b -> b.bucket(destination.bucket()).key(key)
                        .contentType(read.contentType()).metadata(metadata(entry, read))).join().uploadId();
            } catch (RuntimeException e) {
                close(in);
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "CreateMultipartUpload of '" + key + "'");
            }
            checkpoints.started(new CheckpointStore.UploadRecord(entry.key(), uploadId, sourceTag, part, Instant.now(),
                    List.of()));
        }
        String id = uploadId;
        uploads.started(key, uploadId);
        boolean completed = false;
        try {
            for (int i = done.size(); i < parts; i++) {
                long offset = i * part;
                long length = Math.min(part, size - offset);
                boolean last = i == parts - 1;
                for (int attempt = 1; ; attempt++) {
                    int taken = budget.acquire(length);
                    try {
                        if (in == null) {
                            in = SourceRead.open(source, entry, offset).body();
                        }
                        byte[] bytes = readExactly(in, length, entry, offset, last);
                        int number = i + 1;
                        String eTag;
                        try {
                            eTag = destination.client().uploadPart(b -> b.bucket(destination.bucket()).key(key)
                                    .uploadId(id).partNumber(number).contentLength(length),
                                    AsyncRequestBody.fromBytes(bytes)).join().eTag();
                        } catch (RuntimeException e) {
                            throw S3Errors.translate(S3Errors.unwrap(e), destination, "UploadPart " + number
                                    + " of '" + key + "'");
                        }
                        done.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
                        checkpoints.partDone(id, new CheckpointStore.PartRecord(number, eTag, null, null));
                        break;
                    } catch (IOException e) {
                        close(in);
                        in = null; // read again from this part
                        if (attempt >= maxAttempts) {
                            throw broken(entry, offset, e);
                        }
                        retry.pause(attempt, "part " + (i + 1) + ": " + e.getMessage());
                    } finally {
                        budget.release(taken);
                    }
                }
            }
            try {
                destination.client().completeMultipartUpload(b -> b.bucket(destination.bucket()).key(key)
                        .uploadId(id).multipartUpload(u -> u.parts(done))).join();
            } catch (RuntimeException e) {
                throw S3Errors.translate(S3Errors.unwrap(e), destination, "CompleteMultipartUpload of '" + key + "'");
            }
            completed = true;
            return size;
        } finally {
            close(in);
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

    /**
     * Takes up the upload an earlier attempt recorded for the entry, if it is of the same source
     * version and part size: its parts 1 to k (those recorded without a gap) go into {@code done}.
     *
     * @return the upload's id, or null to start a new upload
     */
    private String continued(ObjectEntry entry, String sourceTag, long part, List<CompletedPart> done) {
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
        for (CheckpointStore.PartRecord p : parts) {
            if (p.number() != done.size() + 1) {
                break;
            }
            done.add(CompletedPart.builder().partNumber(p.number()).eTag(p.eTag()).build());
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
