package io.github.s3recon.source;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Optional;

/**
 * HEADs and GETs of URLs on the JDK's {@link HttpClient}, with the retries of a
 * {@link RetrySchedule}: 429, 5xx, timeouts and connection failures are retried (after the
 * server's {@code Retry-After} when it sends one); 404 and 410 never are. Failures are
 * {@link S3ReconException}s showing the URL without user-info, query and fragment.
 *
 * <p>Thread-safe: the client is.
 */
final class HttpReader {

    /** What a HEAD (or the headers of a GET) says. {@code size} is -1 without a Content-Length. */
    record Head(long size, String eTag, Instant lastModified, String contentType, boolean acceptsRanges) {
    }

    /** Sleeps; replaced by tests that count pauses instead of waiting. */
    interface Sleeper {
        void sleep(Duration pause) throws InterruptedException;
    }

    /** For reads whose throttling nobody steers by. */
    static final java.util.function.IntConsumer NO_THROTTLE = status -> { };

    private final HttpClient client;
    private final RetrySchedule retry;
    private final Duration requestTimeout;
    private final Sleeper sleeper;

    HttpReader(HttpClient client, RetrySchedule retry, Duration requestTimeout, Sleeper sleeper) {
        this.client = client;
        this.retry = retry;
        this.requestTimeout = requestTimeout;
        this.sleeper = sleeper;
    }

    RetrySchedule retry() {
        return retry;
    }

    /**
     * HEADs a URL; without a Content-Length, asks a GET of the first byte for the size in its
     * {@code Content-Range}, and when the server ignores ranges too, counts the body.
     *
     * @return the head, or empty for 404 and 410
     */
    Optional<Head> head(URI url, String key) {
        return head(url, key, status -> { });
    }

    /** As {@link #head(URI, String)}, telling {@code gone} the status (404 or 410) of an empty answer. */
    Optional<Head> head(URI url, String key, java.util.function.IntConsumer gone) {
        HttpResponse<Void> response = send(request(url, "HEAD", null), HttpResponse.BodyHandlers.discarding(), url, key,
                NO_THROTTLE);
        if (gone(response.statusCode())) {
            gone.accept(response.statusCode());
            return Optional.empty();
        }
        if (response.statusCode() == 405 || response.statusCode() == 501) {
            return sizeFromGet(url, key, null, gone); // a server that does not answer HEAD
        }
        check(response, url, key, "HEAD");
        Head head = head(response.headers());
        return head.size() >= 0 ? Optional.of(head) : sizeFromGet(url, key, head, gone);
    }

    private Optional<Head> sizeFromGet(URI url, String key, Head head, java.util.function.IntConsumer gone) {
        HttpResponse<InputStream> r = send(request(url, "GET", "bytes=0-0"), HttpResponse.BodyHandlers.ofInputStream(), url,
                key, NO_THROTTLE);
        try (InputStream body = r.body()) {
            if (gone(r.statusCode())) {
                gone.accept(r.statusCode());
                return Optional.empty();
            }
            Head got = head(r.headers());
            Head base = head != null ? head : got;
            long total = total(r.headers().firstValue("Content-Range").orElse(null));
            if (r.statusCode() == 416) {
                total = Math.max(0, total);
            } else {
                check(r, url, key, "GET");
                if (total < 0) {
                    total = r.statusCode() == 200 && got.size() >= 0 ? got.size() : count(body, r.statusCode() == 206);
                }
            }
            return Optional.of(new Head(total, base.eTag(), base.lastModified(), base.contentType(),
                    base.acceptsRanges() || r.statusCode() == 206));
        } catch (IOException e) {
            throw failure(url, key, "GET", "reading the body failed: " + e, e);
        }
    }

    private static long count(InputStream body, boolean partial) throws IOException {
        if (partial) {
            return -1;
        }
        long n = 0;
        byte[] buffer = new byte[65536];
        for (int r = body.read(buffer); r >= 0; r = body.read(buffer)) {
            n += r;
        }
        return n;
    }

    /**
     * GETs a URL, or a range of it ({@code range} null for all). The headers have arrived when this
     * returns; the body streams as it is read.
     *
     * {@code throttled} is told the status of each answer that asks to slow down (429 or 503),
     * before the request is tried again, on the calling thread.
     *
     * @return the response: status 200 (whole), 206 (the range) or 416 (the range starts past the end)
     * @throws SourceNotFoundException for 404 and 410
     */
    HttpResponse<InputStream> get(URI url, String key, String range, java.util.function.IntConsumer throttled) {
        HttpResponse<InputStream> r = send(request(url, "GET", range), HttpResponse.BodyHandlers.ofInputStream(), url, key,
                throttled);
        int status = r.statusCode();
        if (status == 200 || status == 206 || (status == 416 && range != null)) {
            return r;
        }
        close(r.body());
        if (gone(status)) {
            throw new SourceNotFoundException(key, ManifestUrls.shown(url), status);
        }
        check(r, url, key, "GET");
        return r;
    }

    private HttpRequest request(URI url, String method, String range) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toASCIIString()))
                .method(method, HttpRequest.BodyPublishers.noBody()).timeout(requestTimeout);
        if (range != null) {
            b.header("Range", range);
        }
        return b.build();
    }

    /** Sends with retries; returns the first answer that is not to be retried, or the last one. */
    private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler, URI url, String key,
            java.util.function.IntConsumer throttled) {
        for (int attempt = 1; ; attempt++) {
            HttpResponse<T> response;
            try {
                response = client.send(request, handler);
            } catch (IOException e) {
                if (attempt >= retry.maxAttempts()) {
                    throw transportFailure(e, url, key, request.method(), attempt);
                }
                pause(attempt, null, url, key);
                continue;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new S3ReconException(ErrorCode.INTERRUPTED, request.method() + " " + ManifestUrls.shown(url)
                        + " (key '" + Redact.key(key) + "') was interrupted", e);
            }
            int status = response.statusCode();
            if (throttling(status)) {
                throttled.accept(status);
            }
            if (!retryable(status) || attempt >= retry.maxAttempts()) {
                return response;
            }
            if (response.body() instanceof InputStream in) {
                close(in);
            }
            pause(attempt, retryAfter(response.headers()), url, key);
        }
    }

    private void pause(int attempt, Duration retryAfter, URI url, String key) {
        try {
            sleeper.sleep(retry.pause(attempt, retryAfter));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new S3ReconException(ErrorCode.INTERRUPTED, "retrying " + ManifestUrls.shown(url) + " (key '"
                    + Redact.key(key) + "') was interrupted", e);
        }
    }

    static boolean retryable(int status) {
        return status == 429 || status == 408 || status >= 500;
    }

    /** 429 Too Many Requests and 503 Service Unavailable (S3's SlowDown): the server asks for fewer requests. */
    static boolean throttling(int status) {
        return status == 429 || status == 503;
    }

    private static boolean gone(int status) {
        return status == 404 || status == 410;
    }

    private void check(HttpResponse<?> response, URI url, String key, String method) {
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return;
        }
        String why = "HTTP " + status + (retryable(status) ? " after " + retry.maxAttempts() + " attempts (" + retry + ")" : "");
        ErrorCode code = status == 401 || status == 403 ? ErrorCode.ACCESS_DENIED : ErrorCode.LISTING_FAILED;
        throw new S3ReconException(code, method + " " + ManifestUrls.shown(url) + " (key '" + Redact.key(key) + "') failed: "
                + why + (code == ErrorCode.ACCESS_DENIED ? "; the server refuses the request: check that the URL is public or signed" : ""));
    }

    private S3ReconException transportFailure(IOException e, URI url, String key, String method, int attempts) {
        ErrorCode code = e instanceof HttpConnectTimeoutException || e instanceof ConnectException
                ? ErrorCode.ENDPOINT_UNREACHABLE
                : e instanceof HttpTimeoutException ? ErrorCode.TIMED_OUT
                : causedBy(e, UnknownHostException.class) || causedBy(e, UnresolvedAddressException.class)
                ? ErrorCode.UNKNOWN_HOST : ErrorCode.LISTING_FAILED;
        return new S3ReconException(code, method + " " + ManifestUrls.shown(url) + " (key '" + Redact.key(key)
                + "') failed after " + attempts + " attempts (" + retry + "): " + Redact.text(e.toString()), e);
    }

    private S3ReconException failure(URI url, String key, String method, String why, Throwable cause) {
        return new S3ReconException(ErrorCode.LISTING_FAILED, method + " " + ManifestUrls.shown(url) + " (key '"
                + Redact.key(key) + "') failed: " + Redact.text(why), cause);
    }

    private static boolean causedBy(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static Head head(HttpHeaders h) {
        long size = h.firstValue("Content-Length").map(v -> {
            try {
                return Long.parseLong(v.strip());
            } catch (NumberFormatException e) {
                return -1L;
            }
        }).orElse(-1L);
        Instant modified = h.firstValue("Last-Modified").map(HttpReader::date).orElse(null);
        boolean ranges = h.firstValue("Accept-Ranges").map(v -> v.toLowerCase(java.util.Locale.ROOT).contains("bytes"))
                .orElse(false);
        return new Head(size, ManifestUrls.eTag(h.firstValue("ETag").orElse(null)), modified,
                h.firstValue("Content-Type").orElse(null), ranges);
    }

    /** The total of a {@code Content-Range: bytes a-b/total} (or {@code bytes}{@code * /total}); -1 if unknown. */
    static long total(String contentRange) {
        if (contentRange == null) {
            return -1;
        }
        int slash = contentRange.lastIndexOf('/');
        try {
            return slash < 0 ? -1 : Long.parseLong(contentRange.substring(slash + 1).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** The start of a {@code Content-Range: bytes a-b/total}; -1 if unknown. */
    static long start(String contentRange) {
        if (contentRange == null) {
            return -1;
        }
        String t = contentRange.strip();
        int space = t.indexOf(' ');
        int dash = t.indexOf('-');
        try {
            return space < 0 || dash < space ? -1 : Long.parseLong(t.substring(space + 1, dash).strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Instant date(String value) {
        try {
            return ZonedDateTime.parse(value.strip(), DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A {@code Retry-After} in seconds or as an HTTP date; null when absent or unreadable. */
    static Duration retryAfter(HttpHeaders h) {
        String v = h.firstValue("Retry-After").orElse(null);
        if (v == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(v.strip()));
        } catch (NumberFormatException e) {
            Instant at = date(v);
            return at == null ? null : Duration.between(Instant.now(), at);
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException e) {
            // an answer not used: nothing to lose
        }
    }
}
