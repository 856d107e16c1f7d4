package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import java.util.ArrayDeque;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * Turns a manifest's keyed entries into listed {@link ObjectEntry}s: an entry whose size the
 * manifest gives is listed as it is; the others are HEADed, up to {@code concurrency} at a time
 * and in manifest order. A URL that answers 404 or 410 is left out of the listing and reported to
 * {@code notFound}. Not thread-safe, as iterators are; {@link #close()} stops the HEADs.
 */
final class SizingListing implements Iterator<ObjectEntry>, AutoCloseable {

    /** A manifest entry with its key. */
    record Keyed(String key, ManifestEntry entry) {
    }

    private static final AtomicInteger POOLS = new AtomicInteger();

    private final Iterator<Keyed> entries;
    private final Function<Keyed, Optional<ObjectEntry>> head;
    private final java.util.function.Consumer<Keyed> notFound;
    private final int concurrency;
    private final ArrayDeque<CompletableFuture<Optional<ObjectEntry>>> window = new ArrayDeque<>();
    private final ArrayDeque<Keyed> windowEntries = new ArrayDeque<>();
    private ExecutorService pool;
    private ObjectEntry next;

    SizingListing(Iterator<Keyed> entries, Function<Keyed, Optional<ObjectEntry>> head,
            java.util.function.Consumer<Keyed> notFound, int concurrency) {
        this.entries = entries;
        this.head = head;
        this.notFound = notFound;
        this.concurrency = concurrency;
    }

    @Override
    public boolean hasNext() {
        while (next == null) {
            fill();
            if (window.isEmpty()) {
                return false;
            }
            Keyed keyed = windowEntries.poll();
            Optional<ObjectEntry> found;
            try {
                found = window.poll().join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException r) {
                    throw r;
                }
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "HEAD of " + ManifestUrls.shown(keyed.entry().url())
                        + " failed: " + e.getCause(), e.getCause());
            }
            if (found.isPresent()) {
                next = found.get();
            } else {
                notFound.accept(keyed);
            }
        }
        return true;
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

    private void fill() {
        while (window.size() < concurrency && entries.hasNext()) {
            Keyed keyed = entries.next();
            ManifestEntry e = keyed.entry();
            windowEntries.add(keyed);
            if (e.size() >= 0) {
                window.add(CompletableFuture.completedFuture(
                        Optional.of(new ObjectEntry(keyed.key(), e.size(), e.eTag(), null, e.locator(), null))));
            } else {
                window.add(CompletableFuture.supplyAsync(() -> head.apply(keyed), pool()));
            }
        }
    }

    private ExecutorService pool() {
        if (pool == null) {
            String name = "s3recon-url-head-" + POOLS.incrementAndGet() + "-";
            AtomicInteger n = new AtomicInteger();
            pool = Executors.newFixedThreadPool(concurrency, r -> {
                Thread t = new Thread(r, name + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
        }
        return pool;
    }

    @Override
    public void close() {
        window.forEach(f -> f.cancel(true));
        window.clear();
        if (pool != null) {
            pool.shutdownNow();
        }
    }
}
