package io.github.s3recon;

import java.util.Comparator;

/**
 * The order in which S3 lists keys: ascending by the keys' UTF-8 bytes, compared unsigned.
 *
 * <p>That is Unicode code point order, which {@link String#compareTo} (UTF-16 code unit order)
 * breaks for characters outside the Basic Multilingual Plane: {@code "\uD83D\uDE00"} (an emoji,
 * U+1F600) sorts after {@code "\uFFFD"} in UTF-8 but before it in UTF-16. This comparator gives the
 * same answer as {@code Arrays.compareUnsigned} on the UTF-8 encodings without encoding anything,
 * which keeps the merge diff free of allocation.
 *
 * <p>Thread-safe and stateless.
 */
public final class KeyOrder implements Comparator<String> {

    /** The one instance. */
    public static final KeyOrder UTF8 = new KeyOrder();

    private KeyOrder() {
    }

    /**
     * Compares two keys in UTF-8 byte order.
     *
     * @param a a key; not null
     * @param b a key; not null
     * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}
     */
    @Override
    public int compare(String a, String b) {
        return compareKeys(a, b);
    }

    /**
     * Compares two keys in UTF-8 byte order; the static form of {@link #compare}.
     *
     * @param a a key; not null
     * @param b a key; not null
     * @return negative, zero or positive as {@code a} sorts before, with or after {@code b}
     */
    public static int compareKeys(String a, String b) {
        int n = Math.min(a.length(), b.length());
        for (int i = 0; i < n; i++) {
            char ca = a.charAt(i);
            char cb = b.charAt(i);
            if (ca != cb) {
                // Only surrogates (D800-DFFF) against E000-FFFF disagree between UTF-16 and code
                // point order; lifting surrogates above E000-FFFF restores code point order.
                if (ca >= 0xD800 && cb >= 0xD800) {
                    return fixup(ca) - fixup(cb);
                }
                return ca - cb;
            }
        }
        return a.length() - b.length();
    }

    private static int fixup(char c) {
        return c >= 0xE000 ? c - 0x800 : c + 0x2000;
    }
}
