package io.github.s3recon.examples;

import io.github.s3recon.Migration;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Stops a migration gracefully when the JVM is asked to stop (Ctrl+C, SIGTERM, a deploy that
 * restarts the service): a shutdown hook calls {@link Migration#cancel()} and waits until the run
 * has saved its checkpoint and ended, so that building the migration again on the same work
 * directory resumes it.
 *
 * <pre>{@code
 * try (Migration m = builder.build(); CancelOnInterrupt guard = CancelOnInterrupt.install(m)) {
 *     m.run();   // Ctrl+C: throws S3ReconException with code CANCELLED once the checkpoint is saved
 * }
 * }</pre>
 *
 * <p>Close it when the run has ended (try-with-resources does): that lets a waiting hook return
 * and removes the hook otherwise. Thread-safe.
 */
public final class CancelOnInterrupt implements AutoCloseable {

    /** How long the hook waits for the run to end, unless {@link #install(Migration, Duration)} says otherwise. */
    public static final Duration DEFAULT_GRACE = Duration.ofSeconds(30);

    private final Thread hook;
    private final CountDownLatch ended = new CountDownLatch(1);

    private CancelOnInterrupt(Migration migration, Duration grace) {
        this.hook = new Thread(() -> {
            System.err.println("\ns3recon: stopping; saving the checkpoint (run again to resume)...");
            migration.cancel();
            try {
                ended.await(grace.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "s3recon-cancel-on-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
    }

    /**
     * Installs the hook with a grace period of {@link #DEFAULT_GRACE}.
     *
     * @param migration the migration to cancel; not null
     * @return the guard; close it when the run has ended
     */
    public static CancelOnInterrupt install(Migration migration) {
        return install(migration, DEFAULT_GRACE);
    }

    /**
     * Installs the hook.
     *
     * @param migration the migration to cancel; not null
     * @param grace how long the JVM waits for the run to end once cancelled; not null
     * @return the guard; close it when the run has ended
     */
    public static CancelOnInterrupt install(Migration migration, Duration grace) {
        return new CancelOnInterrupt(java.util.Objects.requireNonNull(migration, "migration"),
                java.util.Objects.requireNonNull(grace, "grace"));
    }

    /** Lets a waiting hook return, or removes the hook if the JVM is not stopping. */
    @Override
    public void close() {
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            // The JVM is stopping: the hook runs (or ran) and now returns.
        }
    }
}
