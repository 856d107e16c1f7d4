package io.github.s3recon.testkit;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The deterministic generator behind {@link SyntheticS3}: key, size, ETag and body of every object
 * of both buckets, computed from an index and never stored.
 *
 * <p>Both buckets share one sorted sequence of <em>positions</em> {@code 0 .. 2n-1}: position
 * {@code 2i} holds {@code key(i)}, position {@code 2i+1} holds {@code key(i) + EXTRA_SUFFIX}, which
 * sorts strictly between {@code key(i)} and {@code key(i+1)}. The source bucket has every even
 * position; the destination has the even positions that are not missing and the odd positions
 * chosen as extras. Because the keys of the positions ascend in UTF-8 byte order, any key or
 * prefix is found by binary search over positions: O(log n), no state.
 *
 * <p>Which indices differ is decided by two permutations of {@code 0 .. n-1} of the form
 * {@code (a * i + b) mod n} with {@code gcd(a, n) = 1} and {@code a / n} near an irrational, which
 * spreads the chosen indices evenly and makes the counts exact: index {@code i} is missing when its
 * image is below {@code missing}, so exactly {@code missing} indices are.
 *
 * <p>Sizes follow a distribution ({@link #sizeOf(long)}) unless a fixed size is given. With the
 * distribution, ETags are derived from the seed and merely look like MD5s: hashing every body while
 * listing would cost more than the listing. With a fixed size, every body is one shared stream
 * except its last {@value #OWN_TAIL} bytes, which are the object's own; the MD5 state after the
 * shared part is computed once, so that an ETag, the true MD5 of the body, costs one clone and one
 * 64-byte block.
 *
 * <p>Immutable and thread-safe (the MD5 state is computed once, under a lock); methods that generate
 * keys take the caller's scratch array.
 */
final class SyntheticDataset {

    /** The largest object count: {@code a * i} must fit in a long, and an index in 10 digits. */
    static final long MAX_OBJECTS = 3_000_000_000L;

    /** Appended to {@code key(i)} for the destination's extra key after it; '+' and 'é' exercise encodings. */
    static final byte[] EXTRA_SUFFIX = "-extra+\u00e9".getBytes(StandardCharsets.UTF_8);

    static final int MATCH = 0;
    static final int MISSING = 1;
    static final int SIZE_CHANGED = 2;
    static final int CONTENT_CHANGED = 3;

    private static final int INDEX_DIGITS = 10;
    private static final byte[] OBJ = "/obj-".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    // Seeds of variants live above any index (< 2^32) so that they never collide with another index.
    private static final long SIZE_VARIANT = 1L << 60;
    private static final long CONTENT_VARIANT = 1L << 61;
    private static final long EXTRA_VARIANT = 1L << 59;

    /** With a fixed size, the seed of the stream that all bodies share but for their last bytes. */
    private static final long SHARED_SEED = 0x5348415245444244L;
    /** With a fixed size, how many bytes at the end of a body are the object's own. */
    static final int OWN_TAIL = 64;
    private static final int HASH_CHUNK = 256 << 10;
    private static final VarHandle LONG_LE = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    final long n;
    final long missing;
    final long sizeChanged;
    final long contentChanged;
    final long extra;
    /** The size of every object (before a size change), or -1 for the distribution of {@link #sizeOf(long)}. */
    final long fixedSize;
    final int objectsPerPrefix;
    final int dirWidth;
    final int keyLength;
    final int maxKeyLength;
    private final long classMultiplier;
    private final long classOffset;
    private final long extraMultiplier;
    private final long extraOffset;
    /** With a fixed size: the MD5 state after the shared part of a body of that size; computed on first use. */
    private volatile MessageDigest sharedPrefixMd5;

    SyntheticDataset(long n, int objectsPerPrefix, double missingRate, double sizeChangeRate,
            double contentChangeRate, double extraRate, long fixedSize) {
        this.n = n;
        this.fixedSize = fixedSize;
        this.objectsPerPrefix = objectsPerPrefix;
        // Rounded counts, clamped so that the three classes never claim more than n indices.
        this.missing = Math.min(n, Math.round(n * missingRate));
        this.sizeChanged = Math.min(n - missing, Math.round(n * sizeChangeRate));
        this.contentChanged = Math.min(n - missing - sizeChanged, Math.round(n * contentChangeRate));
        this.extra = Math.min(n, Math.round(n * extraRate));
        long lastDir = n == 0 ? 0 : (n - 1) / objectsPerPrefix;
        this.dirWidth = Math.max(4, Long.toString(lastDir).length());
        this.keyLength = 1 + dirWidth + OBJ.length + INDEX_DIGITS;
        this.maxKeyLength = keyLength + EXTRA_SUFFIX.length;
        this.classMultiplier = coprimeNear(n, 0.6180339887498949);
        this.classOffset = (long) (n * 0.3);
        this.extraMultiplier = coprimeNear(n, 0.7548776662466927);
        this.extraOffset = (long) (n * 0.7);
    }

    /** Returns the smallest a >= n * fraction with gcd(a, n) = 1, so that a * i + b mod n permutes. */
    private static long coprimeNear(long n, double fraction) {
        if (n <= 1) {
            return 1;
        }
        long a = Math.max(1, (long) (n * fraction));
        while (gcd(a, n) != 1) {
            a++;
        }
        return a;
    }

    private static long gcd(long a, long b) {
        while (b != 0) {
            long t = a % b;
            a = b;
            b = t;
        }
        return a;
    }

    /** Returns the number of positions, the exclusive end of every position range. */
    long positions() {
        return 2 * n;
    }

    /** Returns what the destination does with source index i: MATCH, MISSING, SIZE_CHANGED or CONTENT_CHANGED. */
    int change(long i) {
        long p = (classMultiplier * i + classOffset) % n;
        if (p < missing) {
            return MISSING;
        }
        p -= missing;
        if (p < sizeChanged) {
            return SIZE_CHANGED;
        }
        return p - sizeChanged < contentChanged ? CONTENT_CHANGED : MATCH;
    }

    /** Returns whether the destination has an extra key right after key(i). */
    boolean hasExtra(long i) {
        return (extraMultiplier * i + extraOffset) % n < extra;
    }

    /** Returns how many objects a bucket holds. */
    long count(boolean destination) {
        return destination ? n - missing + extra : n;
    }

    /** Returns whether a bucket holds the object at a position. */
    boolean exists(boolean destination, long pos) {
        long i = pos >>> 1;
        if ((pos & 1) == 0) {
            return !destination || change(i) != MISSING;
        }
        return destination && hasExtra(i);
    }

    /**
     * Returns the first position in [pos, limit) that the bucket holds, or limit when there is none.
     * The caller bounds limit so that a bucket with few objects cannot make one request scan for long.
     */
    long nextExisting(boolean destination, long pos, long limit) {
        if (!destination) {
            long even = (pos + 1) & ~1L;
            return Math.min(even, limit);
        }
        while (pos < limit && !exists(true, pos)) {
            pos++;
        }
        return pos;
    }

    /** Returns the seed of the content at a position, which decides the ETag and the body. */
    long seed(boolean destination, long pos) {
        long i = pos >>> 1;
        if ((pos & 1) == 1) {
            return i | EXTRA_VARIANT;
        }
        if (!destination) {
            return i;
        }
        switch (change(i)) {
            case SIZE_CHANGED:
                return i | SIZE_VARIANT;
            case CONTENT_CHANGED:
                return i | CONTENT_VARIANT;
            default:
                return i;
        }
    }

    /** Returns the size of the object at a position. */
    long size(boolean destination, long pos) {
        long i = pos >>> 1;
        if ((pos & 1) == 1) {
            return baseSize(i | EXTRA_VARIANT);
        }
        long size = baseSize(i);
        if (size == 0 && change(i) == CONTENT_CHANGED) {
            size = 1; // two empty objects are equal: a content change needs at least one byte
        }
        if (destination && change(i) == SIZE_CHANGED) {
            // Always different, and never negative: 1 to 4096 bytes more.
            size += 1 + (mix(i ^ SIZE_VARIANT) & 0xFFF);
        }
        return size;
    }

    private long baseSize(long seed) {
        return fixedSize >= 0 ? fixedSize : sizeOf(seed);
    }

    /**
     * Returns a size from a seed: about 3% empty, 96% of 1 B to 16 KiB, 1% of 64 KiB to 1 MiB and
     * 0.1% of 8 to 32 MiB (above the usual multipart thresholds).
     */
    static long sizeOf(long seed) {
        long h = mix(seed ^ 0x5DEECE66DL);
        int bucket = (int) (h & 1023);
        long r = h >>> 10;
        if (bucket < 32) {
            return 0;
        }
        if (bucket == 1023) {
            return (8L << 20) + r % (24L << 20);
        }
        if (bucket >= 1013) {
            return (64L << 10) + r % ((1L << 20) - (64L << 10));
        }
        return 1 + r % (16 << 10);
    }

    /** Writes the key of a position into out (at least maxKeyLength long) and returns its length. */
    int writeKey(long pos, byte[] out) {
        long i = pos >>> 1;
        out[0] = 'd';
        writeDigits(i / objectsPerPrefix, out, 1, dirWidth);
        int at = 1 + dirWidth;
        System.arraycopy(OBJ, 0, out, at, OBJ.length);
        at += OBJ.length;
        writeDigits(i, out, at, INDEX_DIGITS);
        at += INDEX_DIGITS;
        if ((pos & 1) == 1) {
            System.arraycopy(EXTRA_SUFFIX, 0, out, at, EXTRA_SUFFIX.length);
            at += EXTRA_SUFFIX.length;
        }
        return at;
    }

    private static void writeDigits(long value, byte[] out, int from, int width) {
        for (int at = from + width - 1; at >= from; at--) {
            out[at] = (byte) ('0' + value % 10);
            value /= 10;
        }
    }

    /**
     * Returns the first position in [from, positions()) whose key is {@code >= target}
     * ({@code > target} when exclusive), or positions() when there is none.
     */
    long seek(byte[] target, int targetLength, boolean exclusive, long from, byte[] scratch) {
        long lo = from;
        long hi = positions();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            int length = writeKey(mid, scratch);
            int cmp = Arrays.compareUnsigned(scratch, 0, length, target, 0, targetLength);
            if (cmp < 0 || (exclusive && cmp == 0)) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * Returns the first position in [from, positions()) whose key sorts after every key that starts
     * with prefix, or positions() when there is none. Keys with a prefix form one contiguous range.
     */
    long seekPastPrefix(byte[] prefix, int prefixLength, long from, byte[] scratch) {
        long lo = from;
        long hi = positions();
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            int length = writeKey(mid, scratch);
            // Compares only the key's first prefixLength bytes: a key that starts with prefix is 0.
            int cmp = Arrays.compareUnsigned(scratch, 0, Math.min(length, prefixLength), prefix, 0, prefixLength);
            if (cmp <= 0) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /** Returns the position whose key is exactly key, or -1 when no position has that key. */
    long find(byte[] key, byte[] scratch) {
        long pos = seek(key, key.length, false, 0, scratch);
        if (pos >= positions()) {
            return -1;
        }
        int length = writeKey(pos, scratch);
        return Arrays.equals(scratch, 0, length, key, 0, key.length) ? pos : -1;
    }

    /**
     * Writes the 32 lower-case hex digits of the ETag of an object (without quotes) at out[at]: the
     * MD5 of its body with a fixed size, else a digest of its seed.
     */
    void writeETag(long seed, long size, byte[] out, int at) {
        if (fixedSize < 0) {
            writeHex(mix(seed ^ 0x243F6A8885A308D3L), out, at);
            writeHex(mix(seed ^ 0x13198A2E03707344L), out, at + 16);
            return;
        }
        byte[] md5 = md5(seed, size);
        for (int k = 0; k < 16; k++) {
            out[at + 2 * k] = HEX[(md5[k] >> 4) & 0xF];
            out[at + 2 * k + 1] = HEX[md5[k] & 0xF];
        }
    }

    /** Returns the ETag of an object, without quotes. */
    String eTag(long seed, long size) {
        byte[] hex = new byte[32];
        writeETag(seed, size, hex, 0);
        return new String(hex, StandardCharsets.US_ASCII);
    }

    private static void writeHex(long value, byte[] out, int at) {
        for (int k = 15; k >= 0; k--) {
            out[at + k] = HEX[(int) (value & 0xF)];
            value >>>= 4;
        }
    }

    /**
     * Fills out[from .. from + length) with the bytes of an object's body from offset on. Byte j is
     * a function of (seed, size, j) only, so ranges and restarts give the same bytes as a whole read.
     */
    void fillBody(long seed, long size, long offset, byte[] out, int from, int length) {
        if (fixedSize < 0) {
            fillStream(seed, offset, out, from, length);
            return;
        }
        long shared = sharedLength(size);
        int sharedCount = (int) Math.max(0, Math.min(length, shared - offset));
        if (sharedCount > 0) {
            fillStream(SHARED_SEED, offset, out, from, sharedCount);
        }
        if (sharedCount < length) {
            fillStream(seed, offset + sharedCount, out, from + sharedCount, length - sharedCount);
        }
    }

    /** With a fixed size, how many leading bytes of a body of this size are the shared stream. */
    private static long sharedLength(long size) {
        return Math.max(0, size - OWN_TAIL);
    }

    /** Returns the MD5 of the body of a seed and size; with a fixed size only, where it is cheap. */
    private byte[] md5(long seed, long size) {
        long shared = sharedLength(size);
        long base = sharedLength(fixedSize);
        MessageDigest md;
        long hashed;
        if (shared >= base) {
            md = cloneOf(sharedPrefixMd5());
            hashed = base;
        } else {
            md = SyntheticChecksums.newMd5(); // a body shorter than the fixed size: an emptied object made one byte long
            hashed = 0;
        }
        // A size-changed object is at most 4 KiB longer, so at most that much shared stream is left.
        byte[] chunk = new byte[(int) Math.min(HASH_CHUNK, Math.max(OWN_TAIL, shared - hashed))];
        hashStream(md, SHARED_SEED, hashed, shared, chunk);
        hashStream(md, seed, shared, size, chunk);
        return md.digest();
    }

    private MessageDigest sharedPrefixMd5() {
        MessageDigest prefix = sharedPrefixMd5;
        if (prefix == null) {
            synchronized (this) {
                prefix = sharedPrefixMd5;
                if (prefix == null) {
                    prefix = SyntheticChecksums.newMd5();
                    hashStream(prefix, SHARED_SEED, 0, sharedLength(fixedSize), new byte[HASH_CHUNK]);
                    sharedPrefixMd5 = prefix;
                }
            }
        }
        return prefix;
    }

    private static void hashStream(MessageDigest md, long seed, long from, long to, byte[] chunk) {
        for (long offset = from; offset < to; ) {
            int count = (int) Math.min(chunk.length, to - offset);
            fillStream(seed, offset, chunk, 0, count);
            md.update(chunk, 0, count);
            offset += count;
        }
    }

    private static MessageDigest cloneOf(MessageDigest md) {
        try {
            return (MessageDigest) md.clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("the JDK's MD5 is cloneable", e);
        }
    }

    /**
     * Fills out[from .. from + length) with the stream of a seed from offset on: byte j is byte
     * {@code j % 8} (little-endian) of a hash of (seed, j / 8). Whole words are written at once.
     */
    static void fillStream(long seed, long offset, byte[] out, int from, int length) {
        long base = mix(seed ^ 0x452821E638D01377L);
        int at = from;
        int end = from + length;
        long j = offset;
        while (at < end && (j & 7) != 0) {
            out[at++] = (byte) (mix(base + (j >>> 3)) >>> ((int) (j & 7) * 8));
            j++;
        }
        for (; end - at >= 8; at += 8, j += 8) {
            LONG_LE.set(out, at, mix(base + (j >>> 3)));
        }
        if (at < end) {
            long word = mix(base + (j >>> 3));
            for (int shift = 0; at < end; shift += 8) {
                out[at++] = (byte) (word >>> shift);
            }
        }
    }

    /** SplitMix64's finaliser: a cheap, well-mixed 64-bit hash. */
    static long mix(long x) {
        long z = x * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
