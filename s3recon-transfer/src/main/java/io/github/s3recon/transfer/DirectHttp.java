package io.github.s3recon.transfer;

import java.net.HttpURLConnection;
import java.net.http.HttpHeaders;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;

/**
 * The direct relay's HTTP: one signed request on a blocking {@link HttpURLConnection}, its answer
 * read whole (see {@link DirectRelay} for why this client). The JDK pools the connections (keep-alive)
 * behind {@code openConnection()}; this class keeps those whose answer is still being read, so that
 * {@link #close()} can cut them: a thread blocked reading a socket does not see an interrupt, a
 * closed socket it does.
 *
 * <p>Thread-safe.
 */
final class DirectHttp {

    private static final int CONNECT_TIMEOUT_MS = 10_000;

    /** The most of an error answer's body that is read (an S3 error document is under 1 KiB). */
    static final int ERROR_BODY_LIMIT = 64 << 10;
    private static final String USER_AGENT = "s3recon (direct relay)";

    /** Connections whose answer is still being read. */
    private final Set<HttpURLConnection> open = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** An answer read whole: its status, its headers and its body (null for a GET of another length). */
    record Answer(int status, HttpHeaders headers, byte[] body) {
    }

    /** The request headers {@link HttpURLConnection} writes itself; anything else signed among them is refused. */
    private static final Set<String> WRITTEN_BY_CONNECTION = Set.of("host", "content-length");

    /** Sends one signed request and reads its whole answer, on the calling thread. */
    Answer send(SdkHttpRequest signed, byte[] body, long length) throws java.io.IOException {
        HttpURLConnection c = open(signed);
        boolean reusable = false;
        try {
            if (body != null) {
                c.setDoOutput(true);
                c.setFixedLengthStreamingMode(body.length);
                try (java.io.OutputStream out = c.getOutputStream()) {
                    out.write(body);
                }
            }
            Answer answer = answer(c, c.getResponseCode(), length);
            reusable = answer.body() != null;
            return answer;
        } finally {
            done(c, reusable);
        }
    }

    /**
     * A connection for a signed request, with its headers set, not yet sent; open until the caller
     * says it is {@link #done}.
     */
    HttpURLConnection open(SdkHttpRequest signed) throws java.io.IOException {
        HttpURLConnection c = (HttpURLConnection) signed.getUri().toURL().openConnection();
        open.add(c);
        c.setRequestMethod(signed.method().name());
        c.setConnectTimeout(CONNECT_TIMEOUT_MS);
        c.setReadTimeout((int) DirectRelay.TIMEOUT.toMillis());
        c.setInstanceFollowRedirects(false);
        // No response cache for a GET (a JVM may have installed one). Not for a PUT: without
        // caches the connection adds "Cache-Control: no-cache", which S3 would store with the object.
        c.setUseCaches(signed.method() != SdkHttpMethod.GET);
        c.setRequestProperty("User-Agent", USER_AGENT);
        c.setRequestProperty("Accept", "*/*");
        for (Map.Entry<String, List<String>> h : signed.headers().entrySet()) {
            if (WRITTEN_BY_CONNECTION.contains(h.getKey().toLowerCase(java.util.Locale.ROOT))) {
                continue; // Host from the same URI, Content-Length from the body
            }
            for (String v : h.getValue()) {
                c.addRequestProperty(h.getKey(), v);
            }
        }
        return c;
    }

    /**
     * Reads a sent request's whole answer.
     *
     * @param length for a 200 to a GET of an object, the length its body must have (read into an
     *     array of exactly that size; another length gives a null body, unread); -1 to read any
     *     body, up to {@link #ERROR_BODY_LIMIT} (beyond it the body is null and the rest unread)
     */
    static Answer answer(HttpURLConnection c, int status, long length) throws java.io.IOException {
        HttpHeaders headers = headersOf(c);
        if (status == 200 && length >= 0) {
            // The object itself: exactly the listed length, into one array the byte budget has
            // accounted for; another length is not this object (or a proxy's page).
            if (c.getContentLengthLong() != length) {
                return new Answer(status, headers, null);
            }
            try (java.io.InputStream in = c.getInputStream()) {
                // Into the array itself (readNBytes(int) would gather 8 KiB pieces and copy them).
                byte[] read = new byte[(int) length];
                int filled = in.readNBytes(read, 0, read.length);
                if (filled != length) {
                    throw new DirectRelay.DirectFailure("the body ended after " + filled + " of " + length + " bytes");
                }
                return new Answer(status, headers, read);
            }
        }
        java.io.InputStream in = status < 400 ? c.getInputStream() : c.getErrorStream();
        if (in == null) {
            return new Answer(status, headers, new byte[0]);
        }
        try (in) {
            byte[] read = in.readNBytes(ERROR_BODY_LIMIT);
            return new Answer(status, headers, in.read() >= 0 ? null : read);
        }
    }

    /** A sent request's answer headers (the status line, which has no name, left out). */
    static HttpHeaders headersOf(HttpURLConnection c) {
        Map<String, List<String>> named = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        c.getHeaderFields().forEach((name, values) -> {
            if (name != null) {
                named.putIfAbsent(name, values);
            }
        });
        return HttpHeaders.of(named, (name, value) -> true);
    }

    /**
     * Ends a connection {@link #open} gave: back to the JDK's pool if its answer was read to its end,
     * else cut (it cannot serve another request).
     */
    void done(HttpURLConnection c, boolean readWhole) {
        open.remove(c);
        if (!readWhole) {
            c.disconnect();
        }
    }

    /** Cuts every connection whose answer is still being read. */
    void close() {
        open.forEach(HttpURLConnection::disconnect);
    }
}
