package io.github.s3recon;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.net.URI;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * Turns SDK failures into {@link S3ReconException}s whose messages name the bucket, the endpoint
 * and the fix, and never a secret (the SDK's messages carry no credentials; we quote only the
 * server's error code and message). Public so that listers, stores and schedulers in other modules
 * (and third-party ones) report S3 failures the way the engine does; stateless and thread-safe.
 */
public final class S3Errors {

    private static final Set<String> BAD_CREDENTIALS = Set.of("InvalidAccessKeyId", "SignatureDoesNotMatch",
            "ExpiredToken", "InvalidToken", "TokenRefreshRequired", "InvalidSecurity", "AuthorizationHeaderMalformed");

    private S3Errors() {
    }

    /**
     * Translates a failure of an operation on a location.
     *
     * @param failure the failure, possibly wrapped in a CompletionException
     * @param location where the operation ran
     * @param operation what ran, e.g. {@code "listing"}
     * @return the exception to throw
     */
    public static S3ReconException translate(Throwable failure, S3Location location, String operation) {
        Throwable t = unwrap(failure);
        // Ours, raised inside the SDK (an interceptor) and wrapped by it.
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof S3ReconException e) {
                return e;
            }
        }
        String where = "bucket '" + location.bucket() + "'"
                + endpoint(location).map(u -> " at " + Redact.endpoint(u)).orElse("");
        if (t instanceof S3Exception e) {
            String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
            String serverMessage = e.awsErrorDetails() == null ? null
                    : Redact.serverMessage(e.awsErrorDetails().errorMessage());
            String said = " (" + e.statusCode() + (code == null ? "" : " " + code)
                    + (serverMessage == null ? "" : ": " + serverMessage) + ")";
            if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
                return new S3ReconException(ErrorCode.BUCKET_NOT_FOUND, where + " does not exist" + said
                        + ": create it or correct the bucket name and the client's endpoint/region", e);
            }
            if ((code != null && BAD_CREDENTIALS.contains(code)) || e.statusCode() == 401) {
                return new S3ReconException(ErrorCode.INVALID_CREDENTIALS, "the credentials were rejected by "
                        + where + said + " during " + operation
                        + ": check the client's access key id and secret key (and session token, if any)", e);
            }
            if (e.statusCode() == 403) {
                return new S3ReconException(ErrorCode.ACCESS_DENIED, "access denied to " + where + said
                        + " during " + operation + ": grant the credentials "
                        + ("listing".equals(operation) ? "s3:ListBucket" : "s3:GetObject") + " on it", e);
            }
            return new S3ReconException(ErrorCode.LISTING_FAILED, operation + " of " + where + " failed" + said
                    + "; the SDK retried what it could: try again later or check the server", e);
        }
        if (t instanceof InterruptedException) {
            Thread.currentThread().interrupt();
            return new S3ReconException(ErrorCode.INTERRUPTED, operation + " of " + where + " was interrupted", t);
        }
        // The network failures, each with its own code: their fixes differ, and none is a listing fault.
        Throwable unknownHost = cause(t, UnknownHostException.class);
        if (unknownHost != null) {
            String host = endpoint(location).map(URI::getHost).orElse(unknownHost.getMessage());
            return new S3ReconException(ErrorCode.UNKNOWN_HOST, "the host name "
                    + (host == null ? "" : "'" + Redact.text(host) + "' ") + "of " + where
                    + " does not resolve (during " + operation + "): check the endpoint URL for a typo, "
                    + "the region, and this machine's DNS", t);
        }
        if (refused(t)) {
            return new S3ReconException(ErrorCode.ENDPOINT_UNREACHABLE, "cannot connect to " + where
                    + " during " + operation + " (connection refused or no route): check the endpoint URL's "
                    + "host and port, and that the server is running and reachable from here", t);
        }
        if (timedOut(t)) {
            return new S3ReconException(ErrorCode.TIMED_OUT, where + " did not answer in time during " + operation
                    + " (" + Redact.text(t.getClass().getSimpleName()) + "): check that the endpoint is an S3 server "
                    + "and reachable, or raise the client's apiCallTimeout/apiCallAttemptTimeout and its HTTP "
                    + "client's read timeout", t);
        }
        return new S3ReconException(ErrorCode.LISTING_FAILED, operation + " of " + where + " failed: "
                + Redact.text(String.valueOf(t)) + ": check the "
                + "server and the network to it, then run again", t);
    }

    /** A refused connection or an unreachable host anywhere in the causes; a connect timeout is a timeout. */
    private static boolean refused(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if ((c instanceof ConnectException || c instanceof NoRouteToHostException) && !isTimeout(c)) {
                return true;
            }
        }
        return false;
    }

    /**
     * A timeout anywhere in the causes: the SDK's API call and attempt timeouts, socket and HTTP
     * timeouts, and Netty's read/write/connect timeouts (known by name: core does not see Netty).
     */
    private static boolean timedOut(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (isTimeout(c)) {
                return true;
            }
            for (Throwable s : c.getSuppressed()) {
                if (isTimeout(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static boolean isTimeout(Throwable c) {
        return c instanceof ApiCallTimeoutException || c instanceof ApiCallAttemptTimeoutException
                || c instanceof SocketTimeoutException || c instanceof java.net.http.HttpTimeoutException
                || c instanceof java.util.concurrent.TimeoutException || c.getClass().getSimpleName().endsWith("TimeoutException");
    }

    private static Throwable cause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (type.isInstance(c)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Removes CompletionException and ExecutionException wrappers.
     *
     * @param t a failure
     * @return the innermost cause that is not a wrapper
     */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof CompletionException || t instanceof ExecutionException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * Tells whether an S3 error code means that the credentials themselves were rejected (unknown
     * key, bad signature, expired or invalid token), as opposed to a missing permission.
     *
     * @param errorCode the server's error code, e.g. {@code "SignatureDoesNotMatch"}; may be null
     * @return true for the codes of rejected credentials
     */
    public static boolean rejectsCredentials(String errorCode) {
        return errorCode != null && BAD_CREDENTIALS.contains(errorCode);
    }

    /**
     * Returns the endpoint a location's client was configured with, if any.
     *
     * @param location the location; not null
     * @return the endpoint override, or empty for the SDK's default AWS endpoint
     */
    public static Optional<URI> endpoint(S3Location location) {
        try {
            return location.client().serviceClientConfiguration().endpointOverride();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
