package io.github.s3recon.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Answers the S3 requests of {@link SyntheticS3}: ListBuckets, HeadBucket, GetBucketLocation,
 * GetBucketVersioning, ListObjects (V1 and V2), HeadObject, GetObject (with a Range) and
 * GetObjectTagging (no tags, or one on every n-th object), from a {@link SyntheticDataset}; writes
 * to the synthetic buckets are refused with 403 {@code AccessDenied}. Requests on the sink bucket, if there is one, go to its
 * {@link SyntheticSink}. Signatures are not checked.
 *
 * <p>Thread-safe: the per-request buffers come from a small pool, one per request in flight, so
 * that memory depends on the concurrency and never on the object count. The server's threads are
 * made as needed; at most {@code threads} requests are answered at once, writes to the sink aside.
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
    /** Query parameters that make a request on a key something else than a plain object request. */
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
    // A server may return fewer keys than asked for; a smaller cap measures latency with less work per page.
    private final int maxKeysPerPage;
    private final ArrayBlockingQueue<Scratch> pool;
    private final SyntheticSink sink;
    /** One per request answered at once; writes to the sink take none. */
    private final Semaphore permits;
    private final LongAdder requests = new LongAdder();
    private final Map<Operation, LongAdder> operations = new EnumMap<>(Operation.class);
    private final LongAdder bytesServed = new LongAdder();
    private final AtomicLong requestIds = new AtomicLong();
    /** Every how many positions a synthetic object has a tag; 0 for none. */
    private final int taggedEvery;

    SyntheticHandler(SyntheticDataset data, String sourceBucket, String destinationBucket, Instant lastModified,
            long pageLatencyNanos, int threads, SyntheticSink sink, int maxKeysPerPage, int taggedEvery) {
        this.maxKeysPerPage = maxKeysPerPage;
        this.taggedEvery = taggedEvery;
        this.data = data;
        this.sourceBucket = sourceBucket;
        this.destinationBucket = destinationBucket;
        this.sink = sink;
        this.permits = new Semaphore(threads, true);
        for (Operation operation : Operation.values()) {
            operations.put(operation, new LongAdder());
        }
        this.isoDate = ISO_MILLIS.format(lastModified);
        this.httpDate = httpDate(lastModified);
        // Everything between a key and its ETag's hex digits is the same for every object.
        this.keyToETag = ("</Key><LastModified>" + isoDate + "</LastModified><ETag>&quot;")
                .getBytes(StandardCharsets.US_ASCII);
        this.pageLatencyNanos = pageLatencyNanos;
        this.pool = new ArrayBlockingQueue<>(threads);
    }

    long requestCount() {
        return requests.sum();
    }

    long requestCount(Operation operation) {
        return operations.get(operation).sum();
    }

    long bytesServed() {
        return bytesServed.sum();
    }

    @Override
    public void handle(HttpExchange exchange) {
        // A write to the sink waits for its body, which a relay sends only as its GET is answered:
        // if writes took permits, enough of them would leave none for the GETs, and all would wait.
        if (sink != null && isSinkWrite(exchange)) {
            serve(exchange);
            return;
        }
        try {
            permits.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // closing
            exchange.close();
            return;
        }
        try {
            serve(exchange);
        } finally {
            permits.release();
        }
    }

    private boolean isSinkWrite(HttpExchange exchange) {
        String method = exchange.getRequestMethod();
        String path = exchange.getRequestURI().getRawPath();
        return !"GET".equals(method) && !"HEAD".equals(method) && path != null
                && path.startsWith(sink.bucket, 1) && (path.length() == sink.bucket.length() + 1
                        || path.charAt(sink.bucket.length() + 1) == '/');
    }

    private void serve(HttpExchange exchange) {
        requests.increment();
        String requestId = Long.toHexString(0x1000_0000_0000_0000L | requestIds.incrementAndGet()).toUpperCase(Locale.ROOT);
        Headers headers = exchange.getResponseHeaders();
        headers.set("x-amz-request-id", requestId);
        headers.set("x-amz-id-2", requestId);
        headers.set("Server", "SyntheticS3");
        try {
            route(exchange);
        } catch (S3Error e) {
            drain(exchange);
            sendError(exchange, e, requestId);
        } catch (IOException e) {
            // The client went away mid-answer; nothing to tell it.
        } catch (RuntimeException e) {
            drain(exchange);
            sendError(exchange, new S3Error(500, "InternalError", String.valueOf(e)), requestId);
        } finally {
            exchange.close();
        }
    }

    /**
     * Reads what is left of a request body before an error is sent: the JDK server would otherwise
     * close the connection under a client still sending, which sees a reset instead of the error.
     */
    private static void drain(HttpExchange exchange) {
        if (exchange.getResponseCode() != -1) {
            return;
        }
        byte[] buffer = new byte[64 << 10];
        try (InputStream in = exchange.getRequestBody()) {
            while (in.read(buffer) >= 0) {
                // Thrown away.
            }
        } catch (IOException e) {
            // The client went away; the error goes nowhere either.
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        boolean head = "HEAD".equals(method);
        boolean read = head || "GET".equals(method);
        String rawPath = exchange.getRequestURI().getRawPath();
        boolean root = rawPath == null || rawPath.isEmpty() || "/".equals(rawPath);
        int slash = root ? -1 : rawPath.indexOf('/', 1);
        String bucket = root ? "" : SyntheticRequest.decode(slash < 0 ? rawPath.substring(1) : rawPath.substring(1, slash), false);
        String key = slash < 0 ? "" : SyntheticRequest.decode(rawPath.substring(slash + 1), false);
        Map<String, String> query = SyntheticRequest.parseQuery(exchange.getRequestURI().getRawQuery());
        operations.get(SyntheticRequest.operationOf(method, bucket, key, query,
                exchange.getRequestHeaders().containsKey("x-amz-copy-source"))).increment();
        boolean toSink = sink != null && bucket.equals(sink.bucket);
        if (!read && !toSink) {
            throw new S3Error(403, "AccessDenied", sink == null
                    ? "SyntheticS3 is read-only: " + method + " is not allowed"
                    : "Only the sink bucket '" + sink.bucket + "' of SyntheticS3 accepts writes: " + method
                            + " is not allowed on '" + bucket + "'", root ? null : bucket, key.isEmpty() ? null : key);
        }
        if (root) {
            listBuckets(exchange, head);
            return;
        }
        boolean destination = bucket.equals(destinationBucket);
        if (!toSink && !destination && !bucket.equals(sourceBucket)) {
            throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket, null);
        }
        if (!key.isEmpty()) {
            if (toSink) {
                sinkObject(exchange, method, key, query);
            } else {
                object(exchange, head, bucket, destination, key, query);
            }
            return;
        }
        if (toSink && !read) {
            sinkBucket(exchange, method, query);
            return;
        }
        if (head) {
            exchange.getResponseHeaders().set("x-amz-bucket-region", "us-east-1");
            exchange.sendResponseHeaders(200, -1);
            return;
        }
        if (query.containsKey("location")) {
            sendXml(exchange, "<LocationConstraint xmlns=\"" + XMLNS + "\"/>");
        } else if (query.containsKey("versioning")) {
            sendXml(exchange, "<VersioningConfiguration xmlns=\"" + XMLNS + "\"/>");
        } else if (query.containsKey("list-type") || SyntheticRequest.isListingV1(query)) {
            list(exchange, bucket, toSink, destination, query);
        } else {
            throw new S3Error(501, "NotImplemented", "SyntheticS3 does not implement this bucket operation: "
                    + exchange.getRequestURI().getRawQuery(), bucket, null);
        }
    }

    /** Writes to the sink bucket itself: DeleteObjects; CreateBucket says it exists. */
    private void sinkBucket(HttpExchange exchange, String method, Map<String, String> query) throws IOException {
        if ("POST".equals(method) && query.containsKey("delete")) {
            Scratch scratch = borrow();
            try {
                sink.deleteObjects(exchange, scratch.body.bytes);
            } finally {
                release(scratch);
            }
        } else if ("PUT".equals(method) && query.isEmpty()) {
            throw new S3Error(409, "BucketAlreadyOwnedByYou", "Your previous request to create the named bucket "
                    + "succeeded and you already own it.", sink.bucket, null);
        } else {
            throw new S3Error(501, "NotImplemented", "SyntheticS3 does not implement this bucket operation: "
                    + method + " ?" + exchange.getRequestURI().getRawQuery(), sink.bucket, null);
        }
    }

    /** Requests on a key of the sink: every write S3 has for objects, and reads of what was written. */
    private void sinkObject(HttpExchange exchange, String method, String key, Map<String, String> query)
            throws IOException {
        boolean copy = exchange.getRequestHeaders().containsKey("x-amz-copy-source");
        Scratch scratch = borrow();
        try {
            switch (SyntheticRequest.operationOf(method, sink.bucket, key, query, copy)) {
                case GET_OBJECT, HEAD_OBJECT -> sinkRead(exchange, "HEAD".equals(method), key, query);
                case PUT_OBJECT -> sink.putObject(exchange, key, scratch.body.bytes);
                case COPY_OBJECT -> sink.copyObject(exchange, key, this::copySource);
                case CREATE_MULTIPART_UPLOAD -> sink.createMultipartUpload(exchange, key);
                case UPLOAD_PART -> sink.uploadPart(exchange, key, query, scratch.body.bytes);
                case UPLOAD_PART_COPY -> sink.uploadPartCopy(exchange, key, query, this::copySource);
                case COMPLETE_MULTIPART_UPLOAD -> sink.completeMultipartUpload(exchange, key, query,
                        scratch.body.bytes);
                case ABORT_MULTIPART_UPLOAD -> sink.abortMultipartUpload(exchange, key, query);
                case DELETE_OBJECT -> sink.deleteObject(exchange, key);
                default -> {
                    boolean tagging = SyntheticRequest.subresources(query).equals(Set.of("tagging"));
                    if (tagging && "GET".equals(method)) {
                        SyntheticSink.Stored stored = sink.get(key);
                        if (stored == null) {
                            throw new S3Error(404, "NoSuchKey", "The specified key does not exist.", sink.bucket, key);
                        }
                        SyntheticSink.sendTagging(exchange, stored.tags());
                    } else if (tagging && "PUT".equals(method)) {
                        sink.putObjectTagging(exchange, key, scratch.body.bytes);
                    } else if (tagging && "DELETE".equals(method)) {
                        sink.deleteObjectTagging(exchange, key);
                    } else {
                        throw new S3Error(501, "NotImplemented", "SyntheticS3 does not implement this object "
                                + "operation: " + method + " ?" + exchange.getRequestURI().getRawQuery(), sink.bucket,
                                key);
                    }
                }
            }
        } finally {
            release(scratch);
        }
    }

    /** HeadObject and GetObject of a written key: its remembered headers, and filler bytes of its size. */
    private void sinkRead(HttpExchange exchange, boolean head, String key, Map<String, String> query)
            throws IOException {
        SyntheticSink.Stored stored = sink.get(key);
        if (stored == null) {
            throw new S3Error(404, "NoSuchKey", "The specified key does not exist.", sink.bucket, key);
        }
        Headers headers = exchange.getResponseHeaders();
        stored.metadata().forEach((name, value) -> headers.set("x-amz-meta-" + name, value));
        if (!stored.tags().isEmpty()) {
            headers.set("x-amz-tagging-count", Integer.toString(stored.tags().size()));
        }
        // Only a HEAD carries the checksum: a GET's filler bytes would fail a client's validation.
        if (head && !query.containsKey("partNumber")
                && "ENABLED".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("x-amz-checksum-mode"))) {
            SyntheticSink.setChecksumHeaders(headers, stored.checksum());
        }
        long fillerSeed = stored.eTag().hashCode();
        sendObject(exchange, head, sink.bucket, key, stored.size(), stored.eTag(), httpDate(stored.lastModified()),
                stored.contentType(), stored.partSizes(), query,
                (offset, out, from, length) -> SyntheticDataset.fillStream(fillerSeed, offset, out, from, length));
    }

    /** Finds the source of a copy into the sink: a synthetic object or a written one. */
    private SyntheticSink.Source copySource(String bucket, String key) {
        if (sink != null && bucket.equals(sink.bucket)) {
            SyntheticSink.Stored s = sink.get(key);
            return s == null ? null : new SyntheticSink.Source(s.size(), s.eTag(), s.contentType(), s.metadata(),
                    s.tags(), s.checksum());
        }
        boolean destination = bucket.equals(destinationBucket);
        if (!destination && !bucket.equals(sourceBucket)) {
            throw new S3Error(404, "NoSuchBucket", "The specified bucket does not exist", bucket, null);
        }
        Scratch scratch = borrow();
        long pos;
        try {
            pos = data.find(key.getBytes(StandardCharsets.UTF_8), scratch.scratch);
        } finally {
            release(scratch);
        }
        if (pos < 0 || !data.exists(destination, pos)) {
            return null;
        }
        long size = data.size(destination, pos);
        return new SyntheticSink.Source(size, data.eTag(data.seed(destination, pos), size), "binary/octet-stream",
                Map.of(), tagsOf(pos), null);
    }

    /**
     * The tags of the synthetic object at a position: of key(i), at positions 2i and 2i+1 (see
     * {@link SyntheticDataset}), one for every {@code taggedEvery}-th i, none else.
     */
    private Map<String, String> tagsOf(long pos) {
        return taggedEvery > 0 && (pos / 2 + 1) % taggedEvery == 0 ? Map.of("synthetic", "tagged") : Map.of();
    }

    private void list(HttpExchange exchange, String bucket, boolean toSink, boolean destination,
            Map<String, String> query) throws IOException {
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
        maxKeys = Math.min(maxKeys, maxKeysPerPage);
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
            if (toSink) {
                SyntheticListing.writeSink(sink.objects(), bucket, request, head, body);
            } else {
                SyntheticListing.write(data, destination, bucket, request, keyToETag, head, body, scratch.key,
                        scratch.scratch);
            }
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

    private void object(HttpExchange exchange, boolean head, String bucket, boolean destination, String key,
            Map<String, String> query) throws IOException {
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
        Set<String> subresources = SyntheticRequest.subresources(query);
        if (!subresources.isEmpty() && !subresources.equals(Set.of("partNumber"))) {
            if (!head && subresources.equals(Set.of("tagging"))) {
                SyntheticSink.sendTagging(exchange, tagsOf(pos));
                return;
            }
            throw new S3Error(501, "NotImplemented", "SyntheticS3 does not implement this object operation: "
                    + exchange.getRequestMethod() + " ?" + exchange.getRequestURI().getRawQuery(), bucket, key);
        }
        long size = data.size(destination, pos);
        long seed = data.seed(destination, pos);
        Map<String, String> tags = tagsOf(pos);
        if (!tags.isEmpty()) { // as S3 does: the count on a GET or HEAD of a tagged object, none else
            exchange.getResponseHeaders().set("x-amz-tagging-count", Integer.toString(tags.size()));
        }
        sendObject(exchange, head, bucket, key, size, data.eTag(seed, size), httpDate, "binary/octet-stream", null,
                query, (offset, out, from, length) -> data.fillBody(seed, size, offset, out, from, length));
    }

    /** Fills out[from .. from + length) with an object's bytes from offset on. */
    private interface BodyBytes {
        void fill(long offset, byte[] out, int from, int length);
    }

    /**
     * Answers HeadObject or GetObject: If-Match and If-None-Match, a part ({@code partNumber}) or a
     * single byte range, then the body, streamed in chunks.
     *
     * @param partSizes the part sizes of a multipart object; null for a single part
     */
    private void sendObject(HttpExchange exchange, boolean head, String bucket, String key, long size, String eTag,
            String lastModified, String contentType, long[] partSizes, Map<String, String> query, BodyBytes bytes)
            throws IOException {
        Headers request = exchange.getRequestHeaders();
        String ifMatch = request.getFirst("If-Match");
        if (ifMatch != null && !SyntheticRequest.eTagMatches(ifMatch, eTag)) {
            throw new S3Error(412, "PreconditionFailed", "At least one of the pre-conditions you specified did not hold",
                    bucket, key);
        }
        Headers headers = exchange.getResponseHeaders();
        headers.set("ETag", "\"" + eTag + "\"");
        headers.set("Last-Modified", lastModified);
        String ifNoneMatch = request.getFirst("If-None-Match");
        if (ifNoneMatch != null && SyntheticRequest.eTagMatches(ifNoneMatch, eTag)) {
            exchange.sendResponseHeaders(304, -1);
            return;
        }
        headers.set("Accept-Ranges", "bytes");
        headers.set("Content-Type", contentType);
        long from = 0;
        long length = size;
        int status = 200;
        long[] range = null;
        String partNumber = query.get("partNumber");
        if (partNumber != null) {
            range = SyntheticRequest.partRange(partNumber, size, partSizes, bucket, key);
            if (partSizes != null) {
                headers.set("x-amz-mp-parts-count", Integer.toString(partSizes.length));
            }
        } else if (!head) {
            range = SyntheticRequest.parseRange(request.getFirst("Range"), size, bucket, key);
        }
        if (range != null) {
            from = range[0];
            length = range[1] - range[0] + 1;
            status = 206;
            headers.set("Content-Range", "bytes " + range[0] + "-" + range[1] + "/" + size);
        }
        if (head) {
            // The JDK server sends no Content-Length of its own for HEAD; S3 sends the object's.
            headers.set("Content-Length", Long.toString(length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        // -1: no body; 0 would mean chunked to the JDK server.
        exchange.sendResponseHeaders(status, length == 0 ? -1 : length);
        if (length == 0) {
            return;
        }
        OutputStream out = exchange.getResponseBody();
        Scratch scratch = borrow();
        try {
            byte[] chunk = scratch.body.bytes;
            long offset = from;
            long remaining = length;
            while (remaining > 0) {
                int n = (int) Math.min(Math.min(chunk.length, BODY_CHUNK), remaining);
                bytes.fill(offset, chunk, 0, n);
                out.write(chunk, 0, n);
                bytesServed.add(n);
                offset += n;
                remaining -= n;
            }
            out.flush();
        } finally {
            release(scratch);
        }
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
                + (sink == null ? "" : "<Bucket><Name>" + sink.bucket + "</Name><CreationDate>" + isoDate
                        + "</CreationDate></Bucket>")
                + "</Buckets></ListAllMyBucketsResult>");
    }

    private static void sendXml(HttpExchange exchange, String xml) throws IOException {
        byte[] body = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + xml).getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
    }

    /** Sends a 200 answer of an XML document whose root element is in xml. */
    static void sendXml(HttpExchange exchange, SyntheticBuffer xml) throws IOException {
        byte[] declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n".getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Content-Type", "application/xml");
        exchange.sendResponseHeaders(200, declaration.length + (long) xml.length);
        OutputStream out = exchange.getResponseBody();
        out.write(declaration);
        out.write(xml.bytes, 0, xml.length);
    }

    /** Formats an instant as S3's XML does, e.g. {@code 2024-01-01T00:00:00.000Z}. */
    static String isoDate(Instant instant) {
        return ISO_MILLIS.format(instant);
    }

    /** Formats an instant as an HTTP date. */
    static String httpDate(Instant instant) {
        return DateTimeFormatter.RFC_1123_DATE_TIME.format(instant.atOffset(ZoneOffset.UTC));
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

}
