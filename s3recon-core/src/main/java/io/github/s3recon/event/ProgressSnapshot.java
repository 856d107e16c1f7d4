package io.github.s3recon.event;

import io.github.s3recon.DataSize;
import io.github.s3recon.MigrationState;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * How far a phase of a run has come. Snapshots are throttled (at most one per progress interval)
 * and one is always sent when a phase ends, so that the last snapshot of a phase has its final
 * counts.
 *
 * <p>What "done" counts depends on the phase: in LISTING and VERIFYING, the objects (and their
 * bytes) listed on both sides; in TRANSFERRING, the objects of the fix plan that were copied,
 * deleted, failed or found done already, and the bytes copied. The rates are a moving average
 * over the last snapshots (about the last ten progress intervals), and the ETA divides what
 * remains by them.
 *
 * @param at when; not null
 * @param phase the phase this snapshot measures; not null
 * @param objectsDone objects done in this phase
 * @param objectsTotal objects this phase will do, or -1 when it is not known (a first listing)
 * @param bytesDone bytes done in this phase
 * @param bytesTotal bytes this phase will do, or -1 when it is not known
 * @param objectsPerSecond objects done per second, as a moving average; 0 before two snapshots
 * @param bytesPerSecond bytes done per second, as a moving average; 0 before two snapshots
 * @param eta the time left, from the moving averages: the longer of what the objects left and the
 *     bytes left need; null when the total or the rate is not known
 * @param sourceObjects objects listed on the source so far (in TRANSFERRING, those the plan was made from)
 * @param sourceBytes bytes of those objects
 * @param destinationObjects objects listed on the destination so far (in TRANSFERRING, before copying)
 * @param destinationBytes bytes of those objects
 * @param elapsed time since the phase started (in this process); not null
 * @param resumed whether the run was resumed from an earlier attempt's checkpoint: the done counts
 *     then include what earlier attempts did, the rates and the ETA only this attempt's work
 */
public record ProgressSnapshot(Instant at, MigrationState phase, long objectsDone, long objectsTotal, long bytesDone,
        long bytesTotal, double objectsPerSecond, double bytesPerSecond, Duration eta, long sourceObjects,
        long sourceBytes, long destinationObjects, long destinationBytes, Duration elapsed, boolean resumed)
        implements MigrationEvent {

    /**
     * A snapshot of a run that was not resumed.
     *
     * @param at when; not null
     * @param phase the phase; not null
     * @param objectsDone objects done in this phase
     * @param objectsTotal objects this phase will do, or -1
     * @param bytesDone bytes done in this phase
     * @param bytesTotal bytes this phase will do, or -1
     * @param objectsPerSecond objects done per second
     * @param bytesPerSecond bytes done per second
     * @param eta the time left, or null
     * @param sourceObjects objects listed on the source
     * @param sourceBytes bytes of those objects
     * @param destinationObjects objects listed on the destination
     * @param destinationBytes bytes of those objects
     * @param elapsed time since the phase started; not null
     */
    public ProgressSnapshot(Instant at, MigrationState phase, long objectsDone, long objectsTotal, long bytesDone,
            long bytesTotal, double objectsPerSecond, double bytesPerSecond, Duration eta, long sourceObjects,
            long sourceBytes, long destinationObjects, long destinationBytes, Duration elapsed) {
        this(at, phase, objectsDone, objectsTotal, bytesDone, bytesTotal, objectsPerSecond, bytesPerSecond, eta,
                sourceObjects, sourceBytes, destinationObjects, destinationBytes, elapsed, false);
    }

    /** Checks for null and negative counts. */
    public ProgressSnapshot {
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(phase, "phase");
        Objects.requireNonNull(elapsed, "elapsed");
        if (objectsDone < 0 || bytesDone < 0 || objectsTotal < -1 || bytesTotal < -1 || sourceObjects < 0
                || sourceBytes < 0 || destinationObjects < 0 || destinationBytes < 0 || objectsPerSecond < 0
                || bytesPerSecond < 0) {
            throw new IllegalArgumentException("progress counts and rates must not be negative");
        }
    }

    /**
     * Describes the snapshot in one line, e.g. {@code TRANSFERRING 1,200/5,000 objects, 1.2 GiB/4.0 GiB,
     * 85 objects/s, 12.0 MiB/s, ETA 0:00:44}; a resumed run's phase reads {@code TRANSFERRING (resumed)}.
     *
     * @return the line
     */
    public String describe() {
        StringBuilder b = new StringBuilder().append(phase).append(resumed ? " (resumed) " : " ")
                .append(String.format(java.util.Locale.ROOT, "%,d", objectsDone));
        if (objectsTotal >= 0) {
            b.append(String.format(java.util.Locale.ROOT, "/%,d", objectsTotal));
        }
        b.append(" objects, ").append(DataSize.ofBytes(bytesDone).approximate());
        if (bytesTotal >= 0) {
            b.append('/').append(DataSize.ofBytes(bytesTotal).approximate());
        }
        b.append(String.format(java.util.Locale.ROOT, ", %,.0f objects/s, %s/s", objectsPerSecond,
                DataSize.ofBytes((long) bytesPerSecond).approximate()));
        if (eta != null) {
            long s = eta.toSeconds();
            b.append(String.format(java.util.Locale.ROOT, ", ETA %d:%02d:%02d", s / 3600, s / 60 % 60, s % 60));
        }
        return b.toString();
    }

    /**
     * Returns the share of the phase's objects done.
     *
     * @return between 0 and 1, or -1 when the total is not known
     */
    public double fractionDone() {
        if (objectsTotal < 0) {
            return -1;
        }
        return objectsTotal == 0 ? 1 : Math.min(1, (double) objectsDone / objectsTotal);
    }
}
