package io.github.s3recon.transfer;

import io.github.s3recon.Checksum;
import io.github.s3recon.TransferMode;

/**
 * How an object reached the destination.
 *
 * @param mode server-side or relayed; null for a deletion
 * @param checksum the full-object checksum computed while relaying, or null
 */
record Copied(TransferMode mode, Checksum checksum) {

    static final Copied DELETED = new Copied(null, null);
}
