package io.github.s3recon.internal.run;

import io.github.s3recon.Difference;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixAction;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyOrder;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.Verification;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.internal.DifferencesJson;
import io.github.s3recon.internal.HeadLookup;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The list, diff and plan stages of one listing pass: both sides listed range by range (in
 * parallel when there are several ranges), each range's sorted streams merged by {@link MergeDiff},
 * each difference written to the range's differences file and, when the pass plans, turned into a
 * fix action in the range's plan file; then the ranges' files joined in key order.
 *
 * <p>Each range checkpoints its last decided key with its counts and file offsets, so that a
 * resumed run goes on from there. A listing found out of UTF-8 byte order (the merge sees it when
 * it happens) is listed again through the inventory store, sorted, and its range starts over.
 * Differences reach the listeners only once the pass is final ({@link #deliver}), so no listener
 * ever sees a wrong difference. One instance serves one pass.
 */
final class DiffStage {

    private static final Logger LOG = LoggerFactory.getLogger(DiffStage.class);

    private final RunContext run;
    private final RunLifecycle lifecycle;
    private final DiffPass pass;
    private final Verification mode;
    private final boolean planning;
    /** Set when a range failed: the other ranges stop at their next key. */
    private volatile boolean stopRanges;

    /**
     * @param mode how matches are proved (sizes, checksums, bytes)
     * @param planning whether the pass writes a fix plan
     */
    DiffStage(RunContext run, RunLifecycle lifecycle, DiffPass pass, Verification mode, boolean planning) {
        this.run = run;
        this.lifecycle = lifecycle;
        this.pass = pass;
        this.mode = mode;
        this.planning = planning;
    }

    /** Thrown in a range's thread when another range failed: the listing stops everywhere. */
    static final class RangesStopped extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RangesStopped() {
            super("another key range failed", null, false, false);
        }
    }

    private void checkStopped() {
        run.checkCancelled();
        if (stopRanges) {
            throw new RangesStopped();
        }
    }

    /**
     * Lists, diffs and (when planning) plans the ranges.
     *
     * @param differencesName the pass's differences file in the run's directory
     * @param planName the pass's plan file, or null when it does not plan
     * @param phase the state its progress and phase events are reported under
     * @param expectedObjects how many objects the listing will see on both sides, or -1 if not known
     */
    Comparison run(List<KeyRange> ranges, String differencesName, String planName, MigrationState phase,
            long expectedObjects) {
        java.time.Instant started = lifecycle.phaseStarted(phase);
        ListingProgress progress = new ListingProgress(run, phase, started, expectedObjects);
        Map<Integer, RangeCheckpoint> saved = new HashMap<>();
        for (RangeCheckpoint cp : run.checkpoints.ranges(lifecycle.id(), pass)) {
            saved.put(cp.index(), cp);
        }
        List<Tally> tallies = ranges(ranges, saved, progress);
        progress.emit(true);
        Tally tally = Tally.sum(tallies);
        Path directory = lifecycle.directory();
        Path differencesFile = directory.resolve(differencesName);
        RangeFiles.concatenate(directory, RangeFiles.DIFFERENCES, ranges.size(), differencesFile);
        LocationSummary src = run.settings.sourceSummary(tally.sourceObjects, tally.sourceBytes);
        LocationSummary dst = new LocationSummary(run.destination.bucket(), run.destination.prefix(),
                tally.destinationObjects, tally.destinationBytes);
        FixPlan plan = null;
        if (planning) {
            Path planFile = directory.resolve(planName);
            RangeFiles.concatenate(directory, RangeFiles.PLAN, ranges.size(), planFile);
            plan = new FixPlan(src, dst, planFile, tally.copies, tally.recopies, tally.deletes, tally.bytesToCopy);
        }
        if (pass != DiffPass.BEFORE) {
            // The BEFORE range files are kept until the run has recorded that it is past them.
            RangeFiles.delete(directory, ranges.size());
        }
        lifecycle.phaseFinished(phase, started, src.objects() + dst.objects(), src.bytes() + dst.bytes());
        return new Comparison(src, dst, tally.differenceCounts(), tally.matchedByRule(), differencesFile, plan,
                tally.plannedFixes);
    }

    /** Tells the listeners the differences of a final pass, in key order. */
    static void deliver(RunContext run, Path differencesFile) {
        try (Stream<Difference> differences = DifferencesJson.read(differencesFile)) {
            differences.forEach(d -> run.listener.onDifference(new DifferenceFound(run.clock.instant(), d)));
        }
    }

    private List<Tally> ranges(List<KeyRange> ranges, Map<Integer, RangeCheckpoint> saved, ListingProgress progress) {
        if (ranges.size() == 1) {
            return List.of(range(0, ranges.get(0), saved.get(0), progress));
        }
        LOG.debug("listing {} and {} as {} key ranges", run.settings.sourceName(), run.destination, ranges.size());
        AtomicInteger threads = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(ranges.size(), r -> {
            Thread t = new Thread(r, "s3recon-range-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Tally>> futures = new ArrayList<>();
            for (int i = 0; i < ranges.size(); i++) {
                int index = i;
                futures.add(pool.submit(() -> range(index, ranges.get(index), saved.get(index), progress)));
            }
            List<Tally> tallies = new ArrayList<>();
            for (Future<Tally> f : futures) {
                try {
                    tallies.add(f.get());
                } catch (ExecutionException e) {
                    // The other ranges stop too, and are waited for, so that none writes its files or
                    // checkpoints after the run has ended.
                    stopRanges = true;
                    pool.shutdownNow();
                    try {
                        pool.awaitTermination(60, TimeUnit.SECONDS);
                    } catch (InterruptedException interrupted) {
                        Thread.currentThread().interrupt();
                    }
                    throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new S3ReconException(ErrorCode.INTERRUPTED, "reconciliation of " + run.settings.sourceName() + " with "
                            + run.destination + " was interrupted", e);
                }
            }
            return tallies;
        } finally {
            pool.shutdownNow();
        }
    }

    /** Diffs one range; on a listing out of UTF-8 order, sorts that side in the store and starts the range over. */
    private Tally range(int index, KeyRange range, RangeCheckpoint saved, ListingProgress progress) {
        Set<MergeDiff.Side> sortInStore = EnumSet.noneOf(MergeDiff.Side.class);
        if (!run.sourceSide.listsInKeyOrder()) {
            sortInStore.add(MergeDiff.Side.SOURCE);
        }
        if (!run.destinationSide.listsInKeyOrder()) {
            sortInStore.add(MergeDiff.Side.DESTINATION);
        }
        Path differencesFile = RangeFiles.file(lifecycle.directory(), RangeFiles.DIFFERENCES, index);
        Path planFile = planning ? RangeFiles.file(lifecycle.directory(), RangeFiles.PLAN, index) : null;
        boolean filesHold = saved != null && RangeFiles.holds(differencesFile, saved.differencesBytes())
                && (planFile == null || RangeFiles.holds(planFile, saved.planBytes()));
        if (filesHold && saved.done()) {
            Tally tally = tally(index, saved);
            progress.restored(tally);
            return tally;
        }
        RangeCheckpoint from = filesHold && saved.lastKey() != null && sortInStore.isEmpty() ? saved : null;
        while (true) {
            Tally tally = from == null ? new Tally() : tally(index, from);
            Tally restored = from == null ? new Tally() : tally(index, from);
            progress.restored(restored);
            try {
                attempt(index, range, from, sortInStore, differencesFile, planFile, tally, progress);
                return tally;
            } catch (MergeDiff.UnsortedInputException e) {
                progress.forget(tally, restored);
                from = null;
                RangeCheckpointer.restart(run, lifecycle.id(), pass, index, range);
                if (!sortInStore.add(e.side())) {
                    throw e; // the store itself returned an unsorted listing: a store bug
                }
                String side = e.side() == MergeDiff.Side.SOURCE ? run.sourceSide.describe()
                        : run.destinationSide.describe();
                LOG.warn("{} is not listed in UTF-8 byte order ({}); listing key range {} again through the "
                        + "inventory store to sort it", side, e.getMessage(), range);
                lifecycle.log("WARN", side + " is not listed in UTF-8 byte order; key range " + range
                        + " is sorted through the inventory store");
            }
        }
    }

    private Tally tally(int index, RangeCheckpoint checkpoint) {
        try {
            return ResumeCodec.decodeTally(checkpoint.tally());
        } catch (ResumeCodec.Unreadable e) {
            throw lifecycle.corrupt("range " + index + " of " + pass, e);
        }
    }

    /** The lookup of a checksum or deep diff: HEADs on both buckets, or the destination's and the source's reads. */
    private MergeDiff.DetailsLookup lookup() {
        return run.source != null ? new HeadLookup(run.source, run.destination)
                : new io.github.s3recon.internal.SourceLookup(run.sourceSide, new HeadLookup(null, run.destination),
                        run.destination);
    }

    private void attempt(int index, KeyRange range, RangeCheckpoint from, Set<MergeDiff.Side> sortInStore,
            Path differencesFile, Path planFile, Tally tally, ListingProgress progress) {
        MergeDiff diff = switch (mode) {
            case NONE, SIZE -> MergeDiff.sizesOnly();
            case CHECKSUM -> MergeDiff.withLookup(lookup());
            case DEEP -> MergeDiff.deep(lookup());
        };
        OverwritePolicy overwrite = run.settings.overwrite();
        boolean deleteExtraneous = run.settings.deleteExtraneous();
        String name = lifecycle.directory().getFileName() + "-" + pass.name().toLowerCase(Locale.ROOT) + "-" + index;
        // A checkpoint's last key is decided on both sides: listing goes on after it.
        KeyRange listed = range;
        boolean finished = false;
        if (from != null) {
            if (range.endInclusive() != null && KeyOrder.compareKeys(from.lastKey(), range.endInclusive()) >= 0) {
                finished = true;
            } else {
                listed = new KeyRange(from.lastKey(), range.endInclusive());
            }
        }
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(differencesFile,
                from == null ? 0 : from.differencesBytes());
                DifferencesJson.Writer plan = planFile == null ? null
                        : new DifferencesJson.Writer(planFile, from == null ? 0 : from.planBytes())) {
            RangeCheckpointer checkpointer = new RangeCheckpointer(run, lifecycle.id(), pass, index, range, writer,
                    plan, tally, sortInStore.isEmpty(), this::checkStopped);
            if (!finished) {
                try (Stream<ObjectEntry> src = SideListing.open(run, name, MergeDiff.Side.SOURCE, listed,
                        !sortInStore.contains(MergeDiff.Side.SOURCE), progress, this::checkStopped,
                        pass == DiffPass.VERIFY ? null : lifecycle.directory());
                        Stream<ObjectEntry> dst = SideListing.open(run, name, MergeDiff.Side.DESTINATION, listed,
                                !sortInStore.contains(MergeDiff.Side.DESTINATION), progress, this::checkStopped,
                                null)) {
                    diff.diff(src.iterator(), dst.iterator(), new MergeDiff.Sink() {
                        @Override
                        public void matched(ObjectEntry s, ObjectEntry d, MatchRule rule) {
                            tally.source(s);
                            tally.destination(d);
                            tally.matched(rule);
                            if (plan != null && overwrite == OverwritePolicy.ALWAYS) {
                                tally.planned(new FixAction(TransferAction.RECOPY, s.key(), null, s, d), plan);
                            }
                            checkpointer.decided(s.key());
                        }

                        @Override
                        public void difference(Difference d) {
                            if (d.source() != null) {
                                tally.source(d.source());
                            }
                            if (d.destination() != null) {
                                tally.destination(d.destination());
                            }
                            tally.difference(d);
                            writer.write(d);
                            if (plan != null) {
                                FixAction a = FixAction.of(d, overwrite, deleteExtraneous);
                                if (a != null) {
                                    tally.planned(a, plan);
                                }
                            }
                            checkpointer.decided(d.key());
                        }
                    });
                }
            }
            checkpointer.save(range.endInclusive(), true);
        } finally {
            for (MergeDiff.Side side : sortInStore) {
                run.store.delete(SideListing.inventoryName(name, side));
            }
        }
    }
}
