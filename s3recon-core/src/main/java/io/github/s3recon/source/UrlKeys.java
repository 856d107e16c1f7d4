package io.github.s3recon.source;

import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.function.Function;

/**
 * Gives each URL of a manifest its key: the manifest's {@code key} column when it has one, else the
 * mapping (by default {@link #pathOf(URI)}), then the prefix to strip. Immutable and thread-safe
 * when the mapping is.
 */
final class UrlKeys {

    private static final int MAX_KEY_BYTES = 1024;

    private final Function<URI, String> mapping;
    private final String stripPrefix;

    UrlKeys(Function<URI, String> mapping, String stripPrefix) {
        this.mapping = mapping;
        this.stripPrefix = stripPrefix;
    }

    /**
     * The default key of a URL: its path without the leading {@code /}, percent-decoded as UTF-8
     * ({@code /a%20b/c%2Bd} is {@code a b/c+d}; a {@code +} stays a {@code +}). The query and the
     * fragment are not part of the key: they hold signatures and cache busters more often than
     * names, and a key must not hold a secret.
     *
     * @param url the URL; not null
     * @return the key; empty for a URL without a path
     */
    static String pathOf(URI url) {
        String path = url.getPath();
        if (path == null) {
            return "";
        }
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /**
     * Returns an entry's key.
     *
     * @throws S3ReconException with {@link io.github.s3recon.ErrorCode#INVALID_CONFIGURATION} naming
     *     the line for an empty key, a key over 1024 UTF-8 bytes, a failing mapping, or a key without
     *     the prefix to strip
     */
    String keyOf(ManifestEntry entry) {
        String key = entry.key();
        if (key == null) {
            try {
                key = mapping.apply(entry.url());
            } catch (RuntimeException e) {
                throw new S3ReconException(io.github.s3recon.ErrorCode.INVALID_CONFIGURATION, "manifest " + entry.where()
                        + ": the key mapping failed for " + ManifestUrls.shown(entry.url()) + ": " + Redact.text(e.toString()), e);
            }
            if (key == null) {
                throw ManifestUrls.bad(entry.where(), "the key mapping gave no key for " + ManifestUrls.shown(entry.url()));
            }
            if (stripPrefix != null) {
                if (!key.startsWith(stripPrefix)) {
                    throw ManifestUrls.bad(entry.where(), "the key '" + Redact.key(key) + "' of "
                            + ManifestUrls.shown(entry.url()) + " does not start with stripPrefix '" + Redact.key(stripPrefix)
                            + "'");
                }
                key = key.substring(stripPrefix.length());
            }
        }
        if (key.isEmpty()) {
            throw ManifestUrls.bad(entry.where(), "the key of " + ManifestUrls.shown(entry.url())
                    + " is empty (a URL needs a path, or the manifest a 'key')");
        }
        if (key.length() > MAX_KEY_BYTES / 3 && key.getBytes(StandardCharsets.UTF_8).length > MAX_KEY_BYTES) {
            throw ManifestUrls.bad(entry.where(), "the key of " + ManifestUrls.shown(entry.url())
                    + " is longer than S3's 1024 bytes");
        }
        return key;
    }
}
