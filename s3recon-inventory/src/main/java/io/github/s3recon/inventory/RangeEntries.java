package io.github.s3recon.inventory;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3Errors;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** The entries of a listing's pages that lie in a key range, as a stream; shared by the S3 listers. */
final class RangeEntries {

    /** Queued after a listing's last page. */
    static final Object END = new Object();

    private RangeEntries() {
    }

    /**
     * Opens an item that a listing's page queue handed over: a page, {@link #END}, or the
     * failure the listing ended with.
     *
     * @param item the item taken from the queue
     * @param type the page type
     * @param location what was listed, for the error message
     * @param finish runs when the listing has ended (END or failure)
     * @param <P> the page type
     * @return the page, or null at the end
     * @throws io.github.s3recon.S3ReconException the listing's failure, translated
     */
    static <P> P page(Object item, Class<P> type, S3Location location, Runnable finish) {
        if (item == END || item instanceof Throwable) {
            finish.run();
        }
        if (item instanceof Throwable t) {
            throw S3Errors.translate(t, location, "listing");
        }
        return item == END ? null : type.cast(item);
    }

    /**
     * Streams the entries of pages in a range. The listing stops, and {@code cancel} runs, at the
     * first key past the range's end: keys come sorted (the engine checks), so nothing further can
     * be in range. Closing the stream runs {@code cancel} too.
     *
     * @param nextPage returns the next page's entries, or null after the last; may block
     * @param cancel stops the listing; may run more than once
     * @param range the keys wanted
     * @return the stream
     */
    static Stream<ObjectEntry> stream(Supplier<List<ObjectEntry>> nextPage, Runnable cancel, KeyRange range) {
        Iterator<ObjectEntry> entries = new Iterator<>() {
            private Iterator<ObjectEntry> page = List.<ObjectEntry>of().iterator();
            private ObjectEntry next;
            private boolean done;

            @Override
            public boolean hasNext() {
                while (next == null && !done) {
                    if (!page.hasNext()) {
                        List<ObjectEntry> taken = nextPage.get();
                        if (taken == null) {
                            done = true;
                            return false;
                        }
                        page = taken.iterator();
                        continue;
                    }
                    ObjectEntry e = page.next();
                    if (range.isAfter(e.key())) {
                        done = true;
                        cancel.run();
                    } else if (range.contains(e.key())) {
                        next = e;
                    }
                }
                return next != null;
            }

            @Override
            public ObjectEntry next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                ObjectEntry e = next;
                next = null;
                return e;
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(entries,
                Spliterator.ORDERED | Spliterator.NONNULL), false).onClose(cancel);
    }
}
