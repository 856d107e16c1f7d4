package io.github.s3recon.postgres;

import io.github.s3recon.DataSize;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;

/**
 * A migration whose checkpoints are in PostgreSQL, in a JVM of its own, for the test that kills
 * it: it prints each state, each object copied and the end, one line each, flushed at once.
 * Arguments: source endpoint, source bucket, destination endpoint, destination bucket, work
 * directory, schema.
 */
public final class PostgresResumableRunChild {

    private PostgresResumableRunChild() {
    }

    /**
     * Runs the migration; exits with 0 when it completed, 1 otherwise.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        // Different access keys: the engine relays the bytes rather than copying on the server.
        var source = S3Clients.asyncClient(URI.create(args[0]), EmbeddedS3.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("source-key", "secret")));
        var destination = S3Clients.asyncClient(URI.create(args[2]), EmbeddedS3.REGION,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("destination-key", "secret")));
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
            public void onFinished(RunFinished e) {
                line(out, "FINISHED " + e.state());
            }
        };
        int exit = 1;
        try (PostgresCheckpointStore checkpoints = PostgresCheckpointStore.open(
                PostgresSettings.fromEnvironment().withSchema(args[5]));
                Migration m = Migration.builder().source(S3Location.of(source, args[1]))
                        .destination(S3Location.of(destination, args[3])).workDirectory(Path.of(args[4]))
                        .checkpointStore(checkpoints).listener(printing)
                        .transferScheduler(SizeTieredScheduler.builder()
                                .smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5))
                                .smallObjectConcurrency(4).largeObjectConcurrency(2)
                                .maxBytesPerSecond(DataSize.ofBytes(12L << 20)).build())
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

    private static synchronized void line(PrintStream out, String text) {
        out.println(text);
        out.flush();
    }
}
