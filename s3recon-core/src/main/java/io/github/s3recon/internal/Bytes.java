package io.github.s3recon.internal;

/** Human-readable byte counts for logs and the demo; see {@link io.github.s3recon.DataSize#approximate()}. */
public final class Bytes {

    private Bytes() {
    }

    /**
     * Formats a byte count with a binary unit, e.g. {@code 1.5 MiB}.
     *
     * @param bytes the count
     * @return the text
     */
    public static String format(long bytes) {
        return bytes < 0 ? bytes + " B" : io.github.s3recon.DataSize.ofBytes(bytes).approximate();
    }
}
