package io.github.s3recon;

import java.util.Objects;

/**
 * A checksum that S3 stores with an object.
 *
 * <p>A listing (ListObjectsV2) says which algorithm an object carries but not its value; such a
 * checksum has a null {@link #value()} and the engine fetches the value (HeadObject) only where it
 * needs it to decide a comparison.
 *
 * @param algorithm the algorithm; not null
 * @param type full-object or composite; not null
 * @param value the base64 value as S3 returns it, without a {@code -N} part suffix; null when known
 *     only from a listing
 */
public record Checksum(ChecksumAlgorithm algorithm, ChecksumType type, String value) {

    /** Validates the fields and strips a composite checksum's {@code -N} part-count suffix. */
    public Checksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(type, "type");
        if (value != null) {
            if (value.isBlank()) {
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                        "checksum value must not be blank; pass null when the value is unknown");
            }
            int dash = value.lastIndexOf('-');
            if (dash > 0 && dash + 1 < value.length() && value.substring(dash + 1).chars().allMatch(Character::isDigit)) {
                value = value.substring(0, dash);
            }
        }
    }

    /**
     * A checksum whose value is known.
     *
     * @param algorithm the algorithm; not null
     * @param type the type; not null
     * @param value the base64 value; not null
     * @return the checksum
     */
    public static Checksum of(ChecksumAlgorithm algorithm, ChecksumType type, String value) {
        return new Checksum(algorithm, type, Objects.requireNonNull(value, "value"));
    }

    /**
     * Returns whether the value is known.
     *
     * @return true if {@link #value()} is not null
     */
    public boolean hasValue() {
        return value != null;
    }
}
