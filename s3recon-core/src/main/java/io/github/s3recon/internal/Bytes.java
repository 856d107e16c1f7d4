package io.github.s3recon.internal;

import java.util.Locale;

/** Human-readable byte counts for logs and the demo. */
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
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double value = bytes;
        int unit = -1;
        while (value >= 1024 && unit < units.length - 1) {
            value /= 1024;
            unit++;
        }
        return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
