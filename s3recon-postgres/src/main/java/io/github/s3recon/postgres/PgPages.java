package io.github.s3recon.postgres;

import java.util.Iterator;
import java.util.List;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A stream read page by page on keyset order, so that it holds no connection between pages (a
 * caller may keep it open as long as it likes without pinning one of the pool's connections).
 * Each element checks that the store is still open: a stream outliving its store throws.
 */
final class PgPages {

    /** How many rows one page reads. */
    static final int PAGE = 1_000;

    /** A row and its position in keyset order. */
    record Row<T>(long position, T value) {
    }

    /** Reads the rows after a position, at most a limit of them, in order. */
    @FunctionalInterface
    interface PageReader<T> {
        List<Row<T>> read(long after, int limit);
    }

    private PgPages() {
    }

    static <T> Stream<T> stream(PgBatcher batcher, String action, PageReader<T> reader) {
        Spliterator<T> pages = new Spliterators.AbstractSpliterator<T>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            private Iterator<Row<T>> page = List.<Row<T>>of().iterator();
            private long after;
            private boolean last;

            @Override
            public boolean tryAdvance(Consumer<? super T> consumer) {
                batcher.ensureOpen(action);
                if (!page.hasNext()) {
                    if (last) {
                        return false;
                    }
                    List<Row<T>> rows = reader.read(after, PAGE);
                    last = rows.size() < PAGE;
                    if (rows.isEmpty()) {
                        return false;
                    }
                    after = rows.get(rows.size() - 1).position();
                    page = rows.iterator();
                }
                consumer.accept(page.next().value());
                return true;
            }
        };
        return StreamSupport.stream(pages, false);
    }
}
