package io.github.s3recon.internal.run;

import io.github.s3recon.MigrationState;

/**
 * The resumable stages of a run, in the order data flows. A run's resume state names the stage it
 * is at; a resumed run starts there. Listing, diffing and planning are one stage: the plan is
 * final only when the diff is, and each range checkpoints its own listing.
 */
enum Stage {
    /** Lists both sides, diffs them and writes the plan; nothing is written to the destination yet. */
    PLAN(MigrationState.LISTING),
    /** Carries out the plan's actions, with a task journal; the plan is fixed. */
    TRANSFER(MigrationState.TRANSFERRING),
    /** Lists both sides again and diffs them; the transfer's outcome is fixed. */
    VERIFY(MigrationState.VERIFYING);

    private final MigrationState state;

    Stage(MigrationState state) {
        this.state = state;
    }

    /** The state a run resumed at this stage is announced at. */
    MigrationState state() {
        return state;
    }
}
