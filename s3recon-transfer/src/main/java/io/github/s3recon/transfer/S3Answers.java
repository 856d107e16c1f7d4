package io.github.s3recon.transfer;

import io.github.s3recon.ChecksumAlgorithm;
import java.net.http.HttpHeaders;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import software.amazon.awssdk.awscore.exception.AwsErrorDetails;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * What S3's answers to direct requests say, read as the SDK would read them: a status that is the
 * server's word turned into the SDK's {@link S3Exception}, error documents, tag sets, the root of a
 * CopyObject answer, and a GET's headers as a {@link GetObjectResponse}. XML is read without DTDs.
 */
final class S3Answers {

    private S3Answers() {
    }

    /** The body from its first byte that is not white space (an XML declaration must come first). */
    static byte[] withoutLeadingSpace(byte[] body) {
        int start = 0;
        while (body != null && start < body.length && Character.isWhitespace(body[start])) {
            start++;
        }
        return body == null || start == 0 ? body : java.util.Arrays.copyOfRange(body, start, body.length);
    }

    /** An optional XML declaration, then white space. */
    private static final String PROLOG = "(?:<\\?xml[^?<>]*\\?>)?[ \\t\\r\\n]*";
    /** Attributes as XML writes them: a name, '=', a quoted value without markup. */
    private static final String ATTRIBUTES =
            "(?:[ \\t\\r\\n]+[A-Za-z_:][-A-Za-z0-9_:.]*[ \\t\\r\\n]*=[ \\t\\r\\n]*(?:\"[^\"<&]*\"|'[^'<&]*'))*"
            + "[ \\t\\r\\n]*";
    /** A document that starts plainly: its root element's local name in group 1. */
    private static final java.util.regex.Pattern PLAIN_ROOT = java.util.regex.Pattern.compile(
            PROLOG + "<(?:[A-Za-z_][-A-Za-z0-9_.]*:)?([A-Za-z_][-A-Za-z0-9_.]*)" + ATTRIBUTES + "/?>");
    /** A Tagging document with an empty TagSet, as S3 answers for an object without tags. */
    private static final java.util.regex.Pattern EMPTY_TAGGING = java.util.regex.Pattern.compile(
            PROLOG + "<Tagging" + ATTRIBUTES + ">[ \\t\\r\\n]*(?:<TagSet[ \\t\\r\\n]*/>|<TagSet[ \\t\\r\\n]*>"
            + "[ \\t\\r\\n]*</TagSet[ \\t\\r\\n]*>)[ \\t\\r\\n]*</Tagging[ \\t\\r\\n]*>[ \\t\\r\\n]*");
    /** Longer answers are not looked at by the patterns above; the XML reader reads them. */
    private static final int PLAIN_LIMIT = 1024;

    /** The name of an XML document's root element; null for an empty or unreadable body. */
    static String rootOf(byte[] xml) {
        if (xml == null || xml.length == 0) {
            return null;
        }
        // The usual answer's start tag is read without the XML reader, which costs far more than
        // the rest of a server-side copy's answer handling; anything unusual goes to the reader.
        java.util.regex.Matcher plain = PLAIN_ROOT.matcher(latin1(xml));
        if (plain.lookingAt()) {
            return plain.group(1);
        }
        try {
            return read(xml, r -> {
                while (r.hasNext()) {
                    if (r.next() == javax.xml.stream.XMLStreamConstants.START_ELEMENT) {
                        return r.getLocalName();
                    }
                }
                return null;
            });
        } catch (javax.xml.stream.XMLStreamException | RuntimeException e) {
            return null; // not XML: no root
        }
    }

    /**
     * Statuses whose answer is the server's word on the object or on its load, taken as the SDK
     * would take it (an {@link S3Exception}: retried with backoff, throttling steering the lane,
     * 404 and 412 read as a changed source, 501 as a missing feature). Any other (a redirect, 400,
     * 403, ...) may be the direct path's own doing and goes to the SDK instead.
     */
    private static final Set<Integer> DEFINITIVE = Set.of(404, 412, 429, 500, 501, 502, 503, 504);

    /** The failure for a direct answer other than 200. */
    static RuntimeException answered(String what, DirectHttp.Answer response) {
        int status = response.status();
        if (!DEFINITIVE.contains(status)) {
            return new DirectRelay.DirectFailure(what + " answered " + status);
        }
        String[] error = errorOf(response.body());
        String requestId = response.headers().firstValue("x-amz-request-id").orElse(null);
        AwsErrorDetails details = AwsErrorDetails.builder().errorCode(error[0]).errorMessage(error[1])
                .serviceName("S3").sdkHttpResponse(SdkHttpResponse.builder().statusCode(status).build()).build();
        return S3Exception.builder().statusCode(status).requestId(requestId).awsErrorDetails(details)
                .message((error[1] == null ? "HTTP " + status : error[1]) + " (Service: S3, Status Code: " + status
                        + ", Request ID: " + requestId + ", sent directly)")
                .build();
    }

    /** The code and message of an S3 error document; nulls where the body has none. */
    static String[] errorOf(byte[] xml) {
        String[] error = new String[2];
        if (xml == null || xml.length == 0) {
            return error;
        }
        try {
            read(xml, r -> {
                int depth = 0;
                while (r.hasNext()) {
                    int event = r.next();
                    if (event == javax.xml.stream.XMLStreamConstants.START_ELEMENT) {
                        depth++;
                        if (depth == 2 && r.getLocalName().equals("Code")) {
                            error[0] = r.getElementText();
                            depth--;
                        } else if (depth == 2 && r.getLocalName().equals("Message")) {
                            error[1] = r.getElementText();
                            depth--;
                        }
                    } else if (event == javax.xml.stream.XMLStreamConstants.END_ELEMENT) {
                        depth--;
                    }
                }
                return null;
            });
        } catch (javax.xml.stream.XMLStreamException | RuntimeException e) {
            // Not an S3 error document (a proxy's HTML page): the status alone says it.
        }
        return error;
    }

    /**
     * Reads {@code <Tagging><TagSet><Tag><Key/><Value/></Tag>...</TagSet></Tagging>}; an empty body
     * (S3Mock's answer for an untagged object, which the SDK reads as no tags) is no tags.
     */
    static List<Tag> parseTagging(byte[] xml) {
        List<Tag> tags = new java.util.ArrayList<>();
        if (xml.length == 0 || (xml.length <= PLAIN_LIMIT && EMPTY_TAGGING.matcher(latin1(xml)).matches())) {
            return tags; // no tags: nothing to decode, so no need of the XML reader
        }
        try {
            read(xml, r -> {
                String key = null;
                String value = null;
                while (r.hasNext()) {
                    if (r.next() != javax.xml.stream.XMLStreamConstants.START_ELEMENT) {
                        if (r.getEventType() == javax.xml.stream.XMLStreamConstants.END_ELEMENT
                                && r.getLocalName().equals("Tag")) {
                            if (key == null) {
                                throw new DirectRelay.DirectFailure("a Tag without a Key");
                            }
                            tags.add(Tag.builder().key(key).value(value == null ? "" : value).build());
                            key = null;
                            value = null;
                        }
                        continue;
                    }
                    switch (r.getLocalName()) {
                        case "Key" -> key = r.getElementText();
                        case "Value" -> value = r.getElementText();
                        default -> {
                        }
                    }
                }
                return null;
            });
        } catch (javax.xml.stream.XMLStreamException e) {
            throw new DirectRelay.DirectFailure("unreadable Tagging document: " + e.getMessage());
        }
        return tags;
    }

    /**
     * A factory per thread, which hands out its last reader again once that was closed: a new
     * reader of the JDK's own StAX implementation costs far more than the small documents read
     * here (building them was a twentieth of a small relay's CPU with one Tagging document per
     * object). The factory is not shared, as a reused reader must not be.
     */
    private static final ThreadLocal<javax.xml.stream.XMLInputFactory> XML =
            ThreadLocal.withInitial(S3Answers::xmlFactory);

    private static javax.xml.stream.XMLInputFactory xmlFactory() {
        javax.xml.stream.XMLInputFactory f = javax.xml.stream.XMLInputFactory.newFactory();
        // An S3 answer has no DTD; none is read.
        f.setProperty(javax.xml.stream.XMLInputFactory.SUPPORT_DTD, false);
        f.setProperty(javax.xml.stream.XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        try {
            f.setProperty("reuse-instance", Boolean.TRUE); // the JDK's implementation's own property
        } catch (IllegalArgumentException otherImplementation) {
            // Another implementation (e.g. Woodstox) builds its readers cheaply as it is.
        }
        return f;
    }

    /** What is read from a document by {@link #read}. */
    private interface Reading<T> {
        T from(javax.xml.stream.XMLStreamReader r) throws javax.xml.stream.XMLStreamException;
    }

    /**
     * Reads a document with this thread's reader, and closes it, which lets the factory reuse it;
     * after a failure the thread starts again from a new factory and reader.
     */
    private static <T> T read(byte[] xml, Reading<T> reading) throws javax.xml.stream.XMLStreamException {
        javax.xml.stream.XMLStreamReader r = XML.get().createXMLStreamReader(new java.io.ByteArrayInputStream(xml));
        boolean whole = false;
        try {
            T read = reading.from(r);
            whole = true;
            return read;
        } finally {
            if (whole) {
                r.close();
            } else {
                XML.remove();
            }
        }
    }

    /** The first bytes of a document, one char each (any byte beyond ASCII fails the patterns). */
    private static String latin1(byte[] xml) {
        return new String(xml, 0, Math.min(xml.length, PLAIN_LIMIT), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The headers of a GET's answer as the SDK's unmarshaller would have set them. */
    static GetObjectResponse described(HttpHeaders h, long length) {
        Map<String, String> metadata = new HashMap<>();
        for (Map.Entry<String, List<String>> e : h.map().entrySet()) {
            String name = e.getKey();
            if (name.regionMatches(true, 0, "x-amz-meta-", 0, 11) && !e.getValue().isEmpty()) {
                metadata.put(name.substring(11), e.getValue().get(0));
            }
        }
        GetObjectResponse.Builder r = GetObjectResponse.builder().contentLength(length)
                .eTag(h.firstValue("ETag").orElse(null))
                .contentType(h.firstValue("Content-Type").orElse(null))
                .contentEncoding(h.firstValue("Content-Encoding").orElse(null))
                .contentDisposition(h.firstValue("Content-Disposition").orElse(null))
                .contentLanguage(h.firstValue("Content-Language").orElse(null))
                .cacheControl(h.firstValue("Cache-Control").orElse(null))
                .expiresString(h.firstValue("Expires").orElse(null))
                .checksumType(h.firstValue("x-amz-checksum-type").orElse(null))
                .metadata(metadata);
        h.firstValue("Server").ifPresent(server -> r.sdkHttpResponse(SdkHttpResponse.builder().statusCode(200)
                .putHeader("Server", server).build()));
        h.firstValue("x-amz-tagging-count").ifPresent(count -> {
            try {
                r.tagCount(Integer.valueOf(count.trim()));
            } catch (NumberFormatException e) {
                throw new DirectRelay.DirectFailure("x-amz-tagging-count " + count);
            }
        });
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            h.firstValue(Checksums.header(a)).ifPresent(v -> Checksums.setIn(r, a, v));
        }
        return r.build();
    }
}
