package io.github.s3recon.testkit;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import io.github.s3recon.ChecksumAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;

/**
 * What a write request to {@link SyntheticSink} says, read and checked as S3 reads it: part numbers,
 * {@code x-amz-copy-source} and its conditions and range, metadata and tagging directives, the
 * checksum algorithm, content type, user metadata, tags, and small XML bodies (CompleteMultipartUpload,
 * DeleteObjects, PutObjectTagging). Each refusal is the {@link SyntheticHandler.S3Error} S3 answers.
 *
 * <p>Thread-safe: no state but the bucket's name (for errors) and a factory used under its lock.
 */
final class SyntheticSinkRequests {

    /** The longest XML request body read (CompleteMultipartUpload of 10,000 parts with checksums is ~2 MB). */
    private static final int MAX_XML_BODY = 8 << 20;
    private static final int MAX_TAGS = 10;
    private static final XMLInputFactory XML = xmlInputFactory();

    private final String bucket;

    SyntheticSinkRequests(String bucket) {
        this.bucket = bucket;
    }

    int partNumber(String text, String key) {
        try {
            int number = Integer.parseInt(text == null ? "" : text.trim());
            if (number >= 1 && number <= SyntheticSink.MAX_PARTS) {
                return number;
            }
        } catch (NumberFormatException e) {
            // Falls through to S3's answer.
        }
        throw new SyntheticHandler.S3Error(400, "InvalidArgument",
                "Part number must be an integer between 1 and 10000, inclusive", bucket, key);
    }

    /** Returns {bucket, key} of {@code x-amz-copy-source}: {@code [/]bucket/key[?versionId=...]}, URL-encoded. */
    String[] copySource(Headers h, String key) {
        String raw = h.getFirst("x-amz-copy-source");
        String path = raw == null ? "" : raw.trim();
        int question = path.indexOf('?');
        if (question >= 0) {
            path = path.substring(0, question);
        }
        if (path.startsWith("/")) {
            path = path.substring(1);
        }
        int slash = path.indexOf('/');
        if (slash <= 0 || slash == path.length() - 1) {
            throw new SyntheticHandler.S3Error(400, "InvalidArgument", "Copy Source must mention the source bucket "
                    + "and key: sourcebucket/sourcekey, was '" + raw + "'", bucket, key);
        }
        return new String[] {SyntheticRequest.decode(path.substring(0, slash), false),
                SyntheticRequest.decode(path.substring(slash + 1), false)};
    }

    SyntheticSink.Source findSource(SyntheticSink.SourceLookup lookup, String[] from, Headers h, String key) {
        SyntheticSink.Source source = lookup.find(from[0], from[1]);
        if (source == null) {
            throw new SyntheticHandler.S3Error(404, "NoSuchKey", "The specified key does not exist.", from[0], from[1]);
        }
        String ifMatch = h.getFirst("x-amz-copy-source-if-match");
        String ifNoneMatch = h.getFirst("x-amz-copy-source-if-none-match");
        if ((ifMatch != null && !SyntheticRequest.eTagMatches(ifMatch, source.eTag()))
                || (ifNoneMatch != null && SyntheticRequest.eTagMatches(ifNoneMatch, source.eTag()))) {
            throw new SyntheticHandler.S3Error(412, "PreconditionFailed",
                    "At least one of the pre-conditions you specified did not hold", bucket, key);
        }
        return source;
    }

    /** Returns {first, last} of {@code bytes=first-last} within size, or null when S3 would refuse it. */
    long[] copyRange(String range, long size) {
        String spec = range.trim();
        if (!spec.startsWith("bytes=")) {
            return null;
        }
        int dash = spec.indexOf('-');
        try {
            long first = Long.parseLong(spec.substring("bytes=".length(), dash).trim());
            long last = Long.parseLong(spec.substring(dash + 1).trim());
            return first >= 0 && first <= last && last < size ? new long[] {first, last} : null;
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** Returns true for REPLACE, false for COPY or none. */
    boolean directive(Headers h, String name, String key) {
        String value = h.getFirst(name);
        if (value == null || "COPY".equalsIgnoreCase(value.trim())) {
            return false;
        }
        if ("REPLACE".equalsIgnoreCase(value.trim())) {
            return true;
        }
        throw new SyntheticHandler.S3Error(400, "InvalidArgument", "Unknown " + name + ": " + value, bucket, key);
    }

    ChecksumAlgorithm checksumAlgorithmOf(Headers h, String key) {
        String name = h.getFirst("x-amz-checksum-algorithm");
        if (name == null) {
            return null;
        }
        ChecksumAlgorithm algorithm = SyntheticChecksums.fromName(name.trim());
        if (algorithm == null) {
            throw new SyntheticHandler.S3Error(400, "InvalidRequest", "Checksum algorithm provided is unsupported. "
                    + "Please try again with any of the valid types: [CRC32, CRC32C, CRC64NVME, SHA1, SHA256]",
                    bucket, key);
        }
        return algorithm;
    }

    String contentTypeOf(Headers h) {
        String type = h.getFirst("Content-Type");
        return type == null || type.isBlank() ? "binary/octet-stream" : type;
    }

    /** Returns the {@code x-amz-meta-*} headers, names lower-cased without the prefix, in name order. */
    Map<String, String> metadataOf(Headers h) {
        Map<String, String> metadata = new TreeMap<>();
        h.forEach((name, values) -> {
            String lower = name.toLowerCase(Locale.ROOT);
            if (lower.startsWith("x-amz-meta-") && !values.isEmpty()) {
                metadata.put(lower.substring("x-amz-meta-".length()), values.get(0));
            }
        });
        return metadata.isEmpty() ? Map.of() : Collections.unmodifiableMap(metadata);
    }

    /** Parses {@code x-amz-tagging}: URL-encoded {@code k1=v1&k2=v2}, in order. */
    Map<String, String> tagsOf(String header, String key) {
        if (header == null || header.isBlank()) {
            return Map.of();
        }
        Map<String, String> tags = new LinkedHashMap<>();
        for (String pair : header.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            tags.put(SyntheticRequest.decode(eq < 0 ? pair : pair.substring(0, eq), true),
                    eq < 0 ? "" : SyntheticRequest.decode(pair.substring(eq + 1), true));
        }
        checkTagCount(tags, key);
        return Collections.unmodifiableMap(tags);
    }

    void checkTagCount(Map<String, String> tags, String key) {
        if (tags.size() > MAX_TAGS) {
            throw new SyntheticHandler.S3Error(400, "BadRequest", "Object tags cannot be greater than " + MAX_TAGS,
                    bucket, key);
        }
    }

    SyntheticHandler.S3Error malformedXml(String key) {
        return new SyntheticHandler.S3Error(400, "MalformedXML", "The XML you provided was not well-formed or did "
                + "not validate against our published schema", bucket, key);
    }

    // Small XML request bodies

    /**
     * The parts of a small XML body that the sink reads: the text of the root's leaf children, and
     * for every element named as the item (at any depth) the text of its leaf children.
     */
    record Xml(Map<String, String> leaves, List<Map<String, String>> items) {
    }

    /** Reads a small XML body (checked as uploads are) and parses it. */
    Xml readXml(HttpExchange exchange, byte[] buffer, String key, String itemName) throws IOException {
        ByteArrayOutputStream keep = new ByteArrayOutputStream();
        SyntheticUploadBody.read(exchange.getRequestHeaders(), exchange.getRequestBody(), buffer, null, bucket, key,
                keep, MAX_XML_BODY);
        try {
            return parse(keep.toByteArray(), itemName);
        } catch (XMLStreamException e) {
            throw malformedXml(key);
        }
    }

    private static Xml parse(byte[] body, String itemName) throws XMLStreamException {
        Map<String, String> leaves = new LinkedHashMap<>();
        List<Map<String, String>> items = new ArrayList<>();
        XMLStreamReader r;
        synchronized (XML) { // a factory is not promised to be thread-safe; its readers are per call
            r = XML.createXMLStreamReader(new ByteArrayInputStream(body));
        }
        try {
            int depth = 0;
            int itemDepth = -1;
            Map<String, String> item = null;
            StringBuilder text = new StringBuilder();
            while (r.hasNext()) {
                switch (r.next()) {
                    case XMLStreamConstants.START_ELEMENT -> {
                        depth++;
                        text.setLength(0);
                        if (item == null && r.getLocalName().equals(itemName)) {
                            item = new LinkedHashMap<>();
                            itemDepth = depth;
                        }
                    }
                    case XMLStreamConstants.CHARACTERS, XMLStreamConstants.CDATA,
                            XMLStreamConstants.ENTITY_REFERENCE -> text.append(r.getText());
                    case XMLStreamConstants.END_ELEMENT -> {
                        if (item != null && depth == itemDepth) {
                            items.add(item);
                            item = null;
                        } else if (item != null && depth == itemDepth + 1) {
                            item.put(r.getLocalName(), text.toString());
                        } else if (item == null && depth == 2) {
                            leaves.put(r.getLocalName(), text.toString());
                        }
                        text.setLength(0);
                        depth--;
                    }
                    default -> {
                        // Comments, whitespace and the declaration say nothing.
                    }
                }
            }
        } finally {
            r.close();
        }
        return new Xml(leaves, items);
    }

    private static XMLInputFactory xmlInputFactory() {
        XMLInputFactory factory = XMLInputFactory.newFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        factory.setProperty(XMLInputFactory.IS_COALESCING, true);
        return factory;
    }
}
