package io.github.s3recon.internal.run;

import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
import io.github.s3recon.spi.UploadCheckpoints;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * The multipart uploads of the runs in a work directory, on the destination and in the checkpoint
 * store: the records a transfer keeps so that a resumed run continues its uploads
 * ({@link #checkpoints(String)}), and the aborts of what a run leaves (its recorded uploads when it
 * ends or is abandoned; and those it created without a record, found by their intent records).
 *
 * <p>Thread-safe: the records are the store's; the transfer's threads record through it.
 */
final class UploadJournal {

    private static final Logger LOG = LoggerFactory.getLogger(UploadJournal.class);

    private final RunContext run;

    UploadJournal(RunContext run) {
        this.run = run;
    }

    private S3Location destination() {
        return run.destination;
    }

    /** Where a transfer of the run records its multipart uploads. */
    UploadCheckpoints checkpoints(String runId) {
        return new Uploads(runId);
    }

    /** The run's multipart uploads, in the checkpoint store. */
    private final class Uploads implements UploadCheckpoints {
        private final String runId;

        Uploads(String runId) {
            this.runId = runId;
        }

        @Override
        public Optional<UploadRecord> find(String key) {
            // An intent is older than the upload created after it: the newest record being an
            // intent means that no upload of the key is live.
            return run.checkpoints.upload(runId, key).filter(u -> !isIntent(u));
        }

        @Override
        public void intent(String key, Instant at) {
            run.checkpoints.saveUpload(runId, new UploadRecord(key, INTENT + UUID.randomUUID(),
                    "-", 1, at, List.of()));
            run.checkpoints.flush();
        }

        @Override
        public String marker() {
            return runId;
        }

        @Override
        public void started(UploadRecord upload) {
            run.checkpoints.saveUpload(runId, upload);
            run.checkpoints.flush();
        }

        @Override
        public void partDone(String uploadId, PartRecord part) {
            run.checkpoints.savePart(runId, uploadId, part);
        }

        @Override
        public void ended(String uploadId) {
            run.checkpoints.deleteUpload(runId, uploadId);
        }

        @Override
        public boolean durable() {
            return true;
        }
    }

    /** The upload id of an intent record: an upload about to be created, see {@link UploadCheckpoints#intent}. */
    private static final String INTENT = "s3recon-intent:";
    /** How much older than its intent an orphaned upload may look: the server's clock is not the JVM's. */
    private static final Duration CLOCK_LEEWAY = Duration.ofMinutes(1);

    private static boolean isIntent(UploadRecord u) {
        return u.uploadId().startsWith(INTENT);
    }

    /**
     * Aborts the multipart uploads a run started and did not end (a crash, a cancel, a failure),
     * then those it created without a record (see {@link #abortOrphans}), and forgets its intents.
     */
    void abortAll(String runId, String bucket, String prefix) {
        for (UploadRecord u : run.checkpoints.uploads(runId)) {
            if (isIntent(u)) {
                continue;
            }
            try {
                destination().client().abortMultipartUpload(b -> b.bucket(bucket).key(prefix + u.key())
                        .uploadId(u.uploadId())).join();
            } catch (RuntimeException e) {
                Throwable cause = S3Errors.unwrap(e);
                if (!(cause instanceof S3Exception s3
                        && s3.statusCode() == 404)) {
                    // Gone already (404) is fine; anything else (e.g. 403 without s3:AbortMultipartUpload)
                    // leaves an upload that costs storage: say so.
                    String message = Redact.text("could not abort multipart upload " + u.uploadId() + " of s3://"
                            + bucket + "/" + prefix + u.key() + ": " + cause + "; abort it, or let a lifecycle rule "
                            + "that aborts incomplete multipart uploads clean it up");
                    LOG.warn(message);
                    run.checkpoints.log(runId, new LogLine(run.clock.instant(), "WARN", message));
                }
            }
            run.checkpoints.deleteUpload(runId, u.uploadId());
        }
        abortOrphans(runId, bucket, prefix, false);
    }

    /**
     * Finds the uploads the run created and has no record of, and aborts them: under the
     * destination's prefix, for a key with an intent record, created no earlier than the intent
     * (less a clock leeway), and not a live record's upload. Those come from a kill between a
     * CreateMultipartUpload and its record, or from a retried CreateMultipartUpload whose first
     * answer was lost. Intents are then forgotten: all of them when the run ends, those of keys
     * without a live upload when it resumes.
     *
     * @param keepLive true at a resume: live uploads are kept to be continued, with their intents
     */
    void abortOrphans(String runId, String bucket, String prefix, boolean keepLive) {
        Map<String, Instant> intents = new HashMap<>();
        Set<String> live = new HashSet<>();
        Set<String> liveKeys = new HashSet<>();
        List<UploadRecord> records = run.checkpoints.uploads(runId);
        for (UploadRecord u : records) {
            if (isIntent(u)) {
                intents.merge(u.key(), u.startedAt(), (a, b) -> a.isBefore(b) ? a : b);
            } else {
                live.add(u.uploadId());
                liveKeys.add(u.key());
            }
        }
        if (intents.isEmpty()) {
            return;
        }
        try {
            String keyMarker = null;
            String uploadIdMarker = null;
            while (true) {
                String km = keyMarker;
                String um = uploadIdMarker;
                var page = destination().client().listMultipartUploads(b -> {
                    b.bucket(bucket).prefix(prefix.isEmpty() ? null : prefix);
                    if (km != null) {
                        b.keyMarker(km).uploadIdMarker(um);
                    }
                }).join();
                for (var upload : page.uploads()) {
                    String key = upload.key();
                    if (key == null || !key.startsWith(prefix) || live.contains(upload.uploadId())) {
                        continue;
                    }
                    Instant since = intents.get(key.substring(prefix.length()));
                    if (since == null || (upload.initiated() != null
                            && upload.initiated().isBefore(since.minus(CLOCK_LEEWAY)))) {
                        continue;
                    }
                    abortOrphan(runId, bucket, key, upload.uploadId());
                }
                if (!Boolean.TRUE.equals(page.isTruncated()) || page.nextKeyMarker() == null
                        || (page.nextKeyMarker().equals(km) && Objects.equals(page.nextUploadIdMarker(), um))) {
                    break;
                }
                keyMarker = page.nextKeyMarker();
                uploadIdMarker = page.nextUploadIdMarker();
            }
        } catch (RuntimeException e) {
            // Intents are kept: the next end or resume of the run looks again.
            String message = Redact.text("could not look for multipart uploads left without a record under s3://"
                    + bucket + "/" + prefix + ": " + S3Errors.unwrap(e) + "; grant s3:ListBucketMultipartUploads, or "
                    + "let a lifecycle rule that aborts incomplete multipart uploads clean them up");
            LOG.warn(message);
            run.checkpoints.log(runId, new LogLine(run.clock.instant(), "WARN", message));
            return;
        }
        for (UploadRecord u : records) {
            if (isIntent(u) && !(keepLive && liveKeys.contains(u.key()))) {
                run.checkpoints.deleteUpload(runId, u.uploadId());
            }
        }
        run.checkpoints.flush();
    }

    private void abortOrphan(String runId, String bucket, String key, String uploadId) {
        String where = "multipart upload " + uploadId + " of s3://" + bucket + "/" + Redact.key(key);
        try {
            destination().client().abortMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)).join();
            String message = "aborted " + where + ", which this run created without a record (a kill or a lost "
                    + "answer while it was being created)";
            LOG.info(message);
            run.checkpoints.log(runId, new LogLine(run.clock.instant(), "INFO", Redact.text(message)));
        } catch (RuntimeException e) {
            Throwable cause = S3Errors.unwrap(e);
            if (!(cause instanceof S3Exception s3 && s3.statusCode() == 404)) {
                String message = Redact.text("could not abort " + where + ": " + cause + "; abort it, or let a "
                        + "lifecycle rule that aborts incomplete multipart uploads clean it up");
                LOG.warn(message);
                run.checkpoints.log(runId, new LogLine(run.clock.instant(), "WARN", message));
            }
        }
    }
}
