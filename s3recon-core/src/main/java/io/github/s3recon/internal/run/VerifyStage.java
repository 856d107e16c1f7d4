package io.github.s3recon.internal.run;

import io.github.s3recon.KeyRange;
import io.github.s3recon.MigrationState;
import io.github.s3recon.Verification;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import java.util.List;

/**
 * The verify stage: after the transfer, both sides are listed and diffed again (by sizes, checksums
 * or bytes, as the migration's verification says); with {@link Verification#NONE} the plan's
 * comparison stands, and the run completes only if every planned fix was made.
 */
final class VerifyStage {

    /**
     * What the verification found.
     *
     * @param comparison the comparison the report is made of
     * @param terminal how the run ends
     * @param verification how it was verified
     */
    record Verified(Comparison comparison, MigrationState terminal, Verification verification) {
    }

    private VerifyStage() {
    }

    /**
     * @param before the plan's comparison, or null for a repair
     */
    static Verified run(RunContext run, RunLifecycle lifecycle, List<KeyRange> ranges, Comparison before,
            TransferOutcome outcome) {
        lifecycle.transition(MigrationState.VERIFYING);
        Verification verification = run.settings.verification();
        long failed = outcome.totals().objectsFailed();
        if (verification == Verification.NONE && before != null) {
            lifecycle.phaseFinished(MigrationState.VERIFYING, lifecycle.phaseStarted(MigrationState.VERIFYING), 0, 0);
            MigrationState terminal = failed == 0 && before.counts().differences() == before.plannedFixes()
                    ? MigrationState.COMPLETED : MigrationState.COMPLETED_WITH_DIFFERENCES;
            return new Verified(before, terminal, verification);
        }
        Verification mode = verification == Verification.NONE ? Verification.SIZE : verification;
        long expected = before == null ? -1 : before.source().objects() * 2;
        Comparison c = new DiffStage(run, lifecycle, DiffPass.VERIFY, mode, false).run(ranges, "differences.jsonl",
                null, MigrationState.VERIFYING, expected);
        DiffStage.deliver(run, c.differencesFile());
        MigrationState terminal = failed == 0 && c.counts().differences() == 0 ? MigrationState.COMPLETED
                : MigrationState.COMPLETED_WITH_DIFFERENCES;
        return new Verified(c, terminal, mode);
    }
}
