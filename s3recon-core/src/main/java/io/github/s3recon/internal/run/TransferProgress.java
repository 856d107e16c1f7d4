package io.github.s3recon.internal.run;

import io.github.s3recon.LocationSummary;
import io.github.s3recon.MigrationState;
import java.time.Instant;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counts the plan's actions done, for the progress of the transfer: those of this attempt (in the
 * rate) and those earlier attempts did (done, not in the rate). Thread-safe: the scheduler's
 * threads count here.
 */
final class TransferProgress {
    private final long objectsTotal;
    private final long bytesTotal;
    private final Comparison before;
    private final LongAdder objects = new LongAdder();
    private final LongAdder bytes = new LongAdder();
    private final LongAdder earlierObjects = new LongAdder();
    private final LongAdder earlierBytes = new LongAdder();
    private final ProgressEmitter emitter;

    /**
     * @param before the comparison the plan was made from (its sides' totals are shown), or null for a repair
     */
    TransferProgress(RunContext run, Instant phaseStart, long objectsTotal, long bytesTotal, Comparison before) {
        this.objectsTotal = objectsTotal;
        this.bytesTotal = bytesTotal;
        this.before = before;
        this.emitter = new ProgressEmitter(run, MigrationState.TRANSFERRING, phaseStart);
    }

    /** Counts actions done in this attempt. */
    void done(long n, long b) {
        objects.add(n);
        bytes.add(b);
    }

    /** Counts actions an earlier attempt did: done, but not part of this attempt's rate. */
    void earlier(long n, long b) {
        earlierObjects.add(n);
        earlierBytes.add(b);
    }

    void emit(boolean force) {
        emitter.emit(force, () -> {
            long o = objects.sum();
            long b = bytes.sum();
            LocationSummary src = before == null ? null : before.source();
            LocationSummary dst = before == null ? null : before.destination();
            return new ProgressEmitter.Counts(objectsDone(), objectsTotal, bytesDone(), bytesTotal, o, b,
                    src == null ? 0 : src.objects(), src == null ? 0 : src.bytes(), dst == null ? 0 : dst.objects(),
                    dst == null ? 0 : dst.bytes());
        });
    }

    /** Actions done, in this attempt and earlier ones. */
    long objectsDone() {
        return objects.sum() + earlierObjects.sum();
    }

    /** Bytes copied, in this attempt and earlier ones. */
    long bytesDone() {
        return bytes.sum() + earlierBytes.sum();
    }
}
