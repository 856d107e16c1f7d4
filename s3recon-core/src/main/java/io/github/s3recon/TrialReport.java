package io.github.s3recon;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * What {@link Migration#trial(int)} did: the objects it copied under the trial prefix, how they
 * verified, the rate it measured, and whether it left anything behind.
 *
 * @param source the source, as {@code s3://bucket/prefix} or the source's description; not null
 * @param prefix where the copies were written, as {@code s3://bucket/prefix/_test/}; not null
 * @param objects the objects tried (at most the number asked for)
 * @param copied of those, the ones copied
 * @param verified of the copied ones, those read back equal to their source byte for byte
 * @param bytes the bytes copied
 * @param elapsed how long the copies took (not the verification nor the cleanup); not null
 * @param failures one line per object that failed to copy or verify, and per copy that could not
 *     be deleted (key and reason, no secret); not null
 * @param leftBehind trial objects that could not be deleted (they are in {@code failures})
 */
public record TrialReport(String source, String prefix, int objects, int copied, int verified, long bytes,
        Duration elapsed, List<String> failures, int leftBehind) {

    /** Checks for null; copies the failures. */
    public TrialReport {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(prefix, "prefix");
        Objects.requireNonNull(elapsed, "elapsed");
        failures = List.copyOf(failures);
    }

    /**
     * Returns whether every object tried was copied and verified, and nothing was left behind.
     *
     * @return true when the trial passed
     */
    public boolean passed() {
        return copied == objects && verified == copied && leftBehind == 0 && failures.isEmpty();
    }

    /**
     * Returns the measured rate in objects per second.
     *
     * @return the rate; 0 when nothing was copied
     */
    public double objectsPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : copied / s;
    }

    /**
     * Returns the measured rate in bytes per second.
     *
     * @return the rate; 0 when nothing was copied
     */
    public double bytesPerSecond() {
        double s = elapsed.toNanos() / 1e9;
        return s <= 0 ? 0 : bytes / s;
    }

    /** Returns one line: passed or not, counts and rate. */
    @Override
    public String toString() {
        return "trial of " + source + " into " + prefix + ": " + (passed() ? "passed" : "FAILED") + ", " + copied + "/"
                + objects + " copied, " + verified + " verified, " + bytes + " bytes in " + elapsed.toMillis() + " ms ("
                + String.format(java.util.Locale.ROOT, "%.1f objects/s, %.2f MB/s", objectsPerSecond(),
                        bytesPerSecond() / 1e6) + ")" + (leftBehind > 0 ? ", " + leftBehind + " LEFT BEHIND" : "")
                + (failures.isEmpty() ? "" : "; failures: " + failures);
    }
}
