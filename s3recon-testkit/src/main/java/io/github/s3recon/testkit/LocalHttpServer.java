package io.github.s3recon.testkit;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real HTTP server on the loopback interface (the JDK's {@code com.sun.net.httpserver}) serving
 * files held in memory, with faults per path: for tests of sources that read URLs.
 *
 * <pre>{@code
 * try (LocalHttpServer http = LocalHttpServer.start()) {
 *     http.put("images/a.jpg", bytes);
 *     http.fault("images/a.jpg", LocalHttpServer.Fault.unavailable(2)); // two 503s, then the file
 *     URI url = http.url("images/a.jpg");
 * }
 * }</pre>
 *
 * <p>Files are answered to GET and HEAD with {@code Content-Length}, {@code Content-Type},
 * {@code ETag} (the MD5, quoted), {@code Last-Modified} and {@code Accept-Ranges: bytes}; a GET with
 * {@code Range: bytes=a-b} (or {@code a-}) gets 206, or 416 past the end. A path not put is 404.
 * The query string is ignored. Thread-safe; counts requests per path and method.
 */
public final class LocalHttpServer implements AutoCloseable {

    /** Last-Modified of every file. */
    public static final ZonedDateTime LAST_MODIFIED = ZonedDateTime.of(2024, 5, 1, 12, 0, 0, 0, ZoneOffset.UTC);

    /**
     * A fault of a path. The counted faults ({@link #unavailable}, {@link #tooManyRequests},
     * {@link #resetMidBody}) answer their first {@code times} GETs and HEADs that way, then serve
     * the file.
     *
     * @param status the status answered instead of the file, or 0 to serve it
     * @param times how many requests get the fault (Integer.MAX_VALUE for all)
     * @param retryAfter the {@code Retry-After} header's value, or null
     * @param noContentLength stream the body chunked, without {@code Content-Length} (HEAD too)
     * @param noRanges ignore {@code Range} and answer 200 with the whole body, without {@code Accept-Ranges}
     * @param resetMidBody send half the body, then close the connection
     * @param slowChunk a pause before each 1 KiB of the body, or null
     */
    public record Fault(int status, int times, String retryAfter, boolean noContentLength, boolean noRanges,
            boolean resetMidBody, Duration slowChunk) {

        /** @return 404 for every request */
        public static Fault notFound() {
            return new Fault(404, Integer.MAX_VALUE, null, false, false, false, null);
        }

        /** @return 410 for every request */
        public static Fault gone() {
            return new Fault(410, Integer.MAX_VALUE, null, false, false, false, null);
        }

        /** @param times how many 503s first @return 503 for the first {@code times} requests */
        public static Fault unavailable(int times) {
            return new Fault(503, times, null, false, false, false, null);
        }

        /** @param status the status @param times how many first @return that status for the first requests */
        public static Fault status(int status, int times) {
            return new Fault(status, times, null, false, false, false, null);
        }

        /**
         * @param times how many 429s first
         * @param retryAfterSeconds the Retry-After in seconds
         * @return 429 with Retry-After for the first {@code times} requests
         */
        public static Fault tooManyRequests(int times, int retryAfterSeconds) {
            return new Fault(429, times, Integer.toString(retryAfterSeconds), false, false, false, null);
        }

        /** @param times how many resets first @return half a body then a closed connection, for the first GETs */
        public static Fault resetMidBody(int times) {
            return new Fault(0, times, null, false, false, true, null);
        }

        /** @param perKiB the pause before each KiB @return a body that trickles */
        public static Fault slowBody(Duration perKiB) {
            return new Fault(0, Integer.MAX_VALUE, null, false, false, false, perKiB);
        }

        /** @return bodies without Content-Length (chunked), HEADs without it */
        public static Fault withoutContentLength() {
            return new Fault(0, Integer.MAX_VALUE, null, true, false, false, null);
        }

        /** @return Range ignored: 200 with the whole body */
        public static Fault ignoringRanges() {
            return new Fault(0, Integer.MAX_VALUE, null, false, true, false, null);
        }

        /** @return this fault and Range ignored */
        public Fault andNoRanges() {
            return new Fault(status, times, retryAfter, noContentLength, true, resetMidBody, slowChunk);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor;
    private final Map<String, byte[]> files = new ConcurrentHashMap<>();
    private final Map<String, String> etags = new ConcurrentHashMap<>();
    private final Map<String, String> contentTypes = new ConcurrentHashMap<>();
    private final Map<String, Fault> faults = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> faulted = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> requests = new ConcurrentHashMap<>();

    private LocalHttpServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        executor = Executors.newFixedThreadPool(32, r -> {
            Thread t = new Thread(r, "local-http");
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /**
     * Starts a server on a free port of the loopback interface.
     *
     * @return the running server; close it
     */
    public static LocalHttpServer start() {
        try {
            return new LocalHttpServer();
        } catch (IOException e) {
            throw new UncheckedIOException("starting the local HTTP server", e);
        }
    }

    /**
     * Serves bytes at a path.
     *
     * @param path the path without the leading {@code /}, not encoded (e.g. {@code a b/c.jpg}); not null
     * @param bytes the body; not null, not copied
     * @return this server
     */
    public LocalHttpServer put(String path, byte[] bytes) {
        files.put(path, bytes);
        etags.put(path, md5(bytes));
        return this;
    }

    /**
     * Serves bytes at a path with a content type (instead of {@code application/octet-stream}).
     *
     * @param path the path without the leading {@code /}, not encoded; not null
     * @param bytes the body; not null, not copied
     * @param contentType the {@code Content-Type} sent with it; not null
     * @return this server
     */
    public LocalHttpServer put(String path, byte[] bytes, String contentType) {
        contentTypes.put(path, contentType);
        return put(path, bytes);
    }

    /**
     * Gives a path a fault (replacing any earlier one); its counter starts anew.
     *
     * @param path the path as given to {@link #put}
     * @param fault the fault; null removes it
     * @return this server
     */
    public LocalHttpServer fault(String path, Fault fault) {
        faulted.remove(path);
        if (fault == null) {
            faults.remove(path);
        } else {
            faults.put(path, fault);
        }
        return this;
    }

    /**
     * The URL of a path, every byte outside {@code A-Z a-z 0-9 - . _ ~} of each segment percent-encoded.
     *
     * @param path the path as given to {@link #put}
     * @return the URL
     */
    public URI url(String path) {
        StringBuilder b = new StringBuilder("http://127.0.0.1:").append(port()).append('/');
        for (byte x : path.getBytes(StandardCharsets.UTF_8)) {
            int c = x & 0xff;
            if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.'
                    || c == '_' || c == '~' || c == '/') {
                b.append((char) c);
            } else {
                b.append('%').append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 15, 16)));
            }
        }
        return URI.create(b.toString());
    }

    /** @return the port the server listens on */
    public int port() {
        return server.getAddress().getPort();
    }

    /**
     * How many requests of a method reached a path.
     *
     * @param method {@code GET} or {@code HEAD}
     * @param path the path as given to {@link #put}
     * @return the count
     */
    public int requests(String method, String path) {
        AtomicInteger n = requests.get(method + " " + path);
        return n == null ? 0 : n.get();
    }

    /** Stops the server at once. */
    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    private void handle(HttpExchange x) throws IOException {
        try (x) {
            String method = x.getRequestMethod();
            String path = x.getRequestURI().getPath();
            path = path.startsWith("/") ? path.substring(1) : path;
            requests.computeIfAbsent(method + " " + path, k -> new AtomicInteger()).incrementAndGet();
            boolean head = method.equals("HEAD");
            Fault fault = faults.get(path);
            boolean counted = fault != null && faulted.computeIfAbsent(path, k -> new AtomicInteger())
                    .getAndIncrement() < fault.times();
            if (fault != null && fault.status() != 0 && counted) {
                if (fault.retryAfter() != null) {
                    x.getResponseHeaders().set("Retry-After", fault.retryAfter());
                }
                x.sendResponseHeaders(fault.status(), -1);
                return;
            }
            byte[] body = files.get(path);
            if (body == null || (!head && !method.equals("GET"))) {
                x.sendResponseHeaders(body == null ? 404 : 405, -1);
                return;
            }
            boolean noLength = fault != null && fault.noContentLength();
            boolean noRanges = fault != null && fault.noRanges();
            var h = x.getResponseHeaders();
            h.set("Content-Type", contentTypes.getOrDefault(path, "application/octet-stream"));
            h.set("ETag", "\"" + etags.get(path) + "\"");
            h.set("Last-Modified", DateTimeFormatter.RFC_1123_DATE_TIME.format(LAST_MODIFIED));
            if (!noRanges) {
                h.set("Accept-Ranges", "bytes");
            }
            int from = 0;
            int to = body.length; // exclusive
            int status = 200;
            String range = x.getRequestHeaders().getFirst("Range");
            if (range != null && !noRanges && !head && range.startsWith("bytes=")) {
                String[] r = range.substring(6).split("-", -1);
                long a = Long.parseLong(r[0]);
                long b = r[1].isEmpty() ? body.length - 1 : Math.min(Long.parseLong(r[1]), body.length - 1);
                if (a >= body.length) {
                    h.set("Content-Range", "bytes */" + body.length);
                    x.sendResponseHeaders(416, -1);
                    return;
                }
                from = (int) a;
                to = (int) b + 1;
                status = 206;
                h.set("Content-Range", "bytes " + from + "-" + (to - 1) + "/" + body.length);
            }
            int length = to - from;
            if (head) {
                if (!noLength) {
                    h.set("Content-Length", Integer.toString(length));
                }
                x.sendResponseHeaders(status, -1);
                return;
            }
            x.sendResponseHeaders(status, noLength ? 0 : length == 0 ? -1 : length);
            if (length == 0) {
                return;
            }
            OutputStream out = x.getResponseBody();
            if (fault != null && fault.resetMidBody() && counted) {
                out.write(body, from, length / 2);
                out.flush();
                throw new IOException("reset mid-body (injected)");
            }
            for (int i = from; i < to; i += 1024) {
                if (fault != null && fault.slowChunk() != null) {
                    try {
                        Thread.sleep(fault.slowChunk().toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                out.write(body, i, Math.min(1024, to - i));
                out.flush();
            }
        }
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
