package io.github.s3recon.transfer;

/**
 * The source object is not the one that was listed (another ETag or size) or changed during the
 * copy: copying on would write a mix of two versions, so the object fails without retries.
 */
final class SourceChangedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    SourceChangedException(String message) {
        super(message, null, false, false);
    }
}
