package io.github.s3recon.transfer;

import io.github.s3recon.ObjectEntry;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/** One submitted copy or deletion and what is known about it so far. Thread-safe. */
final class Task {

    final ObjectEntry entry;
    final boolean delete;
    /** What the plan asked for, as the failure event reports it. */
    final io.github.s3recon.TransferAction action;
    final AtomicInteger retries = new AtomicInteger();
    final AtomicBoolean reported = new AtomicBoolean();
    /** The source's ETag: as listed, or as the first response said when the listing did not. */
    volatile String eTag;
    volatile boolean started;
    /** When its multipart upload was created (the JVM's clock), to tell its result from an older object. */
    volatile java.time.Instant uploadStarted;
    /** Set when the server could not copy it although the source has it: relayed through the JVM instead. */
    volatile boolean relay;
    /** Set when the object has failed, so that its other requests stop retrying. */
    volatile boolean abandoned;

    Task(ObjectEntry entry, boolean delete) {
        this(entry, delete ? io.github.s3recon.TransferAction.DELETE : io.github.s3recon.TransferAction.COPY);
    }

    Task(ObjectEntry entry, io.github.s3recon.TransferAction action) {
        this.entry = entry;
        this.action = action;
        this.delete = action == io.github.s3recon.TransferAction.DELETE;
        this.eTag = entry.eTag();
    }

    /** Attempts made: 0 before the first request, then 1 plus the retries. */
    int attempts() {
        return started ? 1 + retries.get() : 0;
    }
}
