package io.github.s3recon;

/**
 * How many keys fell in each class of a reconciliation.
 *
 * @param matched keys proved equal on both sides
 * @param missingInDestination keys only in the source
 * @param extraInDestination keys only in the destination
 * @param sizeMismatch keys whose sizes differ (destination not older)
 * @param contentMismatch keys whose fingerprints differ (destination not older)
 * @param stale keys that differ where the destination is older than the source
 * @param unverified keys of equal size with no comparable fingerprint
 */
public record DifferenceCounts(long matched, long missingInDestination, long extraInDestination, long sizeMismatch,
        long contentMismatch, long stale, long unverified) {

    /** No keys at all. */
    public static final DifferenceCounts ZERO = new DifferenceCounts(0, 0, 0, 0, 0, 0, 0);

    /** Checks that no count is negative. */
    public DifferenceCounts {
        if (matched < 0 || missingInDestination < 0 || extraInDestination < 0 || sizeMismatch < 0
                || contentMismatch < 0 || stale < 0 || unverified < 0) {
            throw new IllegalArgumentException("counts must not be negative");
        }
    }

    /**
     * Returns the number of differences of all types (every class but matched).
     *
     * @return the sum
     */
    public long differences() {
        return missingInDestination + extraInDestination + sizeMismatch + contentMismatch + stale + unverified;
    }

    /**
     * Returns the count of one difference type.
     *
     * @param type the type; not null
     * @return the count
     */
    public long of(DifferenceType type) {
        return switch (type) {
            case MISSING_IN_DESTINATION -> missingInDestination;
            case EXTRA_IN_DESTINATION -> extraInDestination;
            case SIZE_MISMATCH -> sizeMismatch;
            case CONTENT_MISMATCH -> contentMismatch;
            case STALE -> stale;
            case UNVERIFIED -> unverified;
        };
    }
}
