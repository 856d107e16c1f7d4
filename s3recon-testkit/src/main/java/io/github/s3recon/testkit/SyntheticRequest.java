package io.github.s3recon.testkit;

import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.SyntheticHandler.S3Error;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * What a request to {@link SyntheticS3} says, read as S3 reads it: its query and percent-encoded
 * path, its operation and sub-resources, a part number or byte range, and If-Match conditions.
 * Stateless.
 */
final class SyntheticRequest {

    private static final Set<String> OBJECT_SUBRESOURCES = Set.of("acl", "tagging", "attributes", "legal-hold",
            "retention", "torrent", "restore", "select", "uploads", "uploadId", "partNumber");

    private SyntheticRequest() {
    }

    /**
     * Tells the S3 operation of a request, by the rules of {@link FaultInjectingProxy}, so that both
     * count alike.
     */
    static Operation operationOf(String method, String bucket, String key, Map<String, String> query,
            boolean copySource) {
        if (bucket.isEmpty()) {
            return Operation.OTHER;
        }
        if (key.isEmpty()) {
            if ("GET".equals(method) && query.containsKey("list-type")) {
                return Operation.LIST_OBJECTS_V2;
            }
            if ("POST".equals(method) && query.containsKey("delete")) {
                return Operation.DELETE_OBJECTS;
            }
            return Operation.OTHER;
        }
        boolean upload = query.containsKey("uploadId");
        boolean plain = subresources(query).isEmpty();
        return switch (method) {
            case "GET" -> plain || (query.containsKey("partNumber") && !upload) ? Operation.GET_OBJECT : Operation.OTHER;
            case "HEAD" -> Operation.HEAD_OBJECT;
            case "PUT" -> upload && query.containsKey("partNumber")
                    ? (copySource ? Operation.UPLOAD_PART_COPY : Operation.UPLOAD_PART)
                    : plain ? (copySource ? Operation.COPY_OBJECT : Operation.PUT_OBJECT) : Operation.OTHER;
            case "POST" -> query.containsKey("uploads") ? Operation.CREATE_MULTIPART_UPLOAD
                    : upload ? Operation.COMPLETE_MULTIPART_UPLOAD : Operation.OTHER;
            case "DELETE" -> upload ? Operation.ABORT_MULTIPART_UPLOAD
                    : plain ? Operation.DELETE_OBJECT : Operation.OTHER;
            default -> Operation.OTHER;
        };
    }

    static boolean isListingV1(Map<String, String> query) {
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

    /**
     * Returns {first, last} of part {@code partNumber} of an object, or null for the whole of a
     * single-part object asked for its part 1, as S3 answers.
     */
    static long[] partRange(String partNumber, long size, long[] partSizes, String bucket, String key) {
        int number;
        try {
            number = Integer.parseInt(partNumber.trim());
        } catch (NumberFormatException e) {
            number = -1;
        }
        if (number < 1 || number > SyntheticSink.MAX_PARTS) {
            throw new S3Error(400, "InvalidArgument", "Part number must be an integer between 1 and 10000, inclusive",
                    bucket, key);
        }
        if (partSizes == null) {
            if (number == 1) {
                return null;
            }
            throw new S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable", bucket, key);
        }
        if (number > partSizes.length) {
            throw new S3Error(416, "InvalidPartNumber", "The requested partnumber is not satisfiable", bucket, key);
        }
        long first = 0;
        for (int k = 0; k < number - 1; k++) {
            first += partSizes[k];
        }
        long last = first + partSizes[number - 1] - 1;
        return last < first ? null : new long[] {first, last};
    }

    /** Returns the sub-resources of a request on a key (tagging, uploadId, ...); other parameters such as x-id aside. */
    static Set<String> subresources(Map<String, String> query) {
        Set<String> subresources = new HashSet<>(query.keySet());
        subresources.retainAll(OBJECT_SUBRESOURCES);
        return subresources;
    }

    /** Tells whether an If-Match or If-None-Match value ({@code *} or a list of quoted ETags) names an ETag. */
    static boolean eTagMatches(String condition, String eTag) {
        for (String candidate : condition.split(",")) {
            String c = candidate.trim();
            if (c.startsWith("W/")) {
                c = c.substring(2);
            }
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                c = c.substring(1, c.length() - 1);
            }
            if (c.equals("*") || c.equalsIgnoreCase(eTag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns {first, last} of a single {@code bytes=} range, or null to send the whole object (no
     * header, or one S3 would ignore).
     */
    static long[] parseRange(String header, long size, String bucket, String key) {
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
