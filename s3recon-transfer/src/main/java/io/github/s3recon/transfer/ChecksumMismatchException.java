package io.github.s3recon.transfer;

/**
 * The bytes that arrived are not the bytes that were read: the checksum computed while relaying
 * differs from the one the destination computed or the source stored. Retried, as a transfer
 * error is.
 */
final class ChecksumMismatchException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    ChecksumMismatchException(String message) {
        super(message, null, false, false);
    }
}
