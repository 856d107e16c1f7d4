package io.github.s3recon.event;

import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import java.time.Instant;
import java.util.Objects;

/**
 * A copy or delete failed for good: a permanent error (403, 404, 400), or a transient one that
 * outlasted the retries. The run goes on; the object is counted as failed in the report.
 *
 * @param at when; not null
 * @param key the key, relative to the locations' prefixes; not null
 * @param action what was attempted; not null
 * @param error what went wrong, naming the bucket, key and fix; not null
 * @param attempts how many attempts were made
 */
public record ObjectFailed(Instant at, String key, TransferAction action, S3ReconException error, int attempts)
        implements MigrationEvent {
    /** Checks for null. */
    public ObjectFailed {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(error, "error");
    }
}
