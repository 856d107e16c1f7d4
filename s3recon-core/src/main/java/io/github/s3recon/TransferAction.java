package io.github.s3recon;

/** What a fix plan or a transfer does to one key. */
public enum TransferAction {
    /** Copy a key the destination does not have. */
    COPY,
    /** Copy a key over a destination object that differs (or is not proved equal). */
    RECOPY,
    /** Delete a destination object the source does not have. */
    DELETE
}
