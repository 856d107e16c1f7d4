package io.github.s3recon;

import java.io.Serializable;

/**
 * A contiguous range of keys, relative to a location's prefix: every key {@code k} with
 * {@code startAfter < k <= endInclusive} in {@link KeyOrder#UTF8}. A null bound is open. Ranges
 * with consecutive bounds, e.g. {@code (null, "m"]} and {@code ("m", null]}, partition a key space
 * without gap or overlap, which is how large buckets are listed in parallel.
 *
 * <p>Bounds need not be existing keys. Immutable, thread-safe and serializable.
 *
 * @param startAfter the exclusive lower bound; null for the first key
 * @param endInclusive the inclusive upper bound; null for the last key
 */
public record KeyRange(String startAfter, String endInclusive) implements Serializable {

    private static final long serialVersionUID = 1L;

    /** Every key. */
    public static final KeyRange ALL = new KeyRange(null, null);

    /**
     * Checks that the bounds are in order.
     *
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code startAfter} does
     *     not sort before {@code endInclusive}
     */
    public KeyRange {
        if (startAfter != null && endInclusive != null && KeyOrder.compareKeys(startAfter, endInclusive) >= 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "key range start (startAfter) '"
                    + startAfter + "' must sort before its end (endInclusive) '" + endInclusive
                    + "' in UTF-8 byte order");
        }
    }

    /**
     * Returns whether a key lies in the range.
     *
     * @param key a key relative to the prefix; not null
     * @return true if {@code startAfter < key <= endInclusive}
     */
    public boolean contains(String key) {
        return (startAfter == null || KeyOrder.compareKeys(startAfter, key) < 0)
                && (endInclusive == null || KeyOrder.compareKeys(key, endInclusive) <= 0);
    }

    /**
     * Returns whether a key sorts after the range's end, so that a sorted listing can stop.
     *
     * @param key a key relative to the prefix; not null
     * @return true if {@code key > endInclusive}
     */
    public boolean isAfter(String key) {
        return endInclusive != null && KeyOrder.compareKeys(key, endInclusive) > 0;
    }

    /**
     * Returns whether this is the range of every key.
     *
     * @return true if both bounds are open
     */
    public boolean isAll() {
        return startAfter == null && endInclusive == null;
    }

    @Override
    public String toString() {
        return "(" + (startAfter == null ? "-inf" : "'" + startAfter + "'") + ", "
                + (endInclusive == null ? "+inf" : "'" + endInclusive + "'") + "]";
    }
}
