package io.github.s3recon;

import java.util.Objects;
import java.util.function.Consumer;
import java.util.regex.Pattern;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Where objects live: a bucket, reached through a client, and a key prefix within it.
 *
 * <p>The prefix is matched as S3 matches it, on the raw key: {@code "logs"} selects
 * {@code logs/a} and also {@code logs-old/b} and {@code logs.txt}; end it with {@code /} to select
 * one folder. Keys that s3recon reports are relative to the prefix (the prefix removed).
 *
 * <p>Immutable and thread-safe. The client is not owned: the caller closes it. {@link #toString()}
 * shows {@code s3://bucket/prefix} and never the client or its credentials.
 *
 * @param client the client that reaches the bucket; not null
 * @param bucket the bucket name; validated against S3's naming rules
 * @param prefix the key prefix; not null, empty for the whole bucket
 */
public record S3Location(S3AsyncClient client, String bucket, String prefix) {

    // S3's rules (3-63 characters of lowercase letters, digits, dots and hyphens) widened to what
    // S3-compatible servers and legacy US buckets still accept: upper case and underscores, to 255.
    private static final Pattern BUCKET = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{1,253}[A-Za-z0-9]");

    /**
     * Validates the client, bucket name and prefix.
     *
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the client or prefix is
     *     null, the bucket name is null, empty or not a valid bucket name, or the prefix is longer than
     *     1024 characters
     */
    public S3Location {
        if (client == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "client must not be null for bucket '" + bucket + "': pass the S3AsyncClient that reaches it");
        }
        validateBucketName(bucket);
        if (prefix == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    "prefix must not be null for bucket '" + bucket + "': pass \"\" for the whole bucket");
        }
        if (prefix.length() > 1024) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "prefix of bucket '" + bucket
                    + "' is " + prefix.length() + " characters; S3 keys, and so prefixes, are at most 1024");
        }
    }

    /**
     * A whole bucket.
     *
     * @param client the client; not null
     * @param bucket the bucket name
     * @return the location
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} as the constructor does
     */
    public static S3Location of(S3AsyncClient client, String bucket) {
        return new S3Location(client, bucket, "");
    }

    /**
     * The objects of a bucket under a prefix.
     *
     * @param client the client; not null
     * @param bucket the bucket name
     * @param prefix the prefix; not null
     * @return the location
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} as the constructor does
     */
    public static S3Location of(S3AsyncClient client, String bucket, String prefix) {
        return new S3Location(client, bucket, prefix);
    }

    /**
     * A location built by a lambda: {@code S3Location.of(b -> b.client(c).bucket("photos").prefix("2024/"))}.
     *
     * @param spec configures the builder; not null
     * @return the location
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if {@code spec} is null or
     *     the location it builds is invalid
     */
    public static S3Location of(Consumer<Builder> spec) {
        S3ReconException.requireSetting(spec, "spec");
        Builder builder = builder();
        spec.accept(builder);
        return builder.build();
    }

    /**
     * Returns a new builder.
     *
     * @return a builder with an empty prefix
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the full key of a key relative to this location's prefix.
     *
     * @param relativeKey the relative key; not null
     * @return prefix + relativeKey
     */
    public String fullKey(String relativeKey) {
        return prefix + relativeKey;
    }

    @Override
    public String toString() {
        return "s3://" + bucket + "/" + prefix;
    }

    private static void validateBucketName(String bucket) {
        if (bucket == null || bucket.isEmpty()) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "bucket name must not be empty");
        }
        if (bucket.startsWith("s3://") || bucket.contains("/")) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "bucket name '" + bucket
                    + "' must be a bare name: pass a key prefix separately, e.g. S3Location.of(client, \"photos\", \"2024/\")");
        }
        if (!BUCKET.matcher(bucket).matches() || bucket.contains("..")) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "bucket name '" + bucket
                    + "' is not valid: use 3-63 lowercase letters, digits, dots and hyphens (S3-compatible servers may also allow "
                    + "upper case, underscores and up to 255 characters), starting and ending with a letter or digit");
        }
    }

    /** A mutable builder of {@link S3Location}; not thread-safe. */
    public static final class Builder {
        private S3AsyncClient client;
        private String bucket;
        private String prefix = "";

        private Builder() {
        }

        /**
         * Sets the client.
         *
         * @param client the client; not null
         * @return this builder
         */
        public Builder client(S3AsyncClient client) {
            this.client = client;
            return this;
        }

        /**
         * Sets the bucket.
         *
         * @param bucket the name
         * @return this builder
         */
        public Builder bucket(String bucket) {
            this.bucket = bucket;
            return this;
        }

        /**
         * Sets the prefix; the default is {@code ""}, the whole bucket.
         *
         * @param prefix the prefix; not null
         * @return this builder
         */
        public Builder prefix(String prefix) {
            this.prefix = prefix;
            return this;
        }

        /**
         * Builds the location, validating every field.
         *
         * @return the location
         * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} as the constructor does
         */
        public S3Location build() {
            return new S3Location(client, bucket, prefix);
        }
    }
}
