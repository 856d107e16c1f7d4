package io.github.s3recon.cli;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.DataSize;
import io.github.s3recon.Migration;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.Verification;
import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Every option of {@link Migration.Builder} and {@link SizeTieredScheduler.Builder} as a flag.
 * A flag not given leaves the library's default in place (the CLI repeats no default of its own),
 * so the CLI and the library never disagree. A picocli mixin; not thread-safe.
 */
public final class MigrationFlags {

    @Option(names = "--include", paramLabel = "GLOB",
            description = "keys to include, globs on the key relative to the prefix (repeatable; default: all)")
    List<String> includes = new ArrayList<>();

    @Option(names = "--trial-prefix", paramLabel = "PREFIX",
            description = "where trial copies go under the destination (default: _test/)")
    String trialPrefix;

    @Option(names = "--exclude", paramLabel = "GLOB", description = "keys to exclude (repeatable; default: none)")
    List<String> excludes = new ArrayList<>();

    @Option(names = "--overwrite", paramLabel = "POLICY",
            description = "which keys the destination already has are copied: ${COMPLETION-CANDIDATES} "
                    + "(default: IF_DIFFERENT)")
    OverwritePolicy overwrite;

    @Option(names = "--delete", description = "delete destination objects the source does not have (default: off)")
    Boolean delete;

    @Option(names = "--max-deletes", paramLabel = "N",
            description = "refuse a run that plans more deletions (default: " + Migration.DEFAULT_MAX_DELETES + ")")
    Long maxDeletes;

    @Option(names = "--max-delete-percent", paramLabel = "P",
            description = "refuse a run that deletes a larger share of the destination; 100 turns it off (default: "
                    + Migration.DEFAULT_MAX_DELETE_PERCENT + ")")
    Integer maxDeletePercent;

    @Option(names = "--allow-empty-source", description = "let an empty source delete the destination's objects (default: off)")
    Boolean allowEmptySource;

    @Option(names = "--verification", paramLabel = "MODE",
            description = "how a run verifies the destination: ${COMPLETION-CANDIDATES} (default: CHECKSUM)")
    Verification verification;

    @Option(names = "--checksum-algorithm", paramLabel = "ALG",
            description = "checksum the destination stores: ${COMPLETION-CANDIDATES} (default: CRC64NVME)")
    ChecksumAlgorithm checksumAlgorithm;

    @Option(names = "--listing-ranges", paramLabel = "N",
            description = "key ranges listed in parallel, 32+ for millions of objects (default: "
                    + Migration.DEFAULT_LISTING_RANGES + ")")
    Integer listingRanges;

    @Option(names = "--fast-lister", description = "list with FastS3ObjectLister (3-6x the keys/s; bypasses the "
            + "client's proxy and TLS settings) (default: off)")
    boolean fastLister;

    @Option(names = "--new-run", description = "abandon an unfinished run in the work directory instead of resuming it")
    Boolean newRun;

    @Option(names = "--validation-probe-prefix", paramLabel = "PREFIX",
            description = "where under the destination prefix validate writes its probe (default: "
                    + Migration.DEFAULT_VALIDATION_PROBE_PREFIX + ")")
    String validationProbePrefix;

    @Option(names = "--small-object-threshold", paramLabel = "SIZE", converter = DataSizes.class,
            description = "objects from this size are copied as multipart uploads (default: 16MiB)")
    DataSize smallObjectThreshold;

    @Option(names = "--part-size", paramLabel = "SIZE", converter = DataSizes.class,
            description = "part size of relayed multipart copies (default: 16MiB)")
    DataSize partSize;

    @Option(names = "--multipart-copy-threshold", paramLabel = "SIZE", converter = DataSizes.class,
            description = "server-side copies from this size use UploadPartCopy (default: 5GiB)")
    DataSize multipartCopyThreshold;

    @Option(names = "--max-in-flight", paramLabel = "SIZE", converter = DataSizes.class,
            description = "byte budget of relayed copies (default: 256MiB or a quarter of the heap, the smaller)")
    DataSize maxInFlight;

    @Option(names = "--small-concurrency", paramLabel = "N", description = "small objects copied at once (default: 128)")
    Integer smallConcurrency;

    @Option(names = "--large-concurrency", paramLabel = "N", description = "large objects copied at once (default: 8)")
    Integer largeConcurrency;

    @Option(names = "--max-requests-per-second", paramLabel = "R", description = "request rate limit (default: unlimited)")
    Double maxRequestsPerSecond;

    @Option(names = "--max-bytes-per-second", paramLabel = "SIZE", converter = DataSizes.class,
            description = "bandwidth limit of relayed copies (default: unlimited)")
    DataSize maxBytesPerSecond;

    @Option(names = "--max-attempts", paramLabel = "N", description = "attempts per object, the first included (default: 10)")
    Integer maxAttempts;

    @Option(names = "--no-copy-tags", description = "do not copy object tags")
    boolean noCopyTags;

    @Option(names = "--no-server-side-copy", description = "relay every copy through this machine, even on one endpoint")
    boolean noServerSideCopy;

    @Option(names = "--plain-uploads", description = "upload with Content-MD5 and no checksum trailer (servers that store aws-chunked framing)")
    boolean plainUploads;

    @Option(names = "--no-direct-requests", description = "send every request of small relays through the SDK's "
            + "pipeline (by default their GETs and PUTs go over the JDK's HTTP client, signed as the SDK would)")
    boolean noDirectRequests;

    @Option(names = "--progress-interval", paramLabel = "SECONDS",
            description = "seconds between progress lines when stderr is not a terminal (default: 5)")
    Integer progressSeconds;

    /** Resources the flags created, owned by the command and closed after the migration. */
    private final List<AutoCloseable> created = new ArrayList<>();

    /**
     * Applies every flag that was given to a builder.
     *
     * @param b the builder; not null
     * @return the same builder
     */
    Migration.Builder apply(Migration.Builder b) {
        if (!includes.isEmpty()) {
            b.include(includes.toArray(String[]::new));
        }
        if (!excludes.isEmpty()) {
            b.exclude(excludes.toArray(String[]::new));
        }
        if (trialPrefix != null) {
            b.trialPrefix(trialPrefix);
        }
        if (overwrite != null) {
            b.overwrite(overwrite);
        }
        if (delete != null) {
            b.deleteExtraneous(delete);
        }
        if (maxDeletes != null) {
            b.maxDeletes(maxDeletes);
        }
        if (maxDeletePercent != null) {
            b.maxDeletePercent(maxDeletePercent);
        }
        if (allowEmptySource != null) {
            b.allowEmptySource(allowEmptySource);
        }
        if (verification != null) {
            b.verification(verification);
        }
        if (checksumAlgorithm != null) {
            b.checksumAlgorithm(checksumAlgorithm);
        }
        if (listingRanges != null) {
            b.listingRanges(listingRanges);
        }
        if (newRun != null) {
            b.newRun(newRun);
        }
        if (validationProbePrefix != null) {
            b.validationProbePrefix(validationProbePrefix);
        }
        if (fastLister) {
            ObjectLister lister = FastS3ObjectLister.create();
            created.add(lister);
            b.objectLister(lister);
        }
        if (schedulerFlagGiven()) {
            SizeTieredScheduler scheduler = scheduler();
            created.add(scheduler);
            b.transferScheduler(scheduler);
        }
        b.progressInterval(Duration.ofSeconds(1));
        return b;
    }

    /** How often plain progress lines are printed. */
    Duration progressLineInterval() {
        return Duration.ofSeconds(progressSeconds == null ? 5 : Math.max(1, progressSeconds));
    }

    /** Closes the lister and scheduler the flags created; quietly. */
    void closeCreated() {
        for (AutoCloseable c : created) {
            try {
                c.close();
            } catch (Exception ignored) {
                // Closing is best effort: the run's result is already known.
            }
        }
        created.clear();
    }

    private boolean schedulerFlagGiven() {
        return smallObjectThreshold != null || partSize != null || multipartCopyThreshold != null || maxInFlight != null
                || smallConcurrency != null || largeConcurrency != null || maxRequestsPerSecond != null
                || maxBytesPerSecond != null || maxAttempts != null || noCopyTags || noServerSideCopy || plainUploads
                || noDirectRequests;
    }

    private SizeTieredScheduler scheduler() {
        SizeTieredScheduler.Builder s = SizeTieredScheduler.builder();
        if (smallObjectThreshold != null) {
            s.smallObjectThreshold(smallObjectThreshold);
        }
        if (partSize != null) {
            s.partSize(partSize);
        }
        if (multipartCopyThreshold != null) {
            s.multipartCopyThreshold(multipartCopyThreshold);
        }
        if (maxInFlight != null) {
            s.maxInFlightBytes(maxInFlight);
        }
        if (smallConcurrency != null) {
            s.smallObjectConcurrency(smallConcurrency);
        }
        if (largeConcurrency != null) {
            s.largeObjectConcurrency(largeConcurrency);
        }
        if (maxRequestsPerSecond != null) {
            s.maxRequestsPerSecond(maxRequestsPerSecond);
        }
        if (maxBytesPerSecond != null) {
            s.maxBytesPerSecond(maxBytesPerSecond);
        }
        if (maxAttempts != null) {
            s.maxAttempts(maxAttempts);
        }
        if (noCopyTags) {
            s.copyTags(false);
        }
        if (noServerSideCopy) {
            s.serverSideCopy(false);
        }
        if (noDirectRequests) {
            s.directRequests(false);
        }
        if (plainUploads) {
            s.plainUploads(true);
        }
        return s.build();
    }
}
