package io.github.s3recon.testkit;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A growable byte buffer for building one response, reused across requests so that a listing page
 * allocates nothing per key.
 *
 * <p>Not thread-safe: one request uses it at a time (see {@link SyntheticHandler}'s pool).
 */
final class SyntheticBuffer {

    private static final byte[] HEX_UPPER = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] AMP = "&amp;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] LT = "&lt;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] GT = "&gt;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] QUOT = "&quot;".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] APOS = "&apos;".getBytes(StandardCharsets.US_ASCII);

    byte[] bytes;
    int length;

    SyntheticBuffer(int capacity) {
        this.bytes = new byte[capacity];
    }

    SyntheticBuffer reset() {
        length = 0;
        return this;
    }

    /** Makes room for extra more bytes. */
    void ensure(int extra) {
        if (length + extra > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + extra));
        }
    }

    SyntheticBuffer append(byte[] b) {
        return append(b, 0, b.length);
    }

    SyntheticBuffer append(byte[] b, int from, int count) {
        ensure(count);
        System.arraycopy(b, from, bytes, length, count);
        length += count;
        return this;
    }

    /** Appends ASCII text; only for constants and numbers, never for keys. */
    SyntheticBuffer ascii(String s) {
        int count = s.length();
        ensure(count);
        for (int k = 0; k < count; k++) {
            bytes[length++] = (byte) s.charAt(k);
        }
        return this;
    }

    /** Appends a non-negative or negative long in decimal, without allocating. */
    SyntheticBuffer decimal(long value) {
        if (value < 0) {
            if (value == Long.MIN_VALUE) {
                return ascii(Long.toString(value));
            }
            ensure(1);
            bytes[length++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value / 10; v != 0; v /= 10) {
            digits++;
        }
        ensure(digits);
        for (int at = length + digits - 1; at >= length; at--) {
            bytes[at] = (byte) ('0' + value % 10);
            value /= 10;
        }
        length += digits;
        return this;
    }

    /**
     * Appends UTF-8 text as XML character data, or URL-encoded as S3 does for
     * {@code encoding-type=url} (every byte but unreserved characters and '/' as %XX).
     */
    SyntheticBuffer text(byte[] utf8, int from, int count, boolean urlEncode) {
        ensure(count * 6);
        for (int k = from; k < from + count; k++) {
            byte b = utf8[k];
            if (urlEncode) {
                if (isUnreserved(b)) {
                    bytes[length++] = b;
                } else {
                    bytes[length++] = '%';
                    bytes[length++] = HEX_UPPER[(b >> 4) & 0xF];
                    bytes[length++] = HEX_UPPER[b & 0xF];
                }
                continue;
            }
            switch (b) {
                case '&':
                    appendUnchecked(AMP);
                    break;
                case '<':
                    appendUnchecked(LT);
                    break;
                case '>':
                    appendUnchecked(GT);
                    break;
                case '"':
                    appendUnchecked(QUOT);
                    break;
                case '\'':
                    appendUnchecked(APOS);
                    break;
                default:
                    bytes[length++] = b;
            }
        }
        return this;
    }

    /** Appends a string as {@link #text(byte[], int, int, boolean)} does. */
    SyntheticBuffer text(String s, boolean urlEncode) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        return text(utf8, 0, utf8.length, urlEncode);
    }

    private void appendUnchecked(byte[] b) {
        System.arraycopy(b, 0, bytes, length, b.length);
        length += b.length;
    }

    private static boolean isUnreserved(byte b) {
        return (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z') || (b >= '0' && b <= '9')
                || b == '-' || b == '_' || b == '.' || b == '~' || b == '/';
    }
}
