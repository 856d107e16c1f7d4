package io.github.s3recon;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.source.RetrySchedule;
import io.github.s3recon.source.UrlManifestSource;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A migration of a manifest of URLs in a JVM of its own, for {@link UrlMigrationKillTest}: prints
 * each state, each object copied and the end, one line each, flushed at once. Arguments: manifest
 * file, destination endpoint, destination bucket, work directory.
 */
public final class UrlRunChild {

    private UrlRunChild() {
    }

    /**
     * Runs the migration; exits with 0 when it completed, 1 otherwise.
     *
     * @param args the arguments
     */
    public static void main(String[] args) {
        PrintStream out = System.out;
        var destination = S3Clients.asyncClient(URI.create(args[1]), EmbeddedS3.REGION,
                software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                        software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("destination-key", "secret")));
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
        try (Migration m = Migration.builder()
                .source(UrlManifestSource.builder().manifest(Path.of(args[0]))
                        .retries(RetrySchedule.of(Duration.ofMillis(50), 2, 4)).build())
                .destination(S3Location.of(destination, args[2])).workDirectory(Path.of(args[3]))
                .listener(printing).build()) {
            MigrationResult r = m.run();
            exit = r.state() == MigrationState.COMPLETED ? 0 : 1;
        } catch (RuntimeException e) {
            line(out, "ERROR " + e);
        }
        destination.close();
        System.exit(exit);
    }

    private static synchronized void line(PrintStream out, String text) {
        out.println(text);
        out.flush();
    }
}
