package io.github.s3recon.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers the S3 requests of {@link SyntheticS3}: ListBuckets, HeadBucket, GetBucketLocation,
 * GetBucketVersioning, ListObjects (V1 and V2), HeadObject and GetObject (with a Range), from a
 * {@link SyntheticDataset}. Every write is refused with 403 {@code AccessDenied}: the endpoint is
 * read-only. Signatures are not checked.
 *
 * <p>Thread-safe: the per-request buffers come from a small pool, one per request in flight, so
 * that memory depends on the concurrency and never on the object count.
 */
final class SyntheticHandler implements HttpHandler {

    /** An S3 error answer: status, code and message, as S3's error XML carries them. */
    static final class S3Error extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;
        final String bucket;
        final String key;

        S3Error(int status, String code, String message) {
            this(status, code, message, null, null);
        }

        S3Error(int status, String code, String message, String bucket, String key) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
            this.bucket = bucket;
            this.key = key;
        }
    }

    /** The buffers of one request in flight. */
    private static final class Scratch {
        final SyntheticBuffer head = new SyntheticBuffer(4 << 10);
        final SyntheticBuffer body = new SyntheticBuffer(256 << 10);
        final byte[] key;
        final byte[] scratch;

        Scratch(int maxKeyLength) {
            this.key = new byte[maxKeyLength];
            this.scratch = new byte[maxKeyLength];
        }
    }

    private static final String XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";
    private static final int BODY_CHUNK = 64 << 10;
    /** A buffer that grew beyond this (a huge prefix echoed back) is not kept for reuse. */
    private static final int MAX_POOLED_BUFFER = 4 << 20;
    private static final DateTimeFormatter ISO_MILLIS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final SyntheticDataset data;
    private final String sourceBucket;
    private final String destinationBucket;
    private final String isoDate;
    private final String httpDate;
    private final byte[] keyToETag;
    private final long pageLatencyNanos;
    private final ArrayBlockingQueue<Scratch> pool;
    private final LongAdder requests = new LongAdder();
    private final AtomicLong requestIds = new AtomicLong();

    SyntheticHandler(SyntheticDataset data, String sourceBucket, String destinationBucket, Instant lastModified,
            long pageLatencyNanos, int threads) {
        this.data = data;
        this.sourceBucket = sourceBucket;
        this.destinationBucket = destinationBucket;
        this.isoDate = ISO_MILLIS.format(lastModified);
        this.httpDate = DateTimeFormatter.RFC_1123_DATE_TIME.format(lastModified.atOffset(ZoneOffset.UTC));
        // Everything between a key and its ETag's hex digits is the same for every object.
        this.keyToETag = ("</Key><LastModified>" + isoDate + "</LastModified><ETag>&quot;")
                .getBytes(StandardCharsets.US_ASCII);
        this.pageLatencyNanos = pageLatencyNanos;
        this.pool = new ArrayBlockingQueue<>(threads);
    }

    long requestCount() {
        return requests.sum();
    }

    @Override
    public void handle(HttpExchange exchange) {
        requests.increment();
        String requestId = Long.toHexString(0x1000_0000_0000_0000L | requestIds.incrementAndGet()).toUpperCase(Locale.ROOT);
        Headers headers = exchange.getResponseHeaders();
        headers.set("x-amz-request-id", requestId);
        headers.set("x-amz-id-2", requestId);
        headers.set("Server", "SyntheticS3");
        try {
            route(exchange);
        } catch (S3Error e) {
            sendError(exchange, e, requestId);
        } catch (IOException e) {
            // The client went away mid-answer; nothing to tell it.
        } catch (RuntimeException e) {
            sendError(exchange, new S3Error(500, "InternalError", String.valueOf(e)), requestId);
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        boolean head = "HEAD".equals(method);
        if (!head && !"GET".equals(method)) {
            throw new S3Error(403, "AccessDenied", "SyntheticS3 is read-only: " + method + " is not allowed");
        }
        String rawPath = exchange.getRequestURI().getRawPath();
        if (rawPath == null || rawPath.isEmpty() || "/".equals(rawPath)) {
            listBuckets(exchange, head);
            return;
        }
        int slash = rawPath.indexOf('/', 1);
        String bucket = decode(slash < 0 ? rawPath.substring(1) : rawPath.substring(1, slash), false);
        String key = slash < 0 ? "" : decode(rawPath.substring(slash + 1), false);
        boolean destination = bucket.equals(destinationBucket);
        if (!destination && !bucket.equals(sourceBucket)) {
            throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket, null);
        }
        if (!key.isEmpty()) {
            object(exchange, head, bucket, destination, key);
            return;
        }
        if (head) {
            exchange.getResponseHeaders().set("x-amz-bucket-region", "us-east-1");
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        Map<String, String> query = parseQuery(exchange.getRequestURI().getRawQuery());
        if (query.containsKey("location")) {
            sendXml(exchange, "<LocationConstraint xmlns=\"" + XMLNS + "\"/>");
        } else if (query.containsKey("versioning")) {
            sendXml(exchange, "<VersioningConfiguration xmlns=\"" + XMLNS + "\"/>");
        } else if (query.containsKey("list-type") || isListingV1(query)) {
            list(exchange, bucket, destination, query);
        } else {
            throw new S3Error(501, "NotImplemented", "SyntheticS3 does not implement this bucket operation: "
                    + exchange.getRequestURI().getRawQuery(), bucket, null);
        }
    }

    private static boolean isListingV1(Map<String, String> query) {
        for (String name : query.keySet()) {
            switch (name) {
                case "prefix", "delimiter", "marker", "max-keys", "encoding-type", "x-id":
                    break;
                default:
                    return false;
            }
        }
        return true;
    }

    private void list(HttpExchange exchange, String bucket, boolean destination, Map<String, String> query)
            throws IOException {
        String listType = query.get("list-type");
        if (listType != null && !"2".equals(listType)) {
            throw new S3Error(400, "InvalidArgument", "Invalid List Type specified in Request", bucket, null);
        }
        boolean v2 = listType != null;
        String encoding = query.get("encoding-type");
        if (encoding != null && !"url".equalsIgnoreCase(encoding)) {
            throw new S3Error(400, "InvalidArgument", "Invalid Encoding Method specified in Request", bucket, null);
        }
        int maxKeys = SyntheticListing.MAX_KEYS;
        String maxKeysText = query.get("max-keys");
        if (maxKeysText != null) {
            try {
                maxKeys = (int) Math.min(SyntheticListing.MAX_KEYS, Long.parseLong(maxKeysText));
            } catch (NumberFormatException e) {
                maxKeys = -1;
            }
            if (maxKeys < 0) {
                throw new S3Error(400, "InvalidArgument", "Provided max-keys not an integer or within integer range",
                        bucket, null);
            }
        }
        String delimiter = query.get("delimiter");
        String token = query.get("continuation-token");
        SyntheticListing.Request request = new SyntheticListing.Request(v2, query.getOrDefault("prefix", ""),
                delimiter == null || delimiter.isEmpty() ? null : delimiter,
                emptyToNull(query.get(v2 ? "start-after" : "marker")), emptyToNull(token), maxKeys, encoding != null);
        if (pageLatencyNanos > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(pageLatencyNanos);
            } catch (InterruptedException e) {
                // The server is closing; answer at once.
                Thread.currentThread().interrupt();
            }
        }
        Scratch scratch = borrow();
        try {
            SyntheticBuffer head = scratch.head.reset();
            SyntheticBuffer body = scratch.body.reset();
            SyntheticListing.write(data, destination, bucket, request, keyToETag, head, body, scratch.key,
                    scratch.scratch);
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, head.length + (long) body.length);
            OutputStream out = exchange.getResponseBody();
            out.write(head.bytes, 0, head.length);
            out.write(body.bytes, 0, body.length);
            out.flush();
        } finally {
            release(scratch);
        }
    }

    private void object(HttpExchange exchange, boolean head, String bucket, boolean destination, String key)
            throws IOException {
        Scratch scratch = borrow();
        long pos;
        try {
            pos = data.find(key.getBytes(StandardCharsets.UTF_8), scratch.scratch);
        } finally {
            release(scratch);
        }
        if (pos < 0 || !data.exists(destination, pos)) {
            throw new S3Error(404, "NoSuchKey", "The specified key does not exist.", bucket, key);
        }
        long size = data.size(destination, pos);
        long seed = data.seed(destination, pos);
        Headers headers = exchange.getResponseHeaders();
        headers.set("ETag", "\"" + SyntheticDataset.eTag(seed) + "\"");
        headers.set("Last-Modified", httpDate);
        headers.set("Accept-Ranges", "bytes");
        headers.set("Content-Type", "binary/octet-stream");
        if (head) {
            // The JDK server sends no Content-Length of its own for HEAD; S3 sends the object's.
            headers.set("Content-Length", Long.toString(size));
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        long from = 0;
        long length = size;
        int status = 200;
        long[] range = parseRange(exchange.getRequestHeaders().getFirst("Range"), size, bucket, key);
        if (range != null) {
            from = range[0];
            length = range[1] - range[0] + 1;
            status = 206;
            headers.set("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
        }
        // -1: no body; 0 would mean chunked to the JDK server.
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length == 0) {
            return;
        }
        OutputStream out = exchange.getResponseBody();
        byte[] chunk = new byte[(int) Math.min(BODY_CHUNK, length)];
        long offset = from;
        long remaining = length;
        while (remaining > 0) {
            int n = (int) Math.min(chunk.length, remaining);
            SyntheticDataset.fillBody(seed, offset, chunk, n);
            out.write(chunk, 0, n);
            offset += n;
            remaining -= n;
        }
        out.flush();
    }

    /**
     * Returns {first, last} of a single {@code bytes=} range, or null to send the whole object (no
     * header, or one S3 would ignore).
     */
    private static long[] parseRange(String header, long size, String bucket, String key) {
        if (header == null || !header.startsWith("bytes=") || header.indexOf(',') >= 0) {
            return null;
        }
        String spec = header.substring("bytes=".length()).trim();
        int dash = spec.indexOf('-');
        if (dash < 0) {
            return null;
        }
        try {
            long first;
            long last;
            if (dash == 0) {
                long suffix = Long.parseLong(spec.substring(1));
                if (suffix <= 0 || size == 0) {
                    throw invalidRange(bucket, key);
                }
                first = Math.max(0, size - suffix);
                last = size - 1;
            } else {
                first = Long.parseLong(spec.substring(0, dash));
                last = dash == spec.length() - 1 ? Long.MAX_VALUE : Long.parseLong(spec.substring(dash + 1));
                if (last < first) {
                    return null; // a syntactically invalid range is ignored, as S3 does
                }
                last = Math.min(last, size - 1);
            }
            if (first >= size) {
                throw invalidRange(bucket, key);
            }
            return new long[] {first, last};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    private static S3Error invalidRange(String bucket, String key) {
        return new S3Error(416, "InvalidRange", "The requested range is not satisfiable", bucket, key);
    }

    private void listBuckets(HttpExchange exchange, boolean head) throws IOException {
        if (head) {
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        sendXml(exchange, "<ListAllMyBucketsResult xmlns=\"" + XMLNS + "\"><Owner><ID>synthetic</ID>"
                + "<DisplayName>synthetic</DisplayName></Owner><Buckets>"
                + "<Bucket><Name>" + sourceBucket + "</Name><CreationDate>" + isoDate + "</CreationDate></Bucket>"
                + "<Bucket><Name>" + destinationBucket + "</Name><CreationDate>" + isoDate + "</CreationDate></Bucket>"
                + "</Buckets></ListAllMyBucketsResult>");
    }

    private static void sendXml(HttpExchange exchange, String xml) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    private static void sendError(HttpExchange exchange, S3Error error, String requestId) {
        if (exchange.getResponseCode() != -1) {
            return; // headers are out: the client sees a cut body, as with S3
        }
        try {
            if ("HEAD".equals(exchange.getRequestMethod())) {
                exchange.sendResponseHeaders(error.status, -1);
                return;
            }
            SyntheticBuffer xml = new SyntheticBuffer(512)
                    .ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>").ascii(error.code)
                    .ascii("</Code><Message>").text(error.getMessage(), false).ascii("</Message>");
            if (error.bucket != null) {
                xml.ascii("<BucketName>").text(error.bucket, false).ascii("</BucketName>");
            }
            if (error.key != null) {
                xml.ascii("<Key>").text(error.key, false).ascii("</Key>");
            }
            xml.ascii("<RequestId>").ascii(requestId).ascii("</RequestId><HostId>").ascii(requestId)
                    .ascii("</HostId></Error>");
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.sendResponseHeaders(error.status, xml.length);
            exchange.getResponseBody().write(xml.bytes, 0, xml.length);
        } catch (IOException e) {
            // The client went away.
        }
    }

    private Scratch borrow() {
        Scratch scratch = pool.poll();
        return scratch != null ? scratch : new Scratch(data.maxKeyLength);
    }

    private void release(Scratch scratch) {
        if (scratch.body.bytes.length <= MAX_POOLED_BUFFER && scratch.head.bytes.length <= MAX_POOLED_BUFFER) {
            pool.offer(scratch);
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isEmpty() ? null : s;
    }

    /** Parses a raw query string; a name without '=' maps to "". Later duplicates win. */
    static Map<String, String> parseQuery(String rawQuery) {
        Map<String, String> query = new HashMap<>();
        if (rawQuery == null || rawQuery.isEmpty()) {
            return query;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq), true);
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1), true);
            query.put(name, value);
        }
        return query;
    }

    /**
     * Percent-decodes UTF-8; '+' is a space only in a query (a key may hold a literal '+').
     * A malformed escape is kept as it is.
     */
    static String decode(String raw, boolean plusIsSpace) {
        if (raw.indexOf('%') < 0 && (!plusIsSpace || raw.indexOf('+') < 0)) {
            return raw;
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
        for (int k = 0; k < raw.length(); ) {
            int c = raw.codePointAt(k);
            if (c == '%' && k + 2 < raw.length() && hex(raw.charAt(k + 1)) >= 0 && hex(raw.charAt(k + 2)) >= 0) {
                out.write(hex(raw.charAt(k + 1)) * 16 + hex(raw.charAt(k + 2)));
                k += 3;
            } else if (c == '+' && plusIsSpace) {
                out.write(' ');
                k++;
            } else {
                // A client may send a non-ASCII character unescaped; keep it as its UTF-8 bytes.
                byte[] utf8 = new String(Character.toChars(c)).getBytes(StandardCharsets.UTF_8);
                out.write(utf8, 0, utf8.length);
                k += Character.charCount(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
