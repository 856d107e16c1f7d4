package io.github.s3recon.testkit;

import io.github.s3recon.KeyOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.NavigableMap;

/**
 * Builds one ListObjectsV2 or ListObjects (V1) page of a {@link SyntheticDataset} bucket as S3's
 * XML, straight into byte buffers: a binary search finds where the page starts, then the keys are
 * generated one after another, so a page costs O(log n + page size) whatever the bucket's size.
 * Pages of the sink ({@link SyntheticSink}) walk its sorted map instead.
 *
 * <p>Stateless; the caller supplies the buffers and scratch arrays of one request.
 */
final class SyntheticListing {

    /** The most keys (and common prefixes) one page holds, and the default, as in S3. */
    static final int MAX_KEYS = 1000;

    /**
     * The most positions one page may step over. A destination with almost every key missing would
     * otherwise scan the whole bucket for one page; instead the page ends early, truncated, as S3
     * itself may answer with fewer keys than asked.
     */
    static final long SCAN_BUDGET = 1L << 22;

    private static final byte[] XML_DECLARATION = ascii("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    private static final byte[] CONTENTS_KEY = ascii("<Contents><Key>");
    private static final byte[] ETAG_TO_SIZE = ascii("&quot;</ETag><Size>");
    private static final byte[] SIZE_TO_END = ascii("</Size><StorageClass>STANDARD</StorageClass></Contents>");
    private static final byte[] COMMON_PREFIX = ascii("<CommonPrefixes><Prefix>");
    private static final byte[] COMMON_PREFIX_END = ascii("</Prefix></CommonPrefixes>");
    private static final byte[] RESULT_END = ascii("</ListBucketResult>");
    private static final String TOKEN_TAG = "synthetic-v1:";
    private static final String SINK_TOKEN_TAG = "synthetic-sink-v1:";

    /**
     * One list request's parameters, already parsed.
     *
     * @param v2 ListObjectsV2 rather than ListObjects (V1)
     * @param prefix the prefix; "" for none
     * @param delimiter the delimiter; null for none
     * @param startAfter V2 start-after or V1 marker; null for none
     * @param continuationToken the V2 continuation token; null for none
     * @param maxKeys the effective page size, 0 to {@link #MAX_KEYS}
     * @param urlEncode whether encoding-type=url was asked
     */
    record Request(boolean v2, String prefix, String delimiter, String startAfter, String continuationToken,
            int maxKeys, boolean urlEncode) {
    }

    private SyntheticListing() {
    }

    /**
     * Writes a page: the result's opening elements into head, the entries and the closing tag into
     * body. The response is head followed by body.
     *
     * @throws SyntheticHandler.S3Error for a continuation token that this server did not issue
     */
    static void write(SyntheticDataset data, boolean destination, String bucket, Request request,
            byte[] keyToETag, SyntheticBuffer head, SyntheticBuffer body, byte[] key, byte[] scratch) {
        boolean url = request.urlEncode();
        byte[] prefix = request.prefix().getBytes(StandardCharsets.UTF_8);
        byte[] delimiter = request.delimiter() == null ? null : request.delimiter().getBytes(StandardCharsets.UTF_8);
        byte[] after = request.startAfter() == null ? null : request.startAfter().getBytes(StandardCharsets.UTF_8);

        long end = prefix.length == 0 ? data.positions() : data.seekPastPrefix(prefix, prefix.length, 0, scratch);
        long pos;
        if (request.v2() && request.continuationToken() != null) {
            // S3 ignores start-after once a continuation token is given.
            pos = decodeToken(request.continuationToken(), data.positions());
        } else {
            pos = prefix.length == 0 ? 0 : data.seek(prefix, prefix.length, false, 0, scratch);
            if (after != null) {
                pos = Math.max(pos, data.seek(after, after.length, true, 0, scratch));
                if (delimiter != null && isCommonPrefix(after, prefix, delimiter)) {
                    // A marker that is itself a common prefix (V1's NextMarker) resumes after all its keys.
                    pos = Math.max(pos, data.seekPastPrefix(after, after.length, 0, scratch));
                }
            }
        }

        int count = 0;
        long budget = SCAN_BUDGET;
        boolean outOfBudget = false;
        boolean lastIsKey = true;
        long lastKeyPos = -1;
        int lastPrefixLength = 0;
        while (count < request.maxKeys()) {
            long limit = Math.min(end, pos + budget);
            long next = data.nextExisting(destination, pos, limit);
            budget -= next - pos;
            pos = next;
            if (pos >= end) {
                break;
            }
            if (pos >= limit) {
                outOfBudget = true;
                break;
            }
            int length = data.writeKey(pos, key);
            int at = delimiter == null ? -1 : indexOf(key, length, delimiter, prefix.length);
            if (at >= 0) {
                int prefixLength = at + delimiter.length;
                body.append(COMMON_PREFIX).text(key, 0, prefixLength, url).append(COMMON_PREFIX_END);
                count++;
                lastIsKey = false;
                lastKeyPos = pos;
                lastPrefixLength = prefixLength;
                pos = data.seekPastPrefix(key, prefixLength, pos, scratch);
                continue;
            }
            long seed = data.seed(destination, pos);
            long size = data.size(destination, pos);
            body.append(CONTENTS_KEY).text(key, 0, length, url).append(keyToETag);
            body.ensure(32);
            data.writeETag(seed, size, body.bytes, body.length);
            body.length += 32;
            body.append(ETAG_TO_SIZE).decimal(size).append(SIZE_TO_END);
            count++;
            lastIsKey = true;
            lastKeyPos = pos;
            pos++;
        }
        body.append(RESULT_END);

        boolean truncated;
        long resume = pos;
        if (pos >= end || request.maxKeys() == 0) {
            truncated = false;
        } else if (outOfBudget) {
            truncated = true;
        } else {
            // A full page is truncated only if something follows, as S3 says on the last page.
            long next = data.nextExisting(destination, pos, Math.min(end, pos + SCAN_BUDGET));
            truncated = next < end;
            resume = next;
        }

        byte[] nextMarker = null;
        int nextMarkerLength = 0;
        if (!request.v2() && truncated) {
            // S3 sends NextMarker only with a delimiter; always sending it is harmless and saves
            // clients from deriving it.
            if (lastKeyPos >= 0) {
                int length = data.writeKey(lastKeyPos, key);
                nextMarker = key;
                nextMarkerLength = lastIsKey ? length : lastPrefixLength;
            } else if (resume > 0) {
                // Nothing returned (out of budget): every position before resume is done.
                nextMarker = key;
                nextMarkerLength = data.writeKey(resume - 1, key);
            }
        }
        writeHead(head, bucket, request, prefix, delimiter, after, count, truncated,
                truncated ? encodeToken(resume) : null, nextMarker, nextMarkerLength);
    }

    /**
     * Writes a page of the sink: the keys written, in UTF-8 byte order, with the same parameters
     * and XML as a synthetic bucket's. A continuation token holds the last key or common prefix
     * returned. O(keys skipped + page size).
     *
     * @throws SyntheticHandler.S3Error for a continuation token that this server did not issue
     */
    static void writeSink(NavigableMap<String, SyntheticSink.Stored> objects, String bucket, Request request,
            SyntheticBuffer head, SyntheticBuffer body) {
        boolean url = request.urlEncode();
        String prefix = request.prefix();
        String delimiter = request.delimiter();
        String from = request.v2() && request.continuationToken() != null
                ? decodeSinkToken(request.continuationToken()) : request.startAfter();
        NavigableMap<String, SyntheticSink.Stored> tail = from != null && KeyOrder.compareKeys(from, prefix) >= 0
                ? objects.tailMap(from, false) : objects.tailMap(prefix, true);
        int count = 0;
        boolean truncated = false;
        String last = null;
        String lastCommonPrefix = null;
        for (Map.Entry<String, SyntheticSink.Stored> entry : tail.entrySet()) {
            String key = entry.getKey();
            if (!key.startsWith(prefix)) {
                break; // the keys with a prefix are contiguous, and the first is at or after the prefix
            }
            int at = delimiter == null ? -1 : key.indexOf(delimiter, prefix.length());
            String commonPrefix = at < 0 ? null : key.substring(0, at + delimiter.length());
            if (commonPrefix != null && (commonPrefix.equals(lastCommonPrefix) || commonPrefix.equals(from))) {
                continue; // rolled up already, or a marker that is itself a common prefix
            }
            if (count == request.maxKeys()) {
                truncated = count > 0;
                break;
            }
            if (commonPrefix != null) {
                body.append(COMMON_PREFIX).text(commonPrefix, url).append(COMMON_PREFIX_END);
                lastCommonPrefix = commonPrefix;
                last = commonPrefix;
            } else {
                SyntheticSink.Stored s = entry.getValue();
                body.append(CONTENTS_KEY).text(key, url).ascii("</Key><LastModified>")
                        .ascii(SyntheticHandler.isoDate(s.lastModified())).ascii("</LastModified><ETag>&quot;")
                        .text(s.eTag(), false).ascii("&quot;</ETag>");
                if (s.checksum() != null) {
                    body.ascii("<ChecksumAlgorithm>").ascii(s.checksum().algorithm().name())
                            .ascii("</ChecksumAlgorithm><ChecksumType>").ascii(s.checksum().type().name())
                            .ascii("</ChecksumType>");
                }
                body.ascii("<Size>").decimal(s.size()).append(SIZE_TO_END);
                last = key;
            }
            count++;
        }
        body.append(RESULT_END);
        byte[] prefixBytes = prefix.getBytes(StandardCharsets.UTF_8);
        byte[] delimiterBytes = delimiter == null ? null : delimiter.getBytes(StandardCharsets.UTF_8);
        byte[] afterBytes = request.startAfter() == null ? null : request.startAfter().getBytes(StandardCharsets.UTF_8);
        byte[] nextMarker = truncated && !request.v2() ? last.getBytes(StandardCharsets.UTF_8) : null;
        writeHead(head, bucket, request, prefixBytes, delimiterBytes, afterBytes, count, truncated,
                truncated ? encodeSinkToken(last) : null, nextMarker, nextMarker == null ? 0 : nextMarker.length);
    }

    /** Writes the opening elements of a page, up to and with IsTruncated. */
    private static void writeHead(SyntheticBuffer head, String bucket, Request request, byte[] prefix,
            byte[] delimiter, byte[] after, int count, boolean truncated, String nextToken, byte[] nextMarker,
            int nextMarkerLength) {
        boolean url = request.urlEncode();
        head.append(XML_DECLARATION)
                .ascii("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>")
                .text(bucket, false).ascii("</Name><Prefix>").text(prefix, 0, prefix.length, url).ascii("</Prefix>");
        if (request.v2()) {
            if (request.continuationToken() != null) {
                head.ascii("<ContinuationToken>").text(request.continuationToken(), false).ascii("</ContinuationToken>");
            }
            if (nextToken != null) {
                head.ascii("<NextContinuationToken>").ascii(nextToken).ascii("</NextContinuationToken>");
            }
            if (after != null) {
                head.ascii("<StartAfter>").text(after, 0, after.length, url).ascii("</StartAfter>");
            }
            head.ascii("<KeyCount>").decimal(count).ascii("</KeyCount>");
        } else {
            head.ascii("<Marker>");
            if (after != null) {
                head.text(after, 0, after.length, url);
            }
            head.ascii("</Marker>");
            if (truncated) {
                head.ascii("<NextMarker>");
                if (nextMarker != null) {
                    head.text(nextMarker, 0, nextMarkerLength, url);
                }
                head.ascii("</NextMarker>");
            }
        }
        head.ascii("<MaxKeys>").decimal(request.maxKeys()).ascii("</MaxKeys>");
        if (delimiter != null) {
            head.ascii("<Delimiter>").text(delimiter, 0, delimiter.length, url).ascii("</Delimiter>");
        }
        if (url) {
            head.ascii("<EncodingType>url</EncodingType>");
        }
        head.ascii("<IsTruncated>").ascii(truncated ? "true" : "false").ascii("</IsTruncated>");
    }

    /** Returns whether s is prefix, then anything without the delimiter, then the delimiter. */
    private static boolean isCommonPrefix(byte[] s, byte[] prefix, byte[] delimiter) {
        if (s.length < prefix.length || !Arrays.equals(s, 0, prefix.length, prefix, 0, prefix.length)) {
            return false;
        }
        int at = indexOf(s, s.length, delimiter, prefix.length);
        return at >= 0 && at + delimiter.length == s.length;
    }

    /** Returns the first index of needle in haystack[from .. length), or -1. */
    private static int indexOf(byte[] haystack, int length, byte[] needle, int from) {
        int last = length - needle.length;
        outer:
        for (int at = from; at <= last; at++) {
            for (int k = 0; k < needle.length; k++) {
                if (haystack[at + k] != needle[k]) {
                    continue outer;
                }
            }
            return at;
        }
        return -1;
    }

    static String encodeToken(long pos) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((TOKEN_TAG + pos).getBytes(StandardCharsets.US_ASCII));
    }

    static long decodeToken(String token, long positions) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.US_ASCII);
            if (decoded.startsWith(TOKEN_TAG)) {
                long pos = Long.parseLong(decoded.substring(TOKEN_TAG.length()));
                if (pos >= 0 && pos <= positions) {
                    return pos;
                }
            }
        } catch (IllegalArgumentException e) {
            // Falls through to the error S3 gives for a token it did not issue.
        }
        throw new SyntheticHandler.S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
    }

    static String encodeSinkToken(String key) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((SINK_TOKEN_TAG + key).getBytes(StandardCharsets.UTF_8));
    }

    static String decodeSinkToken(String token) {
        try {
            String decoded = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (decoded.startsWith(SINK_TOKEN_TAG)) {
                return decoded.substring(SINK_TOKEN_TAG.length());
            }
        } catch (IllegalArgumentException e) {
            // Falls through to the error S3 gives for a token it did not issue.
        }
        throw new SyntheticHandler.S3Error(400, "InvalidArgument", "The continuation token provided is incorrect");
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
