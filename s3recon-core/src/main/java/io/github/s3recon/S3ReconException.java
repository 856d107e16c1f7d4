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

    @Override
    public String toString() {
        return getClass().getName() + " [" + code + "]: " + getMessage();
    }
}
