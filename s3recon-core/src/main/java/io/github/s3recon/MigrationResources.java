package io.github.s3recon;

import io.github.s3recon.internal.Overlap;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStoreProvider;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.InventoryStoreProvider;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ObjectListerProvider;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.spi.TransferSchedulerProvider;
import java.io.IOException;
import java.nio.file.Files;

/**
 * The lister, stores and transfer scheduler a migration works with, and which of them it owns: those
 * given to the builder stay the caller's; those found through {@link ProviderLookup} are the
 * migration's, and {@link #close()} closes them. The S3 clients are always the caller's.
 *
 * <p>Immutable after {@link #open}; {@link #close()} is called once, under the migration's run lock.
 */
final class MigrationResources implements AutoCloseable {

    private static final String INSTEAD = "pass an instance to the builder";

    final ObjectLister lister;
    final ObjectLister sourceLister;
    final ObjectLister destinationLister;
    final InventoryStore store;
    /** Null when no scheduler is on the class path: reconcile() and plan() work, run() says what to add. */
    final TransferScheduler scheduler;
    final CheckpointStore checkpoints;
    private final boolean ownsLister;
    private final boolean ownsStore;
    private final boolean ownsScheduler;
    private final boolean ownsCheckpoints;

    private MigrationResources(MigrationOptions o, ObjectLister lister, InventoryStore store,
            TransferScheduler scheduler, CheckpointStore checkpoints) {
        this.lister = lister;
        this.sourceLister = o.sourceLister != null ? o.sourceLister : lister;
        this.destinationLister = o.destinationLister != null ? o.destinationLister : lister;
        this.store = store;
        this.scheduler = scheduler;
        this.checkpoints = checkpoints;
        this.ownsLister = o.lister == null;
        this.ownsStore = o.store == null;
        this.ownsScheduler = o.scheduler == null;
        this.ownsCheckpoints = o.checkpoints == null;
    }

    /**
     * Checks what needs several settings, creates the work directory and finds what the options do
     * not give; on a failure, closes what it opened before throwing.
     *
     * @param o the frozen options
     * @return the resources; close them
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} naming every missing required
     *     setting, {@link ErrorCode#LOCATIONS_OVERLAP}, {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} or
     *     {@link ErrorCode#MISSING_PROVIDER}
     */
    static MigrationResources open(MigrationOptions o) {
        boolean noSource = o.source == null && o.sourceObject == null;
        if (noSource || o.destination == null || o.workDirectory == null) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "a migration needs "
                    + (noSource ? "a source, " : "") + (o.destination == null ? "a destination, " : "")
                    + (o.workDirectory == null ? "a work directory, " : "")
                    + "set with Migration.builder().source(...).destination(...).workDirectory(...)");
        }
        if (o.source != null) {
            Overlap.check(o.source, o.destination); // another source cannot overlap a bucket
        }
        try {
            Files.createDirectories(o.workDirectory);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot create the work directory "
                    + o.workDirectory + ": " + e + " (choose a writable directory)", e);
        }
        ObjectLister lister = null;
        InventoryStore store = null;
        TransferScheduler scheduler = null;
        try {
            lister = o.lister != null ? o.lister : ProviderLookup.require(ObjectListerProvider.class, INSTEAD).create();
            store = o.store != null ? o.store
                    : ProviderLookup.require(InventoryStoreProvider.class, INSTEAD).open(o.workDirectory);
            scheduler = o.scheduler != null ? o.scheduler
                    : ProviderLookup.find(TransferSchedulerProvider.class).map(TransferSchedulerProvider::create)
                            .orElse(null);
            CheckpointStore checkpoints = o.checkpoints != null ? o.checkpoints
                    : ProviderLookup.require(CheckpointStoreProvider.class, INSTEAD).open(o.workDirectory);
            return new MigrationResources(o, lister, store, scheduler, checkpoints);
        } catch (RuntimeException e) {
            // The failure being thrown is the one to report; close only what was opened here.
            closeQuietly(o.lister == null ? lister : null, o.store == null ? store : null,
                    o.scheduler == null ? scheduler : null);
            throw e;
        }
    }

    /** Closes what the migration found itself; never what was passed to the builder. */
    @Override
    public void close() {
        if (ownsLister) {
            lister.close();
        }
        if (ownsStore) {
            store.close();
        }
        if (ownsScheduler && scheduler != null) {
            scheduler.close();
        }
        if (ownsCheckpoints) {
            checkpoints.close();
        }
    }

    private static void closeQuietly(AutoCloseable... resources) {
        for (AutoCloseable r : resources) {
            try {
                if (r != null) {
                    r.close();
                }
            } catch (Exception ignored) {
                // the failure being thrown is the one to report
            }
        }
    }
}
