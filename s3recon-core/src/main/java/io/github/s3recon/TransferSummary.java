package io.github.s3recon;

import java.nio.file.Path;
import java.util.Objects;

/**
 * What a migration's transfer phase did, as {@code summary.json} reports it under {@code transfer}.
 *
 * @param objectsCopied objects copied (new or over a differing destination object)
 * @param bytesCopied bytes of the copied objects
 * @param objectsSkipped source objects in scope that were not copied: proved equal, or kept by the
 *     overwrite policy
 * @param objectsDeleted extraneous destination objects deleted
 * @param objectsFailed objects whose copy or deletion failed for good (listed in {@code failuresFile})
 * @param retries requests retried after a transient error (503 SlowDown, 500, timeouts, resets)
 * @param objectsServerSide of the copied objects, those copied by the server
 * @param bytesServerSide bytes of those
 * @param objectsRelayed of the copied objects, those streamed through the JVM
 * @param bytesRelayed bytes of those
 * @param failuresFile a JSON Lines file with one line per failed object ({@code key}, {@code action},
 *     {@code code}, {@code message}, {@code attempts}); not null (it may not exist when none failed)
 */
public record TransferSummary(long objectsCopied, long bytesCopied, long objectsSkipped, long objectsDeleted,
        long objectsFailed, long retries, long objectsServerSide, long bytesServerSide, long objectsRelayed,
        long bytesRelayed, Path failuresFile) {
    /** Checks for null. */
    public TransferSummary {
        Objects.requireNonNull(failuresFile, "failuresFile");
    }
}
