package io.github.s3recon.transfer;

/**
 * A destination object planned for deletion is not the one the plan saw (rewritten or gone since it
 * was listed): it is kept, never deleted, and the deletion is not retried.
 */
final class DestinationChangedException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    DestinationChangedException(String message) {
        super(message, null, false, false);
    }
}
