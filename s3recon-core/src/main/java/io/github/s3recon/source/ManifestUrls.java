package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * Reads the URLs and the optional columns of manifests, with the messages for bad values: every
 * message names the file and line and shows a URL without user-info, query or fragment
 * ({@link Redact#endpoint}), so that a signed URL's token never reaches a log. Stateless.
 */
final class ManifestUrls {

    private ManifestUrls() {
    }

    /**
     * Parses an absolute http or https URL.
     *
     * @param text the URL as written (surrounding whitespace ignored)
     * @param where the file and line
     * @return the URL
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} for a URL that does not
     *     parse, is relative, is not http(s) or has no host
     */
    static URI parse(String text, String where) {
        String t = text.strip();
        if (t.isEmpty()) {
            throw bad(where, "the URL is empty");
        }
        URI uri;
        try {
            uri = new URI(t);
        } catch (URISyntaxException e) {
            // The reason names the offending character and index, never the query's value.
            throw bad(where, "'" + shown(t) + "' is not a valid URL (" + e.getReason() + " at index " + e.getIndex()
                    + "; spaces and other reserved characters must be percent-encoded)");
        }
        if (!uri.isAbsolute()) {
            throw bad(where, "'" + shown(t) + "' is a relative URL; an absolute http:// or https:// URL is needed");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw bad(where, "'" + shown(t) + "' is not an http:// or https:// URL");
        }
        if (uri.getHost() == null) {
            throw bad(where, "'" + shown(t) + "' has no host");
        }
        return uri;
    }

    /**
     * Parses a size column.
     *
     * @param text the value; blank for none
     * @param where the file and line
     * @return the size, or -1 for a blank value
     */
    static long size(String text, String where) {
        if (text == null || text.isBlank()) {
            return -1;
        }
        try {
            long size = Long.parseLong(text.strip());
            if (size >= 0) {
                return size;
            }
        } catch (NumberFormatException e) {
            // below
        }
        throw bad(where, "size '" + Redact.key(text) + "' is not a number of bytes (0 or more)");
    }

    /**
     * Reads an MD5 or ETag column into an ETag the diff can compare: a plain MD5 (32 hex digits,
     * quotes ignored) in lower case, or an S3 multipart ETag ({@code <md5>-<parts>}); any other
     * ETag (a web server's own, a weak one) cannot be compared with S3's and is dropped.
     *
     * @param text the value; null or blank for none
     * @return the ETag, or null
     */
    static String eTag(String text) {
        if (text == null) {
            return null;
        }
        String t = text.strip();
        if (t.length() >= 2 && t.startsWith("\"") && t.endsWith("\"")) {
            t = t.substring(1, t.length() - 1);
        }
        return t.matches("[0-9a-fA-F]{32}(-[1-9][0-9]{0,4})?") ? t.toLowerCase(Locale.ROOT) : null;
    }

    /**
     * A URL as it may be shown: without user-info, query and fragment.
     *
     * @param uri the URL
     * @return the shown form
     */
    static String shown(URI uri) {
        return Redact.key(Redact.endpoint(uri));
    }

    /** A URL that did not parse, as it may be shown: cut at the first {@code ?} or {@code #}, user-info dropped. */
    static String shown(String text) {
        String t = text;
        int cut = t.length();
        for (char c : new char[] {'?', '#'}) {
            int i = t.indexOf(c);
            if (i >= 0 && i < cut) {
                cut = i;
            }
        }
        t = t.substring(0, cut);
        int scheme = t.indexOf("://");
        int at = t.lastIndexOf('@');
        if (at >= 0) {
            int start = scheme >= 0 ? scheme + 3 : 0;
            int slash = t.indexOf('/', start);
            if (at >= start && (slash < 0 || at < slash)) {
                t = t.substring(0, start) + t.substring(at + 1);
            }
        }
        return Redact.key(Redact.text(t));
    }

    static S3ReconException bad(String where, String what) {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "manifest " + where + ": " + what);
    }
}
