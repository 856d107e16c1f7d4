package io.github.s3recon.internal.run;

import io.github.s3recon.MigrationState;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.internal.RateMeter;
import java.time.Duration;
import java.time.Instant;
import java.util.function.Supplier;

/**
 * Sends a phase's progress snapshots to the listeners, at most one per progress interval unless
 * forced, with rates over a moving window. The stages count; this class times and sends. Thread-safe.
 */
final class ProgressEmitter {

    /**
     * What a stage has counted when a snapshot is due.
     *
     * @param done objects done, over all attempts
     * @param total objects the phase will do, or -1 when not known
     * @param bytesDone bytes done, over all attempts
     * @param bytesTotal bytes the phase will do, or -1
     * @param rateObjects objects done by this attempt (what the rates are measured on)
     * @param rateBytes bytes done by this attempt
     * @param sourceObjects objects listed on the source
     * @param sourceBytes bytes of those
     * @param destinationObjects objects listed on the destination
     * @param destinationBytes bytes of those
     */
    record Counts(long done, long total, long bytesDone, long bytesTotal, long rateObjects, long rateBytes,
            long sourceObjects, long sourceBytes, long destinationObjects, long destinationBytes) {
    }

    private final RunContext run;
    private final MigrationState phase;
    private final Instant phaseStart;
    private final RateMeter rates = new RateMeter(10);
    private Instant lastEmitted;

    ProgressEmitter(RunContext run, MigrationState phase, Instant phaseStart) {
        this.run = run;
        this.phase = phase;
        this.phaseStart = phaseStart;
        this.lastEmitted = phaseStart;
        rates.sample(phaseStart, 0, 0);
    }

    /** Sends a snapshot if one is due (or forced); the counts are read only then. */
    synchronized void emit(boolean force, Supplier<Counts> counts) {
        Instant now = run.clock.instant();
        if (!force && Duration.between(lastEmitted, now).compareTo(run.settings.progressInterval()) < 0) {
            return;
        }
        lastEmitted = now;
        Counts c = counts.get();
        rates.sample(now, Math.max(0, c.rateObjects()), Math.max(0, c.rateBytes()));
        run.listener.onProgress(new ProgressSnapshot(now, phase, c.done(), c.total(), c.bytesDone(), c.bytesTotal(),
                rates.objectsPerSecond(), rates.bytesPerSecond(), rates.eta(c.done(), c.total(), c.bytesDone(),
                        c.bytesTotal()), c.sourceObjects(), c.sourceBytes(), c.destinationObjects(),
                c.destinationBytes(), Duration.between(phaseStart, now), run.resumed()));
    }
}
