package io.github.s3recon;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;

/**
 * A migration in a JVM of its own, for the tests that kill it: it prints each state, each object
 * copied and the end to standard output, one line each, flushed at once, so that the test knows
 * when to kill it. Arguments: source endpoint, source bucket, destination endpoint, destination
 * bucket, work directory.
 */
public final class ResumableRunChild {

    private ResumableRunChild() {
    }

    /**
     * Runs the migration; exits with 0 when it completed, 1 otherwise.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        URI sourceEndpoint = URI.create(args[0]);
        URI destinationEndpoint = URI.create(args[2]);
        // Different access keys: the engine relays the bytes rather than copying on the server.
        var source = S3Clients.asyncClient(sourceEndpoint, EmbeddedS3.REGION,
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("source-key", "secret")));
        var destination = S3Clients.asyncClient(destinationEndpoint, EmbeddedS3.REGION,
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("destination-key",
                                "secret")));
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
        try (Migration m = Migration.builder().source(S3Location.of(source, args[1]))
                .destination(S3Location.of(destination, args[3])).workDirectory(Path.of(args[4]))
                .listener(printing)
                .transferScheduler(SizeTieredScheduler.builder()
                        .smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5))
                        .smallObjectConcurrency(4).largeObjectConcurrency(2)
                        .maxBytesPerSecond(DataSize.ofBytes(Long.getLong("child.bytesPerSecond", 12L << 20))).build())
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
