package io.github.s3recon.internal.validation;

import io.github.s3recon.S3Errors;
import io.github.s3recon.S3Location;
import io.github.s3recon.Redact;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import javax.net.ssl.SSLException;
import software.amazon.awssdk.core.exception.ApiCallAttemptTimeoutException;
import software.amazon.awssdk.core.exception.ApiCallTimeoutException;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.S3Exception;

/**
 * A classified failure of one validation request: its kind, what the server or the client said
 * (no secrets: server messages are quoted through {@link Redact#serverMessage}), and the region the
 * server named, if any; and the hint that tells a user what to do about it.
 *
 * @param kind the kind of failure
 * @param said what was said, redacted
 * @param region the region the server named, or null
 */
record Problem(Kind kind, String said, String region) {

    /** What kind of failure it is: decides the hint and whether the side's other checks still mean anything. */
    enum Kind {
        NO_BUCKET, BAD_CREDENTIALS, NO_CREDENTIALS, ACCESS_DENIED, WRONG_REGION, UNREACHABLE, TIMEOUT, NOT_IMPLEMENTED,
        OTHER
    }

    /** Whether the failure makes the other checks of its side meaningless. */
    boolean fatal() {
        return kind == Kind.NO_BUCKET || kind == Kind.BAD_CREDENTIALS || kind == Kind.NO_CREDENTIALS
                || kind == Kind.WRONG_REGION || kind == Kind.UNREACHABLE || kind == Kind.TIMEOUT;
    }

    static Problem classify(Throwable failure) {
        Throwable t = S3Errors.unwrap(failure);
        if (t instanceof S3Exception e) {
            String code = code(e);
            String message = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorMessage();
            String said = e.statusCode() + (code == null ? "" : " " + code)
                    + (message == null || message.isBlank() ? "" : ": " + clean(message));
            String region = e.awsErrorDetails() == null || e.awsErrorDetails().sdkHttpResponse() == null ? null
                    : e.awsErrorDetails().sdkHttpResponse().firstMatchingHeader("x-amz-bucket-region").orElse(null);
            if (e instanceof NoSuchBucketException || "NoSuchBucket".equals(code)) {
                return new Problem(Kind.NO_BUCKET, said, region);
            }
            if (e.statusCode() == 301 || "PermanentRedirect".equals(code) || "AuthorizationHeaderMalformed".equals(code)
                    || "IllegalLocationConstraintException".equals(code)) {
                return new Problem(Kind.WRONG_REGION, said, region);
            }
            if (S3Errors.rejectsCredentials(code) || e.statusCode() == 401) {
                return new Problem(Kind.BAD_CREDENTIALS, said, region);
            }
            if (e.statusCode() == 403) {
                return new Problem(Kind.ACCESS_DENIED, said, region);
            }
            if (e.statusCode() == 501 || "NotImplemented".equals(code)) {
                return new Problem(Kind.NOT_IMPLEMENTED, said, region);
            }
            return new Problem(Kind.OTHER, said, region);
        }
        if (hasCause(t, ConnectException.class) || hasCause(t, UnknownHostException.class)
                || hasCause(t, NoRouteToHostException.class) || hasCause(t, UnresolvedAddressException.class)) {
            return new Problem(Kind.UNREACHABLE, describe(t), null);
        }
        if (hasCause(t, SSLException.class)) {
            return new Problem(Kind.UNREACHABLE, describe(t) + " (TLS)", null);
        }
        if (t instanceof SdkClientException && t.getMessage() != null
                && t.getMessage().contains("Unable to load credentials")) {
            return new Problem(Kind.NO_CREDENTIALS, "the client found no credentials", null);
        }
        if (hasCause(t, SocketTimeoutException.class) || hasCause(t, TimeoutException.class)
                || hasCause(t, ApiCallTimeoutException.class) || hasCause(t, ApiCallAttemptTimeoutException.class)) {
            return new Problem(Kind.TIMEOUT, "no answer in time: " + describe(t), null);
        }
        return new Problem(Kind.OTHER, describe(t), null);
    }

    /** What to do about this problem, naming the endpoint, the permission and the resource. */
    String hint(S3Location at, String permission, String resource) {
        String endpoint = endpoint(at).map(e -> "the endpoint " + e).orElse("the client's AWS endpoint");
        return switch (kind) {
            case NO_BUCKET -> "check the bucket name '" + at.bucket() + "' and the client's region and endpoint ("
                    + endpoint + "); create the bucket if it should exist";
            case BAD_CREDENTIALS -> "the credentials were rejected: check the access key id and secret key (and "
                    + "session token, if any) that the client uses for " + endpoint
                    + ", and that the client's clock is right";
            case NO_CREDENTIALS -> "give the client credentials for " + endpoint
                    + " (a credentials provider, or the AWS environment variables, profile or instance role)";
            case ACCESS_DENIED -> "the credentials are valid but lack a permission: grant " + permission + " on "
                    + resource;
            case WRONG_REGION -> region != null
                    ? "the bucket '" + at.bucket() + "' is in region " + region + ": build the client with that region"
                    : "check the client's region for the bucket '" + at.bucket() + "' (the server redirected or "
                            + "refused the region)";
            case UNREACHABLE -> "check the endpoint URL (" + endpoint + ": scheme, host and port) and that the "
                    + "server is running and reachable from here";
            case TIMEOUT -> "the endpoint did not answer in time: check the endpoint URL (" + endpoint
                    + ") and that the network lets the connection through, then retry";
            case NOT_IMPLEMENTED -> "the server does not support this request";
            case OTHER -> "the server answered " + said + ": retry later, or check the server and " + endpoint;
        };
    }

    /** Whether a failure is a 403 without an S3 error code, as the answers to HEAD requests are. */
    static boolean isAmbiguousDenial(Throwable failure) {
        Throwable t = S3Errors.unwrap(failure);
        if (!(t instanceof S3Exception e) || e.statusCode() != 403) {
            return false;
        }
        String code = code(e);
        return code == null || !(S3Errors.rejectsCredentials(code) || "AccessDenied".equals(code));
    }

    static String code(S3Exception e) {
        String code = e.awsErrorDetails() == null ? null : e.awsErrorDetails().errorCode();
        return code == null || code.isBlank() ? null : code;
    }

    private static String describe(Throwable t) {
        Throwable root = t;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage() == null ? "" : ": " + root.getMessage();
        return clean(root.getClass().getSimpleName() + message);
    }

    /** Removes what looks like a credential or signature, and shortens: server messages are quoted, not trusted. */
    static String clean(String text) {
        return Redact.serverMessage(text);
    }

    private static boolean hasCause(Throwable t, Class<? extends Throwable> type) {
        for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) {
            if (type.isInstance(c)) {
                return true;
            }
        }
        return false;
    }

    static Optional<String> endpoint(S3Location at) {
        return S3Errors.endpoint(at).map(Object::toString);
    }

    static String bucketArn(S3Location at) {
        return "arn:aws:s3:::" + at.bucket();
    }

    static String objectArn(S3Location at) {
        return "arn:aws:s3:::" + at.bucket() + "/" + at.prefix() + "*";
    }

    static String listCondition(S3Location at) {
        return at.prefix().isEmpty() ? "" : " (for the prefix '" + at.prefix() + "')";
    }
}
