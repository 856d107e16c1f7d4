package io.github.s3recon.spi;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.S3Location;
import io.github.s3recon.event.MigrationListener;
import java.time.Clock;
import java.util.Objects;

/**
 * What a {@link TransferScheduler} needs to open a session.
 *
 * @param source where to read; not null
 * @param destination where to write; not null
 * @param checksumAlgorithm the full-object checksum to compute while relaying and to ask the
 *     destination to store; not null
 * @param listener receives each object's outcome ({@code onObjectCopied}, {@code onObjectDeleted},
 *     {@code onObjectFailed}) and each retry; isolating (it does not throw) but must be called
 *     without holding locks; not null
 * @param clock stamps the events and times the backoffs; not null
 * @param uploads where multipart uploads are recorded so that a resumed run continues them;
 *     {@link UploadCheckpoints#NONE} when nothing is recorded; not null
 */
public record TransferContext(S3Location source, S3Location destination, ChecksumAlgorithm checksumAlgorithm,
        MigrationListener listener, Clock clock, UploadCheckpoints uploads) {

    /**
     * A context whose uploads are not recorded ({@link UploadCheckpoints#NONE}).
     *
     * @param source where to read; not null
     * @param destination where to write; not null
     * @param checksumAlgorithm the full-object checksum to compute and store; not null
     * @param listener receives each object's outcome; not null
     * @param clock stamps the events and times the backoffs; not null
     */
    public TransferContext(S3Location source, S3Location destination, ChecksumAlgorithm checksumAlgorithm,
            MigrationListener listener, Clock clock) {
        this(source, destination, checksumAlgorithm, listener, clock, UploadCheckpoints.NONE);
    }

    /** Checks for null. */
    public TransferContext {
        Objects.requireNonNull(uploads, "uploads");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        Objects.requireNonNull(checksumAlgorithm, "checksumAlgorithm");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(clock, "clock");
    }
}
