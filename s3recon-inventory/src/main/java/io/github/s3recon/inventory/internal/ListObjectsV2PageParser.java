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
 * <p>This file is longer than the 700 lines a source file keeps to, on purpose: the XML reading and
 * the page's values share one cursor over one byte buffer and one decoding arena, read and moved by
 * every method once per byte; split into a tokenizer object and a page reader, each byte would cost
 * a call and a field load through another object on a path that parses millions of keys a second
 * ({@code PageParserBenchmark}). What stands alone is apart: timestamps ({@link IsoInstants}) and
 * UTF-8 checks ({@link Utf8}).
 */
public final class ListObjectsV2PageParser {

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

    // Byte classes for the text scanners: 0 is plain text, ending nothing and needing no decoding.
    private static final byte PLAIN = 0;
    private static final byte LT = 1;
    private static final byte SPECIAL = 2;
    private static final byte[] CLASS = new byte[256];

    static {
        for (int c = 0; c < 256; c++) {
            // Control characters, '&' (entities), '>' (for "]]>"), '\r' (line ends are normalized)
            // and every non-ASCII byte (UTF-8 to validate) need a closer look.
            CLASS[c] = c < 0x20 || c >= 0x80 || c == '&' || c == '>' ? SPECIAL : PLAIN;
        }
        CLASS['<'] = LT;
    }

    // Byte classes of element names: 0 continues a name, 1 ends it, 2 is refused (a namespace
    // prefix, or what cannot be in a name).
    private static final byte NAME = 0;
    private static final byte NAME_END = 1;
    private static final byte[] NAME_CLASS = new byte[256];

    static {
        for (int c = 0; c < 0x20; c++) {
            NAME_CLASS[c] = 2;
        }
        for (char c : new char[] {':', '<', '&', '"', '\'', '='}) {
            NAME_CLASS[c] = 2;
        }
        for (char c : new char[] {'>', '/', ' ', '\t', '\n', '\r'}) {
            NAME_CLASS[c] = NAME_END;
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
    private static final byte[] CDATA = ascii("<![CDATA[");
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

    // The page being parsed.
    private byte[] buf;
    private int pos;
    private int limit;

    // The last tag read: its name and whether it closed itself.
    private int nameStart;
    private int nameEnd;
    private boolean selfClosing;

    // The last value read: either buf[textStart, textEnd) as is (plain: ASCII without anything to
    // decode), or decoded UTF-8 in arena[textStart, textEnd).
    private int textStart;
    private int textEnd;
    private boolean textInArena;
    private byte[] arena = new byte[1024];
    private int arenaLength;

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
    private static final byte IN_BUF_PLAIN = 0;
    private static final byte IN_ARENA = 1;

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

    private String text(int start, int end, byte flags) {
        return flags == IN_BUF_PLAIN ? new String(buf, start, end - start, StandardCharsets.ISO_8859_1)
                : new String(arena, start, end - start, StandardCharsets.UTF_8);
    }

    private String textString() {
        return text(textStart, textEnd, textInArena ? IN_ARENA : IN_BUF_PLAIN);
    }

    private String leafString() {
        leaf();
        return textString();
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

    private static int hex(byte c) {
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

    // ---- XML structure ----

    /** Skips the prolog: the XML declaration, comments, processing instructions and white space. */
    private void prolog() {
        if (startsWith(pos, "<?xml".getBytes(StandardCharsets.US_ASCII)) && isWhitespace(buf[pos + 5])) {
            int end = indexOf(pos + 5, (byte) '?', (byte) '>');
            checkDeclaration(pos + 5, end);
            pos = end + 2;
        }
        while (true) {
            skipWhitespace();
            if (pos >= limit) {
                throw fail("no root element");
            }
            if (buf[pos] != '<') {
                throw fail("text before the root element");
            }
            byte next = buf[pos + 1];
            if (next == '?') {
                processingInstruction();
            } else if (next == '!') {
                if (buf[pos + 2] == '-' && buf[pos + 3] == '-') {
                    comment();
                } else {
                    throw fail("a DOCTYPE");
                }
            } else {
                return;
            }
        }
    }

    /**
     * Refuses XML 1.1 (other characters are allowed) and any encoding but UTF-8: the SDK's parser
     * would read those differently.
     */
    private void checkDeclaration(int from, int to) {
        byte[] v10 = "1.0".getBytes(StandardCharsets.US_ASCII);
        boolean version10 = false;
        for (int p = from; p + v10.length <= to; p++) {
            version10 |= Arrays.equals(buf, p, p + v10.length, v10, 0, v10.length);
        }
        if (!version10) {
            throw fail("an XML version other than 1.0");
        }
        byte[] name = "encoding".getBytes(StandardCharsets.US_ASCII);
        for (int p = from; p + name.length <= to; p++) {
            if (Arrays.equals(buf, p, p + name.length, name, 0, name.length)) {
                int q = p + name.length;
                while (q < to && (isWhitespace(buf[q]) || buf[q] == '=')) {
                    q++;
                }
                byte quote = buf[q];
                int close = q + 1;
                while (close < to && buf[close] != quote) {
                    close++;
                }
                String value = new String(buf, q + 1, close - q - 1, StandardCharsets.ISO_8859_1);
                if (!value.equalsIgnoreCase("UTF-8") && !value.equalsIgnoreCase("UTF8")) {
                    throw fail("an encoding other than UTF-8");
                }
                return;
            }
        }
    }

    /**
     * Moves to the next child element of the element named buf[start, end), reading its start tag;
     * returns false after reading the element's end tag. Text between children is checked and
     * ignored, as the SDK ignores it.
     */
    private boolean nextChild(int start, int end) {
        while (true) {
            int p = skipText(pos);
            pos = p;
            byte next = buf[p + 1];
            if (next == '/') {
                nameStart = start;
                nameEnd = end;
                endTag();
                return false;
            }
            if (next == '!') {
                if (buf[p + 2] == '-' && buf[p + 3] == '-') {
                    comment();
                } else if (startsWith(p, CDATA)) {
                    pos = skipCdata(p + CDATA.length, false);
                } else {
                    throw fail("a declaration inside an element");
                }
            } else if (next == '?') {
                processingInstruction();
            } else {
                readStartTag();
                return true;
            }
        }
    }

    /** Skips the element whose start tag was just read, with everything in it. */
    private void skipElement() {
        if (selfClosing) {
            return;
        }
        // The names of the open elements, as (start, end) pairs, to match their end tags.
        int[] open = new int[16];
        open[0] = nameStart;
        open[1] = nameEnd;
        int depth = 1;
        while (depth > 0) {
            int p = skipText(pos);
            pos = p;
            byte next = buf[p + 1];
            if (next == '/') {
                depth--;
                nameStart = open[2 * depth];
                nameEnd = open[2 * depth + 1];
                endTag();
            } else if (next == '!') {
                if (buf[p + 2] == '-' && buf[p + 3] == '-') {
                    comment();
                } else if (startsWith(p, CDATA)) {
                    pos = skipCdata(p + CDATA.length, false);
                } else {
                    throw fail("a declaration inside an element");
                }
            } else if (next == '?') {
                processingInstruction();
            } else {
                readStartTag();
                if (!selfClosing) {
                    if (2 * depth + 2 > open.length) {
                        open = Arrays.copyOf(open, open.length * 2);
                    }
                    open[2 * depth] = nameStart;
                    open[2 * depth + 1] = nameEnd;
                    depth++;
                }
            }
        }
    }

    /**
     * Reads the value of the element whose start tag was just read, through its end tag, into
     * textStart/textEnd/textInArena. Text, entities and CDATA sections are joined as the SDK joins
     * them; a child element, comment or processing instruction inside the value is left to the SDK
     * (which would keep only the text after it).
     */
    private void leaf() {
        if (selfClosing) {
            textStart = 0;
            textEnd = 0;
            textInArena = false;
            return;
        }
        int tagStart = nameStart;
        int tagEnd = nameEnd;
        byte[] b = buf;
        int start = pos;
        int p = start;
        int cls;
        while ((cls = CLASS[b[p] & 0xFF]) == PLAIN) {
            p++;
        }
        if (cls == LT && b[p + 1] == '/') {
            textStart = start;
            textEnd = p;
            textInArena = false;
            pos = p;
            endTag();
            return;
        }
        // Slow path: decode into the arena, joining CDATA sections.
        int arenaStart = arenaLength;
        p = start;
        while (true) {
            p = decodeText(p);
            if (b[p + 1] == '/') {
                break;
            }
            if (!startsWith(p, CDATA)) {
                throw fail("markup inside a value");
            }
            p = skipCdata(p + CDATA.length, true);
        }
        textStart = arenaStart;
        textEnd = arenaLength;
        textInArena = true;
        pos = p;
        nameStart = tagStart;
        nameEnd = tagEnd;
        endTag();
    }

    /** Reads a start tag at pos ('<'): its name, attributes (skipped) and whether it closes itself. */
    private void readStartTag() {
        byte[] b = buf;
        int p = pos + 1;
        int start = p;
        int cls;
        while ((cls = NAME_CLASS[b[p] & 0xFF]) == NAME) {
            p++;
        }
        if (cls != NAME_END) {
            throw fail("an element name with a namespace prefix or odd characters");
        }
        if (p == start) {
            throw fail("an element without a name");
        }
        if (b[p] == '>') {
            // The usual tag: a bare name.
            nameStart = start;
            nameEnd = p;
            selfClosing = false;
            pos = p + 1;
            return;
        }
        nameStart = start;
        nameEnd = p;
        while (true) {
            while (isWhitespace(b[p])) {
                p++;
            }
            byte c = b[p];
            if (c == '>') {
                selfClosing = false;
                pos = p + 1;
                return;
            }
            if (c == '/') {
                if (b[p + 1] != '>') {
                    throw fail("a malformed tag");
                }
                selfClosing = true;
                pos = p + 2;
                return;
            }
            if (p == nameEnd) {
                throw fail("an attribute glued to the element name");
            }
            // An attribute: name, '=', a quoted value without '<'.
            int attributeStart = p;
            while (b[p] != '=' && !isWhitespace(b[p])) {
                if (b[p] == '>' || b[p] == '/' || b[p] == '<') {
                    throw fail("an attribute without a value");
                }
                p++;
            }
            if (p == attributeStart) {
                throw fail("an attribute without a name");
            }
            while (isWhitespace(b[p])) {
                p++;
            }
            if (b[p] != '=') {
                throw fail("an attribute without a value");
            }
            p++;
            while (isWhitespace(b[p])) {
                p++;
            }
            byte quote = b[p];
            if (quote != '"' && quote != '\'') {
                throw fail("an unquoted attribute value");
            }
            p++;
            while (b[p] != quote) {
                if (b[p] == '<') {
                    throw fail("'<' in an attribute value");
                }
                p++;
            }
            p++;
            if (!isWhitespace(b[p]) && b[p] != '>' && b[p] != '/') {
                throw fail("attributes without space between them");
            }
        }
    }

    /** Reads the end tag at pos ("</") that must close the element named buf[nameStart, nameEnd). */
    private void endTag() {
        byte[] b = buf;
        int p = pos + 2;
        // Names are short: a plain loop beats Arrays.equals' call.
        for (int q = nameStart; q < nameEnd; q++, p++) {
            if (b[p] != b[q]) {
                throw fail("an end tag that does not match its start tag");
            }
        }
        while (isWhitespace(b[p])) {
            p++;
        }
        if (b[p] != '>') {
            throw fail("an end tag that does not match its start tag");
        }
        pos = p + 1;
    }

    private void comment() {
        // "<!--" ... "-->", and no "--" inside, as XML requires.
        int p = pos + 4;
        byte[] b = buf;
        while (true) {
            if (b[p] == '-' && b[p + 1] == '-') {
                if (b[p + 2] != '>') {
                    throw fail("'--' inside a comment");
                }
                pos = p + 3;
                return;
            }
            p++;
        }
    }

    private void processingInstruction() {
        int p = pos + 2;
        if ((buf[p] | 0x20) == 'x' && (buf[p + 1] | 0x20) == 'm' && (buf[p + 2] | 0x20) == 'l'
                && (isWhitespace(buf[p + 3]) || buf[p + 3] == '?')) {
            throw fail("an XML declaration after the start");
        }
        pos = indexOf(p, (byte) '?', (byte) '>') + 2;
    }

    /** Skips (and checks) a CDATA section's content from p; with decode, appends it to the arena. */
    private int skipCdata(int p, boolean decode) {
        byte[] b = buf;
        while (true) {
            byte c = b[p];
            if (c == ']' && b[p + 1] == ']' && b[p + 2] == '>') {
                return p + 3;
            }
            if (c >= 0x20) {
                if (decode) {
                    append(c);
                }
                p++;
            } else if (c == '\r') {
                if (decode) {
                    append((byte) '\n');
                }
                p += b[p + 1] == '\n' ? 2 : 1;
            } else if (c == '\n' || c == '\t') {
                if (decode) {
                    append(c);
                }
                p++;
            } else if (c < 0) {
                int length = Utf8.sequence(b, p, limit, true);
                if (length < 0) {
                    throw fail("invalid UTF-8");
                }
                if (decode) {
                    append(b, p, length);
                }
                p += length;
            } else {
                throw fail("a control character");
            }
        }
    }

    /** Checks text from p up to the next '<' and returns that position; the text is ignored. */
    private int skipText(int p) {
        byte[] b = buf;
        while (true) {
            int cls;
            while ((cls = CLASS[b[p] & 0xFF]) == PLAIN) {
                p++;
            }
            if (cls == LT) {
                return p;
            }
            p = special(p, false);
        }
    }

    /** Decodes text from p up to the next '<' into the arena; returns that position. */
    private int decodeText(int p) {
        byte[] b = buf;
        while (true) {
            int start = p;
            int cls;
            while ((cls = CLASS[b[p] & 0xFF]) == PLAIN) {
                p++;
            }
            append(b, start, p - start);
            if (cls == LT) {
                return p;
            }
            p = special(p, true);
        }
    }

    /**
     * Handles one special byte of text at p (see {@link #CLASS}): checks it and, with decode,
     * appends what it stands for to the arena. Returns the position after it.
     */
    private int special(int p, boolean decode) {
        byte[] b = buf;
        byte c = b[p];
        if (c == '&') {
            return entity(p, decode);
        }
        if (c == '>') {
            if (p >= 2 && b[p - 1] == ']' && b[p - 2] == ']') {
                throw fail("']]>' in text");
            }
            if (decode) {
                append(c);
            }
            return p + 1;
        }
        if (c == '\r') {
            // XML turns "\r\n" and a lone '\r' into '\n'.
            if (decode) {
                append((byte) '\n');
            }
            return b[p + 1] == '\n' ? p + 2 : p + 1;
        }
        if (c == '\n' || c == '\t') {
            if (decode) {
                append(c);
            }
            return p + 1;
        }
        if (c < 0) {
            int length = Utf8.sequence(b, p, limit, true);
            if (length < 0) {
                throw fail("invalid UTF-8 or a character XML does not allow");
            }
            if (decode) {
                append(b, p, length);
            }
            return p + length;
        }
        throw fail("a control character XML does not allow");
    }

    /** Reads an entity or character reference at p ('&'); returns the position after its ';'. */
    private int entity(int p, boolean decode) {
        byte[] b = buf;
        int codePoint;
        int end;
        if (b[p + 1] == '#') {
            int q = p + 2;
            int radix = 10;
            if (b[q] == 'x') {
                radix = 16;
                q++;
            }
            int digitsStart = q;
            long value = 0;
            while (b[q] != ';') {
                int d = radix == 16 ? hex(b[q]) : (b[q] >= '0' && b[q] <= '9' ? b[q] - '0' : -1);
                if (d < 0 || q - digitsStart >= 8) {
                    throw fail("a malformed character reference");
                }
                value = value * radix + d;
                q++;
            }
            if (q == digitsStart || !Utf8.isXmlChar(value)) {
                throw fail("a character reference to a character XML does not allow");
            }
            codePoint = (int) value;
            end = q + 1;
        } else {
            int q = p + 1;
            while (b[q] != ';') {
                if (q - p > 5) {
                    throw fail("an unknown entity");
                }
                q++;
            }
            int length = q - p - 1;
            if (length == 3 && b[p + 1] == 'a' && b[p + 2] == 'm' && b[p + 3] == 'p') {
                codePoint = '&';
            } else if (length == 2 && b[p + 1] == 'l' && b[p + 2] == 't') {
                codePoint = '<';
            } else if (length == 2 && b[p + 1] == 'g' && b[p + 2] == 't') {
                codePoint = '>';
            } else if (length == 4 && b[p + 1] == 'q' && b[p + 2] == 'u' && b[p + 3] == 'o' && b[p + 4] == 't') {
                codePoint = '"';
            } else if (length == 4 && b[p + 1] == 'a' && b[p + 2] == 'p' && b[p + 3] == 'o' && b[p + 4] == 's') {
                codePoint = '\'';
            } else {
                throw fail("an unknown entity");
            }
            end = q + 1;
        }
        if (decode) {
            appendCodePoint(codePoint);
        }
        return end;
    }

    // ---- Small helpers ----

    private void append(byte c) {
        if (arenaLength == arena.length) {
            arena = Arrays.copyOf(arena, arena.length * 2);
        }
        arena[arenaLength++] = c;
    }

    private void append(byte[] src, int from, int length) {
        if (arenaLength + length > arena.length) {
            arena = Arrays.copyOf(arena, Math.max(arena.length * 2, arenaLength + length));
        }
        System.arraycopy(src, from, arena, arenaLength, length);
        arenaLength += length;
    }

    private void appendCodePoint(int c) {
        if (c < 0x80) {
            append((byte) c);
        } else if (c < 0x800) {
            append((byte) (0xC0 | c >> 6));
            append((byte) (0x80 | (c & 0x3F)));
        } else if (c < 0x10000) {
            append((byte) (0xE0 | c >> 12));
            append((byte) (0x80 | (c >> 6 & 0x3F)));
            append((byte) (0x80 | (c & 0x3F)));
        } else {
            append((byte) (0xF0 | c >> 18));
            append((byte) (0x80 | (c >> 12 & 0x3F)));
            append((byte) (0x80 | (c >> 6 & 0x3F)));
            append((byte) (0x80 | (c & 0x3F)));
        }
    }

    private boolean nameIs(byte[] name) {
        return rangeIs(buf, nameStart, nameEnd, name);
    }

    /** Whether b[from, to) holds s; names and enum values are short, so a loop beats Arrays.equals. */
    private static boolean rangeIs(byte[] b, int from, int to, byte[] s) {
        if (to - from != s.length) {
            return false;
        }
        for (int i = 0; i < s.length; i++) {
            if (b[from + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    private boolean startsWith(int p, byte[] s) {
        if (p + s.length > limit) {
            return false;
        }
        byte[] b = buf;
        for (int i = 0; i < s.length; i++) {
            if (b[p + i] != s[i]) {
                return false;
            }
        }
        return true;
    }

    private int indexOf(int p, byte first, byte second) {
        for (; p + 1 < limit; p++) {
            if (buf[p] == first && buf[p + 1] == second) {
                return p;
            }
        }
        throw fail("the page ends in the middle of markup");
    }

    private void skipWhitespace() {
        while (pos < limit && isWhitespace(buf[pos])) {
            pos++;
        }
    }

    private static boolean isWhitespace(byte c) {
        return c == ' ' || c == '\n' || c == '\t' || c == '\r';
    }

    private static MalformedPageException fail(String what) {
        return new MalformedPageException("not parsed directly: " + what);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
