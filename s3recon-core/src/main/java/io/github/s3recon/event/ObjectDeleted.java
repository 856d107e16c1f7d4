package io.github.s3recon.event;

import java.time.Instant;
import java.util.Objects;

/**
 * An extraneous object was deleted from the destination.
 *
 * @param at when; not null
 * @param key the key, relative to the destination's prefix; not null
 * @param attempts how many attempts it took, 1 without retries
 */
public record ObjectDeleted(Instant at, String key, int attempts) implements MigrationEvent {
    /** Checks for null. */
    public ObjectDeleted {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(key, "key");
    }
}
