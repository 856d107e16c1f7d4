package io.github.s3recon.internal.run;

import io.github.s3recon.spi.TransferScheduler;
import java.nio.file.Path;

/**
 * What the transfer stage did, over all attempts of the run.
 *
 * @param totals the scheduler's totals, plus what earlier attempts did
 * @param copiedEarlier objects earlier attempts of the run copied (part of the totals)
 * @param bytesCopiedEarlier bytes earlier attempts of the run copied (part of the totals)
 * @param skipped source objects not copied because the destination had them
 * @param failuresFile the failures of the last attempt, one JSON line each
 */
record TransferOutcome(TransferScheduler.TransferTotals totals, long copiedEarlier, long bytesCopiedEarlier,
        long skipped, Path failuresFile) {
}
