package io.github.s3recon.source;

import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The listing of a manifest: its entries keyed, in manifest order, an entry repeating the key just
 * before it skipped, those without a size HEADed ({@link SizingListing}), the URLs that answer 404
 * or 410 left out, logged, counted and kept (the first 1,000) for {@link UrlManifestSource#notFound()}.
 * Thread-safe: each listing has its own readers; the counters are shared by every listing.
 */
final class UrlListing {

    private static final Logger LOG = LoggerFactory.getLogger(UrlManifestSource.class);
    private static final int NOT_FOUND_KEPT = 1000;

    private final ManifestInput manifest;
    private final UrlKeys keys;
    private final HttpReader http;
    private final int concurrency;
    private final AtomicLong notFoundCount = new AtomicLong();
    private final AtomicLong adjacentDuplicates = new AtomicLong();
    private final List<String> notFound = Collections.synchronizedList(new ArrayList<>());

    UrlListing(ManifestInput manifest, UrlKeys keys, HttpReader http, int concurrency) {
        this.manifest = manifest;
        this.keys = keys;
        this.http = http;
        this.concurrency = concurrency;
    }

    /** See {@link UrlManifestSource#list(KeyRange, Consumer)}. */
    Stream<ObjectEntry> list(KeyRange range, Consumer<UrlManifestSource.NotFound> notFoundSink) {
        // The status of each URL found gone, from the HEAD's thread to the reading thread (a window's worth).
        Map<SizingListing.Keyed, Integer> goneStatus = new ConcurrentHashMap<>();
        Stream<ManifestEntry> entries = manifest.entries();
        SizingListing listing = new SizingListing(keyed(entries.iterator(), range),
                k -> http.head(k.entry().url(), k.key(), status -> goneStatus.put(k, status))
                        .map(h -> new ObjectEntry(k.key(), h.size(), h.eTag(), h.lastModified(), k.entry().locator(),
                                null)),
                k -> {
                    record(k);
                    Integer status = goneStatus.remove(k);
                    notFoundSink.accept(new UrlManifestSource.NotFound(k.key(), ManifestUrls.shown(k.entry().url()),
                            status == null ? 404 : status, k.entry().where()));
                }, concurrency);
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(listing, Spliterator.ORDERED | Spliterator.NONNULL),
                false).onClose(() -> {
                    try {
                        listing.close();
                    } finally {
                        entries.close();
                    }
                });
    }

    /** The entries in the range with their keys, an entry with the key of the one before it skipped. */
    private Iterator<SizingListing.Keyed> keyed(Iterator<ManifestEntry> it, KeyRange range) {
        return new Iterator<>() {
            private SizingListing.Keyed next;
            private String previousKey;

            @Override
            public boolean hasNext() {
                while (next == null && it.hasNext()) {
                    ManifestEntry e = it.next();
                    String key = keys.keyOf(e);
                    if (key.equals(previousKey)) {
                        adjacentDuplicates.incrementAndGet();
                        continue;
                    }
                    previousKey = key;
                    if (range.contains(key)) {
                        next = new SizingListing.Keyed(key, e);
                    }
                }
                return next != null;
            }

            @Override
            public SizingListing.Keyed next() {
                if (!hasNext()) {
                    throw new NoSuchElementException();
                }
                SizingListing.Keyed k = next;
                next = null;
                return k;
            }
        };
    }

    private void record(SizingListing.Keyed k) {
        notFoundCount.incrementAndGet();
        String line = ManifestUrls.shown(k.entry().url()) + " (" + k.entry().where() + ")";
        LOG.warn("Source not found (HTTP 404/410), left out of the listing: {}", line);
        synchronized (notFound) {
            if (notFound.size() < NOT_FOUND_KEPT) {
                notFound.add(line);
            }
        }
    }

    long notFoundCount() {
        return notFoundCount.get();
    }

    List<String> notFound() {
        synchronized (notFound) {
            return List.copyOf(notFound);
        }
    }

    long adjacentDuplicates() {
        return adjacentDuplicates.get();
    }
}
