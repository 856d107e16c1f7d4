package io.github.s3recon.internal.run;

import io.github.s3recon.KeyRange;
import io.github.s3recon.internal.DifferencesJson;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;

/**
 * Saves a range's progress now and then: every {@code s3recon.checkpoint.every} decided keys (1,000)
 * or every second, whichever comes first. The range's files are flushed first, so that the offsets
 * the checkpoint records are in them. Used by the range's thread only.
 */
final class RangeCheckpointer {

    /** Decided keys between two listing checkpoints of a range (at most a second apart as well). */
    private static final int CHECKPOINT_EVERY = Integer.getInteger("s3recon.checkpoint.every", 1000);

    private final RunContext run;
    private final String runId;
    private final DiffPass pass;
    private final int index;
    private final KeyRange range;
    private final DifferencesJson.Writer differences;
    private final DifferencesJson.Writer plan;
    private final Tally tally;
    private final boolean enabled;
    private final Runnable checkStopped;
    private int sinceLast;
    private long lastNanos = System.nanoTime();

    /**
     * @param enabled false when the range sorts a side in the store: its listing cannot resume in the middle
     * @param checkStopped throws when the run was cancelled or another range failed
     */
    RangeCheckpointer(RunContext run, String runId, DiffPass pass, int index, KeyRange range,
            DifferencesJson.Writer differences, DifferencesJson.Writer plan, Tally tally, boolean enabled,
            Runnable checkStopped) {
        this.run = run;
        this.runId = runId;
        this.pass = pass;
        this.index = index;
        this.range = range;
        this.differences = differences;
        this.plan = plan;
        this.tally = tally;
        this.enabled = enabled;
        this.checkStopped = checkStopped;
    }

    /** A key is decided on both sides. */
    void decided(String key) {
        checkStopped.run();
        if (!enabled) {
            return;
        }
        // The clock is read every 64 keys only: at millions of keys per second it would show.
        if (++sinceLast >= CHECKPOINT_EVERY
                || (sinceLast & 63) == 0 && System.nanoTime() - lastNanos >= 1_000_000_000L) {
            save(key, false);
        }
    }

    void save(String key, boolean done) {
        long d = differences.checkpoint();
        long p = plan == null ? 0 : plan.checkpoint();
        run.checkpoints.saveRange(runId, new RangeCheckpoint(pass, index, range.startAfter(), range.endInclusive(),
                key, d, p, ResumeCodec.encode(tally), done));
        sinceLast = 0;
        lastNanos = System.nanoTime();
    }

    /** Records that a range starts over from nothing: so must a resume if the run stops while it does. */
    static void restart(RunContext run, String runId, DiffPass pass, int index, KeyRange range) {
        run.checkpoints.saveRange(runId, new RangeCheckpoint(pass, index, range.startAfter(), range.endInclusive(),
                null, 0, 0, ResumeCodec.encode(new Tally()), false));
    }
}
