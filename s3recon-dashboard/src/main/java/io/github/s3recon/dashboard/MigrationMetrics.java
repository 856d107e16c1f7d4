package io.github.s3recon.dashboard;

import io.github.s3recon.MigrationState;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.spi.TransferScheduler;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link MigrationListener} that counts a migration's events into a Micrometer
 * {@link MeterRegistry}, every meter tagged {@code migration=<name>}:
 *
 * <ul>
 *   <li>counters {@code s3recon.objects.copied}, {@code s3recon.bytes.copied},
 *       {@code s3recon.objects.deleted}, {@code s3recon.objects.failed}, {@code s3recon.retries},
 *       {@code s3recon.objects.listed} (the objects a listing phase counted, added when it ends),
 *       {@code s3recon.differences} (tag {@code type}), {@code s3recon.runs.finished} (tag
 *       {@code state});</li>
 *   <li>timer {@code s3recon.phase.duration} (tag {@code phase});</li>
 *   <li>gauges {@code s3recon.transfer.bytes.per.second}, {@code s3recon.transfer.objects.per.second}
 *       (the moving averages of the last transfer progress), {@code s3recon.transfer.bytes.remaining}
 *       (bytes of the plan not yet copied: the backlog), {@code s3recon.transfer.bytes.in.flight}
 *       (bytes of the copies started and not yet copied or failed; counted only when the run's
 *       transfer scheduler is wrapped by {@link #instrument(TransferScheduler)}, since no event says
 *       when a copy starts), {@code s3recon.running} (1 while a run is between its first event and
 *       its terminal one).</li>
 * </ul>
 *
 * <p>Register one instance per migration name: Micrometer keeps the first gauge registered under a
 * name and tags, so a second instance with the same name would not be seen in the gauges.
 *
 * <p>Thread-safe: the engine calls listeners from many threads. Never throws from an event method.
 * With Prometheus, the names become e.g. {@code s3recon_bytes_copied_total}.
 */
public final class MigrationMetrics implements MigrationListener {

    private final MeterRegistry registry;
    private final Tags tags;
    private final Counter objectsCopied;
    private final Counter bytesCopied;
    private final Counter objectsDeleted;
    private final Counter objectsFailed;
    private final Counter retries;
    private final AtomicLong bytesPerSecond = new AtomicLong();
    private final AtomicLong objectsPerSecond = new AtomicLong();
    private final AtomicLong bytesRemaining = new AtomicLong();
    private final AtomicLong bytesInFlight = new AtomicLong();
    private final AtomicLong running = new AtomicLong();

    /**
     * Registers the meters of one migration.
     *
     * @param registry where the meters go; not null
     * @param migration the value of the {@code migration} tag; not null
     */
    public MigrationMetrics(MeterRegistry registry, String migration) {
        this.registry = Objects.requireNonNull(registry, "registry");
        this.tags = Tags.of("migration", Objects.requireNonNull(migration, "migration"));
        objectsCopied = counter("s3recon.objects.copied", "objects copied");
        bytesCopied = Counter.builder("s3recon.bytes.copied").baseUnit("bytes").description("bytes copied")
                .tags(tags).register(registry);
        objectsDeleted = counter("s3recon.objects.deleted", "objects deleted");
        objectsFailed = counter("s3recon.objects.failed", "objects whose copy or deletion failed for good");
        retries = counter("s3recon.retries", "requests retried");
        Gauge.builder("s3recon.transfer.bytes.per.second", bytesPerSecond, AtomicLong::get).tags(tags)
                .description("moving average of the transfer rate").register(registry);
        Gauge.builder("s3recon.transfer.objects.per.second", objectsPerSecond, AtomicLong::get).tags(tags)
                .description("moving average of objects copied per second").register(registry);
        Gauge.builder("s3recon.transfer.bytes.remaining", bytesRemaining, AtomicLong::get).tags(tags)
                .baseUnit("bytes").description("bytes of the plan not yet copied").register(registry);
        Gauge.builder("s3recon.transfer.bytes.in.flight", bytesInFlight, v -> Math.max(0, v.get())).tags(tags)
                .baseUnit("bytes").description("bytes of copies started and not yet ended").register(registry);
        Gauge.builder("s3recon.running", running, AtomicLong::get).tags(tags)
                .description("1 while a run is going on").register(registry);
    }

    /**
     * Wraps a transfer scheduler so that the bytes of the copies it has started and not yet ended
     * show in {@code s3recon.transfer.bytes.in.flight}: give the result to
     * {@code Migration.builder().transferScheduler(...)} together with this listener. The copies
     * themselves are the wrapped scheduler's, unchanged; closing the result closes it.
     *
     * @param scheduler the scheduler that copies; not null
     * @return a scheduler that counts what is in flight; thread-safe as the wrapped one
     */
    public TransferScheduler instrument(TransferScheduler scheduler) {
        return new InFlightScheduler(Objects.requireNonNull(scheduler, "scheduler"), bytesInFlight);
    }

    /** @return the bytes of the copies in flight now, as the gauge shows them */
    long bytesInFlight() {
        return bytesInFlight.get();
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).tags(tags).register(registry);
    }

    @Override
    public void onProgress(ProgressSnapshot event) {
        running.set(1);
        if (event.phase() == MigrationState.TRANSFERRING) {
            bytesPerSecond.set((long) event.bytesPerSecond());
            objectsPerSecond.set((long) event.objectsPerSecond());
            bytesRemaining.set(event.bytesTotal() < 0 ? 0 : Math.max(0, event.bytesTotal() - event.bytesDone()));
        }
    }

    @Override
    public void onDifference(DifferenceFound event) {
        registry.counter("s3recon.differences", tags.and("type", event.difference().type().name())).increment();
    }

    @Override
    public void onObjectCopied(ObjectCopied event) {
        objectsCopied.increment();
        bytesCopied.increment(event.bytes());
    }

    @Override
    public void onObjectDeleted(ObjectDeleted event) {
        objectsDeleted.increment();
    }

    @Override
    public void onObjectFailed(ObjectFailed event) {
        objectsFailed.increment();
    }

    @Override
    public void onRetry(TransferRetried event) {
        retries.increment();
    }

    @Override
    public void onPhaseFinished(PhaseFinished event) {
        Timer.builder("s3recon.phase.duration").tags(tags.and("phase", event.phase().name())).register(registry)
                .record(event.duration());
        if (event.phase() == MigrationState.LISTING) {
            registry.counter("s3recon.objects.listed", tags).increment(event.objects());
        }
    }

    @Override
    public void onFinished(RunFinished event) {
        running.set(0);
        bytesInFlight.set(0); // its sessions are closed: whatever did not report an end is not in flight
        bytesPerSecond.set(0);
        objectsPerSecond.set(0);
        registry.counter("s3recon.runs.finished", tags.and("state", event.state().name())).increment();
    }
}
