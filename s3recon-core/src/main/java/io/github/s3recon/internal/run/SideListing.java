package io.github.s3recon.internal.run;

import io.github.s3recon.KeyRange;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.internal.KeyFilter;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectSource;
import java.util.Iterator;
import java.util.Locale;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The list stage for one side of one range: the side's listing, narrowed to the include/exclude
 * globs, counted for progress, and, when the side does not list in UTF-8 byte order, sorted
 * through the inventory store (in bounded memory) before the diff reads it.
 */
final class SideListing {

    private SideListing() {
    }

    /**
     * Opens a side's sorted stream of entries in a range.
     *
     * @param name names the range's inventory, unique in the run
     * @param sorted true when the side's listing is diffed as it streams; false to sort it in the store
     * @param runDirectory where a manifest's URLs found gone are kept ({@link NotFoundLog}); null to not keep them
     * @return the entries in UTF-8 key order (checked by the diff); the caller closes the stream
     */
    static Stream<ObjectEntry> open(RunContext run, String name, MergeDiff.Side side, KeyRange range, boolean sorted,
            ListingProgress progress, Runnable checkStopped, java.nio.file.Path runDirectory) {
        ObjectSource source = side == MergeDiff.Side.SOURCE ? run.sourceSide : run.destinationSide;
        // A manifest's URLs found gone are kept for the run's failures (NotFoundLog).
        Stream<ObjectEntry> listing = source instanceof io.github.s3recon.source.UrlManifestSource urls
                && runDirectory != null ? urls.list(range, NotFoundLog.writer(runDirectory)) : source.list(range);
        KeyFilter filter = run.settings.filter();
        Iterator<ObjectEntry> entries = filter.acceptsAll() ? listing.iterator()
                : listing.filter(e -> filter.test(e.key())).iterator();
        Iterator<ObjectEntry> counted = progress.counting(side, entries, checkStopped);
        if (sorted) {
            return StreamSupport.stream(Spliterators.spliteratorUnknownSize(counted, Spliterator.ORDERED), false)
                    .onClose(listing::close);
        }
        String inventory = inventoryName(name, side);
        long written = 0;
        try (listing; InventoryStore.Writer writer = run.store.writer(inventory)) {
            while (counted.hasNext()) {
                writer.add(counted.next());
                written++;
            }
        }
        Stream<ObjectEntry> sortedEntries = run.store.readSorted(inventory);
        if (runDirectory == null || run.source != null || side != MergeDiff.Side.SOURCE) {
            return sortedEntries;
        }
        // A manifest may repeat a key anywhere: the store keeps one entry per key (the last listed),
        // and the keys written less those read back are the repeats, reported with the run.
        Iterator<ObjectEntry> it = sortedEntries.iterator();
        long listed = written;
        Iterator<ObjectEntry> counting = new Iterator<>() {
            private long read;
            private boolean reported;

            @Override
            public boolean hasNext() {
                boolean more = it.hasNext();
                if (!more && !reported) {
                    reported = true;
                    NotFoundLog.duplicates(runDirectory, source.describe(), listed - read);
                }
                return more;
            }

            @Override
            public ObjectEntry next() {
                read++;
                return it.next();
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(counting, Spliterator.ORDERED), false)
                .onClose(sortedEntries::close);
    }

    /** The inventory a side of a range is sorted in; deleted when the range is done. */
    static String inventoryName(String name, MergeDiff.Side side) {
        return "run-" + name + "-" + side.name().toLowerCase(Locale.ROOT);
    }
}
