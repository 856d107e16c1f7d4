package io.github.s3recon.internal;

import io.github.s3recon.S3Errors;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.Estimate;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectLister;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.stream.Stream;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;

/**
 * Estimates a migration of a source: counts, bytes and a size histogram by lane from a listing (full
 * or sampled by key ranges), per-stream rates measured by listing and by reading a few objects, and
 * a rough projected duration; the engine of {@code Migration.estimate()}. See {@link Estimate} for
 * what the numbers mean and how rough the projection is.
 *
 * <p>Reads are bounded: at most {@value #MAX_READS_PER_LANE} objects per lane, at most
 * {@value #MAX_READ_BYTES} bytes in all (half for each lane), and at most
 * {@value #MAX_BYTES_PER_READ} bytes of each object (a ranged GET; the time of a longer object is
 * scaled to its size). The objects read are drawn at random from those listed (reservoir sampling),
 * with a fixed seed, so that the same source gives the same sample. Memory does not grow with the
 * object count.
 *
 * <p>Immutable and thread-safe; each call lists and reads anew. Blocks the calling thread.
 */
public final class Estimator {

    /** The number of key ranges a sample asks the lister to split the source into. */
    public static final int SAMPLE_RANGES = 64;
    /** The most objects read per lane to measure its rate. */
    public static final int MAX_READS_PER_LANE = 8;
    /** The most bytes read in all to measure rates: 64 MiB. */
    public static final long MAX_READ_BYTES = 64L << 20;
    /** The most bytes read of one object: 8 MiB. */
    public static final long MAX_BYTES_PER_READ = 8L << 20;

    private static final long SEED = 0x5EED_E571L;
    /** Size buckets: 0, then [2^(i-1), 2^i - 1] for i = 1..63. */
    private static final int BUCKETS = 64;

    private final S3Location source;
    private final ObjectLister lister;
    /** The source when it is not a bucket (a manifest of URLs); {@link #source} and {@link #lister} are then null. */
    private final io.github.s3recon.spi.ObjectSource objectSource;
    private final Predicate<String> filter;
    private final long smallObjectThreshold;
    private final int smallObjectConcurrency;
    private final int largeObjectConcurrency;
    private final int listingRanges;
    private final Clock clock;

    /**
     * Creates an estimator.
     *
     * @param source the location to estimate; not null
     * @param lister lists it (and plans its ranges for a sample); not null, still the caller's
     * @param filter the keys in scope, relative to the prefix; not null
     * @param smallObjectThreshold objects of this size or more are counted in the large lane;
     *     positive (the transfer scheduler's {@link io.github.s3recon.spi.TransferScheduler#lanes()};
     *     {@link io.github.s3recon.spi.TransferScheduler.Lanes#DEFAULTS} has the built-in engine's
     *     defaults)
     * @param smallObjectConcurrency the small lane's concurrency; positive
     * @param largeObjectConcurrency the large lane's concurrency; positive
     * @param listingRanges the key ranges a run lists in parallel; positive
     * @param clock times the listing and the reads; not null
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if an argument is null or
     *     out of range, naming it and the value
     */
    public Estimator(S3Location source, ObjectLister lister, Predicate<String> filter, long smallObjectThreshold,
            int smallObjectConcurrency, int largeObjectConcurrency, int listingRanges, Clock clock) {
        this(requireNonNull(source, "source"), requireNonNull(lister, "lister"), null, filter, smallObjectThreshold,
                smallObjectConcurrency, largeObjectConcurrency, listingRanges, clock);
    }

    /**
     * Creates an estimator of a source that is not an S3 bucket (a manifest of URLs): listed through
     * the source (for a manifest, a HEAD of each URL without a size), read with
     * {@link io.github.s3recon.spi.ObjectSource#open}. {@link #sampled(long)} of a manifest lists its
     * first objects and scales the counts by the manifest's number of entries (counted without a
     * request).
     *
     * @param source the source; not null
     * @param filter the keys in scope; not null
     * @param smallObjectThreshold as for the other constructor
     * @param smallObjectConcurrency as for the other constructor
     * @param largeObjectConcurrency as for the other constructor
     * @param listingRanges as for the other constructor
     * @param clock times the listing and the reads; not null
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} as the other constructor
     */
    public Estimator(io.github.s3recon.spi.ObjectSource source, Predicate<String> filter, long smallObjectThreshold,
            int smallObjectConcurrency, int largeObjectConcurrency, int listingRanges, Clock clock) {
        this(null, null, requireNonNull(source, "source"), filter, smallObjectThreshold, smallObjectConcurrency,
                largeObjectConcurrency, listingRanges, clock);
    }

    private Estimator(S3Location source, ObjectLister lister, io.github.s3recon.spi.ObjectSource objectSource,
            Predicate<String> filter, long smallObjectThreshold, int smallObjectConcurrency, int largeObjectConcurrency,
            int listingRanges, Clock clock) {
        this.source = source;
        this.lister = lister;
        this.objectSource = objectSource;
        this.filter = requireNonNull(filter, "filter");
        this.smallObjectThreshold = positive(smallObjectThreshold, "small object threshold");
        this.smallObjectConcurrency = (int) positive(smallObjectConcurrency, "small object concurrency");
        this.largeObjectConcurrency = (int) positive(largeObjectConcurrency, "large object concurrency");
        this.listingRanges = (int) positive(listingRanges, "listing ranges");
        this.clock = requireNonNull(clock, "clock");
    }

    /**
     * Estimates from a full listing of the source: exact counts and histogram.
     *
     * @return the estimate, {@link Estimate.Basis#FULL_LISTING}
     * @throws S3ReconException if the listing or a read fails, naming the bucket and the fix
     */
    public Estimate full() {
        Tally tally = new Tally();
        Instant started = clock.instant();
        try (Stream<ObjectEntry> entries = objectSource != null ? objectSource.list(KeyRange.ALL) : lister.list(source)) {
            entries.forEach(tally::add);
        }
        long listingNanos = nanosSince(started);
        return estimate(tally, tally.histogram, Estimate.Basis.FULL_LISTING, tally.keys, 1, 1, 1.0, listingNanos);
    }

    /**
     * Estimates from a sample, for very large buckets: asks the lister to split the source into
     * {@value #SAMPLE_RANGES} key ranges, lists randomly chosen ranges in full until at least
     * {@code maxObjects} objects (in scope or not) were listed, and multiplies the counts by the
     * share of ranges listed. A range still running when twice {@code maxObjects} objects were
     * listed is cut off and left out of the counts. When every range was listed the estimate is exact; when the source does not split (one
     * range) or the first range was cut off, the counts are a lower bound.
     *
     * @param maxObjects the number of objects to list at least, where the source has that many; positive
     * @return the estimate
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code maxObjects} is not
     *     positive, or if the planning, listing or a read fails
     */
    public Estimate sampled(long maxObjects) {
        if (maxObjects < 1) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the sample must be at least 1 object, was "
                    + maxObjects);
        }
        List<KeyRange> ranges = objectSource != null ? objectSource.plan(SAMPLE_RANGES) : lister.plan(source, SAMPLE_RANGES);
        Tally tally = new Tally();
        if (ranges.size() <= 1) {
            Instant started = clock.instant();
            boolean complete = listRange(KeyRange.ALL, tally, null, maxObjects);
            long listingNanos = nanosSince(started);
            if (!complete && tally.keys > 0 && objectSource instanceof io.github.s3recon.source.UrlManifestSource urls) {
                // A manifest counts its entries without a request: the first ones listed stand for all.
                double factor = (double) urls.entryCount() / tally.keys;
                return estimate(tally, tally.histogram, Estimate.Basis.EXTRAPOLATED, tally.keys, 0, 1,
                        Math.max(1.0, factor), listingNanos);
            }
            return estimate(tally, tally.histogram, complete ? Estimate.Basis.FULL_LISTING
                    : Estimate.Basis.LOWER_BOUND, tally.keys, complete ? 1 : 0, 1, 1.0, listingNanos);
        }
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < ranges.size(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, new Random(SEED));
        long[][] counted = new long[BUCKETS * 2][2];
        long countedKeys = 0;
        int listed = 0;
        Instant started = clock.instant();
        for (int index : order) {
            long[][] range = new long[BUCKETS * 2][2];
            long keysBefore = tally.keys;
            boolean complete = listRange(ranges.get(index), tally, range, 2 * maxObjects);
            if (!complete) {
                if (listed == 0) {
                    // Not one range fits in the sample: report what was seen, as a lower bound.
                    counted = range;
                    countedKeys = tally.keys - keysBefore;
                }
                break;
            }
            listed++;
            countedKeys += tally.keys - keysBefore;
            for (int b = 0; b < counted.length; b++) {
                counted[b][0] += range[b][0];
                counted[b][1] += range[b][1];
            }
            if (tally.keys >= maxObjects) {
                break;
            }
        }
        long listingNanos = nanosSince(started);
        if (listed == ranges.size()) {
            return estimate(tally, counted, Estimate.Basis.FULL_LISTING, countedKeys, 1, 1, 1.0, listingNanos);
        }
        if (listed == 0) {
            return estimate(tally, counted, Estimate.Basis.LOWER_BOUND, countedKeys, 0, ranges.size(), 1.0,
                    listingNanos);
        }
        return estimate(tally, counted, Estimate.Basis.EXTRAPOLATED, countedKeys, listed, ranges.size(),
                (double) ranges.size() / listed, listingNanos);
    }

    /**
     * Lists a range into the tally (and, if given, into a histogram of its own) until it ends or
     * the tally holds {@code stopAt} keys.
     *
     * @return whether the range was listed to its end
     */
    private boolean listRange(KeyRange range, Tally tally, long[][] histogram, long stopAt) {
        try (Stream<ObjectEntry> entries = objectSource != null ? objectSource.list(range) : lister.list(source, range)) {
            Iterator<ObjectEntry> it = entries.iterator();
            while (it.hasNext()) {
                if (tally.keys >= stopAt) {
                    return false;
                }
                ObjectEntry entry = it.next();
                if (tally.add(entry) && histogram != null) {
                    count(histogram, entry.size());
                }
            }
            return true;
        }
    }

    private Estimate estimate(Tally tally, long[][] counted, Estimate.Basis basis, long countedKeys, int rangesListed,
            int rangesPlanned, double factor, long listingNanos) {
        List<Estimate.Bucket> histogram = new ArrayList<>();
        long objects = 0;
        long bytes = 0;
        for (int lane = 0; lane < 2; lane++) {
            for (int b = 0; b < BUCKETS; b++) {
                long[] c = counted[lane * BUCKETS + b];
                if (c[0] == 0) {
                    continue;
                }
                long n = Math.round(c[0] * factor);
                long size = Math.round(c[1] * factor);
                long min = b == 0 ? 0 : 1L << (b - 1);
                long max = b == 0 ? 0 : b == 63 ? Long.MAX_VALUE : (1L << b) - 1;
                if (lane == 0) {
                    max = Math.min(max, smallObjectThreshold - 1);
                } else {
                    min = Math.max(min, smallObjectThreshold);
                }
                histogram.add(new Estimate.Bucket(lane == 0 ? Estimate.SMALL : Estimate.LARGE, min, max, n, size));
                objects += n;
                bytes += size;
            }
        }
        histogram.sort((x, y) -> Long.compare(x.minSize(), y.minSize()));
        long keys = Math.max(objects, Math.round(countedKeys * factor));

        double listingRate = tally.keys == 0 ? 0 : tally.keys / seconds(listingNanos);
        long bytesBudget = MAX_READ_BYTES;
        Lane small = measure(tally.small, bytesBudget / 2);
        Lane large = measure(tally.large, bytesBudget - small.bytesRead);
        double smallRate = small.nanos == 0 ? 0 : small.objects / seconds(small.nanos);
        // Large objects: bytes per second of what was read, whole or the first 8 MiB.
        double largeRate = large.nanos == 0 ? 0 : large.bytesRead / seconds(large.nanos);
        Estimate.Rates rates = new Estimate.Rates(listingRate, smallRate, largeRate, small.objects, large.objects,
                small.bytesRead + large.bytesRead);

        long smallObjects = histogram.stream().filter(h -> h.lane().equals(Estimate.SMALL))
                .mapToLong(Estimate.Bucket::objects).sum();
        long largeBytes = histogram.stream().filter(h -> h.lane().equals(Estimate.LARGE))
                .mapToLong(Estimate.Bucket::bytes).sum();
        Duration listing = listingRate == 0 ? Duration.ZERO : duration(2.0 * keys / (listingRate * listingRanges));
        Duration smallLane = smallRate == 0 ? Duration.ZERO
                : duration(smallObjects / (smallRate * smallObjectConcurrency));
        Duration largeLane = largeRate == 0 ? Duration.ZERO
                : duration(largeBytes / (largeRate * largeObjectConcurrency));
        Duration transfer = smallLane.compareTo(largeLane) >= 0 ? smallLane : largeLane;
        Estimate.Projection projection = new Estimate.Projection(listingRanges, smallObjectConcurrency,
                largeObjectConcurrency, listing, smallLane, largeLane, transfer, listing.plus(transfer));
        return new Estimate(objectSource != null ? objectSource.describe() : source.toString(), objects, bytes, keys, basis, tally.keys, rangesListed, rangesPlanned,
                smallObjectThreshold, histogram, rates, projection);
    }

    /** What reading a lane's sample measured; nanos is the time the reads would take whole. */
    private record Lane(int objects, long bytesRead, long nanos) {
    }

    /** Reads the sampled objects one after the other, each at most 8 MiB, within a byte budget. */
    private Lane measure(Reservoir sample, long budget) {
        int objects = 0;
        long bytesRead = 0;
        double nanos = 0;
        for (ObjectEntry entry : sample.entries) {
            long want = Math.min(entry.size(), MAX_BYTES_PER_READ);
            if (want > budget - bytesRead) {
                continue;
            }
            Instant started = clock.instant();
            long got = read(entry, want);
            long took = nanosSince(started);
            if (got < 0) {
                continue; // deleted since it was listed
            }
            objects++;
            bytesRead += got;
            // A part of an object stands for the whole: its time scaled to the object's size.
            nanos += got == 0 || got >= entry.size() ? took : (double) took * entry.size() / got;
        }
        return new Lane(objects, bytesRead, Math.round(nanos));
    }

    /** Reads the first {@code length} bytes of an object and discards them; -1 if it no longer exists. */
    private long read(ObjectEntry entry, long length) {
        if (objectSource != null) {
            try (InputStream body = SourceReads.open(objectSource, entry, 0, length)) {
                return body.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (io.github.s3recon.source.SourceNotFoundException e) {
                return -1; // gone since it was listed
            } catch (IOException e) {
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "reading '" + entry.key() + "' of "
                        + objectSource.describe() + " to measure the transfer rate failed: " + e, e);
            }
        }
        String key = source.fullKey(entry.key());
        // A range of an empty object is not satisfiable (416): read it whole, which is nothing.
        String range = length == 0 ? null : "bytes=0-" + (length - 1);
        ResponseInputStream<GetObjectResponse> in;
        try {
            in = source.client().getObject(b -> b.bucket(source.bucket()).key(key).range(range),
                    AsyncResponseTransformer.toBlockingInputStream()).join();
        } catch (RuntimeException e) {
            if (S3Errors.unwrap(e) instanceof NoSuchKeyException) {
                return -1;
            }
            throw S3Errors.translate(e, source, "reading '" + key + "' to measure the transfer rate");
        }
        try (InputStream body = in) {
            return body.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException | RuntimeException e) {
            throw S3Errors.translate(e, source, "reading '" + key + "' to measure the transfer rate");
        }
    }

    /** Counts keys, the objects in scope by lane and size bucket, and samples objects of each lane. */
    private final class Tally {
        final long[][] histogram = new long[BUCKETS * 2][2];
        final Random random = new Random(SEED);
        final Reservoir small = new Reservoir();
        final Reservoir large = new Reservoir();
        long keys;

        /** Returns whether the entry is in scope. */
        boolean add(ObjectEntry entry) {
            keys++;
            if (!filter.test(entry.key())) {
                return false;
            }
            count(histogram, entry.size());
            (entry.size() < smallObjectThreshold ? small : large).offer(entry, random);
            return true;
        }
    }

    private void count(long[][] histogram, long size) {
        int bucket = size == 0 ? 0 : 64 - Long.numberOfLeadingZeros(size);
        int lane = size < smallObjectThreshold ? 0 : 1;
        long[] c = histogram[lane * BUCKETS + Math.min(bucket, BUCKETS - 1)];
        c[0]++;
        c[1] += size;
    }

    /** A uniform random sample of up to {@value #MAX_READS_PER_LANE} entries (Algorithm R). */
    private static final class Reservoir {
        final List<ObjectEntry> entries = new ArrayList<>(MAX_READS_PER_LANE);
        long seen;

        void offer(ObjectEntry entry, Random random) {
            seen++;
            if (entries.size() < MAX_READS_PER_LANE) {
                entries.add(entry);
            } else {
                long slot = (long) (random.nextDouble() * seen);
                if (slot < MAX_READS_PER_LANE) {
                    entries.set((int) slot, entry);
                }
            }
        }
    }

    private long nanosSince(Instant started) {
        // At least a microsecond: a clock that did not move must not make a rate infinite.
        return Math.max(1_000, Duration.between(started, clock.instant()).toNanos());
    }

    private static double seconds(long nanos) {
        return nanos / 1e9;
    }

    private static Duration duration(double seconds) {
        return Duration.ofNanos((long) Math.min(Long.MAX_VALUE, Math.ceil(seconds * 1e9)));
    }

    private static long positive(long value, String name) {
        if (value <= 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, name + " must be positive, was " + value);
        }
        return value;
    }

    private static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, name + " must not be null");
        }
        return value;
    }
}
