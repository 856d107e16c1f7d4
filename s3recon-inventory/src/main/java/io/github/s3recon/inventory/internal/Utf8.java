package io.github.s3recon.inventory.internal;

/**
 * UTF-8 and XML character checks on raw bytes, for the page parser: a key or text that is not valid
 * UTF-8 (or holds a character XML does not allow) makes the page malformed. Stateless.
 */
final class Utf8 {

    private Utf8() {
    }

    static boolean isXmlChar(long c) {
        return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD)
                || (c >= 0x10000 && c <= 0x10FFFF);
    }

    /**
     * Returns the length of the valid UTF-8 sequence at p, whose first byte is not ASCII, or -1. With
     * xmlOnly, U+FFFE and U+FFFF, which XML does not allow, are refused as well.
     */
    static int sequence(byte[] b, int p, int end, boolean xmlOnly) {
        int c = b[p] & 0xFF;
        if (c >= 0xC2 && c <= 0xDF) {
            return p + 1 < end && isContinuation(b[p + 1]) ? 2 : -1;
        }
        if (c >= 0xE0 && c <= 0xEF) {
            if (p + 2 >= end) {
                return -1;
            }
            int c1 = b[p + 1] & 0xFF;
            int c2 = b[p + 2] & 0xFF;
            int low = c == 0xE0 ? 0xA0 : 0x80;
            int high = c == 0xED ? 0x9F : 0xBF;
            if (c1 < low || c1 > high || (c2 & 0xC0) != 0x80) {
                return -1;
            }
            if (xmlOnly && c == 0xEF && c1 == 0xBF && (c2 == 0xBE || c2 == 0xBF)) {
                return -1;
            }
            return 3;
        }
        if (c >= 0xF0 && c <= 0xF4) {
            if (p + 3 >= end) {
                return -1;
            }
            int c1 = b[p + 1] & 0xFF;
            int low = c == 0xF0 ? 0x90 : 0x80;
            int high = c == 0xF4 ? 0x8F : 0xBF;
            if (c1 < low || c1 > high || !isContinuation(b[p + 2]) || !isContinuation(b[p + 3])) {
                return -1;
            }
            return 4;
        }
        return -1;
    }

    static boolean isContinuation(byte b) {
        return (b & 0xC0) == 0x80;
    }
}
