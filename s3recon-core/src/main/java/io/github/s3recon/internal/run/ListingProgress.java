package io.github.s3recon.internal.run;

import io.github.s3recon.MergeDiff;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import java.time.Instant;
import java.util.Iterator;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts what the listings of all ranges have read, for the progress of a listing pass. What a
 * range's checkpoint says an earlier attempt listed counts as done, but not in the rate.
 * Thread-safe: every range's thread counts here.
 */
final class ListingProgress {
    private final LongAdder sourceObjects = new LongAdder();
    private final LongAdder sourceBytes = new LongAdder();
    private final LongAdder destinationObjects = new LongAdder();
    private final LongAdder destinationBytes = new LongAdder();
    private final LongAdder restoredObjects = new LongAdder();
    private final LongAdder restoredBytes = new LongAdder();
    private final RunContext run;
    private final long expectedObjects;
    private final ProgressEmitter emitter;

    /**
     * @param expectedObjects how many objects the listing will see on both sides, or -1 if not known
     */
    ListingProgress(RunContext run, MigrationState phase, Instant phaseStart, long expectedObjects) {
        this.run = run;
        this.expectedObjects = expectedObjects;
        this.emitter = new ProgressEmitter(run, phase, phaseStart);
    }

    /** Counts a side's entries as they are read, and stops the listing once the run is cancelled. */
    Iterator<ObjectEntry> counting(MergeDiff.Side side, Iterator<ObjectEntry> entries, Runnable checkStopped) {
        boolean isSource = side == MergeDiff.Side.SOURCE;
        return new Iterator<>() {
            private long n;

            @Override
            public boolean hasNext() {
                checkStopped.run();
                return entries.hasNext();
            }

            @Override
            public ObjectEntry next() {
                ObjectEntry e = entries.next();
                if (isSource) {
                    sourceObjects.increment();
                    sourceBytes.add(e.size());
                } else {
                    destinationObjects.increment();
                    destinationBytes.add(e.size());
                }
                if ((++n & 1023) == 0) {
                    emit(false);
                }
                return e;
            }
        };
    }

    /** Counts what a range's checkpoint says was listed before the run stopped: done, but not in the rate. */
    void restored(Tally tally) {
        sourceObjects.add(tally.sourceObjects);
        sourceBytes.add(tally.sourceBytes);
        destinationObjects.add(tally.destinationObjects);
        destinationBytes.add(tally.destinationBytes);
        restoredObjects.add(tally.sourceObjects + tally.destinationObjects);
        restoredBytes.add(tally.sourceBytes + tally.destinationBytes);
    }

    /** Takes back what an abandoned attempt counted (and what it had restored), before its range starts over. */
    void forget(Tally tally, Tally restored) {
        sourceObjects.add(-tally.sourceObjects);
        sourceBytes.add(-tally.sourceBytes);
        destinationObjects.add(-tally.destinationObjects);
        destinationBytes.add(-tally.destinationBytes);
        restoredObjects.add(-(restored.sourceObjects + restored.destinationObjects));
        restoredBytes.add(-(restored.sourceBytes + restored.destinationBytes));
    }

    void emit(boolean force) {
        emitter.emit(force, () -> {
            long so = Math.max(0, sourceObjects.sum());
            long sb = Math.max(0, sourceBytes.sum());
            long d = Math.max(0, destinationObjects.sum());
            long db = Math.max(0, destinationBytes.sum());
            long total = expectedObjects < 0 ? -1 : Math.max(expectedObjects, so + d);
            return new ProgressEmitter.Counts(so + d, total, sb + db, -1, so + d - restoredObjects.sum(),
                    sb + db - restoredBytes.sum(), so, sb, d, db);
        });
    }
}
