package io.github.s3recon;

/**
 * The phases of a run, in the order they happen, then exactly one terminal state.
 */
public enum MigrationState {
    /** The run is being set up (work directory, store). */
    INITIALIZING,
    /** Credentials and bucket access are being checked. */
    VALIDATING,
    /** Object counts and sizes are being estimated. */
    ESTIMATING,
    /** Both sides are being listed. */
    LISTING,
    /** The listings are being compared (in a streaming run, together with listing). */
    COMPARING,
    /** Objects are being copied. */
    TRANSFERRING,
    /** Copied objects are being verified. */
    VERIFYING,
    /** The report is being written. */
    REPORTING,
    /** Terminal: the run finished and the destination matches the source. */
    COMPLETED,
    /** Terminal: the run finished and differences remain (see the report). */
    COMPLETED_WITH_DIFFERENCES,
    /** Terminal: the run stopped on an error. */
    FAILED,
    /** Terminal: the run was cancelled. */
    CANCELLED;

    /**
     * Returns whether this state ends a run.
     *
     * @return true for COMPLETED, COMPLETED_WITH_DIFFERENCES, FAILED and CANCELLED
     */
    public boolean isTerminal() {
        return ordinal() >= COMPLETED.ordinal();
    }
}
