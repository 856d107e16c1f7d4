package io.github.s3recon.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Measures the peak heap of a stretch of work, for demos, benchmarks and memory tests: the sum over
 * the heap pools of each pool's peak since {@link #reset()}. Pools peak at different moments, so
 * this is an upper bound of the heap used at any one moment (garbage included).
 */
public final class HeapPeak {

    private HeapPeak() {
    }

    /** Collects garbage, then restarts every heap pool's peak from its current usage. */
    public static void reset() {
        System.gc();
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            pool.resetPeakUsage();
        }
    }

    /**
     * Returns the sum of the heap pools' peaks since the last {@link #reset()}.
     *
     * @return bytes
     */
    public static long bytes() {
        long peak = 0;
        for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
            if (pool.getType() == MemoryType.HEAP) {
                peak += pool.getPeakUsage().getUsed();
            }
        }
        return peak;
    }
}
