package io.github.s3recon.event;

import io.github.s3recon.MigrationState;
import java.time.Instant;
import java.util.Objects;

/**
 * The run goes on from the checkpoint of an unfinished run of the same configuration (killed,
 * cancelled or failed) instead of starting over. Sent once, right after the {@link StateChanged}
 * into {@code INITIALIZING}; a run that starts afresh sends none.
 *
 * @param at when; not null
 * @param runId the id of the run resumed, as in {@code MigrationHistory}; not null
 * @param phase the phase the run resumes in: {@code LISTING}, {@code TRANSFERRING} or
 *     {@code VERIFYING}; not null
 * @param attempt which attempt of the run this is: 2 for the first resume; at least 2
 */
public record RunResumed(Instant at, String runId, MigrationState phase, int attempt) implements MigrationEvent {
    /** Checks for null and the attempt number. */
    public RunResumed {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(phase, "phase");
        if (attempt < 2) {
            throw new IllegalArgumentException("a resumed run is at least its second attempt, was " + attempt);
        }
    }
}
