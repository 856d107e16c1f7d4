package io.github.s3recon.cli;

import io.github.s3recon.DataSize;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.transfer.SizeTieredScheduler;
import io.github.s3recon.transfer.TransferManagerScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/**
 * The copy engine and every option of its builder as a flag: {@link SizeTieredScheduler.Builder}
 * (the library's default engine) and {@link TransferManagerScheduler.Builder}
 * ({@code --engine transfer-manager}). A flag not given leaves the builder's default in place;
 * no flag given at all leaves the engine to the library (its provider's default scheduler). A flag
 * of the other engine is refused with a message that names it, rather than silently ignored.
 * A picocli mixin of {@link MigrationFlags}; not thread-safe.
 */
public final class EngineFlags {

    /** The copy engines. */
    enum Engine {
        /** {@link SizeTieredScheduler}, the library's default. */
        SIZE_TIERED("size-tiered"),
        /** {@link TransferManagerScheduler}, the AWS SDK's transfer manager. */
        TRANSFER_MANAGER("transfer-manager");

        final String flag;

        Engine(String flag) {
            this.flag = flag;
        }
    }

    /** Reads {@code size-tiered}, {@code transfer-manager} (any case, {@code -} or {@code _}). */
    static final class EngineConverter implements ITypeConverter<Engine> {
        @Override
        public Engine convert(String value) {
            for (Engine e : Engine.values()) {
                if (e.flag.equalsIgnoreCase(value.trim().replace('_', '-'))) {
                    return e;
                }
            }
            throw new TypeConversionException("'" + value + "' is not an engine: size-tiered or transfer-manager");
        }
    }

    @Option(names = "--engine", paramLabel = "ENGINE", converter = EngineConverter.class,
            description = "copy engine: size-tiered (the library's own) or transfer-manager (the AWS SDK's "
                    + "S3TransferManager) (default: size-tiered)")
    Engine engine;

    // Both engines.

    @Option(names = "--part-size", paramLabel = "SIZE", converter = DataSizes.class,
            description = "part size of multipart copies (default: 16MiB)")
    DataSize partSize;

    @Option(names = "--max-attempts", paramLabel = "N", description = "attempts per object, the first included (default: 10)")
    Integer maxAttempts;

    @Option(names = "--initial-backoff", paramLabel = "DURATION", converter = Durations.class,
            description = "wait before the first retry, doubled each retry with full jitter, e.g. 250ms (default: 100ms)")
    Duration initialBackoff;

    @Option(names = "--max-backoff", paramLabel = "DURATION", converter = Durations.class,
            description = "longest wait between two attempts, e.g. 1m (default: 20s)")
    Duration maxBackoff;

    @Option(names = "--no-copy-tags", description = "do not copy object tags")
    boolean noCopyTags;

    @Option(names = "--no-server-side-copy", description = "relay every copy through this machine, even on one endpoint")
    boolean noServerSideCopy;

    // size-tiered only.

    @Option(names = "--small-object-threshold", paramLabel = "SIZE", converter = DataSizes.class,
            description = "size-tiered: objects from this size are copied as multipart uploads (default: 16MiB)")
    DataSize smallObjectThreshold;

    @Option(names = "--multipart-copy-threshold", paramLabel = "SIZE", converter = DataSizes.class,
            description = "size-tiered: server-side copies from this size use UploadPartCopy (default: 5GiB)")
    DataSize multipartCopyThreshold;

    @Option(names = "--max-in-flight", paramLabel = "SIZE", converter = DataSizes.class,
            description = "size-tiered: byte budget of relayed copies, by default at most a quarter of the heap (default: 256MiB)")
    DataSize maxInFlight;

    @Option(names = "--small-concurrency", paramLabel = "N",
            description = "size-tiered: small objects copied at once (default: 128)")
    Integer smallConcurrency;

    @Option(names = "--large-concurrency", paramLabel = "N",
            description = "size-tiered: parts of large objects copied at once (default: 8)")
    Integer largeConcurrency;

    @Option(names = "--max-requests-per-second", paramLabel = "R",
            description = "size-tiered: request rate limit (default: unlimited)")
    Double maxRequestsPerSecond;

    @Option(names = "--max-bytes-per-second", paramLabel = "SIZE", converter = DataSizes.class,
            description = "size-tiered: bandwidth limit (default: unlimited)")
    DataSize maxBytesPerSecond;

    @Option(names = "--plain-uploads", description = "size-tiered: upload with Content-MD5 and no checksum trailer "
            + "(servers that store aws-chunked framing) (default: off, switched on by itself when needed)")
    boolean plainUploads;

    @Option(names = "--no-direct-requests", description = "size-tiered: send every request of small relays through "
            + "the SDK's pipeline (by default their GETs and PUTs go over the JDK's HTTP client, signed as the SDK would)")
    boolean noDirectRequests;

    // transfer-manager only.

    @Option(names = "--transfer-manager-clients", paramLabel = "KIND",
            description = "transfer-manager: clients it wraps: ${COMPLETION-CANDIDATES} (default: AS_GIVEN)")
    TransferManagerScheduler.Clients transferManagerClients;

    @Option(names = "--max-concurrency", paramLabel = "N",
            description = "transfer-manager: objects copied at once (default: 64)")
    Integer maxConcurrency;

    @Option(names = "--multipart-threshold", paramLabel = "SIZE", converter = DataSizes.class,
            description = "transfer-manager: size from which MULTIPART and CRT clients split objects (default: 16MiB)")
    DataSize multipartThreshold;

    @Option(names = "--target-throughput-gbps", paramLabel = "GBPS",
            description = "transfer-manager: target throughput of CRT clients, Gbit/s (default: 10)")
    Double targetThroughputGbps;

    /**
     * Builds the engine the flags ask for.
     *
     * @return the scheduler, owned by the caller; null when no engine flag was given (the
     *     library's default engine then runs, with its defaults)
     * @throws S3ReconException with {@code INVALID_CONFIGURATION} naming a flag of the other engine,
     *     or a value the builder refuses
     */
    TransferScheduler create() {
        List<String> tiered = sizeTieredFlagsGiven();
        List<String> manager = transferManagerFlagsGiven();
        Engine chosen = engine != null ? engine : !manager.isEmpty() ? Engine.TRANSFER_MANAGER : Engine.SIZE_TIERED;
        List<String> foreign = chosen == Engine.SIZE_TIERED ? manager : tiered;
        if (!foreign.isEmpty()) {
            Engine other = chosen == Engine.SIZE_TIERED ? Engine.TRANSFER_MANAGER : Engine.SIZE_TIERED;
            throw S3ReconException.invalidConfiguration(foreign.get(0), "given with --engine " + chosen.flag,
                    "applies to --engine " + other.flag + " only: drop it or pass --engine " + other.flag);
        }
        boolean common = partSize != null || maxAttempts != null || initialBackoff != null || maxBackoff != null
                || noCopyTags || noServerSideCopy;
        if (engine == null && !common && tiered.isEmpty() && manager.isEmpty()) {
            return null;
        }
        return chosen == Engine.SIZE_TIERED ? sizeTiered() : transferManager();
    }

    private List<String> sizeTieredFlagsGiven() {
        List<String> given = new ArrayList<>();
        add(given, smallObjectThreshold != null, "--small-object-threshold");
        add(given, multipartCopyThreshold != null, "--multipart-copy-threshold");
        add(given, maxInFlight != null, "--max-in-flight");
        add(given, smallConcurrency != null, "--small-concurrency");
        add(given, largeConcurrency != null, "--large-concurrency");
        add(given, maxRequestsPerSecond != null, "--max-requests-per-second");
        add(given, maxBytesPerSecond != null, "--max-bytes-per-second");
        add(given, plainUploads, "--plain-uploads");
        add(given, noDirectRequests, "--no-direct-requests");
        return given;
    }

    private List<String> transferManagerFlagsGiven() {
        List<String> given = new ArrayList<>();
        add(given, transferManagerClients != null, "--transfer-manager-clients");
        add(given, maxConcurrency != null, "--max-concurrency");
        add(given, multipartThreshold != null, "--multipart-threshold");
        add(given, targetThroughputGbps != null, "--target-throughput-gbps");
        return given;
    }

    private static void add(List<String> to, boolean given, String flag) {
        if (given) {
            to.add(flag);
        }
    }

    private SizeTieredScheduler sizeTiered() {
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
        if (initialBackoff != null) {
            s.initialBackoff(initialBackoff);
        }
        if (maxBackoff != null) {
            s.maxBackoff(maxBackoff);
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

    private TransferManagerScheduler transferManager() {
        TransferManagerScheduler.Builder t = TransferManagerScheduler.builder();
        if (transferManagerClients != null) {
            t.clients(transferManagerClients);
        }
        if (maxConcurrency != null) {
            t.maxConcurrency(maxConcurrency);
        }
        if (partSize != null) {
            t.partSize(partSize);
        }
        if (multipartThreshold != null) {
            t.multipartThreshold(multipartThreshold);
        }
        if (targetThroughputGbps != null) {
            t.targetThroughputGbps(targetThroughputGbps);
        }
        if (maxAttempts != null) {
            t.maxAttempts(maxAttempts);
        }
        if (initialBackoff != null) {
            t.initialBackoff(initialBackoff);
        }
        if (maxBackoff != null) {
            t.maxBackoff(maxBackoff);
        }
        if (noCopyTags) {
            t.copyTags(false);
        }
        if (noServerSideCopy) {
            t.serverSideCopy(false);
        }
        return t.build();
    }
}
