package io.github.s3recon.spi;

import java.util.Optional;

/**
 * Where a {@link TransferScheduler} records the multipart uploads it starts, so that a run that is
 * killed or cancelled in the middle of a large object continues its upload from the last part
 * transferred rather than from zero. The migration hands one to each session through
 * {@link TransferContext#uploads()}, backed by the work directory's {@link CheckpointStore}.
 *
 * <p>Implementations are thread-safe. Keys are relative to the destination's prefix.
 */
public interface UploadCheckpoints {

    /** Records nothing: uploads are aborted when their copy fails or is cancelled, and never resumed. */
    UploadCheckpoints NONE = new UploadCheckpoints() {
        @Override
        public Optional<CheckpointStore.UploadRecord> find(String key) {
            return Optional.empty();
        }

        @Override
        public void started(CheckpointStore.UploadRecord upload) {
        }

        @Override
        public void partDone(String uploadId, CheckpointStore.PartRecord part) {
        }

        @Override
        public void ended(String uploadId) {
        }

        @Override
        public boolean durable() {
            return false;
        }
    };

    /**
     * Returns the upload an earlier attempt started for a key and did not end, with its parts.
     *
     * @param key the key; not null
     * @return the upload, or empty
     */
    Optional<CheckpointStore.UploadRecord> find(String key);

    /**
     * Records an upload just created; durable when it returns, so that no part is sent for an upload
     * that a crash would leave unknown.
     *
     * @param upload the upload, without parts; not null
     */
    void started(CheckpointStore.UploadRecord upload);

    /**
     * Records a part as transferred; batched.
     *
     * @param uploadId the upload's id; not null
     * @param part the part; not null
     */
    void partDone(String uploadId, CheckpointStore.PartRecord part);

    /**
     * Forgets an upload that was completed or aborted.
     *
     * @param uploadId the upload's id; not null
     */
    void ended(String uploadId);

    /**
     * Records, durably before it returns, that a multipart upload of a key is about to be created:
     * called before each {@code CreateMultipartUpload}, so that an upload whose record never
     * followed (a kill between the request and {@link #started}, or a retried request whose first
     * answer was lost and whose upload is therefore unknown) leaves a trace. When the run ends, and
     * when it resumes, the uploads under the destination's prefix for keys with an intent, created
     * since the intent and without a live record, are aborted ({@code ListMultipartUploads} does not
     * return an upload's metadata, so the intent is how the engine recognises its own). The default
     * records nothing.
     *
     * @param key the key relative to the destination's prefix; not null
     * @param at when, by the JVM's clock, just before the request; not null
     */
    default void intent(String key, java.time.Instant at) {
    }

    /**
     * The marker the engine puts in the user metadata of the uploads it creates (as
     * {@code x-amz-meta-s3recon-run}), so that a person or a lifecycle tool can tell them apart:
     * the run's id. The default is null: no marker.
     *
     * @return the run's id, or null
     */
    default String marker() {
        return null;
    }

    /**
     * Whether uploads are recorded durably. When they are, a session that is cancelled keeps its
     * uploads in progress (to be continued by a resume, or aborted when the run ends) instead of
     * aborting them.
     *
     * @return true if a resume can continue an upload
     */
    boolean durable();
}
