package io.github.s3recon.testkit;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Measures the peak heap of a stretch of work, for demos, benchmarks and memory tests: a daemon
 * thread samples the heap in use (live objects and garbage not yet collected) every 5 ms and keeps
 * the largest value. Summing the pools' own peaks would overstate it, since pools peak at different
 * moments.
 *
 * <pre>{@code
 * try (HeapPeak peak = HeapPeak.start()) {
 *     work();
 *     System.out.println(peak.bytes());
 * }
 * }</pre>
 *
 * <p>Thread-safe.
 */
public final class HeapPeak implements AutoCloseable {

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final AtomicLong peak = new AtomicLong();
    private final Thread sampler;
    private volatile boolean running = true;

    private HeapPeak() {
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-peak-sampler");
        sampler.setDaemon(true);
    }

    /**
     * Collects garbage, then starts sampling.
     *
     * @return the running measurement; close it to stop sampling
     */
    public static HeapPeak start() {
        System.gc();
        HeapPeak heapPeak = new HeapPeak();
        heapPeak.sample();
        heapPeak.sampler.start();
        return heapPeak;
    }

    private void sample() {
        long used = memory.getHeapMemoryUsage().getUsed();
        peak.accumulateAndGet(used, Math::max);
    }

    /**
     * Returns the largest heap in use seen since {@link #start()}.
     *
     * @return bytes
     */
    public long bytes() {
        sample();
        return peak.get();
    }

    /** Stops sampling. */
    @Override
    public void close() {
        running = false;
        sampler.interrupt();
    }
}
