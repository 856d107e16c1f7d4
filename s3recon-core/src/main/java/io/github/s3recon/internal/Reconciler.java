package io.github.s3recon.internal;

import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ReconciliationReporter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One reconcile run: lists both sides, diffs them in lock step, and reports.
 *
 * <p>Listings are streamed into the merge. A listing that turns out not to be in UTF-8 byte order
 * (the merge finds out when it happens) is listed again into the inventory store, read back
 * sorted, and the diff starts over; differences are staged in the run's directory and delivered
 * to listeners only once the diff is final, so no listener ever sees a wrong difference.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final S3Location source;
    private final S3Location destination;
    private final ObjectLister sourceLister;
    private final ObjectLister destinationLister;
    private final InventoryStore store;
    private final Path workDirectory;
    private final MigrationListener listener;
    private final List<ReconciliationReporter> reporters;
    private final Clock clock;
    private final Duration progressInterval;
    private final int listingRanges;

    private MigrationState state;

    /**
     * Creates a run.
     *
     * @param source the source
     * @param destination the destination
     * @param sourceLister the source's lister
     * @param destinationLister the destination's lister
     * @param store the store for listings that need sorting
     * @param workDirectory the work directory
     * @param listener the (isolating) listener
     * @param reporters extra reporters
     * @param clock the clock
     * @param progressInterval the least time between progress snapshots
     * @param listingRanges how many key ranges to list and diff in parallel
     */
    public Reconciler(S3Location source, S3Location destination, ObjectLister sourceLister,
            ObjectLister destinationLister, InventoryStore store,
            Path workDirectory, MigrationListener listener, List<ReconciliationReporter> reporters, Clock clock,
            Duration progressInterval, int listingRanges) {
        this.source = source;
        this.destination = destination;
        this.sourceLister = sourceLister;
        this.destinationLister = destinationLister;
        this.store = store;
        this.workDirectory = workDirectory;
        this.listener = listener;
        this.reporters = reporters;
        this.clock = clock;
        this.progressInterval = progressInterval;
        this.listingRanges = listingRanges;
    }

    /**
     * Runs the reconciliation.
     *
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult run() {
        return run(null);
    }

    /**
     * Runs the reconciliation of the given key ranges only, or of everything when null.
     *
     * @param only the ranges, in key order, or null to plan them with the source's lister
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult run(List<KeyRange> only) {
        Instant startedAt = clock.instant();
        transition(MigrationState.INITIALIZING);
        try {
            String runId = RUN_ID.format(startedAt) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
            Path runDirectory = workDirectory.resolve("runs").resolve(runId);
            createDirectories(runDirectory);
            Path differencesFile = runDirectory.resolve("differences.jsonl");

            transition(MigrationState.LISTING);
            Instant phaseStart = clock.instant();
            Progress progress = new Progress(phaseStart);
            List<KeyRange> ranges = only != null ? only : plan();
            List<Tally> tallies = runRanges(runId, runDirectory, ranges, progress);
            progress.emit(true);
            Tally tally = Tally.sum(tallies);
            concatenate(runDirectory, ranges.size(), differencesFile);

            transition(MigrationState.COMPARING);
            try (Stream<Difference> differences = io.github.s3recon.internal.DifferencesJson.read(differencesFile)) {
                differences.forEach(d -> listener.onDifference(new DifferenceFound(clock.instant(), d)));
            }

            transition(MigrationState.REPORTING);
            DifferenceCounts counts = tally.counts();
            MigrationState terminal = counts.differences() == 0 ? MigrationState.COMPLETED
                    : MigrationState.COMPLETED_WITH_DIFFERENCES;
            ReconciliationReport report = new ReconciliationReport(terminal,
                    new LocationSummary(source.bucket(), source.prefix(), tally.sourceObjects, tally.sourceBytes),
                    new LocationSummary(destination.bucket(), destination.prefix(), tally.destinationObjects,
                            tally.destinationBytes),
                    counts, tally.matchedByRule, startedAt, clock.instant(), differencesFile);
            for (ReconciliationReporter reporter : reporters) {
                reporter.report(report);
            }
            state = terminal;
            listener.onFinished(new RunFinished(clock.instant(), terminal,
                    Duration.between(startedAt, clock.instant()), null));
            return new MigrationResult(terminal, report);
        } catch (RuntimeException | Error e) {
            S3ReconException failure = e instanceof S3ReconException s ? s
                    : new S3ReconException(ErrorCode.LISTING_FAILED, "reconciliation of " + source + " with "
                            + destination + " failed: " + e, e);
            state = MigrationState.FAILED;
            listener.onFinished(new RunFinished(clock.instant(), MigrationState.FAILED,
                    Duration.between(startedAt, clock.instant()), failure));
            if (e instanceof Error err) {
                throw err;
            }
            throw failure;
        }
    }

    /**
     * Plans the key ranges of a run: one unless ranges are asked for and both listers are sorted
     * (an unsorted lister, e.g. an S3 Inventory report, is sorted whole through the store).
     *
     * @return the ranges in key order
     */
    public List<KeyRange> plan() {
        return listingRanges <= 1 || !sourceLister.listsInKeyOrder() || !destinationLister.listsInKeyOrder()
                ? List.of(KeyRange.ALL) : sourceLister.plan(source, listingRanges);
    }

    private List<Tally> runRanges(String runId, Path runDirectory, List<KeyRange> ranges, Progress progress) {
        if (ranges.size() == 1) {
            return List.of(runRange(runId, runDirectory, 0, ranges.get(0), progress));
        }
        LOG.debug("listing {} and {} as {} key ranges", source, destination, ranges.size());
        java.util.concurrent.atomic.AtomicInteger threads = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(ranges.size(),
                r -> {
                    Thread t = new Thread(r, "s3recon-range-" + threads.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
        try {
            List<java.util.concurrent.Future<Tally>> futures = new java.util.ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> runRange(runId, runDirectory, index, ranges.get(index), progress)));
            }
            List<Tally> tallies = new java.util.ArrayList<>();
            for (java.util.concurrent.Future<Tally> f : futures) {
                try {
                    tallies.add(f.get());
                } catch (java.util.concurrent.ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new S3ReconException(ErrorCode.INTERRUPTED, "reconciliation of " + source + " with "
                            + destination + " was interrupted", e);
                }
            }
            return tallies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Diffs one range; on a listing out of UTF-8 order, sorts that side in the store and starts the range over. */
    private Tally runRange(String runId, Path runDirectory, int index, KeyRange range, Progress progress) {
        Set<MergeDiff.Side> sortInStore = EnumSet.noneOf(MergeDiff.Side.class);
        if (!sourceLister.listsInKeyOrder()) {
            sortInStore.add(MergeDiff.Side.SOURCE);
        }
        if (!destinationLister.listsInKeyOrder()) {
            sortInStore.add(MergeDiff.Side.DESTINATION);
        }
        while (true) {
            Tally tally = new Tally();
            try {
                attempt(runId + "-" + index, range, sortInStore, rangeFile(runDirectory, index), tally, progress);
                return tally;
            } catch (MergeDiff.UnsortedInputException e) {
                progress.forget(tally);
                if (!sortInStore.add(e.side())) {
                    throw e; // the store itself returned an unsorted listing: a store bug
                }
                S3Location location = e.side() == MergeDiff.Side.SOURCE ? source : destination;
                LOG.warn("{} is not listed in UTF-8 byte order ({}); listing key range {} again through the "
                        + "inventory store to sort it", location, e.getMessage(), range);
            }
        }
    }

    private void attempt(String name, KeyRange range, Set<MergeDiff.Side> sortInStore, Path differencesFile,
            Tally tally, Progress progress) {
        MergeDiff diff = MergeDiff.withLookup(new HeadLookup(source, destination));
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(differencesFile);
                Stream<ObjectEntry> src = open(name, MergeDiff.Side.SOURCE, range, sortInStore, tally, progress);
                Stream<ObjectEntry> dst = open(name, MergeDiff.Side.DESTINATION, range, sortInStore, tally, progress)) {
            diff.diff(src.iterator(), dst.iterator(), new MergeDiff.Sink() {
                @Override
                public void matched(ObjectEntry s, ObjectEntry d, MatchRule rule) {
                    tally.matched(rule);
                }

                @Override
                public void difference(Difference d) {
                    tally.difference(d);
                    writer.write(d);
                }
            });
        } finally {
            for (MergeDiff.Side side : sortInStore) {
                store.delete(inventoryName(name, side));
            }
        }
    }

    private Stream<ObjectEntry> open(String name, MergeDiff.Side side, KeyRange range,
            Set<MergeDiff.Side> sortInStore, Tally tally, Progress progress) {
        S3Location location = side == MergeDiff.Side.SOURCE ? source : destination;
        ObjectLister lister = side == MergeDiff.Side.SOURCE ? sourceLister : destinationLister;
        Stream<ObjectEntry> listing = lister.list(location, range);
        Iterator<ObjectEntry> counted = progress.counting(side, tally, listing.iterator());
        if (!sortInStore.contains(side)) {
            return iteratorStream(counted).onClose(listing::close);
        }
        String inventory = inventoryName(name, side);
        try (listing; InventoryStore.Writer writer = store.writer(inventory)) {
            while (counted.hasNext()) {
                writer.add(counted.next());
            }
        }
        return store.readSorted(inventory);
    }

    private static Path rangeFile(Path runDirectory, int index) {
        return runDirectory.resolve(String.format(java.util.Locale.ROOT, "range-%06d.jsonl", index));
    }

    /** Joins the ranges' differences, in range order and so in key order, into one file. */
    private static void concatenate(Path runDirectory, int ranges, Path differencesFile) {
        try (java.io.OutputStream out = Files.newOutputStream(differencesFile)) {
            for (int i = 0; i < ranges; i++) {
                Path part = rangeFile(runDirectory, i);
                Files.copy(part, out);
                Files.delete(part);
            }
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.REPORT_FAILED, "cannot write " + differencesFile + ": " + e
                    + " (check free disk space in the work directory)", e);
        }
    }

    private static Stream<ObjectEntry> iteratorStream(Iterator<ObjectEntry> it) {
        return java.util.stream.StreamSupport.stream(
                java.util.Spliterators.spliteratorUnknownSize(it, java.util.Spliterator.ORDERED), false);
    }

    private static String inventoryName(String runId, MergeDiff.Side side) {
        return "run-" + runId + "-" + side.name().toLowerCase(java.util.Locale.ROOT);
    }

    private void transition(MigrationState to) {
        MigrationState from = state;
        state = to;
        listener.onStateChanged(new StateChanged(clock.instant(), from, to));
    }

    private static void createDirectories(Path directory) {
        try {
            Files.createDirectories(directory);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot create " + directory + ": " + e
                    + " (the work directory must be writable, with free space)", e);
        }
    }

    /** Counts of one range's attempt, written by the range's thread only. */
    private static final class Tally {
        long sourceObjects;
        long sourceBytes;
        long destinationObjects;
        long destinationBytes;
        long missing;
        long extra;
        long sizeMismatch;
        long contentMismatch;
        long stale;
        long unverified;
        final Map<MatchRule, Long> matchedByRule = new EnumMap<>(MatchRule.class);

        void matched(MatchRule rule) {
            matchedByRule.merge(rule, 1L, Long::sum);
        }

        void difference(Difference d) {
            switch (d.type()) {
                case MISSING_IN_DESTINATION -> missing++;
                case EXTRA_IN_DESTINATION -> extra++;
                case SIZE_MISMATCH -> sizeMismatch++;
                case CONTENT_MISMATCH -> contentMismatch++;
                case STALE -> stale++;
                case UNVERIFIED -> unverified++;
            }
        }

        static Tally sum(List<Tally> tallies) {
            Tally sum = new Tally();
            for (Tally t : tallies) {
                sum.sourceObjects += t.sourceObjects;
                sum.sourceBytes += t.sourceBytes;
                sum.destinationObjects += t.destinationObjects;
                sum.destinationBytes += t.destinationBytes;
                sum.missing += t.missing;
                sum.extra += t.extra;
                sum.sizeMismatch += t.sizeMismatch;
                sum.contentMismatch += t.contentMismatch;
                sum.stale += t.stale;
                sum.unverified += t.unverified;
                t.matchedByRule.forEach((rule, n) -> sum.matchedByRule.merge(rule, n, Long::sum));
            }
            return sum;
        }

        DifferenceCounts counts() {
            long matched = matchedByRule.values().stream().mapToLong(Long::longValue).sum();
            return new DifferenceCounts(matched, missing, extra, sizeMismatch, contentMismatch, stale, unverified);
        }
    }

    /** Counts listed entries over all ranges and emits throttled snapshots. */
    private final class Progress {
        private final java.util.concurrent.atomic.LongAdder sourceObjects = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder sourceBytes = new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder destinationObjects =
                new java.util.concurrent.atomic.LongAdder();
        private final java.util.concurrent.atomic.LongAdder destinationBytes =
                new java.util.concurrent.atomic.LongAdder();
        private final Instant phaseStart;
        private Instant lastEmitted;

        Progress(Instant phaseStart) {
            this.phaseStart = phaseStart;
            this.lastEmitted = phaseStart;
        }

        Iterator<ObjectEntry> counting(MergeDiff.Side side, Tally tally, Iterator<ObjectEntry> entries) {
            boolean isSource = side == MergeDiff.Side.SOURCE;
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return entries.hasNext();
                }

                @Override
                public ObjectEntry next() {
                    ObjectEntry e = entries.next();
                    long n;
                    if (isSource) {
                        n = ++tally.sourceObjects;
                        tally.sourceBytes += e.size();
                        sourceObjects.increment();
                        sourceBytes.add(e.size());
                    } else {
                        n = ++tally.destinationObjects;
                        tally.destinationBytes += e.size();
                        destinationObjects.increment();
                        destinationBytes.add(e.size());
                    }
                    if ((n & 1023) == 0) {
                        emit(false);
                    }
                    return e;
                }
            };
        }

        /** Takes back what an abandoned attempt counted, before its range starts over. */
        void forget(Tally tally) {
            sourceObjects.add(-tally.sourceObjects);
            sourceBytes.add(-tally.sourceBytes);
            destinationObjects.add(-tally.destinationObjects);
            destinationBytes.add(-tally.destinationBytes);
        }

        synchronized void emit(boolean force) {
            Instant now = clock.instant();
            if (!force && Duration.between(lastEmitted, now).compareTo(progressInterval) < 0) {
                return;
            }
            lastEmitted = now;
            listener.onProgress(new ProgressSnapshot(now, MigrationState.LISTING, Math.max(0, sourceObjects.sum()),
                    Math.max(0, sourceBytes.sum()), Math.max(0, destinationObjects.sum()),
                    Math.max(0, destinationBytes.sum()), Duration.between(phaseStart, now)));
        }
    }
}
