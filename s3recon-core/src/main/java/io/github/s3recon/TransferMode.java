package io.github.s3recon;

/** How an object's bytes reached the destination. */
public enum TransferMode {
    /** Copied by the server ({@code CopyObject}, {@code UploadPartCopy}): no bytes through the JVM. */
    SERVER_SIDE,
    /** Read from the source and written to the destination by the JVM, streaming. */
    RELAY
}
