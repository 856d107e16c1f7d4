package io.github.s3recon.cli;

import io.github.s3recon.Migration;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Cancels a migration gracefully when the JVM is asked to stop (Ctrl+C, SIGTERM) or when
 * {@code s3recon cancel} leaves a request file in the work directory: calls
 * {@link Migration#cancel()}, waits until the run has saved its checkpoint and the command has
 * printed its last line, then ends the JVM with the command's status (130 for a cancelled run).
 * The idea of {@code CancelOnInterrupt} in s3recon-examples, plus the exit status and the request
 * file. Close it when the command has printed its result. Thread-safe.
 */
final class SignalGuard implements AutoCloseable {

    /** The file {@code s3recon cancel} writes into the work directory. */
    static final String CANCEL_REQUEST = "cancel.request";

    /** How long the hook waits for the run to save its checkpoint. */
    private static final long GRACE_SECONDS = 60;

    private final Thread hook;
    private final CountDownLatch ended = new CountDownLatch(1);
    private final ScheduledExecutorService watcher;
    private volatile int status = ExitCodes.CANCELLED;

    private SignalGuard(Migration migration, Path workDirectory, PrintStream err) {
        Path request = workDirectory.resolve(CANCEL_REQUEST);
        try {
            Files.deleteIfExists(request); // a request left by an earlier job is not for this one
        } catch (IOException ignored) {
            // The watcher below would then cancel at once; the operator sees why in the message.
        }
        this.hook = new Thread(() -> {
            err.println();
            err.println("s3recon: stopping; saving the checkpoint (run the same command again to resume)...");
            migration.cancel();
            try {
                ended.await(GRACE_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            System.out.flush();
            err.flush();
            Runtime.getRuntime().halt(status);
        }, "s3recon-cancel-on-interrupt");
        Runtime.getRuntime().addShutdownHook(hook);
        this.watcher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "s3recon-cancel-request");
            t.setDaemon(true);
            return t;
        });
        watcher.scheduleWithFixedDelay(() -> {
            if (Files.exists(request)) {
                try {
                    Files.deleteIfExists(request);
                } catch (IOException ignored) {
                    // Cancelled anyway; a later job deletes it when it starts.
                }
                err.println();
                err.println("s3recon: cancel requested (s3recon cancel); saving the checkpoint...");
                migration.cancel();
            }
        }, 200, 200, TimeUnit.MILLISECONDS);
    }

    /**
     * Installs the guard.
     *
     * @param migration the migration to cancel; not null
     * @param workDirectory its work directory, watched for {@value #CANCEL_REQUEST}; not null
     * @param err where to say so; not null
     * @return the guard; close it once the result is printed
     */
    static SignalGuard install(Migration migration, Path workDirectory, PrintStream err) {
        return new SignalGuard(migration, workDirectory, err);
    }

    /**
     * Sets the status the JVM ends with if a signal stopped it.
     *
     * @param code the command's status
     */
    void finish(int code) {
        this.status = code;
    }

    /** Lets a waiting hook end the JVM, or removes the hook if the JVM is not stopping. */
    @Override
    public void close() {
        watcher.shutdownNow();
        ended.countDown();
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException stopping) {
            // The JVM is stopping: the hook now ends it with the status.
        }
    }
}
