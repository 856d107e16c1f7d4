package io.github.s3recon;

/**
 * An amount of bytes, as the transfer settings take them ({@code DataSize.ofMebibytes(16)}).
 * Immutable; binary units (1 MiB = 1,048,576 bytes).
 *
 * @param bytes the number of bytes; not negative
 */
public record DataSize(long bytes) implements Comparable<DataSize> {

    /**
     * Checks that the amount is not negative.
     *
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code bytes} is negative
     */
    public DataSize {
        if (bytes < 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "bytes: a data size must not be negative, was "
                    + bytes + " bytes");
        }
    }

    /**
     * An amount of bytes.
     *
     * @param bytes the bytes; not negative
     * @return the size
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code bytes} is negative
     */
    public static DataSize ofBytes(long bytes) {
        return new DataSize(bytes);
    }

    /**
     * An amount of kibibytes (1,024 bytes).
     *
     * @param kibibytes the amount; not negative
     * @return the size
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code kibibytes} is negative
     *     or the size exceeds {@code Long.MAX_VALUE} bytes
     */
    public static DataSize ofKibibytes(long kibibytes) {
        return new DataSize(multiply(kibibytes, 1L << 10, "KiB", "kibibytes"));
    }

    /**
     * An amount of mebibytes (1,048,576 bytes).
     *
     * @param mebibytes the amount; not negative
     * @return the size
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code mebibytes} is negative
     *     or the size exceeds {@code Long.MAX_VALUE} bytes
     */
    public static DataSize ofMebibytes(long mebibytes) {
        return new DataSize(multiply(mebibytes, 1L << 20, "MiB", "mebibytes"));
    }

    /**
     * An amount of gibibytes (1,073,741,824 bytes).
     *
     * @param gibibytes the amount; not negative
     * @return the size
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code gibibytes} is negative
     *     or the size exceeds {@code Long.MAX_VALUE} bytes
     */
    public static DataSize ofGibibytes(long gibibytes) {
        return new DataSize(multiply(gibibytes, 1L << 30, "GiB", "gibibytes"));
    }

    private static long multiply(long amount, long unit, String name, String parameter) {
        if (amount < 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, parameter
                    + ": a data size must not be negative, was " + amount + " " + name);
        }
        try {
            return Math.multiplyExact(amount, unit);
        } catch (ArithmeticException e) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, parameter + ": " + amount + " " + name
                    + " is too large, at most " + (Long.MAX_VALUE / unit) + " " + name);
        }
    }

    /**
     * Returns the number of bytes.
     *
     * @return the bytes
     */
    public long toBytes() {
        return bytes;
    }

    @Override
    public int compareTo(DataSize other) {
        return Long.compare(bytes, other.bytes);
    }

    /**
     * Returns the size rounded to one decimal in the largest binary unit it reaches, for people:
     * {@code 512 B}, {@code 1.5 MiB}, {@code 4.0 GiB}. {@link #toString()} is exact instead.
     *
     * @return the text
     */
    public String approximate() {
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
        return String.format(java.util.Locale.ROOT, "%.1f %s", value, units[unit]);
    }

    /** Returns the size in the largest binary unit that divides it, e.g. {@code 16MiB}. */
    @Override
    public String toString() {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        long value = bytes;
        int unit = 0;
        while (unit < units.length - 1 && value != 0 && value % 1024 == 0) {
            value /= 1024;
            unit++;
        }
        return value + units[unit];
    }
}
