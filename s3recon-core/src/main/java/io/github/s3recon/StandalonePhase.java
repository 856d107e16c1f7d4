package io.github.s3recon;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.StateChanged;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

/**
 * A validation or an estimate as its listeners see it: a {@link StateChanged} into its state and a
 * {@link PhaseStarted}, then a {@link PhaseFinished} with its counts and duration. Not a run: no
 * RunFinished follows. Used by one thread.
 */
final class StandalonePhase {

    private final MigrationListener to;
    private final Clock clock;
    private final MigrationState phase;
    private final Instant started;

    private StandalonePhase(MigrationListener to, Clock clock, MigrationState phase) {
        this.to = to;
        this.clock = clock;
        this.phase = phase;
        this.started = clock.instant();
    }

    /**
     * Announces the phase.
     *
     * @param to the (isolating) listeners
     * @param clock stamps the events
     * @param phase VALIDATING or ESTIMATING
     * @return the phase, to finish
     */
    static StandalonePhase start(MigrationListener to, Clock clock, MigrationState phase) {
        StandalonePhase p = new StandalonePhase(to, clock, phase);
        to.onStateChanged(new StateChanged(p.started, null, phase));
        to.onPhaseStarted(new PhaseStarted(p.started, phase));
        return p;
    }

    /**
     * Announces the end of the phase.
     *
     * @param objects the objects it covered; 0 when it counts none
     * @param bytes the bytes it covered
     */
    void finish(long objects, long bytes) {
        Instant now = clock.instant();
        Duration took = Duration.between(started, now);
        to.onPhaseFinished(new PhaseFinished(now, phase, Math.max(0, objects), Math.max(0, bytes),
                took.isNegative() ? Duration.ZERO : took));
    }
}
