package io.github.s3recon.transfer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a session learned about the servers: options a destination rejected (so they are not sent
 * again) and whether the source reports tag counts. S3 supports everything; S3-compatible servers
 * differ (S3Mock stores checksums only from trailing checksums, some servers reject those, few
 * send {@code x-amz-tagging-count}). Thread-safe; each flag only ever goes one way.
 */
final class ServerCapabilities {

    private static final Logger LOG = LoggerFactory.getLogger(SizeTieredScheduler.class);

    /** An option that is used until a server rejects it. */
    static final class Option {
        private final String description;
        private volatile boolean enabled = true;

        Option(String description) {
            this.description = description;
        }

        boolean enabled() {
            return enabled;
        }

        void disable(String server) {
            if (enabled) {
                enabled = false;
                LOG.info("{} rejects {}; the session goes on without it", server, description);
            }
        }
    }

    final Option putChecksums = new Option("checksums on PutObject and UploadPart (x-amz-checksum-* trailers)");
    final Option multipartChecksums = new Option("checksum algorithms on CreateMultipartUpload");
    final Option deleteIfMatch = new Option("If-Match on DeleteObject (deletions are checked with a HEAD only)");
    final Option copyChecksums = new Option("checksum algorithms on CopyObject");
    final Option completeChecksums = new Option("the whole object's checksum on CompleteMultipartUpload "
            + "(the checksum it returns is compared instead)");
    private volatile boolean tagCountReported;
    private volatile boolean tagsUnsupported;

    /** The source sent a tag count: from now on, a missing count means no tags. */
    void sawTagCount() {
        tagCountReported = true;
    }

    boolean tagCountReported() {
        return tagCountReported;
    }

    void tagsUnsupported(String server) {
        if (!tagsUnsupported) {
            tagsUnsupported = true;
            LOG.info("{} does not support object tagging; tags are not copied", server);
        }
    }

    boolean tagsUnsupported() {
        return tagsUnsupported;
    }
}
