package io.github.s3recon.internal;

import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixAction;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.ReconciliationReport;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferSummary;
import io.github.s3recon.Verification;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ReconciliationReporter;
import io.github.s3recon.spi.TransferContext;
import io.github.s3recon.spi.TransferScheduler;
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
 * The runs of a migration: reconcile (list, diff, report), plan (the same, with the fix plan), run
 * (plan, copy, verify, report) and repair (a report's fix plan, copy, verify, report).
 *
 * <p>Listings are streamed into the merge. A listing that turns out not to be in UTF-8 byte order
 * (the merge finds out when it happens) is listed again into the inventory store, read back
 * sorted, and the diff starts over; differences and plan actions are staged in the run's directory
 * and delivered to listeners only once the diff is final, so no listener ever sees a wrong
 * difference. One instance serves one run.
 */
public final class Reconciler {

    private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
    private static final DateTimeFormatter RUN_ID = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    private final RunSettings settings;
    private final S3Location source;
    private final S3Location destination;
    private final ObjectLister sourceLister;
    private final ObjectLister destinationLister;
    private final InventoryStore store;
    private final MigrationListener listener;
    private final Clock clock;

    private MigrationState state;

    /**
     * Creates a run.
     *
     * @param settings the migration's settings
     */
    public Reconciler(RunSettings settings) {
        this.settings = settings;
        this.source = settings.source();
        this.destination = settings.destination();
        this.sourceLister = settings.sourceLister();
        this.destinationLister = settings.destinationLister();
        this.store = settings.store();
        this.listener = settings.listener();
        this.clock = settings.clock();
    }

    /**
     * Reconciles: lists, diffs and reports.
     *
     * @param only the ranges, in key order, or null to plan them with the source's lister
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult reconcile(List<KeyRange> only) {
        return guarded("reconciliation", (startedAt, runDirectory) -> {
            List<KeyRange> ranges = only != null ? only : plan();
            transition(MigrationState.LISTING);
            Comparison c = compare(runDirectory, "differences.jsonl", null, ranges, Verification.CHECKSUM,
                    MigrationState.LISTING);
            transition(MigrationState.COMPARING);
            deliver(c.differencesFile());
            MigrationState terminal = c.counts().differences() == 0 ? MigrationState.COMPLETED
                    : MigrationState.COMPLETED_WITH_DIFFERENCES;
            return finish(startedAt, terminal, c, Verification.CHECKSUM, null);
        });
    }

    /**
     * Plans: lists and diffs like a reconcile and derives the fix plan; writes nothing to either bucket.
     *
     * @return the plan
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public FixPlan dryRun() {
        FixPlan[] plan = new FixPlan[1];
        guarded("planning", (startedAt, runDirectory) -> {
            transition(MigrationState.LISTING);
            Comparison c = compare(runDirectory, "differences.jsonl", "fix-plan.jsonl", plan(),
                    Verification.CHECKSUM, MigrationState.LISTING);
            transition(MigrationState.COMPARING);
            deliver(c.differencesFile());
            plan[0] = c.plan();
            MigrationState terminal = c.counts().differences() == 0 ? MigrationState.COMPLETED
                    : MigrationState.COMPLETED_WITH_DIFFERENCES;
            return finish(startedAt, terminal, c, Verification.CHECKSUM, null);
        });
        return plan[0];
    }

    /**
     * Runs a migration: lists and diffs, copies and deletes what the plan says, verifies, reports.
     *
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult migrate() {
        TransferScheduler scheduler = requireScheduler();
        return guarded("migration", (startedAt, runDirectory) -> {
            List<KeyRange> ranges = plan();
            transition(MigrationState.LISTING);
            Comparison before = compare(runDirectory, "differences-before.jsonl", "planned.jsonl", ranges,
                    Verification.CHECKSUM, MigrationState.LISTING);
            transition(MigrationState.COMPARING);
            deliver(before.differencesFile());
            checkDeletes(before.plan());
            TransferOutcome outcome = transfer(scheduler, before.plan(), runDirectory, before.source().objects());
            return verify(startedAt, runDirectory, ranges, before, outcome);
        });
    }

    /**
     * Repairs: applies the fix plan of a report of this migration's locations, verifies, reports.
     *
     * @param report the report; not null
     * @return the result
     * @throws S3ReconException if the run fails; listeners have then seen it finish as FAILED
     */
    public MigrationResult repair(ReconciliationReport report) {
        TransferScheduler scheduler = requireScheduler();
        if (!report.source().bucket().equals(source.bucket()) || !report.source().prefix().equals(source.prefix())
                || !report.destination().bucket().equals(destination.bucket())
                || !report.destination().prefix().equals(destination.prefix())) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "the report is of s3://"
                    + report.source().bucket() + "/" + report.source().prefix() + " -> s3://"
                    + report.destination().bucket() + "/" + report.destination().prefix()
                    + ", not of this migration (" + source + " -> " + destination
                    + "): repair it with a migration of the report's locations");
        }
        return guarded("repair", (startedAt, runDirectory) -> {
            FixPlan plan = FixPlan.of(report, settings.overwrite(), settings.deleteExtraneous(),
                    runDirectory.resolve("planned.jsonl"));
            checkDeletes(plan);
            TransferOutcome outcome = transfer(scheduler, plan, runDirectory,
                    report.source().objects());
            return verify(startedAt, runDirectory, plan(), null, outcome);
        });
    }

    /**
     * Plans the key ranges of a run: one unless ranges are asked for and both listers are sorted
     * (an unsorted lister, e.g. an S3 Inventory report, is sorted whole through the store).
     *
     * @return the ranges in key order
     */
    public List<KeyRange> plan() {
        return settings.listingRanges() <= 1 || !sourceLister.listsInKeyOrder() || !destinationLister.listsInKeyOrder()
                ? List.of(KeyRange.ALL) : sourceLister.plan(source, settings.listingRanges());
    }

    private TransferScheduler requireScheduler() {
        if (settings.scheduler() == null) {
            throw new S3ReconException(ErrorCode.MISSING_PROVIDER, "no TransferScheduler on the class path: add the "
                    + "io.github.s3recon:s3recon-transfer dependency, or pass one to Migration.builder()"
                    + ".transferScheduler(...)");
        }
        return settings.scheduler();
    }

    private void checkDeletes(FixPlan plan) {
        if (plan.deletes() > settings.maxDeletes()) {
            throw new S3ReconException(ErrorCode.TOO_MANY_DELETES, "the plan deletes " + plan.deletes()
                    + " objects from " + destination + ", more than maxDeletes (" + settings.maxDeletes()
                    + "); nothing was copied or deleted. Check the source and the filters (a wrong or empty source "
                    + "deletes everything), then raise maxDeletes or turn deleteExtraneous off");
        }
    }

    /** What the transfer phase did. */
    private record TransferOutcome(TransferScheduler.TransferTotals totals, long skipped, Path failuresFile,
            long unfixed) {
    }

    private TransferOutcome transfer(TransferScheduler scheduler, FixPlan plan, Path runDirectory,
            long sourceObjects) {
        transition(MigrationState.TRANSFERRING);
        Path failuresFile = runDirectory.resolve("failures.jsonl");
        TransferScheduler.TransferTotals totals = TransferScheduler.TransferTotals.NONE;
        if (!plan.isEmpty()) {
            try (FailureRecorder failures = new FailureRecorder(listener, failuresFile);
                    TransferScheduler.TransferSession session = scheduler.open(new TransferContext(source,
                            destination, settings.checksumAlgorithm(), failures, clock));
                    Stream<FixAction> actions = plan.actions()) {
                for (Iterator<FixAction> it = actions.iterator(); it.hasNext();) {
                    FixAction a = it.next();
                    if (a.action() == TransferAction.DELETE) {
                        session.delete(a.destination());
                    } else {
                        session.copy(a.source(), a.action());
                    }
                }
                totals = session.awaitCompletion();
            }
        }
        long copies = plan.copies() + plan.recopies();
        return new TransferOutcome(totals, Math.max(0, sourceObjects - copies), failuresFile, 0);
    }

    private MigrationResult verify(Instant startedAt, Path runDirectory, List<KeyRange> ranges, Comparison before,
            TransferOutcome outcome) {
        transition(MigrationState.VERIFYING);
        Verification verification = settings.verification();
        Comparison c;
        MigrationState terminal;
        if (verification == Verification.NONE && before != null) {
            c = before;
            long fixed = before.plannedFixes();
            terminal = outcome.totals().objectsFailed() == 0 && before.counts().differences() == fixed
                    ? MigrationState.COMPLETED : MigrationState.COMPLETED_WITH_DIFFERENCES;
        } else {
            Verification mode = verification == Verification.NONE ? Verification.SIZE : verification;
            c = compare(runDirectory, "differences.jsonl", null, ranges, mode, MigrationState.VERIFYING);
            deliver(c.differencesFile());
            terminal = outcome.totals().objectsFailed() == 0 && c.counts().differences() == 0
                    ? MigrationState.COMPLETED : MigrationState.COMPLETED_WITH_DIFFERENCES;
            verification = mode;
        }
        TransferScheduler.TransferTotals t = outcome.totals();
        TransferSummary transfer = new TransferSummary(t.objectsCopied(), t.bytesCopied(), outcome.skipped(),
                t.objectsDeleted(), t.objectsFailed(), t.retries(), t.objectsServerSide(), t.bytesServerSide(),
                t.objectsRelayed(), t.bytesRelayed(), outcome.failuresFile());
        return finish(startedAt, terminal, c, verification, transfer);
    }

    private MigrationResult finish(Instant startedAt, MigrationState terminal, Comparison c,
            Verification verification, TransferSummary transfer) {
        transition(MigrationState.REPORTING);
        ReconciliationReport report = new ReconciliationReport(terminal, c.source(), c.destination(), c.counts(),
                c.matchedByRule(), startedAt, clock.instant(), c.differencesFile(), verification, transfer);
        for (ReconciliationReporter reporter : settings.reporters()) {
            reporter.report(report);
        }
        state = terminal;
        listener.onFinished(new RunFinished(clock.instant(), terminal,
                Duration.between(startedAt, clock.instant()), null));
        return new MigrationResult(terminal, report);
    }

    private interface Body {
        MigrationResult run(Instant startedAt, Path runDirectory);
    }

    /** Runs a body between INITIALIZING and the terminal event; any failure ends the run as FAILED. */
    private MigrationResult guarded(String what, Body body) {
        Instant startedAt = clock.instant();
        transition(MigrationState.INITIALIZING);
        try {
            String runId = RUN_ID.format(startedAt) + "-" + Integer.toHexString(ThreadLocalRandom.current().nextInt());
            Path runDirectory = settings.workDirectory().resolve("runs").resolve(runId);
            createDirectories(runDirectory);
            return body.run(startedAt, runDirectory);
        } catch (RuntimeException | Error e) {
            S3ReconException failure = e instanceof S3ReconException s ? s
                    : new S3ReconException(ErrorCode.LISTING_FAILED, what + " of " + source + " to "
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

    /** The outcome of listing and diffing both sides. */
    private record Comparison(LocationSummary source, LocationSummary destination, DifferenceCounts counts,
            Map<MatchRule, Long> matchedByRule, Path differencesFile, FixPlan plan, long plannedFixes) {
    }

    private Comparison compare(Path runDirectory, String differencesName, String planName, List<KeyRange> ranges,
            Verification mode, MigrationState phase) {
        Progress progress = new Progress(clock.instant(), phase);
        boolean planning = planName != null;
        List<Tally> tallies = runRanges(runDirectory, ranges, progress, mode, planning);
        progress.emit(true);
        Tally tally = Tally.sum(tallies);
        Path differencesFile = runDirectory.resolve(differencesName);
        concatenate(runDirectory, "range-", ranges.size(), differencesFile);
        LocationSummary src = new LocationSummary(source.bucket(), source.prefix(), tally.sourceObjects,
                tally.sourceBytes);
        LocationSummary dst = new LocationSummary(destination.bucket(), destination.prefix(),
                tally.destinationObjects, tally.destinationBytes);
        FixPlan plan = null;
        if (planning) {
            Path planFile = runDirectory.resolve(planName);
            concatenate(runDirectory, "plan-", ranges.size(), planFile);
            plan = new FixPlan(src, dst, planFile, tally.copies, tally.recopies, tally.deletes, tally.bytesToCopy);
        }
        return new Comparison(src, dst, tally.counts(), tally.matchedByRule, differencesFile, plan,
                tally.plannedFixes);
    }

    private void deliver(Path differencesFile) {
        try (Stream<Difference> differences = DifferencesJson.read(differencesFile)) {
            differences.forEach(d -> listener.onDifference(new DifferenceFound(clock.instant(), d)));
        }
    }

    private List<Tally> runRanges(Path runDirectory, List<KeyRange> ranges, Progress progress, Verification mode,
            boolean planning) {
        String name = runDirectory.getFileName().toString();
        if (ranges.size() == 1) {
            return List.of(runRange(name, runDirectory, 0, ranges.get(0), progress, mode, planning));
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
                futures.add(pool.submit(() -> runRange(name, runDirectory, index, ranges.get(index), progress, mode,
                        planning)));
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
    private Tally runRange(String runId, Path runDirectory, int index, KeyRange range, Progress progress,
            Verification mode, boolean planning) {
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
                attempt(runId + "-" + index, range, sortInStore, rangeFile(runDirectory, "range-", index),
                        planning ? rangeFile(runDirectory, "plan-", index) : null, tally, progress, mode);
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
            Path planFile, Tally tally, Progress progress, Verification mode) {
        MergeDiff diff = switch (mode) {
            case NONE, SIZE -> MergeDiff.sizesOnly();
            case CHECKSUM -> MergeDiff.withLookup(new HeadLookup(source, destination));
            case DEEP -> MergeDiff.deep(new HeadLookup(source, destination));
        };
        OverwritePolicy overwrite = settings.overwrite();
        boolean deleteExtraneous = settings.deleteExtraneous();
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(differencesFile);
                DifferencesJson.Writer plan = planFile == null ? null : new DifferencesJson.Writer(planFile);
                Stream<ObjectEntry> src = open(name, MergeDiff.Side.SOURCE, range, sortInStore, tally, progress);
                Stream<ObjectEntry> dst = open(name, MergeDiff.Side.DESTINATION, range, sortInStore, tally, progress)) {
            diff.diff(src.iterator(), dst.iterator(), new MergeDiff.Sink() {
                @Override
                public void matched(ObjectEntry s, ObjectEntry d, MatchRule rule) {
                    tally.matched(rule);
                    if (plan != null && overwrite == OverwritePolicy.ALWAYS) {
                        tally.planned(new FixAction(TransferAction.RECOPY, s.key(), null, s, d), plan);
                    }
                }

                @Override
                public void difference(Difference d) {
                    tally.difference(d);
                    writer.write(d);
                    if (plan != null) {
                        FixAction a = FixAction.of(d, overwrite, deleteExtraneous);
                        if (a != null) {
                            tally.planned(a, plan);
                        }
                    }
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
        Iterator<ObjectEntry> entries = listing.iterator();
        if (!settings.filter().acceptsAll()) {
            entries = filtered(entries, settings.filter());
        }
        Iterator<ObjectEntry> counted = progress.counting(side, tally, entries);
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

    private static Iterator<ObjectEntry> filtered(Iterator<ObjectEntry> entries, KeyFilter filter) {
        return new Iterator<>() {
            private ObjectEntry next;

            @Override
            public boolean hasNext() {
                while (next == null && entries.hasNext()) {
                    ObjectEntry e = entries.next();
                    if (filter.test(e.key())) {
                        next = e;
                    }
                }
                return next != null;
            }

            @Override
            public ObjectEntry next() {
                if (!hasNext()) {
                    throw new java.util.NoSuchElementException();
                }
                ObjectEntry e = next;
                next = null;
                return e;
            }
        };
    }

    private static Path rangeFile(Path runDirectory, String kind, int index) {
        return runDirectory.resolve(String.format(java.util.Locale.ROOT, "%s%06d.jsonl", kind, index));
    }

    /** Joins the ranges' files of one kind, in range order and so in key order, into one file. */
    private static void concatenate(Path runDirectory, String kind, int ranges, Path differencesFile) {
        try (java.io.OutputStream out = Files.newOutputStream(differencesFile)) {
            for (int i = 0; i < ranges; i++) {
                Path part = rangeFile(runDirectory, kind, i);
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
        long copies;
        long recopies;
        long deletes;
        long bytesToCopy;
        long plannedFixes;
        final Map<MatchRule, Long> matchedByRule = new EnumMap<>(MatchRule.class);

        void planned(FixAction a, DifferencesJson.Writer plan) {
            plan.write(a);
            switch (a.action()) {
                case COPY -> copies++;
                case RECOPY -> recopies++;
                case DELETE -> deletes++;
            }
            if (a.action() != TransferAction.DELETE) {
                bytesToCopy += a.source().size();
            }
            if (a.reason() != null) {
                plannedFixes++;
            }
        }

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
                sum.copies += t.copies;
                sum.recopies += t.recopies;
                sum.deletes += t.deletes;
                sum.bytesToCopy += t.bytesToCopy;
                sum.plannedFixes += t.plannedFixes;
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
        private final MigrationState phase;
        private Instant lastEmitted;

        Progress(Instant phaseStart, MigrationState phase) {
            this.phaseStart = phaseStart;
            this.phase = phase;
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
            if (!force && Duration.between(lastEmitted, now).compareTo(settings.progressInterval()) < 0) {
                return;
            }
            lastEmitted = now;
            listener.onProgress(new ProgressSnapshot(now, phase, Math.max(0, sourceObjects.sum()),
                    Math.max(0, sourceBytes.sum()), Math.max(0, destinationObjects.sum()),
                    Math.max(0, destinationBytes.sum()), Duration.between(phaseStart, now)));
        }
    }
}
