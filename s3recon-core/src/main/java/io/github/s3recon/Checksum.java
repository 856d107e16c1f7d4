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
 * @param value the base64 value as S3 returns it (a composite checksum may end in {@code -N}, the part
 *     count); null when known only from a listing
 */
public record Checksum(ChecksumAlgorithm algorithm, ChecksumType type, String value) {

    /** Validates the fields. */
    public Checksum {
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(type, "type");
        if (value != null) {
            if (value.isBlank()) {
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                        "checksum value must not be blank; pass null when the value is unknown");
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
