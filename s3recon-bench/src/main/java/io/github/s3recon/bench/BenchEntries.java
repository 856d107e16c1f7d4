package io.github.s3recon.bench;

import io.github.s3recon.ObjectEntry;
import java.time.Instant;
import java.util.SplittableRandom;

/**
 * Realistic listing entries for the benchmarks: keys like {@code photos/2024/01/img-000123456.jpg}
 * that ascend in UTF-8 byte order with their index, sizes of 1 B to 16 KiB, plain MD5 ETags, a
 * last-modified time and the {@code STANDARD} storage class, all derived from the index.
 *
 * <p>Every call builds new strings, as a listing parser does: no two entries share a key or an
 * ETag instance, so no comparison can succeed on identity alone.
 */
final class BenchEntries {

    /** Appended to a key for an extra destination key: sorts after key(i) and before key(i + 1). */
    static final String EXTRA_SUFFIX = ".bak";

    private static final char[] HEX = "0123456789abcdef".toCharArray();
    private static final long EPOCH_2023 = 1_672_531_200L;

    private BenchEntries() {
    }

    /** Returns the key of index i of n: n objects spread over 24 months of 2023 and 2024. */
    static String key(int i, int n) {
        int month = (int) ((long) i * 24 / n);
        StringBuilder b = new StringBuilder(32).append("photos/").append(2023 + month / 12).append('/');
        int m = month % 12 + 1;
        if (m < 10) {
            b.append('0');
        }
        b.append(m).append("/img-");
        String digits = Integer.toString(i);
        for (int pad = digits.length(); pad < 9; pad++) {
            b.append('0');
        }
        return b.append(digits).append(".jpg").toString();
    }

    /** Returns the entry of index i of n under a key; variant 0 is the original content. */
    static ObjectEntry entry(String key, int i, long variant) {
        SplittableRandom random = new SplittableRandom(i * 0x9E3779B97F4A7C15L + variant);
        long size = 1 + random.nextInt(16 << 10);
        return new ObjectEntry(key, size, md5Hex(random), Instant.ofEpochSecond(EPOCH_2023 + i, 0), "STANDARD", null);
    }

    /** Returns the entry of index i of n with its original content. */
    static ObjectEntry entry(int i, int n) {
        return entry(key(i, n), i, 0);
    }

    private static String md5Hex(SplittableRandom random) {
        char[] hex = new char[32];
        for (int half = 0; half < 2; half++) {
            long bits = random.nextLong();
            for (int k = 0; k < 16; k++) {
                hex[half * 16 + k] = HEX[(int) (bits >>> (60 - 4 * k)) & 0xF];
            }
        }
        return new String(hex);
    }
}
