package io.github.s3recon.dashboard.internal;

/**
 * An answer other than success, sent as {@code {"error":{"status","code","field","message"}}}.
 * The message is for people and never holds a secret; {@code field} names the input at fault (a
 * JSON path such as {@code source.bucket} or a query parameter), or is null.
 */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final String code;
    private final String field;

    /**
     * Creates an error answer.
     *
     * @param status the HTTP status (4xx or 5xx)
     * @param code a stable machine-readable code, e.g. {@code BAD_REQUEST}
     * @param field the input at fault, or null
     * @param message what went wrong and how to fix it
     */
    public ApiException(int status, String code, String field, String message) {
        super(message, null, false, false); // no stack: this is an answer, not a bug
        this.status = status;
        this.code = code;
        this.field = field;
    }

    /** @param field the input at fault @param message what is wrong @return a 400 error */
    static ApiException badRequest(String field, String message) {
        return new ApiException(400, "BAD_REQUEST", field, message);
    }

    /** @param what what was not found @return a 404 error */
    static ApiException notFound(String what) {
        return new ApiException(404, "NOT_FOUND", null, what);
    }

    /** @return the HTTP status */
    public int status() {
        return status;
    }

    /** @return the error code */
    public String code() {
        return code;
    }

    /** @return the field at fault, or null */
    public String field() {
        return field;
    }
}
