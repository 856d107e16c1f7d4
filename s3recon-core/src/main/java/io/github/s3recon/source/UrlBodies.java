package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.function.IntConsumer;

/**
 * The bodies of URLs, whole or by byte range, over an {@link HttpReader}: what the source's
 * {@code open} and {@code download} return. A server may ignore {@code Range} (HTTP allows it) and
 * answer 200 with the whole body: the bytes asked for are then cut out of it ({@link RangeWindow}),
 * so a caller always gets the range it asked for. Thread-safe: stateless over the reader.
 */
final class UrlBodies {

    private final HttpReader http;

    UrlBodies(HttpReader http) {
        this.http = http;
    }

    /** Checks an {@code open}'s offset and length, naming the one out of range. */
    static void checkRange(long offset, long length) {
        if (offset < 0) {
            throw S3ReconException.invalidConfiguration("offset", offset, "must not be negative");
        }
        if (length < -1) {
            throw S3ReconException.invalidConfiguration("length", length, "must be -1 (to the end) or at least 0");
        }
    }

    /** See {@link UrlManifestSource#open(String, long, long)}. */
    InputStream open(String key, URI url, long offset, long length) {
        checkRange(offset, length);
        if (length == 0) {
            return InputStream.nullInputStream();
        }
        boolean toEnd = toEnd(offset, length);
        String range = range(offset, length);
        HttpResponse<InputStream> r = http.get(url, key, range, HttpReader.NO_THROTTLE);
        if (r.statusCode() == 416) {
            closeQuietly(r.body());
            return InputStream.nullInputStream(); // the range starts at or past the end
        }
        if (range != null && (r.statusCode() == 200 || HttpReader.start(r.headers().firstValue("Content-Range")
                .orElse(null)) != offset)) {
            // A 200 with the whole body: the server ignored Range.
            if (r.statusCode() == 206) {
                closeQuietly(r.body());
                throw new S3ReconException(ErrorCode.LISTING_FAILED, "GET " + ManifestUrls.shown(url) + " (key '"
                        + Redact.key(key) + "') answered a range other than the one asked for ("
                        + Redact.text(r.headers().firstValue("Content-Range").orElse("")) + ")");
            }
            return new RangeWindow(r.body(), offset, toEnd ? -1 : length);
        }
        return r.body();
    }

    /** See {@link UrlManifestSource#download(io.github.s3recon.ObjectEntry, long, long, IntConsumer)}. */
    UrlManifestSource.Download download(String key, URI url, long offset, long length, IntConsumer throttled) {
        if (offset < 0) {
            throw S3ReconException.invalidConfiguration("offset", offset, "must not be negative");
        }
        if (length < -1 || length == 0) {
            throw S3ReconException.invalidConfiguration("length", length, "must be -1 (to the end) or positive");
        }
        HttpResponse<InputStream> r = http.get(url, key, range(offset, length), throttled);
        HttpReader.Head h = HttpReader.head(r.headers());
        String rawETag = r.headers().firstValue("ETag").map(t -> t.strip().replace("\"", "")).orElse(null);
        InputStream body = r.body();
        if (r.statusCode() == 416) {
            closeQuietly(body);
            body = InputStream.nullInputStream();
        } else if (r.statusCode() == 200 && (offset > 0 || !toEnd(offset, length))) {
            body = new RangeWindow(body, offset, toEnd(offset, length) ? -1 : length); // the server ignored Range
        }
        return new UrlManifestSource.Download(body, ManifestUrls.shown(url), h.contentType(), rawETag,
                h.lastModified(), r.statusCode() == 206 || h.acceptsRanges());
    }

    private static boolean toEnd(long offset, long length) {
        return length < 0 || offset > Long.MAX_VALUE - length;
    }

    /** The {@code Range} header of a read, or null for the whole body. */
    private static String range(long offset, long length) {
        boolean toEnd = toEnd(offset, length);
        return offset == 0 && toEnd ? null : "bytes=" + offset + "-" + (toEnd ? "" : offset + length - 1);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // an answer not used
        }
    }
}
