package io.github.s3recon.inventory.internal;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ObjectEntry;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.utils.DateUtils;

/**
 * Parses the body of a ListObjectsV2 response, as bytes, into the page's entries, several times
 * faster than the SDK's unmarshalling (which builds a DOM of the whole page through StAX, then a
 * builder per object, then copies every object again to URL-decode its key).
 *
 * <p>It is a hand-written scanner over the UTF-8 bytes that allocates, per object, little more
 * than the strings and the {@link ObjectEntry} themselves: plain ASCII text becomes a string in one
 * copy, a run of objects with the same LastModified or storage class shares one value, and the
 * quotes around an ETag are dropped before its string is made.
 *
 * <h2>Same result as the SDK</h2>
 * For a body that the SDK accepts, the page holds exactly what
 * {@code S3ObjectLister} makes of the SDK's {@link ListObjectsV2Response}: the same keys (relative
 * to the prefix length given here), sizes, ETags, LastModified instants, storage classes and listed
 * checksums, and the SDK's rules for what it reads: element order does not matter, unknown
 * elements (Owner, RestoreStatus, anything newer) are skipped, the first of repeated elements wins,
 * XML entities and character references are decoded, {@code EncodingType=url} URL-decodes keys,
 * common prefixes, Prefix, Delimiter and StartAfter with {@link java.net.URLDecoder}'s rules,
 * timestamps are read as {@link DateUtils#parseIso8601Date} reads them, and a page has a next page
 * exactly when its NextContinuationToken is not empty (what the SDK's paginator checks). The
 * parser reports IsTruncated as it is; whether the listing is whole (IsTruncated without a token,
 * repeated tokens, keys out of order) is the listers' check.
 *
 * <p>Anything outside what S3 and S3-compatible servers send, and anything on which the SDK
 * itself would fail, throws {@link MalformedPageException} rather than guess: a DOCTYPE, another
 * encoding than UTF-8, namespace prefixes, comments or processing instructions inside a value,
 * invalid UTF-8 or XML characters, unknown entities, unbalanced tags, a root other than
 * {@code ListBucketResult}, a key shorter than the prefix, numbers or timestamps that do not parse.
 * The caller then lets the SDK fetch the page, so the SDK's own result or error applies. (Text
 * inside skipped elements is checked for the same faults; attribute values are only delimited.)
 *
 * <p>Not thread-safe: a parser keeps per-page buffers and small caches; use one per listing (the
 * pages of one listing are parsed one after another). The pages it returns are immutable.
 *
 * <p>The XML itself (the cursor, the arena, tags, text, entities) is read by {@link XmlPageScanner},
 * which this class extends rather than calls, so that both work on one object's fields on a path
 * that parses millions of keys a second ({@code PageParserBenchmark}). Timestamps are read by
 * {@link IsoInstants}, UTF-8 checked by {@link Utf8}.
 */
public final class ListObjectsV2PageParser extends XmlPageScanner {

    /**
     * One parsed ListObjectsV2 page.
     *
     * @param entries the objects, keys relative to the parser's prefix length, in document order;
     *     unmodifiable, not null
     * @param commonPrefixes the common prefixes, whole (not relative), in document order; an element
     *     without a Prefix gives null, as with the SDK; unmodifiable, not null
     * @param truncated IsTruncated; false when absent
     * @param nextContinuationToken NextContinuationToken; null when absent
     * @param keyCount KeyCount; null when absent
     * @param encodingType EncodingType as sent (keys were URL-decoded if it is {@code url}); null
     *     when absent
     * @param viaSdk true when the page came through the SDK rather than this parser (see
     *     {@link #of(ListObjectsV2Response, Function)})
     */
    public record Page(List<ObjectEntry> entries, List<String> commonPrefixes, boolean truncated,
            String nextContinuationToken, Integer keyCount, String encodingType, boolean viaSdk) {

        /** Checks that the lists are there. */
        public Page {
            Objects.requireNonNull(entries, "entries");
            Objects.requireNonNull(commonPrefixes, "commonPrefixes");
        }

        /**
         * Returns whether another page follows: the SDK's paginator asks for one exactly when the
         * NextContinuationToken is present and not empty. A page that says {@link #truncated()} but
         * has no next page cannot be continued: the listers refuse it ({@code LISTING_FAILED}) rather
         * than take the listing as complete.
         *
         * @return true if {@link #nextContinuationToken()} is neither null nor empty
         */
        public boolean hasNextPage() {
            return nextContinuationToken != null && !nextContinuationToken.isEmpty();
        }

        /**
         * Returns the page that the SDK unmarshalled, for the pages that fall back to it.
         *
         * @param response the SDK's response, keys already URL-decoded by the SDK; not null
         * @param toEntry how the SDK path turns an object into an entry (relative key); not null
         * @return the page, marked {@link #viaSdk()}
         */
        public static Page of(ListObjectsV2Response response, Function<S3Object, ObjectEntry> toEntry) {
            List<ObjectEntry> entries = new ArrayList<>(response.contents().size());
            for (S3Object o : response.contents()) {
                entries.add(toEntry.apply(o));
            }
            List<String> prefixes = new ArrayList<>(response.commonPrefixes().size());
            for (CommonPrefix p : response.commonPrefixes()) {
                prefixes.add(p.prefix());
            }
            return new Page(Collections.unmodifiableList(entries), Collections.unmodifiableList(prefixes),
                    Boolean.TRUE.equals(response.isTruncated()), response.nextContinuationToken(),
                    response.keyCount(), response.encodingTypeAsString(), true);
        }
    }

    /**
     * A body that this parser does not take on: the caller should let the SDK fetch the page. It
     * carries no stack trace (it is expected, and cheap).
     */
    public static final class MalformedPageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        MalformedPageException(String message) {
            super(message, null, false, false);
        }
    }

    private static final byte[] LIST_BUCKET_RESULT = ascii("ListBucketResult");
    private static final byte[] CONTENTS = ascii("Contents");
    private static final byte[] COMMON_PREFIXES = ascii("CommonPrefixes");
    private static final byte[] IS_TRUNCATED = ascii("IsTruncated");
    private static final byte[] NEXT_CONTINUATION_TOKEN = ascii("NextContinuationToken");
    private static final byte[] KEY_COUNT = ascii("KeyCount");
    private static final byte[] MAX_KEYS = ascii("MaxKeys");
    private static final byte[] ENCODING_TYPE = ascii("EncodingType");
    private static final byte[] PREFIX = ascii("Prefix");
    private static final byte[] DELIMITER = ascii("Delimiter");
    private static final byte[] START_AFTER = ascii("StartAfter");
    private static final byte[] KEY = ascii("Key");
    private static final byte[] LAST_MODIFIED = ascii("LastModified");
    private static final byte[] ETAG = ascii("ETag");
    private static final byte[] SIZE = ascii("Size");
    private static final byte[] STORAGE_CLASS = ascii("StorageClass");
    private static final byte[] CHECKSUM_ALGORITHM = ascii("ChecksumAlgorithm");
    private static final byte[] CHECKSUM_TYPE = ascii("ChecksumType");
    private static final byte[] RESTORE_STATUS = ascii("RestoreStatus");
    private static final byte[] RESTORE_EXPIRY_DATE = ascii("RestoreExpiryDate");
    private static final byte[] QUOT = ascii("&quot;");
    private static final byte[] FULL_OBJECT = ascii("FULL_OBJECT");
    private static final byte[] COMPOSITE = ascii("COMPOSITE");

    /** The SDK's enum values, in the order of {@link ChecksumAlgorithm}'s constants. */
    private static final byte[][] ALGORITHM_VALUES = {ascii("CRC64NVME"), ascii("CRC32"), ascii("CRC32C"),
        ascii("SHA1"), ascii("SHA256")};
    /** Listed checksums carry no value, so there are only ten of them: shared. */
    private static final Checksum[][] LISTED_CHECKSUMS = new Checksum[ChecksumAlgorithm.values().length][];

    static {
        for (ChecksumAlgorithm a : ChecksumAlgorithm.values()) {
            LISTED_CHECKSUMS[a.ordinal()] = new Checksum[] {new Checksum(a, ChecksumType.FULL_OBJECT, null),
                new Checksum(a, ChecksumType.COMPOSITE, null)};
        }
    }

    /** Type states of one object's ChecksumType: absent or not one the SDK knows, or known. */
    private static final int TYPE_UNKNOWN = 0;
    private static final int TYPE_FULL_OBJECT = 1;
    private static final int TYPE_COMPOSITE = 2;

    private final int prefixLength;

    // Keys and common prefixes wait until the page's end: EncodingType may come after them.
    private int count;
    private int[] keyStart = new int[1024];
    private int[] keyEnd = new int[1024];
    private byte[] keyFlags = new byte[1024];
    private long[] sizes = new long[1024];
    private String[] eTags = new String[1024];
    private Instant[] modifieds = new Instant[1024];
    private String[] storageClasses = new String[1024];
    private Checksum[] checksums = new Checksum[1024];
    private int prefixCount;
    private int[] prefixStart = new int[16];
    private int[] prefixEnd = new int[16];
    private byte[] prefixFlags = new byte[16];

    private byte[] urlScratch = new byte[256];

    // Small caches across pages: a bucket's objects mostly share a few values. They start empty
    // (and an empty LastModified never parses), so a first empty value is not mistaken for a hit.
    private byte[] lastModifiedBytes = new byte[0];
    private Instant lastModified;
    private byte[] storageClassBytes = new byte[0];
    private String storageClass = "";

    /**
     * Creates a parser for the pages of one listing.
     *
     * @param prefixLength the length, in UTF-16 chars as {@link String#substring(int)} counts, of the
     *     location's prefix to drop from each key; not negative
     */
    public ListObjectsV2PageParser(int prefixLength) {
        if (prefixLength < 0) {
            throw new IllegalArgumentException("prefix length must not be negative, was " + prefixLength);
        }
        this.prefixLength = prefixLength;
    }

    /**
     * Parses a whole response body.
     *
     * @param body the bytes, the whole array; not modified, not kept
     * @return the page
     * @throws MalformedPageException for a body this parser does not take on (see the class)
     */
    public Page parse(byte[] body) {
        buf = Objects.requireNonNull(body, "body");
        pos = 0;
        limit = body.length;
        arenaLength = 0;
        count = 0;
        prefixCount = 0;
        try {
            return parseDocument();
        } catch (ArrayIndexOutOfBoundsException e) {
            // The scanners stop at the end of the array: only a body that ends in the middle of
            // something gets there.
            throw new MalformedPageException("not parsed directly: the page ends in the middle of an element");
        } finally {
            buf = null;
            Arrays.fill(eTags, 0, count, null);
            Arrays.fill(modifieds, 0, count, null);
            Arrays.fill(storageClasses, 0, count, null);
            Arrays.fill(checksums, 0, count, null);
        }
    }

    private Page parseDocument() {
        if (limit - pos >= 3 && buf[pos] == (byte) 0xEF && buf[pos + 1] == (byte) 0xBB && buf[pos + 2] == (byte) 0xBF) {
            pos += 3;
        }
        prolog();
        readStartTag();
        if (!nameIs(LIST_BUCKET_RESULT)) {
            throw fail("the root element is not ListBucketResult");
        }
        int rootStart = nameStart;
        int rootEnd = nameEnd;

        boolean truncated = false;
        boolean seenTruncated = false;
        String token = null;
        boolean seenToken = false;
        Integer keyCount = null;
        boolean seenKeyCount = false;
        boolean seenMaxKeys = false;
        String encodingType = null;
        boolean seenEncodingType = false;
        String prefix = null;
        String delimiter = null;
        String startAfter = null;
        boolean seenPrefix = false;
        boolean seenDelimiter = false;
        boolean seenStartAfter = false;

        if (!selfClosing) {
            while (nextChild(rootStart, rootEnd)) {
                // Scalars: the SDK reads the first element of a name and ignores the rest.
                if (nameIs(CONTENTS)) {
                    contents();
                } else if (nameIs(COMMON_PREFIXES)) {
                    commonPrefix();
                } else if (!seenTruncated && nameIs(IS_TRUNCATED)) {
                    seenTruncated = true;
                    truncated = Boolean.parseBoolean(leafString());
                } else if (!seenToken && nameIs(NEXT_CONTINUATION_TOKEN)) {
                    seenToken = true;
                    token = leafString();
                } else if (!seenKeyCount && nameIs(KEY_COUNT)) {
                    seenKeyCount = true;
                    keyCount = parseInt(leafString());
                } else if (!seenMaxKeys && nameIs(MAX_KEYS)) {
                    seenMaxKeys = true;
                    parseInt(leafString());
                } else if (!seenEncodingType && nameIs(ENCODING_TYPE)) {
                    seenEncodingType = true;
                    encodingType = leafString();
                } else if (!seenPrefix && nameIs(PREFIX)) {
                    seenPrefix = true;
                    prefix = leafString();
                } else if (!seenDelimiter && nameIs(DELIMITER)) {
                    seenDelimiter = true;
                    delimiter = leafString();
                } else if (!seenStartAfter && nameIs(START_AFTER)) {
                    seenStartAfter = true;
                    startAfter = leafString();
                } else {
                    skipElement();
                }
            }
        }
        // Whatever follows the root's end is never read by the SDK either.

        boolean url = "url".equals(encodingType);
        if (url) {
            // The SDK decodes these too, and fails on a malformed escape in any of them.
            urlDecode(prefix);
            urlDecode(delimiter);
            urlDecode(startAfter);
        }
        ObjectEntry[] entries = new ObjectEntry[count];
        for (int i = 0; i < count; i++) {
            entries[i] = new ObjectEntry(key(keyStart[i], keyEnd[i], keyFlags[i], url), sizes[i], eTags[i],
                    modifieds[i], storageClasses[i], checksums[i]);
        }
        List<String> prefixes;
        if (prefixCount == 0) {
            prefixes = List.of();
        } else {
            String[] values = new String[prefixCount];
            for (int i = 0; i < prefixCount; i++) {
                if (prefixFlags[i] != NO_TEXT) {
                    String value = text(prefixStart[i], prefixEnd[i], prefixFlags[i]);
                    values[i] = url ? urlDecode(value) : value;
                }
            }
            prefixes = Collections.unmodifiableList(Arrays.asList(values));
        }
        return new Page(Collections.unmodifiableList(Arrays.asList(entries)), prefixes, truncated, token, keyCount,
                encodingType, false);
    }

    // ---- Contents and CommonPrefixes ----

    private static final byte NO_TEXT = -1;

    private void contents() {
        if (selfClosing) {
            throw fail("an object without a key");
        }
        int start = nameStart;
        int end = nameEnd;
        boolean seenKey = false;
        int kStart = 0;
        int kEnd = 0;
        byte kFlags = 0;
        long size = 0;
        boolean seenSize = false;
        String eTag = null;
        boolean seenETag = false;
        Instant modified = null;
        boolean seenModified = false;
        String storage = null;
        boolean seenStorage = false;
        int algorithm = -1;
        boolean seenAlgorithm = false;
        int type = TYPE_UNKNOWN;
        boolean seenType = false;
        boolean seenRestore = false;
        while (nextChild(start, end)) {
            int length = nameEnd - nameStart;
            if (!seenKey && length == 3 && nameIs(KEY)) {
                seenKey = true;
                leaf();
                kStart = textStart;
                kEnd = textEnd;
                kFlags = textInArena ? IN_ARENA : IN_BUF_PLAIN;
            } else if (!seenModified && length == 12 && nameIs(LAST_MODIFIED)) {
                seenModified = true;
                modified = lastModified();
            } else if (!seenETag && length == 4 && nameIs(ETAG)) {
                seenETag = true;
                eTag = eTag();
            } else if (!seenSize && length == 4 && nameIs(SIZE)) {
                seenSize = true;
                size = size();
            } else if (!seenStorage && length == 12 && nameIs(STORAGE_CLASS)) {
                seenStorage = true;
                storage = storageClass();
            } else if (!seenAlgorithm && length == 17 && nameIs(CHECKSUM_ALGORITHM)) {
                // A list in the SDK; the lister uses its first element.
                seenAlgorithm = true;
                algorithm = checksumAlgorithm();
            } else if (!seenType && length == 12 && nameIs(CHECKSUM_TYPE)) {
                seenType = true;
                type = checksumType();
            } else if (!seenRestore && nameIs(RESTORE_STATUS)) {
                // Skipped, but the SDK parses its expiry date and fails on a bad one.
                seenRestore = true;
                restoreStatus();
            } else {
                skipElement();
            }
        }
        if (!seenKey) {
            throw fail("an object without a key");
        }
        if (count == keyStart.length) {
            int grown = count * 2;
            keyStart = Arrays.copyOf(keyStart, grown);
            keyEnd = Arrays.copyOf(keyEnd, grown);
            keyFlags = Arrays.copyOf(keyFlags, grown);
            sizes = Arrays.copyOf(sizes, grown);
            eTags = Arrays.copyOf(eTags, grown);
            modifieds = Arrays.copyOf(modifieds, grown);
            storageClasses = Arrays.copyOf(storageClasses, grown);
            checksums = Arrays.copyOf(checksums, grown);
        }
        // The entry is made at the page's end, once EncodingType says how to read the key.
        keyStart[count] = kStart;
        keyEnd[count] = kEnd;
        keyFlags[count] = kFlags;
        sizes[count] = size;
        eTags[count] = eTag;
        modifieds[count] = modified;
        storageClasses[count] = storage;
        checksums[count++] = listedChecksum(algorithm, type, eTag);
    }

    /** As {@code S3ObjectLister} maps the SDK's ChecksumAlgorithm list and ChecksumType. */
    private static Checksum listedChecksum(int algorithm, int type, String eTag) {
        if (algorithm < 0) {
            return null;
        }
        boolean composite;
        if (type != TYPE_UNKNOWN) {
            composite = type == TYPE_COMPOSITE;
        } else {
            // Older servers omit the type: CRC64NVME is always full-object, and a single-part
            // upload's checksum covers the object; a multipart one is composite unless told otherwise.
            composite = algorithm != ChecksumAlgorithm.CRC64NVME.ordinal() && eTag != null && eTag.contains("-");
        }
        return LISTED_CHECKSUMS[algorithm][composite ? 1 : 0];
    }

    private void commonPrefix() {
        int flags = NO_TEXT;
        int start = 0;
        int end = 0;
        if (!selfClosing) {
            int elementStart = nameStart;
            int elementEnd = nameEnd;
            while (nextChild(elementStart, elementEnd)) {
                if (flags == NO_TEXT && nameIs(PREFIX)) {
                    leaf();
                    start = textStart;
                    end = textEnd;
                    flags = textInArena ? IN_ARENA : IN_BUF_PLAIN;
                } else {
                    skipElement();
                }
            }
        }
        if (prefixCount == prefixStart.length) {
            int grown = prefixCount * 2;
            prefixStart = Arrays.copyOf(prefixStart, grown);
            prefixEnd = Arrays.copyOf(prefixEnd, grown);
            prefixFlags = Arrays.copyOf(prefixFlags, grown);
        }
        prefixStart[prefixCount] = start;
        prefixEnd[prefixCount] = end;
        prefixFlags[prefixCount++] = (byte) flags;
    }

    private void restoreStatus() {
        if (selfClosing) {
            return;
        }
        int start = nameStart;
        int end = nameEnd;
        boolean seenExpiry = false;
        while (nextChild(start, end)) {
            if (!seenExpiry && nameIs(RESTORE_EXPIRY_DATE)) {
                seenExpiry = true;
                parseInstant(leafString());
            } else {
                skipElement();
            }
        }
    }

    // ---- Values of an object ----

    private Instant lastModified() {
        leaf();
        if (!textInArena && lastModified != null && textEnd - textStart == lastModifiedBytes.length
                && Arrays.equals(buf, textStart, textEnd, lastModifiedBytes, 0, lastModifiedBytes.length)) {
            return lastModified;
        }
        Instant parsed = textInArena ? null : IsoInstants.parse(buf, textStart, textEnd);
        if (parsed == null) {
            return parseInstant(textString());
        }
        lastModifiedBytes = Arrays.copyOfRange(buf, textStart, textEnd);
        lastModified = parsed;
        return parsed;
    }

    private String eTag() {
        // S3 writes an ETag as &quot;<hex>&quot;: make the string of what is inside the quotes at
        // once rather than decode, make a string, and let ObjectEntry cut the quotes off it.
        int p = pos;
        if (!selfClosing && startsWith(p, QUOT)) {
            int inner = p + QUOT.length;
            int q = inner;
            byte[] b = buf;
            while (CLASS[b[q] & 0xFF] == PLAIN) {
                q++;
            }
            if (b[q] == '&' && startsWith(q, QUOT) && b[q + QUOT.length] == '<' && b[q + QUOT.length + 1] == '/') {
                pos = q + QUOT.length;
                endTag();
                return new String(b, inner, q - inner, StandardCharsets.ISO_8859_1);
            }
        }
        leaf();
        if (!textInArena && textEnd - textStart >= 2 && buf[textStart] == '"' && buf[textEnd - 1] == '"') {
            return new String(buf, textStart + 1, textEnd - textStart - 2, StandardCharsets.ISO_8859_1);
        }
        return textString();
    }

    private long size() {
        leaf();
        if (!textInArena) {
            int length = textEnd - textStart;
            if (length >= 1 && length <= 18) {
                long value = 0;
                int p = textStart;
                for (; p < textEnd; p++) {
                    int digit = buf[p] - '0';
                    if (digit < 0 || digit > 9) {
                        break;
                    }
                    value = value * 10 + digit;
                }
                if (p == textEnd) {
                    return value;
                }
            }
        }
        try {
            return Long.parseLong(textString());
        } catch (NumberFormatException e) {
            throw fail("a Size that is not a number");
        }
    }

    private String storageClass() {
        leaf();
        if (textInArena) {
            return textString();
        }
        if (textEnd - textStart != storageClassBytes.length
                || !Arrays.equals(buf, textStart, textEnd, storageClassBytes, 0, storageClassBytes.length)) {
            storageClassBytes = Arrays.copyOfRange(buf, textStart, textEnd);
            storageClass = new String(storageClassBytes, StandardCharsets.ISO_8859_1);
        }
        return storageClass;
    }

    /** Returns the ordinal of our {@link ChecksumAlgorithm}, or -1 for a value the SDK does not know. */
    private int checksumAlgorithm() {
        leaf();
        byte[] src = textInArena ? arena : buf;
        for (int i = 0; i < ALGORITHM_VALUES.length; i++) {
            if (rangeIs(src, textStart, textEnd, ALGORITHM_VALUES[i])) {
                return i;
            }
        }
        return -1;
    }

    private int checksumType() {
        leaf();
        byte[] src = textInArena ? arena : buf;
        if (rangeIs(src, textStart, textEnd, FULL_OBJECT)) {
            return TYPE_FULL_OBJECT;
        }
        if (rangeIs(src, textStart, textEnd, COMPOSITE)) {
            return TYPE_COMPOSITE;
        }
        return TYPE_UNKNOWN;
    }

    // ---- Keys and strings ----

    private String key(int start, int end, byte flags, boolean url) {
        byte[] src = flags == IN_ARENA ? arena : buf;
        if (url) {
            for (int p = start; p < end; p++) {
                byte c = src[p];
                if (c == '%' || c == '+') {
                    return relative(urlDecodeBytes(src, start, end));
                }
            }
        }
        if (flags == IN_BUF_PLAIN) {
            // ASCII: one char per byte, so the prefix is cut before the string is made.
            if (end - start < prefixLength) {
                throw fail("a key shorter than the prefix");
            }
            return new String(src, start + prefixLength, end - start - prefixLength, StandardCharsets.ISO_8859_1);
        }
        return relative(new String(src, start, end - start, StandardCharsets.UTF_8));
    }

    private String relative(String key) {
        if (key.length() < prefixLength) {
            throw fail("a key shorter than the prefix");
        }
        return prefixLength == 0 ? key : key.substring(prefixLength);
    }

    private String urlDecode(String value) {
        if (value == null || (value.indexOf('%') < 0 && value.indexOf('+') < 0)) {
            return value;
        }
        byte[] utf8 = value.getBytes(StandardCharsets.UTF_8);
        return urlDecodeBytes(utf8, 0, utf8.length);
    }

    /**
     * URL-decodes as {@link java.net.URLDecoder} does with UTF-8 ('+' is a space, each run of %XX is
     * UTF-8), and refuses what it would refuse. Other input (a malformed escape, an escape of bytes
     * that are not UTF-8, an escape with a sign that URLDecoder's parseInt lets through) is left to
     * the SDK.
     */
    private String urlDecodeBytes(byte[] src, int start, int end) {
        if (urlScratch.length < end - start) {
            urlScratch = new byte[Math.max(end - start, urlScratch.length * 2)];
        }
        byte[] out = urlScratch;
        int n = 0;
        boolean ascii = true;
        for (int p = start; p < end; p++) {
            byte c = src[p];
            if (c == '+') {
                out[n++] = ' ';
            } else if (c == '%') {
                if (p + 2 >= end) {
                    throw fail("a truncated URL escape");
                }
                int hi = hex(src[p + 1]);
                int lo = hex(src[p + 2]);
                if (hi < 0 || lo < 0) {
                    throw fail("a malformed URL escape");
                }
                byte decoded = (byte) (hi << 4 | lo);
                ascii &= decoded >= 0;
                out[n++] = decoded;
                p += 2;
            } else {
                ascii &= c >= 0;
                out[n++] = c;
            }
        }
        if (ascii) {
            return new String(out, 0, n, StandardCharsets.ISO_8859_1);
        }
        for (int p = 0; p < n; ) {
            if (out[p] >= 0) {
                p++;
            } else {
                int length = Utf8.sequence(out, p, n, false);
                if (length < 0) {
                    throw fail("a URL escape that is not UTF-8");
                }
                p += length;
            }
        }
        return new String(out, 0, n, StandardCharsets.UTF_8);
    }

    // ---- Numbers and timestamps ----

    private Integer parseInt(String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw fail("a count that is not a number");
        }
    }

    private Instant parseInstant(String value) {
        try {
            return DateUtils.parseIso8601Date(value);
        } catch (RuntimeException e) {
            throw fail("a timestamp that does not parse");
        }
    }

}
