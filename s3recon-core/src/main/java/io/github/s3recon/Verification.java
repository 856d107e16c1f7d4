package io.github.s3recon;

/** How a migration checks the destination after copying: it lists both sides again and compares. */
public enum Verification {
    /** No second listing; the report's counts are those found before copying. */
    NONE,
    /** Compare keys and sizes only ({@link MatchRule#SIZE}); proves nothing is missing, not the content. */
    SIZE,
    /**
     * Compare by the content rules (checksums, ETags, recorded fingerprints); a key that no rule can
     * decide is reported {@link Difference.Unverified}. The default.
     */
    CHECKSUM,
    /** Like {@link #CHECKSUM}, and read both objects of every key that no rule can decide to compare their bytes. */
    DEEP
}
