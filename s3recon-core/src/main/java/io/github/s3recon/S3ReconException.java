package io.github.s3recon;

import java.util.Objects;

/**
 * The one exception type that s3recon throws. It is unchecked and carries an {@link ErrorCode};
 * its message names the bucket and key involved where there is one, and what to do about it. A
 * message never contains a secret (access keys, secret keys, session tokens).
 *
 * <p>A failure of a single object during a run is not an exception: it is recorded in the result.
 */
public class S3ReconException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final ErrorCode code;

    /**
     * Creates an exception.
     *
     * @param code what went wrong; not null
     * @param message what went wrong and how to fix it; not null
     */
    public S3ReconException(ErrorCode code, String message) {
        this(code, message, null);
    }

    /**
     * Creates an exception with a cause.
     *
     * @param code what went wrong; not null
     * @param message what went wrong and how to fix it; not null
     * @param cause the underlying failure; may be null
     */
    public S3ReconException(ErrorCode code, String message, Throwable cause) {
        super(Objects.requireNonNull(message, "message"), cause);
        this.code = Objects.requireNonNull(code, "code");
    }

    /**
     * Returns the error code.
     *
     * @return the code; never null
     */
    public ErrorCode code() {
        return code;
    }

    /**
     * Returns an {@link ErrorCode#INVALID_CONFIGURATION} exception for a setting given a value it
     * cannot use, worded {@code "<parameter> <rule>, was <value>"}, e.g.
     * {@code "maxAttempts must be from 1 to 100, was 0"}. Every builder, factory and constructor of
     * s3recon's configuration throws these.
     *
     * @param parameter the setting as the caller wrote it (the setter or parameter name); not null
     * @param value the rejected value as it may be shown; never a secret (pass a redacted form); may be null
     * @param rule what the value must be, and how to fix it; not null
     * @return the exception, to throw
     */
    public static S3ReconException invalidConfiguration(String parameter, Object value, String rule) {
        return new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                Objects.requireNonNull(parameter, "parameter") + " " + Objects.requireNonNull(rule, "rule")
                        + ", was " + value);
    }

    /**
     * Checks that a setting was given: returns it, or throws an {@link ErrorCode#INVALID_CONFIGURATION}
     * exception whose message is {@code "<parameter> must not be null"}.
     *
     * @param value the value given
     * @param parameter the setting as the caller wrote it (the setter or parameter name); not null
     * @param <T> the value's type
     * @return the value; never null
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} if the value is null
     */
    public static <T> T requireSetting(T value, String parameter) {
        if (value == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION,
                    Objects.requireNonNull(parameter, "parameter") + " must not be null");
        }
        return value;
    }

    @Override
    public String toString() {
        return getClass().getName() + " [" + code + "]: " + getMessage();
    }
}
