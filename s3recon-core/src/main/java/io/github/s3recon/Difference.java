package io.github.s3recon;

import java.util.Objects;

/**
 * One way in which a destination differs from its source, for one key. The set of cases is
 * closed; a key that matches is counted, never listed.
 *
 * <p>Keys are relative to the locations' prefixes. Instances are immutable.
 */
public sealed interface Difference {

    /**
     * Returns the key, relative to the prefixes.
     *
     * @return the key; never null
     */
    String key();

    /**
     * Returns the kind of difference.
     *
     * @return the type; never null
     */
    DifferenceType type();

    /**
     * Returns the source's entry.
     *
     * @return the entry, or null when the source does not have the key
     */
    ObjectEntry source();

    /**
     * Returns the destination's entry.
     *
     * @return the entry, or null when the destination does not have the key
     */
    ObjectEntry destination();

    /**
     * Builds the difference of a type from its two sides, as a report reader needs.
     *
     * @param type the type; not null
     * @param source the source entry; null only for {@link DifferenceType#EXTRA_IN_DESTINATION}
     * @param destination the destination entry; null only for {@link DifferenceType#MISSING_IN_DESTINATION}
     * @return the difference
     */
    static Difference of(DifferenceType type, ObjectEntry source, ObjectEntry destination) {
        return switch (Objects.requireNonNull(type, "type")) {
            case MISSING_IN_DESTINATION -> new MissingInDestination(source);
            case EXTRA_IN_DESTINATION -> new ExtraInDestination(destination);
            case SIZE_MISMATCH -> new SizeMismatch(source, destination);
            case CONTENT_MISMATCH -> new ContentMismatch(source, destination);
            case STALE -> new Stale(source, destination);
            case UNVERIFIED -> new Unverified(source, destination);
        };
    }

    /**
     * The source has the key, the destination does not.
     *
     * @param source the source entry; not null
     */
    record MissingInDestination(ObjectEntry source) implements Difference {
        /** Checks for null. */
        public MissingInDestination {
            Objects.requireNonNull(source, "source");
        }

        @Override
        public String key() {
            return source.key();
        }

        @Override
        public DifferenceType type() {
            return DifferenceType.MISSING_IN_DESTINATION;
        }

        @Override
        public ObjectEntry destination() {
            return null;
        }
    }

    /**
     * The destination has the key, the source does not.
     *
     * @param destination the destination entry; not null
     */
    record ExtraInDestination(ObjectEntry destination) implements Difference {
        /** Checks for null. */
        public ExtraInDestination {
            Objects.requireNonNull(destination, "destination");
        }

        @Override
        public String key() {
            return destination.key();
        }

        @Override
        public DifferenceType type() {
            return DifferenceType.EXTRA_IN_DESTINATION;
        }

        @Override
        public ObjectEntry source() {
            return null;
        }
    }

    /**
     * Both sides have the key, with different sizes.
     *
     * @param source the source entry; not null
     * @param destination the destination entry; not null
     */
    record SizeMismatch(ObjectEntry source, ObjectEntry destination) implements Difference {
        /** Checks that both sides are present and share the key. */
        public SizeMismatch {
            requirePair(source, destination);
        }

        @Override
        public String key() {
            return source.key();
        }

        @Override
        public DifferenceType type() {
            return DifferenceType.SIZE_MISMATCH;
        }
    }

    /**
     * Both sides have the key and the same size, and comparable fingerprints (checksums or ETags)
     * differ.
     *
     * @param source the source entry; not null
     * @param destination the destination entry; not null
     */
    record ContentMismatch(ObjectEntry source, ObjectEntry destination) implements Difference {
        /** Checks that both sides are present and share the key. */
        public ContentMismatch {
            requirePair(source, destination);
        }

        @Override
        public String key() {
            return source.key();
        }

        @Override
        public DifferenceType type() {
            return DifferenceType.CONTENT_MISMATCH;
        }
    }

    /**
     * The content differs (in size or fingerprint) and the destination was last modified before the
     * source: the source changed after the destination was written.
     *
     * @param source the source entry; not null
     * @param destination the destination entry; not null
     */
    record Stale(ObjectEntry source, ObjectEntry destination) implements Difference {
        /** Checks that both sides are present and share the key. */
        public Stale {
            requirePair(source, destination);
        }

        @Override
        public String key() {
            return source.key();
        }

        @Override
        public DifferenceType type() {
            return DifferenceType.STALE;
        }
    }

    /**
     * Both sides have the key and the same size, but no fingerprint is comparable (for example a
     * multipart ETag against a single-part one, without full-object checksums).
     *
     * @param source the source entry; not null
     * @param destination the destination entry; not null
     */
    record Unverified(ObjectEntry source, ObjectEntry destination) implements Difference {
        /** Checks that both sides are present and share the key. */
        public Unverified {
            requirePair(source, destination);
        }

        @Override
        public String key() {
            return source.key();
        }

        @Override
        public DifferenceType type() {
            return DifferenceType.UNVERIFIED;
        }
    }

    private static void requirePair(ObjectEntry source, ObjectEntry destination) {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (!source.key().equals(destination.key())) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "source key '" + source.key()
                    + "' and destination key '" + destination.key() + "' of one difference must be equal");
        }
    }
}
