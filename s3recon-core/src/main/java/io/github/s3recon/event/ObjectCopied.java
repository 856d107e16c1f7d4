package io.github.s3recon.event;

import io.github.s3recon.Checksum;
import io.github.s3recon.TransferMode;
import java.time.Instant;
import java.util.Objects;

/**
 * An object was copied to the destination (and, for a copy over an existing object, replaced it).
 *
 * @param at when; not null
 * @param key the key, relative to the locations' prefixes; not null
 * @param bytes the object's size
 * @param mode server-side or relayed; not null
 * @param attempts how many attempts it took, 1 without retries
 * @param checksum the checksum computed while relaying, or null (a server-side copy)
 */
public record ObjectCopied(Instant at, String key, long bytes, TransferMode mode, int attempts, Checksum checksum)
        implements MigrationEvent {
    /** Checks for null. */
    public ObjectCopied {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(mode, "mode");
    }
}
