package io.github.s3recon;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttribute;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The soak test's migration, in a JVM of its own so that {@link MigrationSoakTest} can kill it with
 * SIGKILL: deleteExtraneous on, small multipart settings, every request through a fault-injecting
 * proxy. It prints one flushed line per event the test watches or counts: {@code STATE s},
 * {@code COPIED key}, {@code DELETED key}, {@code FAILED key}, {@code RETRY key} (the engine's
 * retries), {@code SDKRETRY} (the SDK's own retries of one request), {@code FINISHED state} and
 * {@code ERROR e}. Arguments: source endpoint, source bucket, destination endpoint, destination
 * bucket, prefix (the same on both sides), work directory.
 */
public final class SoakRunChild {

    /** The attempts of one SDK call: its execution attributes live as long as the call, over its retries. */
    private static final ExecutionAttribute<AtomicInteger> ATTEMPTS = new ExecutionAttribute<>("soak-attempts");

    private SoakRunChild() {
    }

    /**
     * Runs the migration; exits with 0 when it completed, 1 otherwise.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        // Different access keys: the engine relays the bytes (GET, PUT, parts) rather than copying on
        // the server, so the faults hit both sides.
        S3AsyncClient source = client(URI.create(args[0]), "source-key", out);
        S3AsyncClient destination = client(URI.create(args[2]), "destination-key", out);
        String prefix = args[4];
        MigrationListener printing = new MigrationListener() {
            @Override
            public void onStateChanged(StateChanged e) {
                line(out, "STATE " + e.to());
            }

            @Override
            public void onObjectCopied(ObjectCopied e) {
                line(out, "COPIED " + e.key());
            }

            @Override
            public void onObjectDeleted(ObjectDeleted e) {
                line(out, "DELETED " + e.key());
            }

            @Override
            public void onObjectFailed(ObjectFailed e) {
                line(out, "FAILED " + e.key());
            }

            @Override
            public void onRetry(TransferRetried e) {
                line(out, "RETRY " + e.key());
            }

            @Override
            public void onFinished(RunFinished e) {
                line(out, "FINISHED " + e.state());
            }
        };
        int exit = 1;
        try (Migration m = Migration.builder().source(S3Location.of(source, args[1], prefix))
                .destination(S3Location.of(destination, args[3], prefix)).workDirectory(Path.of(args[5]))
                .listener(printing)
                .deleteExtraneous(true)
                .transferScheduler(SizeTieredScheduler.builder()
                        // Multipart from 6 MiB in parts of 5 MiB (S3's smallest): a few MiB make several parts.
                        .smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5))
                        .smallObjectConcurrency(8).largeObjectConcurrency(2)
                        // Short backoffs keep the soak within minutes despite the fault rate.
                        .initialBackoff(Duration.ofMillis(20)).maxBackoff(Duration.ofMillis(500))
                        .build())
                .build()) {
            MigrationResult r = m.run();
            exit = r.state() == MigrationState.COMPLETED ? 0 : 1;
        } catch (RuntimeException e) {
            line(out, "ERROR " + e);
        }
        source.close();
        destination.close();
        System.exit(exit);
    }

    /** A client that prints a line for each retry the SDK makes by itself (each attempt after the first). */
    private static S3AsyncClient client(URI endpoint, String accessKey, PrintStream out) {
        ExecutionInterceptor sdkRetries = new ExecutionInterceptor() {
            @Override
            public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
                attributes.putAttribute(ATTEMPTS, new AtomicInteger());
            }

            @Override
            public void beforeTransmission(Context.BeforeTransmission context, ExecutionAttributes attributes) {
                AtomicInteger attempts = attributes.getAttribute(ATTEMPTS);
                if (attempts != null && attempts.incrementAndGet() > 1) {
                    line(out, "SDKRETRY");
                }
            }
        };
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, EmbeddedS3.REGION,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, "secret")))
                .overrideConfiguration(c -> c.addExecutionInterceptor(sdkRetries))
                .build();
    }

    private static synchronized void line(PrintStream out, String text) {
        out.println(text);
        out.flush();
    }
}
