package io.github.s3recon;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What {@code Migration.estimate()} found: how many objects and bytes the source holds (in scope of
 * the include and exclude globs), a size histogram by transfer lane, the rates measured against the
 * source, and a rough projection of how long a migration takes.
 *
 * <p>The counts come from a full listing ({@link Basis#FULL_LISTING}, exact), or, for very large
 * buckets, from a sample: some of the source's key ranges listed in full and the counts multiplied
 * by the share of ranges listed ({@link Basis#EXTRAPOLATED}; ranges differ in size, so this is an
 * approximation), or, when the source could not be split and the listing was stopped, what was
 * listed ({@link Basis#LOWER_BOUND}).
 *
 * <p>The projection is rough: it assumes that the measured per-stream rates hold for every stream,
 * that streams add up without limit, and that the destination accepts writes as fast as the source
 * serves reads; throttling, bandwidth limits, the in-flight byte budget and server-side copies (which
 * move no bytes through the client) all change the real duration. Use it for orders of magnitude.
 *
 * <p>Immutable and thread-safe. No component is null.
 *
 * @param source the source location, as {@code s3://bucket/prefix}; not null
 * @param objects the number of objects in scope (estimated unless {@link #isExact()}); 0 or more
 * @param bytes their total size in bytes (estimated unless {@link #isExact()}); 0 or more
 * @param keys the number of keys under the prefix, in scope or not (what a listing reads); at least
 *     {@code objects}
 * @param basis how the counts were obtained; not null
 * @param keysListed how many keys were actually listed; 0 or more
 * @param rangesListed how many of the planned key ranges were listed in full
 * @param rangesPlanned how many key ranges the source was split into (1 if not split); at least 1
 * @param smallObjectThreshold objects of this size or more go to the large lane, smaller ones to
 *     the small lane; positive
 * @param histogram the objects by lane and power-of-two size bucket, in size order, empty buckets
 *     left out; not null (copied)
 * @param rates what was measured; not null
 * @param projection the projected durations; not null
 */
public record Estimate(String source, long objects, long bytes, long keys, Basis basis, long keysListed,
        int rangesListed, int rangesPlanned, long smallObjectThreshold, List<Bucket> histogram, Rates rates,
        Projection projection) {

    /** The lane of objects smaller than the threshold: one request each, many at once. */
    public static final String SMALL = "small";
    /** The lane of objects at or above the threshold: multipart, parts in parallel. */
    public static final String LARGE = "large";

    /** Validates the components and copies the histogram. */
    public Estimate {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(basis, "basis");
        Objects.requireNonNull(rates, "rates");
        Objects.requireNonNull(projection, "projection");
        histogram = List.copyOf(Objects.requireNonNull(histogram, "histogram"));
        if (objects < 0 || bytes < 0 || keys < objects || keysListed < 0) {
            throw new IllegalArgumentException("counts must not be negative and keys (" + keys
                    + ") must be at least objects (" + objects + "); bytes " + bytes + ", keys listed " + keysListed);
        }
        if (rangesPlanned < 1 || rangesListed < 0 || rangesListed > rangesPlanned) {
            throw new IllegalArgumentException("ranges listed must be 0 to ranges planned (at least 1), were "
                    + rangesListed + " of " + rangesPlanned);
        }
        if (smallObjectThreshold <= 0) {
            throw new IllegalArgumentException("small object threshold must be positive, was " + smallObjectThreshold);
        }
    }

    /** How the counts were obtained. */
    public enum Basis {
        /** Every key was listed: the counts are exact (as of the listing). */
        FULL_LISTING,
        /** Some key ranges were listed in full and the counts multiplied by the share of ranges listed. */
        EXTRAPOLATED,
        /** The listing stopped before the end and the source could not be sampled by ranges: at least this many. */
        LOWER_BOUND
    }

    /**
     * Objects of one lane within a size range.
     *
     * @param lane {@link Estimate#SMALL} or {@link Estimate#LARGE}; not null
     * @param minSize the smallest size in the bucket, in bytes, inclusive
     * @param maxSize the largest size in the bucket, in bytes, inclusive; at least {@code minSize}
     * @param objects how many objects (estimated as the estimate's counts are)
     * @param bytes their total size
     */
    public record Bucket(String lane, long minSize, long maxSize, long objects, long bytes) {

        /** Validates the components. */
        public Bucket {
            if (!SMALL.equals(lane) && !LARGE.equals(lane)) {
                throw new IllegalArgumentException("lane must be \"small\" or \"large\", was " + lane);
            }
            if (minSize < 0 || maxSize < minSize || objects < 0 || bytes < 0) {
                throw new IllegalArgumentException("a bucket needs 0 <= minSize <= maxSize and counts of 0 or more, was "
                        + minSize + ".." + maxSize + ", " + objects + " objects, " + bytes + " bytes");
            }
        }
    }

    /**
     * The rates measured against the source, each of one stream (one request at a time).
     *
     * @param listingKeysPerSecond keys listed per second by one ListObjectsV2 stream; 0 if nothing was listed
     * @param smallObjectsPerSecond small objects read whole per second, one after the other; 0 if none was read
     * @param largeBytesPerSecond bytes per second of ranged reads of large objects (at most 8 MiB each); 0 if
     *     none was read
     * @param smallObjectsRead how many small objects were read to measure
     * @param largeObjectsRead how many large objects were read (in part) to measure
     * @param bytesRead how many bytes all those reads transferred
     */
    public record Rates(double listingKeysPerSecond, double smallObjectsPerSecond, double largeBytesPerSecond,
            int smallObjectsRead, int largeObjectsRead, long bytesRead) {

        /** Validates the components. */
        public Rates {
            if (!(listingKeysPerSecond >= 0) || !(smallObjectsPerSecond >= 0) || !(largeBytesPerSecond >= 0)
                    || Double.isInfinite(listingKeysPerSecond) || Double.isInfinite(smallObjectsPerSecond)
                    || Double.isInfinite(largeBytesPerSecond) || smallObjectsRead < 0 || largeObjectsRead < 0
                    || bytesRead < 0) {
                throw new IllegalArgumentException("rates must be finite and not negative, were " + listingKeysPerSecond
                        + ", " + smallObjectsPerSecond + ", " + largeBytesPerSecond);
            }
        }
    }

    /**
     * The projected durations of a migration, and the parallelism they assume.
     *
     * <p>{@code listing = 2 × keys / (listingKeysPerSecond × listingRanges)}: a run lists before
     * copying and again to verify, each time both sides at once and each range in parallel.
     * {@code smallLane = small objects / (smallObjectsPerSecond × smallConcurrency)};
     * {@code largeLane = large bytes / (largeBytesPerSecond × largeConcurrency)}; the lanes run side
     * by side, so {@code transfer = max(smallLane, largeLane)}; {@code total = listing + transfer}.
     * A lane with objects but no measured rate counts as zero.
     *
     * @param listingRanges the key ranges listed in parallel; at least 1
     * @param smallConcurrency the small lane's concurrent copies; at least 1
     * @param largeConcurrency the large lane's concurrent transfers; at least 1
     * @param listing the projected listing time; not null
     * @param smallLane the projected time of the small lane; not null
     * @param largeLane the projected time of the large lane; not null
     * @param transfer the projected copying time; not null
     * @param total the projected duration of a run; not null
     */
    public record Projection(int listingRanges, int smallConcurrency, int largeConcurrency, Duration listing,
            Duration smallLane, Duration largeLane, Duration transfer, Duration total) {

        /** Validates the components. */
        public Projection {
            if (listingRanges < 1 || smallConcurrency < 1 || largeConcurrency < 1) {
                throw new IllegalArgumentException("ranges and concurrencies must be at least 1, were " + listingRanges
                        + ", " + smallConcurrency + ", " + largeConcurrency);
            }
            Objects.requireNonNull(listing, "listing");
            Objects.requireNonNull(smallLane, "smallLane");
            Objects.requireNonNull(largeLane, "largeLane");
            Objects.requireNonNull(transfer, "transfer");
            Objects.requireNonNull(total, "total");
        }
    }

    /**
     * Returns whether the counts are exact, from a full listing.
     *
     * @return true for {@link Basis#FULL_LISTING}
     */
    public boolean isExact() {
        return basis == Basis.FULL_LISTING;
    }

    /**
     * Returns the share of the source the counts were taken from: 1 for a full listing, the share of
     * key ranges listed for an extrapolation, 0 (unknown) for a lower bound.
     *
     * @return 0 to 1
     */
    public double sampleFraction() {
        return switch (basis) {
            case FULL_LISTING -> 1;
            case EXTRAPOLATED -> (double) rangesListed / rangesPlanned;
            case LOWER_BOUND -> 0;
        };
    }

    /**
     * Returns the number of objects of a lane.
     *
     * @param lane {@link #SMALL} or {@link #LARGE}
     * @return the sum over the lane's histogram buckets
     */
    public long objects(String lane) {
        return histogram.stream().filter(b -> b.lane().equals(lane)).mapToLong(Bucket::objects).sum();
    }

    /**
     * Returns the bytes of a lane.
     *
     * @param lane {@link #SMALL} or {@link #LARGE}
     * @return the sum over the lane's histogram buckets
     */
    public long bytes(String lane) {
        return histogram.stream().filter(b -> b.lane().equals(lane)).mapToLong(Bucket::bytes).sum();
    }

    /**
     * Returns the estimate for people: the counts and how they were obtained, the histogram as a
     * table, the rates and the projection.
     *
     * @return lines separated by {@code \n}
     */
    public String describe() {
        StringBuilder out = new StringBuilder();
        out.append("Estimate of ").append(source).append(": ").append(count(objects)).append(" objects, ")
                .append(formatBytes(bytes)).append(" (").append(switch (basis) {
                    case FULL_LISTING -> "exact: full listing of " + count(keysListed) + " keys";
                    case EXTRAPOLATED -> String.format(Locale.ROOT, "extrapolated from %d of %d key ranges (%.1f%%), "
                            + "%s keys listed", rangesListed, rangesPlanned, 100.0 * sampleFraction(), count(keysListed));
                    case LOWER_BOUND -> "lower bound: the listing stopped after " + count(keysListed) + " keys";
                }).append(")\n");
        out.append(String.format(Locale.ROOT, "  %-6s %-23s %14s %12s%n", "lane", "size", "objects", "bytes"));
        for (Bucket b : histogram) {
            out.append(String.format(Locale.ROOT, "  %-6s %-23s %14s %12s%n", b.lane(),
                    formatBytes(b.minSize()) + " - " + formatBytes(b.maxSize()), count(b.objects()),
                    formatBytes(b.bytes())));
        }
        out.append(String.format(Locale.ROOT, "  small lane (< %s): %s objects, %s; large lane: %s objects, %s%n",
                formatBytes(smallObjectThreshold), count(objects(SMALL)), formatBytes(bytes(SMALL)),
                count(objects(LARGE)), formatBytes(bytes(LARGE))));
        out.append(String.format(Locale.ROOT, "  measured, one stream: listing %.0f keys/s, small objects %.1f/s "
                + "(%d read), large objects %s/s (%d read), %s read%n", rates.listingKeysPerSecond(),
                rates.smallObjectsPerSecond(), rates.smallObjectsRead(), formatBytes((long) rates.largeBytesPerSecond()),
                rates.largeObjectsRead(), formatBytes(rates.bytesRead())));
        out.append(String.format(Locale.ROOT, "  projected (rough): listing %s (%d range(s), twice), small lane %s "
                + "(%d at once), large lane %s (%d at once), transfer %s, total %s%n", human(projection.listing()),
                projection.listingRanges(), human(projection.smallLane()), projection.smallConcurrency(),
                human(projection.largeLane()), projection.largeConcurrency(), human(projection.transfer()),
                human(projection.total())));
        return out.toString().replace(System.lineSeparator(), "\n");
    }

    /**
     * Returns {@link #describe()}.
     *
     * @return the readable summary
     */
    @Override
    public String toString() {
        return describe();
    }

    private static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    private static String human(Duration d) {
        long seconds = d.getSeconds();
        if (seconds < 60) {
            return String.format(Locale.ROOT, "%.1fs", d.toNanos() / 1e9);
        }
        if (seconds < 3600) {
            return String.format(Locale.ROOT, "%dm%02ds", seconds / 60, seconds % 60);
        }
        return String.format(Locale.ROOT, "%dh%02dm", seconds / 3600, (seconds % 3600) / 60);
    }

    /** A byte count with a binary unit, e.g. {@code 1.5 MiB}; a negative count as it is. */
    private static String formatBytes(long bytes) {
        return bytes < 0 ? bytes + " B" : DataSize.ofBytes(bytes).approximate();
    }
}
