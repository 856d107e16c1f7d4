package io.github.s3recon;

/** What a migration does with a key that the destination already has. */
public enum OverwritePolicy {
    /** Copy every source object, even those proved equal. */
    ALWAYS,
    /**
     * Copy a source object over the destination's unless the content rules prove them equal: keys
     * of different size or content, stale ones, and unverified ones are copied. The default.
     */
    IF_DIFFERENT,
    /** Never replace an object the destination has; copy only the missing ones. */
    NEVER
}
