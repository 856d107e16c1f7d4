package io.github.s3recon.internal.relay;

import io.github.s3recon.source.UrlManifestSource;
import io.github.s3recon.spi.ObjectSource;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One read of a source object from an offset to its end, with what the copy keeps of the answer:
 * for a {@link UrlManifestSource}, the HTTP {@code Content-Type}, and the URL and {@code ETag} as
 * user metadata; for another source, only the bytes.
 *
 * @param body the bytes from the offset to the end; the caller closes it
 * @param contentType the content type to store, or null for the destination's default
 * @param metadata user metadata to store ({@value #URL_KEY}, {@value #HTTP_ETAG_KEY}); US-ASCII only
 * @param acceptsRanges whether parts may be read with ranged GETs: the HTTP server says
 *     {@code Accept-Ranges: bytes} or answered a range with 206; always for another source (its
 *     {@code open} takes ranges)
 */
record SourceRead(InputStream body, String contentType, Map<String, String> metadata, boolean acceptsRanges) {

    /** The metadata key of the source URL (without user-info, query and fragment). */
    static final String URL_KEY = "s3recon-source-url";
    /** The metadata key of the HTTP {@code ETag} the source sent, as it sent it. */
    static final String HTTP_ETAG_KEY = "s3recon-source-http-etag";

    /** Opens a key of a source from an offset to its end. */
    static SourceRead open(ObjectSource source, io.github.s3recon.ObjectEntry entry, long offset) {
        return open(source, entry, offset, -1, status -> { });
    }

    /**
     * Opens {@code length} bytes (-1: to the end) of a key of a source from an offset, telling
     * {@code throttled} of each HTTP answer that asks to slow down (429, 503) before its retry.
     */
    static SourceRead open(ObjectSource source, io.github.s3recon.ObjectEntry entry, long offset, long length,
            java.util.function.IntConsumer throttled) {
        if (source instanceof UrlManifestSource urls) {
            UrlManifestSource.Download d = urls.download(entry, offset, length, throttled);
            Map<String, String> metadata = new LinkedHashMap<>();
            metadata.put(URL_KEY, ascii(d.url()));
            if (d.eTag() != null) {
                metadata.put(HTTP_ETAG_KEY, ascii(d.eTag()));
            }
            return new SourceRead(d.body(), d.contentType(), metadata, d.acceptsRanges());
        }
        return new SourceRead(source.open(entry.key(), offset, length), null, Map.of(), true);
    }

    /** Percent-encodes what is not printable US-ASCII (a URL's own escapes stay): S3 user metadata travels in HTTP headers. */
    static String ascii(String text) {
        StringBuilder b = new StringBuilder(text.length());
        for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if (c < 0x20 || c > 0x7e) {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            } else {
                b.append((char) c);
            }
        }
        return b.toString();
    }
}
