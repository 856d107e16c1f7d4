package io.github.s3recon.internal;

import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.S3Location;
import io.github.s3recon.Verification;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ReconciliationReporter;
import io.github.s3recon.spi.TransferScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

/**
 * Everything a run needs, as the migration was built.
 *
 * @param source the source
 * @param destination the destination
 * @param sourceLister the source's lister
 * @param destinationLister the destination's lister
 * @param store the store for listings that need sorting
 * @param workDirectory the work directory
 * @param listener the (isolating) listener
 * @param reporters extra reporters
 * @param clock the clock
 * @param progressInterval the least time between progress snapshots
 * @param listingRanges how many key ranges to list and diff in parallel; 0 (not set) to choose from
 *     the first listing page ({@code RunSequencer.plan()})
 * @param filter the include and exclude globs
 * @param scheduler the copy engine, or null when none is on the class path (reconcile only)
 * @param overwrite which differing keys a run copies
 * @param deleteExtraneous whether a run deletes extraneous destination objects
 * @param maxDeletes the most deletions a run may plan
 * @param maxDeletePercent the largest share of the destination's objects (in scope) a run may delete, 0 to 100
 * @param allowEmptySource whether a run whose source listing is empty may delete
 * @param verification how a run verifies after copying
 * @param checksumAlgorithm the checksum computed while copying
 * @param checkpoints the store of run history and checkpoints
 * @param newRun whether to abandon an unfinished run rather than resume it
 * @param sourceObject the source when it is not an S3 bucket (e.g. a manifest of URLs), else null;
 *     {@code source} is then null
 */
public record RunSettings(S3Location source, S3Location destination, ObjectLister sourceLister,
        ObjectLister destinationLister, InventoryStore store, Path workDirectory, MigrationListener listener,
        List<ReconciliationReporter> reporters, Clock clock, Duration progressInterval, int listingRanges,
        KeyFilter filter, TransferScheduler scheduler, OverwritePolicy overwrite, boolean deleteExtraneous,
        long maxDeletes, int maxDeletePercent, boolean allowEmptySource, Verification verification, ChecksumAlgorithm checksumAlgorithm,
        io.github.s3recon.spi.CheckpointStore checkpoints, boolean newRun,
        io.github.s3recon.spi.ObjectSource sourceObject) {

    /**
     * Returns how the source is named in logs and messages: {@code s3://bucket/prefix} or the
     * source's own {@link io.github.s3recon.spi.ObjectSource#describe()}.
     *
     * @return the name; not null
     */
    public String sourceName() {
        return source != null ? source.toString() : sourceObject.describe();
    }

    /**
     * Returns what a report says of the source: its bucket and prefix, or, for a source that is not
     * a bucket, its {@link io.github.s3recon.spi.ObjectSource#describe()} as the bucket and an
     * empty prefix.
     *
     * @param objects the objects listed
     * @param bytes their total size
     * @return the summary
     */
    public io.github.s3recon.LocationSummary sourceSummary(long objects, long bytes) {
        return source != null ? new io.github.s3recon.LocationSummary(source.bucket(), source.prefix(), objects, bytes)
                : new io.github.s3recon.LocationSummary(sourceObject.describe(), "", objects, bytes);
    }
}
