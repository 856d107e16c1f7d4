package io.github.s3recon.transfer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session learned about the servers: options a destination rejected (so they are not sent
 * again) and whether the source reports tag counts. S3 supports everything; S3-compatible servers
 * differ (S3Mock stores checksums only from trailing checksums, some servers reject those, few
 * send {@code x-amz-tagging-count}: S3 and MinIO do, see {@link SourceObject#showsTagCounts}).
 * Thread-safe; each flag only ever goes one way.
 */
final class ServerCapabilities {

    private static final Logger LOG = LoggerFactory.getLogger(SizeTieredScheduler.class);

    /** An option that is used until a server rejects it. */
    static final class Option {
        private final String description;
        private final String note;
        private volatile boolean enabled = true;

        Option(String description) {
            this(description, null);
        }

        /**
         * @param note what the run's history says when the option is turned off, after the
         *     server's name (a warning, once); null to log it at INFO only
         */
        Option(String description, String note) {
            this.description = description;
            this.note = note;
        }

        boolean enabled() {
            return enabled;
        }

        String description() {
            return description;
        }

        String note() {
            return note;
        }

        /** Turns the option off; true if this call did (the first). */
        synchronized boolean disable(String server) {
            if (!enabled) {
                return false;
            }
            enabled = false;
            if (note == null) {
                LOG.info("{} rejects {}; the session goes on without it", server, description);
            }
            return true;
        }
    }

    final Option putChecksums = new Option("checksums on PutObject and UploadPart (x-amz-checksum-* trailers)");
    final Option multipartChecksums = new Option("checksum algorithms on CreateMultipartUpload");
    final Option deleteIfMatch = new Option("If-Match on DeleteObject (deletions are checked with a HEAD only)");
    final Option putTags = new Option("object tags on PutObject and CreateMultipartUpload (x-amz-tagging)",
            "rejects object tags on uploads (501 NotImplemented): objects are copied without their tags");
    final Option copyChecksums = new Option("checksum algorithms on CopyObject");
    final Option completeChecksums = new Option("the whole object's checksum on CompleteMultipartUpload "
            + "(the checksum it returns is compared instead)");
    /** How many relayed writes with checksums the destination stored right, until it is trusted. */
    static final int WRITES_TO_CHECK = 3;
    private final java.util.concurrent.atomic.AtomicInteger goodWrites = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean plain;
    private volatile boolean tagCountReported;
    private volatile boolean tagsUnsupported;

    /** Uploads go without checksums from now on (chosen, or the destination stored a framed body). */
    synchronized boolean plainUploads() {
        if (plain) {
            return false;
        }
        plain = true;
        putChecksums.disable("the destination");
        multipartChecksums.disable("the destination");
        completeChecksums.disable("the destination");
        return true;
    }

    boolean plain() {
        return plain;
    }

    /**
     * Whether a write sent now (with checksums) is to be checked afterwards: until enough writes
     * to the destination came out right, and never once uploads are plain.
     */
    boolean checkWrites() {
        return !plain && goodWrites.get() < WRITES_TO_CHECK;
    }

    /** A checked write came out right. */
    void goodWrite() {
        goodWrites.incrementAndGet();
    }

    /** The source sent a tag count: from now on, a missing count means no tags. */
    void sawTagCount() {
        tagCountReported = true;
    }

    boolean tagCountReported() {
        return tagCountReported;
    }

    /** The source cannot read tags; true if this call said so first. */
    synchronized boolean tagsUnsupported(String server) {
        if (tagsUnsupported) {
            return false;
        }
        tagsUnsupported = true;
        return true;
    }

    boolean tagsUnsupported() {
        return tagsUnsupported;
    }
}
