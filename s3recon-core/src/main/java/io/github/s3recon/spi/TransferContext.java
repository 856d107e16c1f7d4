package io.github.s3recon.spi;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.time.Clock;

/**
 * What a {@link TransferScheduler} needs to open a session. Immutable; validated when built.
 *
 * @param source where to read; not null
 * @param destination where to write; not null
 * @param checksumAlgorithm the full-object checksum to compute while relaying and to ask the
 *     destination to store; not null
 * @param outcomes receives each object's outcome (copied, deleted or failed) and each retry, as
 *     {@link TransferOutcomes} says; {@link TransferOutcomes#notifying} turns a listener into one;
 *     not null
 * @param clock stamps the events and times the backoffs; not null
 * @param uploads where multipart uploads are recorded so that a resumed run continues them;
 *     {@link UploadCheckpoints#NONE} when nothing is recorded; not null
 */
public record TransferContext(S3Location source, S3Location destination, ChecksumAlgorithm checksumAlgorithm,
        TransferOutcomes outcomes, Clock clock, UploadCheckpoints uploads) {

    /**
     * A context whose uploads are not recorded ({@link UploadCheckpoints#NONE}).
     *
     * @param source where to read; not null
     * @param destination where to write; not null
     * @param checksumAlgorithm the full-object checksum to compute and store; not null
     * @param outcomes receives each object's outcome and each retry; not null
     * @param clock stamps the events and times the backoffs; not null
     * @throws S3ReconException with code {@code INVALID_CONFIGURATION}, naming the parameter, if
     *     one is null
     */
    public TransferContext(S3Location source, S3Location destination, ChecksumAlgorithm checksumAlgorithm,
            TransferOutcomes outcomes, Clock clock) {
        this(source, destination, checksumAlgorithm, outcomes, clock, UploadCheckpoints.NONE);
    }

    /**
     * Checks that every component was given.
     *
     * @throws S3ReconException with code {@code INVALID_CONFIGURATION}, naming the parameter, if
     *     one is null
     */
    public TransferContext {
        S3ReconException.requireSetting(source, "source");
        S3ReconException.requireSetting(destination, "destination");
        S3ReconException.requireSetting(checksumAlgorithm, "checksumAlgorithm");
        S3ReconException.requireSetting(outcomes, "outcomes");
        S3ReconException.requireSetting(clock, "clock");
        S3ReconException.requireSetting(uploads, "uploads");
    }
}
