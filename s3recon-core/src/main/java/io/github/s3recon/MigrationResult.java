package io.github.s3recon;

import java.util.Objects;

/**
 * The outcome of a run: its terminal state and its report. Immutable and thread-safe.
 *
 * @param state COMPLETED when the destination matches the source, else COMPLETED_WITH_DIFFERENCES
 *     (runs that fail throw instead); not null
 * @param report the report; not null
 */
public record MigrationResult(MigrationState state, ReconciliationReport report) {
    /** Checks for null. */
    public MigrationResult {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(report, "report");
    }
}
