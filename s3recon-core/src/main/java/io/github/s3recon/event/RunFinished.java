package io.github.s3recon.event;

import io.github.s3recon.MigrationState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * The run ended; exactly one per run, always the last event.
 *
 * @param at when; not null
 * @param state the terminal state; not null
 * @param duration how long the run took; not null
 * @param failure what made the run fail, or null unless the state is {@code FAILED}
 */
public record RunFinished(Instant at, MigrationState state, Duration duration, Throwable failure)
        implements MigrationEvent {
    /** Checks for null and that the state is terminal. */
    public RunFinished {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(duration, "duration");
        if (!state.isTerminal()) {
            throw new IllegalArgumentException("a run finishes in a terminal state, not " + state);
        }
    }
}
