package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyOrderTest {

    private static final long SEED = 0x5EED_3C0DL;
    private static final int PAIRS = 200_000;

    /** Code point ranges where UTF-8 and UTF-16 order, or UTF-8 encoding lengths, change. */
    private static final int[][] RANGES = {
        {0x00, 0x7F},             // ASCII, 1 byte, including NUL and controls
        {0x20, 0x7E},             // printable ASCII, twice as likely
        {0x80, 0xFF},             // Latin-1, 2 bytes
        {0x7F0, 0x80F},           // the 2-byte / 3-byte boundary
        {0xD7F0, 0xD7FF},         // just below the surrogates
        {0xE000, 0xE00F},         // just above the surrogates (private use)
        {0xFFF0, 0xFFFF},         // top of the BMP, with U+FFFD and U+FFFF
        {0x10000, 0x1000F},       // first supplementary code points, 4 bytes
        {0x1F600, 0x1F64F},       // emoji
        {0x10FFF0, 0x10FFFF},     // last code points
    };

    @Test
    void agreesWithUnsignedUtf8ByteOrderOnRandomPairs() {
        SplittableRandom random = new SplittableRandom(SEED);
        for (int i = 0; i < PAIRS; i++) {
            String a = randomKey(random);
            String b;
            switch (random.nextInt(4)) {
                case 0 -> b = randomKey(random);
                case 1 -> b = a;
                // A shared prefix makes the first difference fall deep inside the key.
                case 2 -> b = a.substring(0, prefixLength(a, random)) + randomKey(random);
                default -> b = a + randomKey(random);
            }
            assertAgrees(a, b, i);
            assertAgrees(b, a, i);
        }
    }

    @Test
    void sortsLikeUtf8Bytes() {
        SplittableRandom random = new SplittableRandom(SEED + 1);
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 5_000; i++) {
            keys.add(randomKey(random));
        }
        keys.sort(KeyOrder.UTF8);
        for (int i = 1; i < keys.size(); i++) {
            assertThat(Arrays.compareUnsigned(keys.get(i - 1).getBytes(UTF_8), keys.get(i).getBytes(UTF_8)))
                    .as("%s before %s", escape(keys.get(i - 1)), escape(keys.get(i)))
                    .isLessThanOrEqualTo(0);
        }
    }

    @Test
    void emojiSortsAfterReplacementCharacterUnlikeStringCompareTo() {
        String emoji = "\uD83D\uDE00"; // U+1F600
        String replacement = "\uFFFD";
        assertThat(emoji.compareTo(replacement)).isNegative();
        assertThat(KeyOrder.compareKeys(emoji, replacement)).isPositive();
        assertThat(KeyOrder.compareKeys(replacement, emoji)).isNegative();
        assertThat(KeyOrder.UTF8.compare(emoji, replacement)).isPositive();
    }

    @Test
    void supplementaryCharacterSortsAfterPrivateUseAreaUnlikeStringCompareTo() {
        String privateUse = "a\uE000";
        String emoji = "a\uD83D\uDE00";
        assertThat(emoji.compareTo(privateUse)).isNegative();
        assertThat(KeyOrder.compareKeys(privateUse, emoji)).isNegative();
        assertThat(KeyOrder.compareKeys(emoji, privateUse)).isPositive();
    }

    @Test
    void maxBmpCharacterSortsBeforeFirstSupplementaryCharacter() {
        assertThat(KeyOrder.compareKeys("\uFFFF", "\uD800\uDC00")).isNegative();
        assertThat(KeyOrder.compareKeys("\uD7FF", "\uD800\uDC00")).isNegative();
        assertThat(KeyOrder.compareKeys("\uD7FF", "\uE000")).isNegative();
        assertThat(KeyOrder.compareKeys("\uDBFF\uDFFF", "\uD800\uDC00")).isPositive();
    }

    @Test
    void prefixSortsFirst() {
        assertThat(KeyOrder.compareKeys("photos", "photos/")).isNegative();
        assertThat(KeyOrder.compareKeys("photos/", "photos")).isPositive();
        assertThat(KeyOrder.compareKeys("a", "a\uD83D\uDE00")).isNegative();
        assertThat(KeyOrder.compareKeys("a\uD83D\uDE00", "a\uD83D\uDE00x")).isNegative();
    }

    @Test
    void emptyStringSortsFirstAndEqualsItself() {
        assertThat(KeyOrder.compareKeys("", "")).isZero();
        assertThat(KeyOrder.compareKeys("", "\u0000")).isNegative();
        assertThat(KeyOrder.compareKeys("\u0000", "")).isPositive();
        assertThat(KeyOrder.compareKeys("", "\uD83D\uDE00")).isNegative();
    }

    @Test
    void equalKeysCompareZero() {
        assertThat(KeyOrder.compareKeys("a/b\uD83D\uDE00c", new String("a/b\uD83D\uDE00c"))).isZero();
    }

    @Test
    void asciiAndLatin1KeepCodePointOrder() {
        assertThat(KeyOrder.compareKeys("a", "b")).isNegative();
        assertThat(KeyOrder.compareKeys("Z", "a")).isNegative();
        assertThat(KeyOrder.compareKeys("\u007F", "\u0080")).isNegative();
        assertThat(KeyOrder.compareKeys("\u00FF", "\u0100")).isNegative();
        assertThat(KeyOrder.compareKeys("\u07FF", "\u0800")).isNegative();
    }

    private static void assertAgrees(String a, String b, int iteration) {
        int expected = Integer.signum(Arrays.compareUnsigned(a.getBytes(UTF_8), b.getBytes(UTF_8)));
        int actual = Integer.signum(KeyOrder.compareKeys(a, b));
        if (actual != expected) {
            // Only build the message on failure: 400,000 comparisons must stay fast.
            throw new AssertionError("pair " + iteration + " (seed " + SEED + "): compareKeys(" + escape(a) + ", "
                    + escape(b) + ") has sign " + actual + ", UTF-8 byte order says " + expected);
        }
    }

    private static int prefixLength(String s, SplittableRandom random) {
        int n = random.nextInt(s.length() + 1);
        // Never cut a surrogate pair: the key would not be valid UTF-16 and would encode as '?'.
        if (n > 0 && n < s.length() && Character.isHighSurrogate(s.charAt(n - 1))) {
            n--;
        }
        return n;
    }

    private static String randomKey(SplittableRandom random) {
        int length = random.nextInt(7);
        StringBuilder sb = new StringBuilder(length * 2);
        for (int i = 0; i < length; i++) {
            int[] range = RANGES[random.nextInt(RANGES.length)];
            int cp = range[0] + random.nextInt(range[1] - range[0] + 1);
            sb.appendCodePoint(cp);
        }
        return sb.toString();
    }

    private static String escape(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x7F) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04X", (int) c));
            }
        }
        return sb.append('"').toString();
    }
}
