package io.github.s3recon.internal.run;

import io.github.s3recon.KeyRange;
import java.util.List;

/**
 * Where a run is, as its checkpoint keeps it (through {@link ResumeCodec}): the stage, the key
 * ranges it lists (a resume lists the same ones), and what the finished stages produced.
 *
 * @param stage the stage the run is at
 * @param ranges the key ranges, in key order, or null before they are planned
 * @param before what the plan stage produced, or null before it finished
 * @param planBytes the plan file's size when the plan stage finished, or -1
 * @param submitted the last plan action announced as submitted (the transfer checks the actions up to it
 *     before redoing them at a resume), or -1
 * @param transfer what the transfer stage did, or null before it finished
 */
record ResumeState(Stage stage, List<KeyRange> ranges, Comparison before, long planBytes, long submitted,
        TransferOutcome transfer) {

    /** The state of a run that has just begun. */
    static final ResumeState STARTED = new ResumeState(Stage.PLAN, null, null, -1, -1, null);

    ResumeState withRanges(List<KeyRange> value) {
        return new ResumeState(stage, List.copyOf(value), before, planBytes, submitted, transfer);
    }

    /** The plan stage is over: the transfer starts from this plan. */
    ResumeState planned(Comparison value, long bytes) {
        return new ResumeState(Stage.TRANSFER, ranges, value, bytes, -1, null);
    }

    ResumeState withSubmitted(long value) {
        return new ResumeState(stage, ranges, before, planBytes, value, transfer);
    }

    /** The transfer stage is over: the verification comes next. */
    ResumeState transferred(TransferOutcome value) {
        return new ResumeState(Stage.VERIFY, ranges, before, planBytes, submitted, value);
    }
}
