package io.github.s3recon.event;

import java.time.Instant;

/**
 * An immutable event of a run, as delivered to a {@link MigrationListener}. The set of events is
 * closed.
 */
public sealed interface MigrationEvent permits StateChanged, ProgressSnapshot, DifferenceFound, ObjectCopied,
        ObjectDeleted, ObjectFailed, TransferRetried, RunFinished, PhaseStarted, PhaseFinished, RunResumed {

    /**
     * Returns when the event happened, by the run's clock.
     *
     * @return the instant; never null
     */
    Instant at();
}
