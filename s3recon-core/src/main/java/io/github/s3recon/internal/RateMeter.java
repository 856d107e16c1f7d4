package io.github.s3recon.internal;

import java.time.Duration;
import java.time.Instant;

/**
 * Rates as a moving average over the last samples, and the ETA they give. A sample is taken per
 * progress snapshot; the rate is the change between the oldest kept sample and the newest over the
 * time between them, so that a burst or a stall moves the rate for a few snapshots, not for the
 * whole run. Not thread-safe: its caller synchronizes.
 */
public final class RateMeter {

    private final int capacity;
    private final long[] millis;
    private final long[] objects;
    private final long[] bytes;
    private int count;
    private int newest = -1;

    /**
     * Creates a meter.
     *
     * @param samples how many samples the average spans, at least 2
     */
    public RateMeter(int samples) {
        if (samples < 2) {
            throw new IllegalArgumentException("a moving average needs at least 2 samples");
        }
        this.capacity = samples;
        this.millis = new long[samples];
        this.objects = new long[samples];
        this.bytes = new long[samples];
    }

    /**
     * Adds a sample, dropping the oldest when the meter is full.
     *
     * @param at when
     * @param objectsDone objects done by then
     * @param bytesDone bytes done by then
     */
    public void sample(Instant at, long objectsDone, long bytesDone) {
        newest = (newest + 1) % capacity;
        millis[newest] = at.toEpochMilli();
        objects[newest] = objectsDone;
        bytes[newest] = bytesDone;
        count = Math.min(count + 1, capacity);
    }

    private int oldest() {
        return count < capacity ? 0 : (newest + 1) % capacity;
    }

    private double perSecond(long[] values) {
        if (count < 2) {
            return 0;
        }
        int o = oldest();
        long ms = millis[newest] - millis[o];
        return ms <= 0 ? 0 : Math.max(0, (values[newest] - values[o]) * 1000.0 / ms);
    }

    /**
     * Returns objects per second over the kept samples.
     *
     * @return the rate; 0 with fewer than two samples or no time between them
     */
    public double objectsPerSecond() {
        return perSecond(objects);
    }

    /**
     * Returns bytes per second over the kept samples.
     *
     * @return the rate; 0 with fewer than two samples or no time between them
     */
    public double bytesPerSecond() {
        return perSecond(bytes);
    }

    /**
     * Returns the time left: the longer of (objects left / objects per second) and (bytes left /
     * bytes per second), each counted only when its total is known and something is left.
     *
     * @param objectsDone objects done
     * @param objectsTotal objects in all, or -1 if not known
     * @param bytesDone bytes done
     * @param bytesTotal bytes in all, or -1 if not known
     * @return the ETA, zero when nothing is left, or null when it cannot be told (a total is not
     *     known, or something is left at a rate of 0)
     */
    public Duration eta(long objectsDone, long objectsTotal, long bytesDone, long bytesTotal) {
        if (objectsTotal < 0 && bytesTotal < 0) {
            return null;
        }
        double seconds = 0;
        long objectsLeft = objectsTotal < 0 ? 0 : Math.max(0, objectsTotal - objectsDone);
        long bytesLeft = bytesTotal < 0 ? 0 : Math.max(0, bytesTotal - bytesDone);
        if (objectsLeft > 0) {
            double rate = objectsPerSecond();
            if (rate <= 0) {
                return null;
            }
            seconds = objectsLeft / rate;
        }
        if (bytesLeft > 0) {
            double rate = bytesPerSecond();
            if (rate <= 0) {
                return null;
            }
            seconds = Math.max(seconds, bytesLeft / rate);
        }
        return Duration.ofMillis(Math.round(seconds * 1000));
    }
}
