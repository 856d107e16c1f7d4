package io.github.s3recon.event;

import io.github.s3recon.MigrationState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How far a run has come. Snapshots are throttled (at most one per progress interval) and one is
 * always sent when a phase ends, so that the last snapshot of a phase has its final counts.
 *
 * @param at when; not null
 * @param phase the phase this snapshot measures; not null
 * @param sourceObjects objects listed on the source so far
 * @param sourceBytes bytes of the objects listed on the source so far
 * @param destinationObjects objects listed on the destination so far
 * @param destinationBytes bytes of the objects listed on the destination so far
 * @param elapsed time since the phase started; not null
 */
public record ProgressSnapshot(Instant at, MigrationState phase, long sourceObjects, long sourceBytes,
        long destinationObjects, long destinationBytes, Duration elapsed) implements MigrationEvent {

    /** Checks for null and negative counts. */
    public ProgressSnapshot {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(elapsed, "elapsed");
        if (sourceObjects < 0 || sourceBytes < 0 || destinationObjects < 0 || destinationBytes < 0) {
            throw new IllegalArgumentException("progress counts must not be negative");
        }
    }

    /**
     * Returns the objects listed per second on both sides together since the phase started.
     *
     * @return the rate; 0 before any time has passed
     */
    public double objectsPerSecond() {
        long millis = elapsed.toMillis();
        return millis <= 0 ? 0 : (sourceObjects + destinationObjects) * 1000.0 / millis;
    }
}
