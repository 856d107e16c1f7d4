package io.github.s3recon.event;

import io.github.s3recon.MigrationState;
import java.time.Instant;
import java.util.Objects;

/**
 * A phase of a run began: {@code LISTING} (the listing and diff of both sides), {@code TRANSFERRING},
 * {@code VERIFYING}, or outside a run {@code VALIDATING} and {@code ESTIMATING}. Paired with one
 * {@link PhaseFinished} of the same phase when the phase ends normally; a phase cut short by a failure
 * or a cancel has none, and the {@link RunFinished} that follows says why (a validation or estimate
 * that throws has none either).
 *
 * @param at when; not null
 * @param phase the phase; not null and not terminal
 */
public record PhaseStarted(Instant at, MigrationState phase) implements MigrationEvent {
    /** Checks for null and that the phase is not terminal. */
    public PhaseStarted {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(phase, "phase");
        if (phase.isTerminal()) {
            throw new IllegalArgumentException("a phase is not a terminal state, was " + phase);
        }
    }
}
