package io.github.s3recon.source;

import java.net.URI;

/**
 * One URL of a manifest, as read: the URL, what the manifest says about it, and where it was read
 * (for messages). Immutable.
 *
 * @param url the absolute http(s) URL; not null
 * @param key the key the manifest gives, or null to map the URL to a key
 * @param size the size the manifest gives, or -1 when it does not say
 * @param eTag a plain MD5 (32 hex digits) the manifest gives, lower case, or null
 * @param where the manifest file and line, e.g. {@code urls.csv line 12}; not null
 * @param locator where the entry can be read again ({@link ManifestInput#at(String)}): a byte offset
 *     and, for a set of files, the file; no secret; not null
 */
record ManifestEntry(URI url, String key, long size, String eTag, String where, String locator) {
}
