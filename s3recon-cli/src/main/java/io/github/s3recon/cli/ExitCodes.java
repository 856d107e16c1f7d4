package io.github.s3recon.cli;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;

/** The exit statuses of every command, as documented in {@code s3recon --help}. */
public final class ExitCodes {

    /** In sync: no difference remains (or the checks passed, the plan is empty). */
    public static final int IN_SYNC = 0;
    /** Differences remain (reconcile, run, repair), the plan is not empty, or a check warned. */
    public static final int DIFFERENCES = 1;
    /** Bad usage or configuration: an unknown flag, a malformed location, a refused setting. */
    public static final int USAGE = 2;
    /** The command failed: unreachable endpoint, rejected credentials, a failed check, a refused run. */
    public static final int FAILED = 3;
    /** Cancelled (Ctrl+C, SIGTERM, {@code s3recon cancel}); the checkpoint is saved, run again to resume. */
    public static final int CANCELLED = 130;

    /** The help section that lists them. */
    static final String HELP = "%nExit status:%n"
            + "  0    in sync (no difference remains; checks passed; empty plan)%n"
            + "  1    differences remain (or the plan is not empty)%n"
            + "  2    bad usage or configuration (the message names the flag to fix)%n"
            + "  3    failed (unreachable endpoint, rejected credentials, a failed check, a refused run)%n"
            + "  130  cancelled (Ctrl+C); run the same command again to resume%n";

    private ExitCodes() {
    }

    /**
     * Returns the status for a run that ended.
     *
     * @param state its terminal state; not null
     * @return 0 when the destination matches, 1 when differences remain, 130 cancelled, 3 otherwise
     */
    public static int of(MigrationState state) {
        return switch (state) {
            case COMPLETED -> IN_SYNC;
            case COMPLETED_WITH_DIFFERENCES -> DIFFERENCES;
            case CANCELLED -> CANCELLED;
            default -> FAILED;
        };
    }

    /**
     * Returns the status for a failure.
     *
     * @param code the failure's code; not null
     * @return 2 for a configuration the operator must change, 130 if cancelled, 3 otherwise
     */
    public static int of(ErrorCode code) {
        return switch (code) {
            case INVALID_CONFIGURATION, LOCATIONS_OVERLAP, RESUME_CONFLICT, MISSING_PROVIDER -> USAGE;
            case CANCELLED -> CANCELLED;
            default -> FAILED;
        };
    }
}
