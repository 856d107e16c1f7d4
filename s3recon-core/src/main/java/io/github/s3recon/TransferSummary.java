package io.github.s3recon;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What a migration's transfer phase did, as {@code summary.json} reports it under {@code transfer}.
 *
 * <p>A resumed run counts what its earlier attempts did in the totals, and says how much of it
 * they did in {@code objectsCopiedEarlier} and {@code bytesCopiedEarlier}; this attempt copied the
 * difference.
 *
 * @param objectsCopied objects copied (new or over a differing destination object), over all attempts
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
 * @param deletionsKept planned deletions not made because the destination object was rewritten or
 *     removed since the plan (each also reported as a failed {@code DELETE} in {@code failuresFile})
 * @param notes what the engine changed about how it wrote, said once each (plain uploads after a
 *     server stored a body's framing, copies without tags, relays after a failed server-side copy);
 *     null is taken as none; the list is copied
 * @param objectsCopiedEarlier of the copied objects, those that earlier attempts of a resumed run
 *     copied (0 for a run that was not resumed)
 * @param bytesCopiedEarlier bytes of those
 */
public record TransferSummary(long objectsCopied, long bytesCopied, long objectsSkipped, long objectsDeleted,
        long objectsFailed, long retries, long objectsServerSide, long bytesServerSide, long objectsRelayed,
        long bytesRelayed, Path failuresFile, long deletionsKept, List<String> notes, long objectsCopiedEarlier,
        long bytesCopiedEarlier) {
    /** Checks for null; copies the notes. */
    public TransferSummary {
        Objects.requireNonNull(failuresFile, "failuresFile");
        notes = notes == null ? List.of() : List.copyOf(notes);
    }

    /**
     * A summary of a run that was not resumed (nothing copied by earlier attempts).
     *
     * @param objectsCopied objects copied
     * @param bytesCopied bytes copied
     * @param objectsSkipped objects not copied
     * @param objectsDeleted objects deleted
     * @param objectsFailed objects failed
     * @param retries requests retried
     * @param objectsServerSide objects copied by the server
     * @param bytesServerSide bytes of those
     * @param objectsRelayed objects streamed through the JVM
     * @param bytesRelayed bytes of those
     * @param failuresFile the failures file; not null
     * @param deletionsKept planned deletions not made
     * @param notes what the engine changed about how it wrote; null is taken as none
     */
    public TransferSummary(long objectsCopied, long bytesCopied, long objectsSkipped, long objectsDeleted,
            long objectsFailed, long retries, long objectsServerSide, long bytesServerSide, long objectsRelayed,
            long bytesRelayed, Path failuresFile, long deletionsKept, List<String> notes) {
        this(objectsCopied, bytesCopied, objectsSkipped, objectsDeleted, objectsFailed, retries, objectsServerSide,
                bytesServerSide, objectsRelayed, bytesRelayed, failuresFile, deletionsKept, notes, 0, 0);
    }

    /** Objects this attempt copied: all copied objects less those earlier attempts copied. */
    public long objectsCopiedThisAttempt() {
        return objectsCopied - objectsCopiedEarlier;
    }

    /**
     * A summary without kept deletions and notes (the constructor of earlier versions).
     *
     * @param objectsCopied objects copied
     * @param bytesCopied bytes copied
     * @param objectsSkipped objects not copied
     * @param objectsDeleted objects deleted
     * @param objectsFailed objects failed
     * @param retries requests retried
     * @param objectsServerSide objects copied by the server
     * @param bytesServerSide bytes of those
     * @param objectsRelayed objects streamed through the JVM
     * @param bytesRelayed bytes of those
     * @param failuresFile the failures file; not null
     */
    public TransferSummary(long objectsCopied, long bytesCopied, long objectsSkipped, long objectsDeleted,
            long objectsFailed, long retries, long objectsServerSide, long bytesServerSide, long objectsRelayed,
            long bytesRelayed, Path failuresFile) {
        this(objectsCopied, bytesCopied, objectsSkipped, objectsDeleted, objectsFailed, retries, objectsServerSide,
                bytesServerSide, objectsRelayed, bytesRelayed, failuresFile, 0, List.of(), 0, 0);
    }
}
