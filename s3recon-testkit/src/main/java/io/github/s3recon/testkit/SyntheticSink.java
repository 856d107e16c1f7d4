package io.github.s3recon.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.KeyOrder;
import io.github.s3recon.ObjectEntry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The writable bucket of {@link SyntheticS3}: accepts object writes, streams their bodies away and
 * remembers only what a listing and a HEAD show of each key (size, ETag, LastModified, content type,
 * user metadata, tags, checksum, part sizes), so that copies of any total size can be tested in a
 * small heap. Memory is O(keys written + parts of the uploads in progress), never O(bytes).
 *
 * <p>S3's rules that catch transfer bugs are kept: parts of 5 MiB at least but the last, listed in
 * ascending order with their ETags; Content-MD5, checksums and decoded lengths checked; CopyObject
 * refused above 5 GiB and onto itself without a change; conditional writes.
 *
 * <p>What each request says (headers, copy sources, small XML bodies) is read by
 * {@link SyntheticSinkRequests}.
 *
 * <p>Thread-safe: the state is in concurrent maps; each request's body is read on its own thread.
 */
final class SyntheticSink {

    /** The smallest part but the last, as in S3. */
    static final long MIN_PART_SIZE = 5L << 20;
    /** The largest part number, as in S3. */
    static final int MAX_PARTS = 10_000;
    /** The largest object CopyObject copies, as in S3: 5 GiB. */
    static final long MAX_COPY_SIZE = 5L << 30;
    private static final int MAX_DELETE_KEYS = 1000;
    private static final String XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

    /**
     * What the sink remembers of a written key.
     *
     * @param partSizes the sizes of the parts of a multipart upload, in order; null for a single part
     */
    record Stored(long size, String eTag, Instant lastModified, String contentType, Map<String, String> metadata,
            Map<String, String> tags, Checksum checksum, long[] partSizes) {

        Stored withTags(Map<String, String> newTags) {
            return new Stored(size, eTag, lastModified, contentType, metadata, newTags, checksum, partSizes);
        }
    }

    /** What a copy reads of its source, a synthetic or a written object. */
    record Source(long size, String eTag, String contentType, Map<String, String> metadata, Map<String, String> tags,
            Checksum checksum) {
    }

    /** Finds the source of a copy; returns null for a missing key, throws NoSuchBucket for a bucket. */
    interface SourceLookup {
        Source find(String bucket, String key);
    }

    private record Part(long size, byte[] md5, byte[] checksum) {
    }

    private record Upload(String key, String contentType, Map<String, String> metadata, Map<String, String> tags,
            ChecksumAlgorithm algorithm, ChecksumType checksumType, Map<Integer, Part> parts) {
    }

    final String bucket;
    private final Clock clock;
    private final ConcurrentSkipListMap<String, Stored> objects = new ConcurrentSkipListMap<>(KeyOrder.UTF8);
    private final Map<String, Upload> uploads = new ConcurrentHashMap<>();
    private final Map<String, LongAdder> writes = new ConcurrentHashMap<>();
    private final LongAdder bytesWritten = new LongAdder();
    private final AtomicLong uploadIds = new AtomicLong();
    private final SyntheticSinkRequests requests;

    SyntheticSink(String bucket, Clock clock) {
        this.bucket = bucket;
        this.clock = clock;
        this.requests = new SyntheticSinkRequests(bucket);
    }

    // ---------------------------------------------------------------------------------------------
    // What SyntheticS3 asks

    long bytesWritten() {
        return bytesWritten.sum();
    }

    long writeCount(String key) {
        LongAdder count = writes.get(key);
        return count == null ? 0 : count.sum();
    }

    Map<String, Long> writeCounts() {
        Map<String, Long> counts = new TreeMap<>(KeyOrder.UTF8);
        writes.forEach((key, count) -> counts.put(key, count.sum()));
        return Collections.unmodifiableMap(counts);
    }

    long uploadsInProgress() {
        return uploads.size();
    }

    long objectCount() {
        return objects.size();
    }

    Stored get(String key) {
        return objects.get(key);
    }

    ObjectEntry entry(String key) {
        Stored s = objects.get(key);
        return s == null ? null : new ObjectEntry(key, s.size(), s.eTag(), s.lastModified(), "STANDARD", s.checksum());
    }

    ConcurrentSkipListMap<String, Stored> objects() {
        return objects;
    }

    // ---------------------------------------------------------------------------------------------
    // Writes

    /** PutObject: streams the body away and remembers its size, MD5 and checksum. */
    void putObject(HttpExchange exchange, String key, byte[] buffer) throws IOException {
        Headers h = exchange.getRequestHeaders();
        Map<String, String> metadata = requests.metadataOf(h);
        Map<String, String> tags = requests.tagsOf(h.getFirst("x-amz-tagging"), key);
        SyntheticUploadBody.Received body = SyntheticUploadBody.read(h, exchange.getRequestBody(), buffer,
                bytesWritten, bucket, key);
        Checksum checksum = body.algorithm() == null ? null : Checksum.of(body.algorithm(), ChecksumType.FULL_OBJECT,
                SyntheticChecksums.base64(body.checksum()));
        Stored stored = new Stored(body.size(), SyntheticChecksums.hex(body.md5()), now(), requests.contentTypeOf(h),
                metadata, tags, checksum, null);
        store(key, stored, h);
        Headers out = exchange.getResponseHeaders();
        out.set("ETag", quote(stored.eTag()));
        setChecksumHeaders(out, checksum);
        exchange.sendResponseHeaders(200, -1);
    }

    /** CopyObject: a new key with the source's size, ETag and checksum, and its or new metadata and tags. */
    void copyObject(HttpExchange exchange, String key, SourceLookup lookup) throws IOException {
        Headers h = exchange.getRequestHeaders();
        String[] from = requests.copySource(h, key);
        Source source = requests.findSource(lookup, from, h, key);
        if (source.size() > MAX_COPY_SIZE) {
            throw new SyntheticHandler.S3Error(400, "InvalidRequest", "The specified copy source is larger than "
                    + "the maximum allowable size for a copy source: " + MAX_COPY_SIZE, bucket, key);
        }
        boolean replaceMetadata = requests.directive(h, "x-amz-metadata-directive", key);
        boolean replaceTags = requests.directive(h, "x-amz-tagging-directive", key);
        ChecksumAlgorithm algorithm = requests.checksumAlgorithmOf(h, key);
        if (from[0].equals(bucket) && from[1].equals(key) && !replaceMetadata && algorithm == null) {
            throw new SyntheticHandler.S3Error(400, "InvalidRequest", "This copy request is illegal because it is "
                    + "trying to copy an object to itself without changing the object's metadata, storage class, "
                    + "website redirect location or encryption attributes.", bucket, key);
        }
        // The bytes are not here to checksum again: the source's checksum is kept if it is of the algorithm asked.
        Checksum checksum = algorithm == null || (source.checksum() != null
                && source.checksum().algorithm() == algorithm) ? source.checksum() : null;
        Stored stored = new Stored(source.size(), source.eTag(), now(),
                replaceMetadata ? requests.contentTypeOf(h) : source.contentType(),
                replaceMetadata ? requests.metadataOf(h) : source.metadata(),
                replaceTags ? requests.tagsOf(h.getFirst("x-amz-tagging"), key) : source.tags(), checksum, null);
        store(key, stored, h);
        SyntheticBuffer xml = xmlStart("CopyObjectResult").ascii("<ETag>&quot;").text(stored.eTag(), false)
                .ascii("&quot;</ETag><LastModified>").ascii(SyntheticHandler.isoDate(stored.lastModified()))
                .ascii("</LastModified>");
        checksumElements(xml, checksum);
        SyntheticHandler.sendXml(exchange, xml.ascii("</CopyObjectResult>"));
    }

    /** CreateMultipartUpload: a new upload ID; metadata, tags and the checksum algorithm are kept for Complete. */
    void createMultipartUpload(HttpExchange exchange, String key) throws IOException {
        Headers h = exchange.getRequestHeaders();
        ChecksumAlgorithm algorithm = requests.checksumAlgorithmOf(h, key);
        String typeHeader = h.getFirst("x-amz-checksum-type");
        ChecksumType type = null;
        if (typeHeader != null) {
            try {
                type = ChecksumType.valueOf(typeHeader.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new SyntheticHandler.S3Error(400, "InvalidRequest",
                        "Value for x-amz-checksum-type header is invalid: " + typeHeader, bucket, key);
            }
            if (algorithm == null) {
                throw new SyntheticHandler.S3Error(400, "InvalidRequest",
                        "x-amz-checksum-type requires x-amz-checksum-algorithm", bucket, key);
            }
        }
        if (algorithm != null) {
            if (type == null) {
                type = algorithm == ChecksumAlgorithm.CRC64NVME ? ChecksumType.FULL_OBJECT : ChecksumType.COMPOSITE;
            }
            if (type == ChecksumType.FULL_OBJECT && !SyntheticChecksums.combinable(algorithm)
                    || type == ChecksumType.COMPOSITE && algorithm == ChecksumAlgorithm.CRC64NVME) {
                throw new SyntheticHandler.S3Error(400, "InvalidRequest", "The " + type
                        + " checksum type cannot be used with the " + algorithm.name().toLowerCase(Locale.ROOT)
                        + " checksum algorithm.", bucket, key);
            }
        }
        long number = uploadIds.incrementAndGet();
        String uploadId = "synthetic-" + Long.toHexString(SyntheticDataset.mix(number)) + "-" + number;
        uploads.put(uploadId, new Upload(key, requests.contentTypeOf(h), requests.metadataOf(h),
                requests.tagsOf(h.getFirst("x-amz-tagging"), key), algorithm, type, new ConcurrentHashMap<>()));
        if (algorithm != null) {
            exchange.getResponseHeaders().set("x-amz-checksum-algorithm", algorithm.name());
            exchange.getResponseHeaders().set("x-amz-checksum-type", type.name());
        }
        SyntheticHandler.sendXml(exchange, xmlStart("InitiateMultipartUploadResult").ascii("<Bucket>").ascii(bucket)
                .ascii("</Bucket><Key>").text(key, false).ascii("</Key><UploadId>").ascii(uploadId)
                .ascii("</UploadId></InitiateMultipartUploadResult>"));
    }

    /** UploadPart: streams the part away and remembers its size, MD5 and checksum. */
    void uploadPart(HttpExchange exchange, String key, Map<String, String> query, byte[] buffer) throws IOException {
        Headers h = exchange.getRequestHeaders();
        String uploadId = query.get("uploadId");
        Upload upload = upload(uploadId, key);
        int partNumber = requests.partNumber(query.get("partNumber"), key);
        SyntheticUploadBody.Received body = SyntheticUploadBody.read(h, exchange.getRequestBody(), buffer,
                bytesWritten, bucket, key);
        if (upload.algorithm() != null && body.algorithm() != upload.algorithm()) {
            throw new SyntheticHandler.S3Error(400, "InvalidRequest", "The upload was created using the "
                    + upload.algorithm() + " checksum algorithm; part " + partNumber + " carries "
                    + (body.algorithm() == null ? "no checksum" : body.algorithm().name()), bucket, key);
        }
        if (uploads.get(uploadId) != upload) {
            throw noSuchUpload(key); // completed or aborted while the part was on its way
        }
        upload.parts().put(partNumber, new Part(body.size(), body.md5(),
                upload.algorithm() == null ? null : body.checksum()));
        Headers out = exchange.getResponseHeaders();
        out.set("ETag", quote(SyntheticChecksums.hex(body.md5())));
        if (body.algorithm() != null) {
            out.set(SyntheticChecksums.header(body.algorithm()), SyntheticChecksums.base64(body.checksum()));
        }
        exchange.sendResponseHeaders(200, -1);
    }

    /**
     * UploadPartCopy: a part of the source's range. Its ETag is the MD5 of the source's ETag and range,
     * not of bytes, which the sink never has; it carries no checksum.
     */
    void uploadPartCopy(HttpExchange exchange, String key, Map<String, String> query, SourceLookup lookup)
            throws IOException {
        Headers h = exchange.getRequestHeaders();
        Upload upload = upload(query.get("uploadId"), key);
        int partNumber = requests.partNumber(query.get("partNumber"), key);
        String[] from = requests.copySource(h, key);
        Source source = requests.findSource(lookup, from, h, key);
        long first = 0;
        long last = source.size() - 1;
        String range = h.getFirst("x-amz-copy-source-range");
        if (range != null) {
            long[] bounds = requests.copyRange(range, source.size());
            if (bounds == null) {
                throw new SyntheticHandler.S3Error(400, "InvalidArgument", "Range specified is not valid for "
                        + "source object of size: " + source.size(), bucket, key);
            }
            first = bounds[0];
            last = bounds[1];
        }
        long length = last - first + 1;
        if (length > MAX_COPY_SIZE) {
            throw new SyntheticHandler.S3Error(400, "InvalidRequest", "The specified copy range is larger than the "
                    + "maximum allowable size for a part: " + MAX_COPY_SIZE, bucket, key);
        }
        byte[] md5 = SyntheticChecksums.md5(("copy " + from[0] + "/" + from[1] + " " + source.eTag() + " bytes="
                + first + "-" + last).getBytes(StandardCharsets.UTF_8));
        upload.parts().put(partNumber, new Part(Math.max(0, length), md5, null));
        SyntheticHandler.sendXml(exchange, xmlStart("CopyPartResult").ascii("<LastModified>")
                .ascii(SyntheticHandler.isoDate(now())).ascii("</LastModified><ETag>&quot;")
                .ascii(SyntheticChecksums.hex(md5)).ascii("&quot;</ETag></CopyPartResult>"));
    }

    /** CompleteMultipartUpload: checks the parts list as S3 does and stores the object. */
    void completeMultipartUpload(HttpExchange exchange, String key, Map<String, String> query, byte[] buffer)
            throws IOException {
        Headers h = exchange.getRequestHeaders();
        String uploadId = query.get("uploadId");
        Upload upload = upload(uploadId, key);
        SyntheticSinkRequests.Xml xml = requests.readXml(exchange, buffer, key, "Part");
        if (xml.items().isEmpty()) {
            throw requests.malformedXml(key);
        }
        // Order and ETags first, then sizes, as S3 reports them.
        List<Part> parts = new ArrayList<>(xml.items().size());
        int previous = 0;
        for (Map<String, String> item : xml.items()) {
            int number;
            try {
                number = Integer.parseInt(item.getOrDefault("PartNumber", "").trim());
            } catch (NumberFormatException e) {
                throw requests.malformedXml(key);
            }
            if (number <= previous) {
                throw new SyntheticHandler.S3Error(400, "InvalidPartOrder", "The list of parts was not in "
                        + "ascending order. The parts list must be specified in order by part number.", bucket, key);
            }
            previous = number;
            Part part = upload.parts().get(number);
            if (part == null || !unquote(item.getOrDefault("ETag", "")).equalsIgnoreCase(
                    SyntheticChecksums.hex(part.md5()))) {
                throw new SyntheticHandler.S3Error(400, "InvalidPart", "One or more of the specified parts could "
                        + "not be found. The part may not have been uploaded, or the specified entity tag may not "
                        + "match the part's entity tag. (part " + number + ")", bucket, key);
            }
            parts.add(part);
        }
        ByteArrayOutputStream md5s = new ByteArrayOutputStream(16 * parts.size());
        List<byte[]> checksums = new ArrayList<>();
        List<Long> lengths = new ArrayList<>();
        long[] partSizes = new long[parts.size()];
        long size = 0;
        for (int k = 0; k < partSizes.length; k++) {
            Part part = parts.get(k);
            if (k < partSizes.length - 1 && part.size() < MIN_PART_SIZE) {
                throw new SyntheticHandler.S3Error(400, "EntityTooSmall", "Your proposed upload is smaller than "
                        + "the minimum allowed object size. (part " + (k + 1) + " of the list has " + part.size()
                        + " bytes)", bucket, key);
            }
            md5s.write(part.md5(), 0, part.md5().length);
            checksums.add(part.checksum());
            lengths.add(part.size());
            partSizes[k] = part.size();
            size += part.size();
        }
        Checksum checksum = null;
        if (upload.algorithm() != null && !checksums.contains(null)) {
            checksum = upload.checksumType() == ChecksumType.FULL_OBJECT
                    ? Checksum.of(upload.algorithm(), ChecksumType.FULL_OBJECT, SyntheticChecksums.base64(
                            SyntheticChecksums.combine(upload.algorithm(), checksums, lengths)))
                    : Checksum.of(upload.algorithm(), ChecksumType.COMPOSITE,
                            SyntheticChecksums.composite(upload.algorithm(), checksums));
            String sent = h.getFirst(SyntheticChecksums.header(upload.algorithm()));
            if (sent != null && checksum.type() == ChecksumType.FULL_OBJECT && !sent.trim().equals(checksum.value())) {
                throw new SyntheticHandler.S3Error(400, "BadDigest", "The " + upload.algorithm()
                        + " you specified did not match the calculated checksum.", bucket, key);
            }
        }
        String eTag = SyntheticChecksums.hex(SyntheticChecksums.md5(md5s.toByteArray())) + "-" + partSizes.length;
        Stored stored = new Stored(size, eTag, now(), upload.contentType(), upload.metadata(), upload.tags(), checksum,
                partSizes);
        checkConditions(key, objects.get(key), h);
        if (!uploads.remove(uploadId, upload)) {
            throw noSuchUpload(key);
        }
        store(key, stored, h);
        SyntheticBuffer out = xmlStart("CompleteMultipartUploadResult").ascii("<Location>http://")
                .text(String.valueOf(h.getFirst("Host")), false).ascii("/").ascii(bucket).ascii("/")
                .text(key, true).ascii("</Location><Bucket>").ascii(bucket).ascii("</Bucket><Key>").text(key, false)
                .ascii("</Key><ETag>&quot;").ascii(eTag).ascii("&quot;</ETag>");
        checksumElements(out, checksum);
        SyntheticHandler.sendXml(exchange, out.ascii("</CompleteMultipartUploadResult>"));
    }

    /** AbortMultipartUpload: forgets the upload and its parts. */
    void abortMultipartUpload(HttpExchange exchange, String key, Map<String, String> query) throws IOException {
        String uploadId = query.get("uploadId");
        Upload upload = upload(uploadId, key);
        if (!uploads.remove(uploadId, upload)) {
            throw noSuchUpload(key);
        }
        exchange.sendResponseHeaders(204, -1);
    }

    /** DeleteObject: 204 whether or not the key was there, as S3 answers. */
    void deleteObject(HttpExchange exchange, String key) throws IOException {
        objects.remove(key);
        exchange.sendResponseHeaders(204, -1);
    }

    /** DeleteObjects: up to 1000 keys; every key counts as deleted, as in S3. */
    void deleteObjects(HttpExchange exchange, byte[] buffer) throws IOException {
        SyntheticSinkRequests.Xml xml = requests.readXml(exchange, buffer, null, "Object");
        if (xml.items().size() > MAX_DELETE_KEYS) {
            throw requests.malformedXml(null);
        }
        boolean quiet = "true".equalsIgnoreCase(xml.leaves().getOrDefault("Quiet", "false").trim());
        SyntheticBuffer out = xmlStart("DeleteResult");
        for (Map<String, String> item : xml.items()) {
            String key = item.get("Key");
            if (key == null) {
                throw requests.malformedXml(null);
            }
            objects.remove(key);
            if (!quiet) {
                out.ascii("<Deleted><Key>").text(key, false).ascii("</Key></Deleted>");
            }
        }
        SyntheticHandler.sendXml(exchange, out.ascii("</DeleteResult>"));
    }

    /** PutObjectTagging: replaces the tags of a written key. */
    void putObjectTagging(HttpExchange exchange, String key, byte[] buffer) throws IOException {
        SyntheticSinkRequests.Xml xml = requests.readXml(exchange, buffer, key, "Tag");
        Map<String, String> tags = new LinkedHashMap<>();
        for (Map<String, String> item : xml.items()) {
            String name = item.get("Key");
            if (name == null || tags.put(name, item.getOrDefault("Value", "")) != null) {
                throw new SyntheticHandler.S3Error(400, "InvalidTag", "Cannot provide multiple Tags with the same "
                        + "key, nor a Tag without a key", bucket, key);
            }
        }
        requests.checkTagCount(tags, key);
        if (objects.computeIfPresent(key, (k, s) -> s.withTags(Collections.unmodifiableMap(tags))) == null) {
            throw noSuchKey(key);
        }
        exchange.sendResponseHeaders(200, -1);
    }

    /** DeleteObjectTagging: removes the tags of a written key. */
    void deleteObjectTagging(HttpExchange exchange, String key) throws IOException {
        if (objects.computeIfPresent(key, (k, s) -> s.withTags(Map.of())) == null) {
            throw noSuchKey(key);
        }
        exchange.sendResponseHeaders(204, -1);
    }

    /** Writes a GetObjectTagging answer. */
    static void sendTagging(HttpExchange exchange, Map<String, String> tags) throws IOException {
        SyntheticBuffer xml = xmlStart("Tagging").ascii("<TagSet>");
        tags.forEach((name, value) -> xml.ascii("<Tag><Key>").text(name, false).ascii("</Key><Value>")
                .text(value, false).ascii("</Value></Tag>"));
        SyntheticHandler.sendXml(exchange, xml.ascii("</TagSet></Tagging>"));
    }

    /** Sets the headers that carry a stored checksum and its type. */
    static void setChecksumHeaders(Headers out, Checksum checksum) {
        if (checksum != null) {
            out.set(SyntheticChecksums.header(checksum.algorithm()), checksum.value());
            out.set("x-amz-checksum-type", checksum.type().name());
        }
    }

    // ---------------------------------------------------------------------------------------------
    // Helpers

    private void store(String key, Stored stored, Headers h) {
        // Conditional writes are decided when the write completes, against what is there then.
        objects.compute(key, (k, old) -> {
            checkConditions(key, old, h);
            return stored;
        });
        writes.computeIfAbsent(key, k -> new LongAdder()).increment();
    }

    /** If-None-Match: * and If-Match on a write, as S3 evaluates them. */
    private void checkConditions(String key, Stored old, Headers h) {
        String ifNoneMatch = h.getFirst("If-None-Match");
        if (ifNoneMatch != null && old != null
                && ("*".equals(ifNoneMatch.trim()) || SyntheticRequest.eTagMatches(ifNoneMatch, old.eTag()))) {
            throw new SyntheticHandler.S3Error(412, "PreconditionFailed",
                    "At least one of the pre-conditions you specified did not hold", bucket, key);
        }
        String ifMatch = h.getFirst("If-Match");
        if (ifMatch != null) {
            if (old == null) {
                throw noSuchKey(key);
            }
            if (!SyntheticRequest.eTagMatches(ifMatch, old.eTag())) {
                throw new SyntheticHandler.S3Error(412, "PreconditionFailed",
                        "At least one of the pre-conditions you specified did not hold", bucket, key);
            }
        }
    }

    private Instant now() {
        return clock.instant().truncatedTo(ChronoUnit.SECONDS);
    }

    private Upload upload(String uploadId, String key) {
        Upload upload = uploadId == null ? null : uploads.get(uploadId);
        if (upload == null || !upload.key().equals(key)) {
            throw noSuchUpload(key);
        }
        return upload;
    }



    private SyntheticHandler.S3Error noSuchUpload(String key) {
        return new SyntheticHandler.S3Error(404, "NoSuchUpload", "The specified upload does not exist. The upload "
                + "ID may be invalid, or the upload may have been aborted or completed.", bucket, key);
    }

    private SyntheticHandler.S3Error noSuchKey(String key) {
        return new SyntheticHandler.S3Error(404, "NoSuchKey", "The specified key does not exist.", bucket, key);
    }


    private static SyntheticBuffer xmlStart(String root) {
        return new SyntheticBuffer(512).ascii("<").ascii(root).ascii(" xmlns=\"").ascii(XMLNS).ascii("\">");
    }

    private static void checksumElements(SyntheticBuffer xml, Checksum checksum) {
        if (checksum != null) {
            String element = SyntheticChecksums.element(checksum.algorithm());
            xml.ascii("<").ascii(element).ascii(">").ascii(checksum.value()).ascii("</").ascii(element)
                    .ascii("><ChecksumType>").ascii(checksum.type().name()).ascii("</ChecksumType>");
        }
    }

    private static String quote(String eTag) {
        return "\"" + eTag + "\"";
    }

    private static String unquote(String eTag) {
        String s = eTag.trim();
        return s.length() >= 2 && s.startsWith("\"") && s.endsWith("\"") ? s.substring(1, s.length() - 1) : s;
    }

}
