package io.github.s3recon.event;

import io.github.s3recon.MigrationState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * A phase of a run ended normally, with its counts; the end of a {@link PhaseStarted} of the same
 * phase. What the counts mean follows the phase's {@link ProgressSnapshot}s: in {@code LISTING} and
 * {@code VERIFYING} the objects (and bytes) listed on both sides; in {@code TRANSFERRING} the actions
 * of the fix plan done (copied, deleted, failed, or found done by an earlier attempt) and the bytes
 * copied; in {@code ESTIMATING} the source objects and bytes estimated; in {@code VALIDATING} zero.
 *
 * @param at when; not null
 * @param phase the phase; not null and not terminal
 * @param objects objects done in the phase; not negative
 * @param bytes bytes done in the phase; not negative
 * @param duration how long the phase took in this process; not null
 */
public record PhaseFinished(Instant at, MigrationState phase, long objects, long bytes, Duration duration)
        implements MigrationEvent {
    /** Checks for null, negative counts and that the phase is not terminal. */
    public PhaseFinished {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(duration, "duration");
        if (phase.isTerminal()) {
            throw new IllegalArgumentException("a phase is not a terminal state, was " + phase);
        }
        if (objects < 0 || bytes < 0) {
            throw new IllegalArgumentException("phase counts must not be negative, were " + objects + " objects, "
                    + bytes + " bytes");
        }
    }
}
