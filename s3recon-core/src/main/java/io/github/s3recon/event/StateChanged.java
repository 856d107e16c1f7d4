package io.github.s3recon.event;

import io.github.s3recon.MigrationState;
import java.time.Instant;
import java.util.Objects;

/**
 * A run moved from one state to the next.
 *
 * @param at when; not null
 * @param from the state left, or null for the first transition of a run
 * @param to the state entered; not null
 */
public record StateChanged(Instant at, MigrationState from, MigrationState to) implements MigrationEvent {
    /** Checks for null. */
    public StateChanged {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(to, "to");
    }
}
