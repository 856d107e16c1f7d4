package io.github.s3recon.transfer;

/**
 * A server-side copy failed for a reason the source does not explain (the source has the object)
 * and the object cannot be relayed instead; the message says what to change. Not retried.
 */
final class ServerCopyFailedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ServerCopyFailedException(String message) {
        super(message, null, false, false);
    }
}
