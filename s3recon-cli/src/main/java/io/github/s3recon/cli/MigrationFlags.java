package io.github.s3recon.cli;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.Migration;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.Verification;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.inventory.S3InventoryLister;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Every option of {@link Migration.Builder} as a flag, and with {@link EngineFlags} every option of
 * the copy engines' builders ({@link SizeTieredScheduler.Builder} and the transfer manager's).
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
            description = "key ranges listed in parallel, 32+ for tens of millions of objects (default: chosen from "
                    + "the first listing page of each side: " + Migration.DEFAULT_LISTING_RANGES + ", or "
                    + Migration.LARGE_BUCKET_LISTING_RANGES + " when one holds " + Migration.FULL_FIRST_PAGE + " keys)")
    Integer listingRanges;

    /** The listers of S3 buckets. */
    enum Lister {
        /** {@link FastS3ObjectLister}: fetches and parses pages itself where that honours the client's settings. */
        FAST,
        /** {@link S3ObjectLister}: every page through the S3 client. */
        SDK
    }

    @Option(names = "--lister", paramLabel = "LISTER",
            description = "how buckets are listed: FAST (pages fetched and parsed by s3recon where that honours "
                    + "the client's settings, 3-6x the keys/s) or SDK (every page through the AWS SDK's client) "
                    + "(default: FAST, the library's default)")
    Lister lister;

    @Option(names = "--source-inventory", paramLabel = "MANIFEST",
            description = "list the source from an S3 Inventory report (CSV) instead of listing it: the "
                    + "manifest.json as s3://bucket/key (read with the source's credentials) or a local path "
                    + "(default: list the bucket)")
    String sourceInventory;

    @Option(names = "--destination-inventory", paramLabel = "MANIFEST",
            description = "list the destination from an S3 Inventory report, as --source-inventory "
                    + "(default: list the bucket)")
    String destinationInventory;

    @Option(names = "--new-run", description = "abandon an unfinished run in the work directory instead of resuming it")
    Boolean newRun;

    @Option(names = "--validation-probe-prefix", paramLabel = "PREFIX",
            description = "where under the destination prefix validate writes its probe (default: "
                    + Migration.DEFAULT_VALIDATION_PROBE_PREFIX + ")")
    String validationProbePrefix;

    @Mixin
    EngineFlags engine;

    @Option(names = "--progress-interval", paramLabel = "SECONDS",
            description = "seconds between progress lines when stderr is not a terminal (default: 5)")
    Integer progressSeconds;

    /** Resources the flags created, owned by the command and closed after the migration. */
    private final List<AutoCloseable> created = new ArrayList<>();

    /**
     * Applies every flag that was given to a builder.
     *
     * @param b the builder; not null
     * @param sourceClient the source's client, which reads an {@code s3://} source inventory; null
     *     when the source is not a bucket
     * @param destinationClient the destination's client, which reads an {@code s3://} destination
     *     inventory; null when the command has no destination of its own ({@code estimate})
     * @return the same builder
     * @throws S3ReconException with {@code INVALID_CONFIGURATION} naming a flag whose value the
     *     library refuses, or an inventory flag without a bucket to list
     */
    Migration.Builder apply(Migration.Builder b, S3AsyncClient sourceClient, S3AsyncClient destinationClient) {
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
        if (lister != null) {
            ObjectLister l = lister == Lister.FAST ? FastS3ObjectLister.create() : S3ObjectLister.create();
            created.add(l);
            b.objectLister(l);
        }
        if (sourceInventory != null) {
            ObjectLister l = inventory(sourceInventory, sourceClient, "--source-inventory");
            created.add(l);
            b.sourceLister(l);
        }
        if (destinationInventory != null) {
            ObjectLister l = inventory(destinationInventory, destinationClient, "--destination-inventory");
            created.add(l);
            b.destinationLister(l);
        }
        TransferScheduler scheduler = engine.create();
        if (scheduler != null) {
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

    /** An S3 Inventory report as a lister: s3://bucket/key of its manifest.json, or a local path. */
    private static ObjectLister inventory(String manifest, S3AsyncClient client, String flag) {
        if (client == null) {
            throw S3ReconException.invalidConfiguration(flag, manifest,
                    "needs a bucket to list: this command's location is not an S3 bucket");
        }
        if (manifest.startsWith("s3://")) {
            S3Url url = S3Url.parse(manifest, flag);
            if (url.prefix().isEmpty()) {
                throw S3ReconException.invalidConfiguration(flag, manifest,
                        "must name the report's manifest.json, e.g. s3://reports/inv/photos/daily/2024-06-01T01-00Z/manifest.json");
            }
            return S3InventoryLister.fromManifest(client, url.bucket(), url.prefix());
        }
        Path file = Path.of(manifest).toAbsolutePath().normalize();
        if (!Files.exists(file)) {
            throw S3ReconException.invalidConfiguration(flag, manifest,
                    "names no file: give the manifest.json of an S3 Inventory report (local path or s3://bucket/key)");
        }
        return S3InventoryLister.fromManifest(file);
    }
}
