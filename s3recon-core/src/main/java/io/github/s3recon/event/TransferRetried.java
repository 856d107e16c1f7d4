package io.github.s3recon.event;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A request of a transfer failed with a transient error (503 SlowDown, 500, a timeout, a reset
 * connection) and will be tried again after a backoff.
 *
 * @param at when; not null
 * @param key the key whose transfer is retried, relative to the locations' prefixes; not null
 * @param attempt the attempt that failed, from 1
 * @param reason the error, e.g. {@code "503 SlowDown"}; not null, never a secret
 * @param backoff how long the transfer waits before the next attempt; not null
 */
public record TransferRetried(Instant at, String key, int attempt, String reason, Duration backoff)
        implements MigrationEvent {
    /** Checks for null. */
    public TransferRetried {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(reason, "reason");
        Objects.requireNonNull(backoff, "backoff");
    }
}
