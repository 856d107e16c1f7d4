package io.github.s3recon.event;

import io.github.s3recon.Difference;
import java.time.Instant;
import java.util.Objects;

/**
 * A difference between source and destination was established.
 *
 * <p>Differences of a key range are delivered once that range's comparison is final, in key
 * order within the range.
 *
 * @param at when; not null
 * @param difference the difference; not null
 */
public record DifferenceFound(Instant at, Difference difference) implements MigrationEvent {
    /** Checks for null. */
    public DifferenceFound {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(difference, "difference");
    }
}
