package io.github.s3recon;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.internal.KeyFilter;
import io.github.s3recon.internal.validation.Validator;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.spi.ReconciliationReporter;
import io.github.s3recon.spi.TransferScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a {@link Migration.Builder} was told, each setting at its default until set: the builder
 * writes here (after checking each value), {@link #frozen()} gives the migration its own copy. The
 * public defaults are constants of {@link Migration}; the rest are here.
 *
 * <p>Not thread-safe while a builder writes it; a frozen copy is never written again.
 */
final class MigrationOptions {

    /** The source when it is an S3 bucket; null for another source ({@link #sourceObject}). */
    S3Location source;
    /** The source when it is not an S3 bucket (a manifest of URLs); null for a bucket. */
    io.github.s3recon.spi.ObjectSource sourceObject;
    S3Location destination;
    Path workDirectory;
    List<MigrationListener> listeners = new ArrayList<>();
    List<ReconciliationReporter> reporters = new ArrayList<>();
    ObjectLister lister;
    ObjectLister sourceLister;
    ObjectLister destinationLister;
    InventoryStore store;
    TransferScheduler scheduler;
    CheckpointStore checkpoints;
    Clock clock = Clock.systemUTC();
    Duration progressInterval = Duration.ofSeconds(1);
    /** Not set: the sequencer chooses from the first listing page ({@link io.github.s3recon.internal.run.RunSequencer#plan()}). */
    int listingRanges = io.github.s3recon.internal.run.RunSequencer.CHOSEN_LISTING_RANGES;
    List<String> includes = new ArrayList<>();
    List<String> excludes = new ArrayList<>();
    OverwritePolicy overwrite = OverwritePolicy.IF_DIFFERENT;
    boolean deleteExtraneous;
    long maxDeletes = Migration.DEFAULT_MAX_DELETES;
    int maxDeletePercent = Migration.DEFAULT_MAX_DELETE_PERCENT;
    boolean allowEmptySource;
    Verification verification = Verification.CHECKSUM;
    ChecksumAlgorithm checksumAlgorithm = ChecksumAlgorithm.CRC64NVME;
    boolean newRun;
    String validationProbePrefix = Validator.DEFAULT_PROBE_PREFIX;
    String trialPrefix = Migration.DEFAULT_TRIAL_PREFIX;

    /** Returns a copy with immutable lists, for a built migration: the builder may go on changing. */
    MigrationOptions frozen() {
        MigrationOptions o = new MigrationOptions();
        o.source = source;
        o.sourceObject = sourceObject;
        o.destination = destination;
        o.workDirectory = workDirectory;
        o.listeners = List.copyOf(listeners);
        o.reporters = List.copyOf(reporters);
        o.lister = lister;
        o.sourceLister = sourceLister;
        o.destinationLister = destinationLister;
        o.store = store;
        o.scheduler = scheduler;
        o.checkpoints = checkpoints;
        o.clock = clock;
        o.progressInterval = progressInterval;
        o.listingRanges = listingRanges;
        o.includes = List.copyOf(includes);
        o.excludes = List.copyOf(excludes);
        o.overwrite = overwrite;
        o.deleteExtraneous = deleteExtraneous;
        o.maxDeletes = maxDeletes;
        o.maxDeletePercent = maxDeletePercent;
        o.allowEmptySource = allowEmptySource;
        o.verification = verification;
        o.checksumAlgorithm = checksumAlgorithm;
        o.newRun = newRun;
        o.validationProbePrefix = validationProbePrefix;
        o.trialPrefix = trialPrefix;
        return o;
    }

    /** The include and exclude globs as one filter. */
    KeyFilter filter() {
        return new KeyFilter(includes, excludes);
    }

    /**
     * Checks the globs given to {@code include} or {@code exclude}.
     *
     * @param globs the globs as given
     * @param parameter {@code include} or {@code exclude}, for the message
     * @return the globs
     * @throws S3ReconException with {@link ErrorCode#INVALID_CONFIGURATION} naming the parameter and the
     *     malformed glob, or saying that there was none
     */
    static List<String> checkGlobs(String[] globs, String parameter) {
        if (globs == null || globs.length == 0) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, parameter + " needs at least one glob, was "
                    + (globs == null ? "null" : "empty"));
        }
        List<String> checked = new ArrayList<>(globs.length);
        for (String glob : globs) {
            try {
                checked.add(KeyFilter.check(glob));
            } catch (S3ReconException e) {
                throw new S3ReconException(e.code(), parameter + ": " + e.getMessage(), e.getCause());
            }
        }
        return checked;
    }
}
