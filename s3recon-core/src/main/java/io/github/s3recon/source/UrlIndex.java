package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Finds the URL of a key, for {@code attributes(key)} and {@code open(key, ...)} called by key
 * alone (a migration reads listed entries, whose URL is found again at their manifest position,
 * and never builds this index): built on first use by reading the
 * whole manifest once, held in memory (about 150 bytes per URL: fine for millions, not for 100
 * million; see the class comment of {@link UrlManifestSource}). A key given twice keeps its first
 * URL; the others are counted. Thread-safe: built once, then read only.
 */
final class UrlIndex {

    private final ManifestInput manifest;
    private final UrlKeys keys;
    private final AtomicLong duplicateKeys = new AtomicLong();
    private volatile Map<String, URI> urls;

    UrlIndex(ManifestInput manifest, UrlKeys keys) {
        this.manifest = manifest;
        this.keys = keys;
    }

    /** The URL of a key, or null when the manifest has no such key. */
    URI url(String key) {
        Map<String, URI> map = urls;
        if (map == null) {
            synchronized (this) {
                map = urls;
                if (map == null) {
                    map = build();
                    urls = map;
                }
            }
        }
        return map.get(key);
    }

    /**
     * The URL of a key the manifest must have.
     *
     * @throws S3ReconException with {@link ErrorCode#LISTING_FAILED} naming the key and manifest when it has not
     */
    URI require(String key) {
        URI url = url(key);
        if (url == null) {
            throw new S3ReconException(ErrorCode.LISTING_FAILED, "key '" + Redact.key(key) + "' is not in manifest "
                    + manifest.describe());
        }
        return url;
    }

    /**
     * The URL of a listed entry: read again at its manifest position (its locator, kept in
     * {@link ObjectEntry#storageClass()}), without building the index; from the index only when the
     * manifest changed since the listing.
     */
    URI of(ObjectEntry entry) {
        String locator = entry.storageClass();
        if (locator != null) {
            ManifestEntry at = manifest.at(locator);
            if (at != null && keys.keyOf(at).equals(entry.key())) {
                return at.url();
            }
        }
        return require(entry.key());
    }

    /** Whether the index was built (for tests: a migration never needs it). */
    boolean built() {
        return urls != null;
    }

    /** How many entries repeated a key already indexed (0 before the index is built). */
    long duplicateKeys() {
        return duplicateKeys.get();
    }

    private Map<String, URI> build() {
        Map<String, URI> map = new HashMap<>();
        try (Stream<ManifestEntry> entries = manifest.entries()) {
            entries.forEach(e -> {
                if (map.putIfAbsent(keys.keyOf(e), e.url()) != null) {
                    duplicateKeys.incrementAndGet();
                }
            });
        }
        return map;
    }
}
