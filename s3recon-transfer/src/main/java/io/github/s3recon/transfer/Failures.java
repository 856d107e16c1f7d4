package io.github.s3recon.transfer;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.Redact;
import io.github.s3recon.S3Errors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Tells transient failures (retried) from permanent ones (recorded), recognises throttling and a
 * server's rejection of a checksum option, and words the message of an object's failure: what
 * failed, on which side, bucket and key, what the server said, and what to do.
 */
final class Failures {

    private static final Set<Integer> TRANSIENT_STATUS = Set.of(408, 429, 500, 502, 503, 504);
    private static final Set<String> TRANSIENT_CODES = Set.of("SlowDown", "InternalError", "RequestTimeout",
            "RequestTimeoutException", "ServiceUnavailable", "Throttling", "ThrottlingException", "RequestThrottled",
            "TooManyRequests", "BadDigest", "IncompleteBody", "XAmzContentSHA256Mismatch", "OperationAborted");
    private static final Set<String> THROTTLE_CODES = Set.of("SlowDown", "Throttling", "ThrottlingException",
            "RequestThrottled", "TooManyRequests");

    private Failures() {
    }

    /**
     * Returns the failure that matters: without CompletionException wrappers and, for a
     * {@link StepException}, its cause.
     */
    static Throwable root(Throwable t) {
        Throwable u = S3Errors.unwrap(t);
        while (u instanceof StepException && u.getCause() != null) {
            u = S3Errors.unwrap(u.getCause());
        }
        return u;
    }

    /**
     * Tells whether a failure may go away if tried again: 5xx, 429, S3's throttling and timeout
     * codes, resets, timeouts and other I/O errors, and checksum mismatches.
     */
    static boolean isTransient(Throwable failure) {
        Throwable t = root(failure);
        if (t instanceof SourceChangedException || t instanceof CancellationException) {
            return false;
        }
        if (t instanceof ChecksumMismatchException) {
            return true;
        }
        if (t instanceof S3Exception e) {
            return TRANSIENT_STATUS.contains(e.statusCode()) || TRANSIENT_CODES.contains(code(e));
        }
        if (t instanceof SdkClientException) {
            // A client exception whose cause is permanent (our own checks on the source) is not.
            for (Throwable c = t.getCause(); c != null; c = c.getCause()) {
                if (c instanceof SourceChangedException || c instanceof CancellationException) {
                    return false;
                }
                if (c instanceof S3Exception) {
                    return isTransient(c);
                }
            }
            String message = String.valueOf(t.getMessage());
            // Configuration errors that no retry fixes.
            return !message.contains("Unable to load credentials") && !message.contains("Unable to load region");
        }
        return t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException;
    }

    /** Tells whether the server asked to slow down (503 SlowDown, 429 and the like). */
    static boolean isThrottle(Throwable failure) {
        Throwable t = root(failure);
        return t instanceof S3Exception e
                && (e.statusCode() == 503 || e.statusCode() == 429 || THROTTLE_CODES.contains(code(e)));
    }

    /**
     * Tells whether a server rejected a request for an option it does not support, such as a
     * checksum algorithm, a checksum type or an aws-chunked body with a trailing checksum: 501, or
     * a 400 whose code or message is about those.
     */
    static boolean isUnsupportedOption(Throwable failure) {
        Throwable t = root(failure);
        if (!(t instanceof S3Exception e)) {
            return false;
        }
        String code = code(e);
        if (e.statusCode() == 501 || code.equals("NotImplemented")) {
            return true;
        }
        if (e.statusCode() != 400 || TRANSIENT_CODES.contains(code) || isDigestRejected(e)) {
            return false; // damaged bytes (BadDigest, ...) are not an option the server lacks
        }
        String message = e.awsErrorDetails() == null ? "" : e.awsErrorDetails().errorMessage();
        String said = (code + " " + message).toLowerCase(Locale.ROOT);
        return code.equals("InvalidRequest") || code.equals("InvalidArgument") || said.contains("checksum")
                || said.contains("trailer") || said.contains("chunked") || said.contains("content-encoding")
                || said.contains("x-amz-content-sha256");
    }

    /**
     * Tells whether the server refused a checksum it was given as not matching the bytes (400
     * {@code BadDigest}, or a 400 that says the checksum "did not match").
     */
    static boolean isDigestRejected(Throwable failure) {
        Throwable t = root(failure);
        if (!(t instanceof S3Exception e) || e.statusCode() != 400) {
            return false;
        }
        String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
        return code(e).equals("BadDigest") || code(e).equals("InvalidDigest")
                || (message != null && message.toLowerCase(Locale.ROOT).contains("did not match"));
    }

    /** Tells whether a server does not implement an operation at all (501, 405, NotImplemented). */
    static boolean isNotImplemented(Throwable failure) {
        Throwable t = root(failure);
        return t instanceof S3Exception e && (e.statusCode() == 501 || e.statusCode() == 405
                || "NotImplemented".equals(code(e)) || "MethodNotAllowed".equals(code(e)));
    }

    /** Tells whether the server refused a request as the client's fault: 4xx other than 408 and 429. */
    static boolean isClientError(Throwable failure) {
        Throwable t = root(failure);
        return t instanceof S3Exception e && e.statusCode() >= 400 && e.statusCode() < 500 && !isTransient(e);
    }

    /** A short reason for a retry event, e.g. {@code 503 SlowDown} or {@code IOException: Connection reset}. */
    static String reason(Throwable failure) {
        Throwable t = root(failure);
        if (t instanceof S3Exception e) {
            String code = code(e);
            return e.statusCode() + (code.isEmpty() ? "" : " " + code);
        }
        Throwable innermost = t;
        while (innermost.getCause() != null && innermost.getCause() != innermost) {
            innermost = innermost.getCause();
        }
        String message = innermost.getMessage();
        return innermost.getClass().getSimpleName() + (message == null ? "" : ": " + message);
    }

    /**
     * Words the failure of a copy or deletion for its {@code ObjectFailed} event. The code is the
     * action's ({@code COPY_FAILED}, {@code DELETE_FAILED}) unless a more specific one applies:
     * {@code ACCESS_DENIED} (403), {@code INVALID_CREDENTIALS}, {@code BUCKET_NOT_FOUND} or
     * {@code ENDPOINT_UNREACHABLE}.
     *
     * @param code {@code COPY_FAILED} or {@code DELETE_FAILED}
     * @param relativeKey the key as events show it
     * @param failure what failed, a {@link StepException} where the request is known
     * @return the exception, naming bucket, key and fix
     */
    static S3ReconException describe(ErrorCode code, String relativeKey, Throwable failure) {
        Throwable unwrapped = S3Errors.unwrap(failure);
        if (unwrapped instanceof S3ReconException e) {
            return e;
        }
        Throwable t = root(failure);
        String verb = code == ErrorCode.DELETE_FAILED ? "deleting" : "copying";
        if (!(unwrapped instanceof StepException step)) {
            return new S3ReconException(code, verb + " '" + Redact.key(relativeKey) + "' failed: "
                    + Redact.text(reason(t)), t);
        }
        Step s = step.step();
        String where = s.operation() + " of " + s.objects() + endpoint(s).map(u -> " at " + u).orElse("")
                + (s.copySource() == null ? " (the " + s.side() + ")" : "");
        String said = said(t);
        String attempts = step.attempts() > 1 ? " after " + step.attempts() + " attempts" : "";
        String fix;
        if (t instanceof SourceChangedException) {
            fix = t.getMessage() + ": the source object changed after it was listed, and nothing of it was "
                    + "written; run again to copy its current version";
        } else if (t instanceof ServerCopyFailedException) {
            fix = t.getMessage();
        } else if (t instanceof ChecksumMismatchException) {
            fix = t.getMessage() + ": the bytes were damaged in transit or the source's stored checksum is wrong; "
                    + "run again, and check the network and the source object if it persists";
        } else if (t instanceof S3Exception e) {
            fix = fixFor(e, s);
        } else if (step.exhausted()) {
            fix = "the connection failed each time: check that the endpoint is reachable, then run again";
        } else {
            fix = "run again; if it persists, check the client's configuration";
        }
        return new S3ReconException(specific(code, t, s), verb + " '" + Redact.key(relativeKey) + "' failed" + attempts + ": "
                + where + " failed" + said + "; " + fix, t);
    }

    /**
     * The most specific code for a failure: what the server said about access, credentials or the
     * bucket, or an unreachable endpoint; else the action's code.
     */
    private static ErrorCode specific(ErrorCode code, Throwable t, Step s) {
        if (t instanceof S3Exception e) {
            ErrorCode translated = S3Errors.translate(e, s.location(), s.operation()).code();
            if (translated == ErrorCode.ACCESS_DENIED || translated == ErrorCode.INVALID_CREDENTIALS
                    || translated == ErrorCode.BUCKET_NOT_FOUND) {
                return translated;
            }
        }
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof java.net.ConnectException) {
                return ErrorCode.ENDPOINT_UNREACHABLE;
            }
        }
        return code;
    }

    private static String fixFor(S3Exception e, Step s) {
        String code = code(e);
        S3ReconException translated = S3Errors.translate(e, s.location(), s.operation());
        if (translated.code() == ErrorCode.INVALID_CREDENTIALS) {
            return "the " + s.side() + "'s credentials were rejected: check its client's access key id and secret key "
                    + "(and session token, if any)";
        }
        if (translated.code() == ErrorCode.BUCKET_NOT_FOUND) {
            return "bucket '" + s.location().bucket() + "' does not exist: create it or correct the bucket name and "
                    + "the " + s.side() + " client's endpoint and region";
        }
        if (e.statusCode() == 403) {
            return "grant the " + s.side() + "'s credentials " + permission(s);
        }
        if (e.statusCode() == 412) {
            return "the source object changed after it was listed, and nothing of it was written; run again to copy "
                    + "its current version";
        }
        if (e.statusCode() == 404 && code.equals("NoSuchKey")) {
            // A copy's NoSuchKey is about its source, as is a read's.
            return s.source() || s.copySource() != null
                    ? "the object was deleted from the source after it was listed; run again to reconcile"
                    : "the object vanished from the destination while it was being written; run again";
        }
        if (e.statusCode() == 404 && code.equals("NoSuchUpload")) {
            return "the multipart upload was aborted by someone else (a lifecycle rule or another process?); run again";
        }
        if (TRANSIENT_STATUS.contains(e.statusCode()) || TRANSIENT_CODES.contains(code)) {
            return "the server stayed overloaded or unavailable: run again later, or lower the scheduler's "
                    + "concurrency or request rate";
        }
        return "see the server's message; the rest of the run went on";
    }

    private static String permission(Step s) {
        String bucket = " on bucket '" + s.location().bucket() + "'";
        return switch (s.operation()) {
            case "GetObject", "HeadObject" -> "s3:GetObject" + bucket;
            case "GetObjectTagging" -> "s3:GetObjectTagging" + bucket
                    + " (or build the scheduler with copyTags(false))";
            case "CopyObject", "UploadPartCopy" -> "s3:GetObject on the source bucket and s3:PutObject (and "
                    + "s3:PutObjectTagging) on bucket '" + s.location().bucket() + "'";
            case "DeleteObject" -> "s3:DeleteObject" + bucket;
            case "AbortMultipartUpload" -> "s3:AbortMultipartUpload" + bucket;
            default -> "s3:PutObject (and s3:PutObjectTagging for tagged objects)" + bucket;
        };
    }

    private static String said(Throwable t) {
        if (t instanceof S3Exception e) {
            String code = code(e);
            String message = e.awsErrorDetails() == null ? null
                    : Redact.serverMessage(e.awsErrorDetails().errorMessage());
            return " (" + e.statusCode() + (code.isEmpty() ? "" : " " + code)
                    + (message == null || message.isBlank() ? "" : ": " + message) + ")";
        }
        return " (" + Redact.text(reason(t)) + ")";
    }

    /** The S3 error code; "" when the response had none (a HEAD's errors have no body). */
    private static String code(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code == null ? "" : code;
    }

    private static Optional<URI> endpoint(Step s) {
        try {
            return s.location().client().serviceClientConfiguration().endpointOverride();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
