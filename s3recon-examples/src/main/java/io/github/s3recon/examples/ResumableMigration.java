package io.github.s3recon.examples;

import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.StateChanged;
import java.net.URI;
import java.nio.file.Path;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A migration that survives being stopped: run it, press Ctrl+C (or kill it), run it again with
 * the same arguments, and it goes on from its checkpoint with nothing copied twice.
 *
 * <pre>
 * java io.github.s3recon.examples.ResumableMigration SOURCE_ENDPOINT SOURCE_BUCKET \
 *      DESTINATION_ENDPOINT DESTINATION_BUCKET WORK_DIRECTORY
 * </pre>
 *
 * <p>Credentials come from the SDK's default chain ({@code AWS_ACCESS_KEY_ID} and
 * {@code AWS_SECRET_ACCESS_KEY}, profiles, instance roles); the region from {@code AWS_REGION}
 * (us-east-1 if unset). Exit status: 0 when the destination was verified to match, 1 when
 * differences remain, 2 on a failure, 130 when cancelled.
 */
public final class ResumableMigration {

    private ResumableMigration() {
    }

    /**
     * Runs or resumes the migration.
     *
     * @param args source endpoint, source bucket, destination endpoint, destination bucket, work directory
     */
    public static void main(String[] args) {
        if (args.length != 5) {
            System.err.println("usage: ResumableMigration SOURCE_ENDPOINT SOURCE_BUCKET DESTINATION_ENDPOINT "
                    + "DESTINATION_BUCKET WORK_DIRECTORY");
            System.exit(2);
        }
        Region region = Region.of(System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
        AwsCredentialsProvider credentials = DefaultCredentialsProvider.builder().build();
        int status;
        try (S3AsyncClient source = S3Clients.asyncClient(URI.create(args[0]), region, credentials);
                S3AsyncClient destination = S3Clients.asyncClient(URI.create(args[2]), region, credentials);
                Migration migration = Migration.builder()
                        .source(S3Location.of(source, args[1]))
                        .destination(S3Location.of(destination, args[3]))
                        .workDirectory(Path.of(args[4]))
                        .listener(new Printing())
                        .build();
                CancelOnInterrupt ctrlC = CancelOnInterrupt.install(migration)) {
            MigrationResult result = migration.run();
            System.out.println("\n" + result.state() + ": " + result.report().counts().differences()
                    + " differences, " + result.report().transfer().objectsCopied() + " objects copied");
            status = result.report().counts().differences() == 0 ? 0 : 1;
        } catch (S3ReconException e) {
            System.out.println("\n" + e.code() + ": " + e.getMessage());
            status = e.code() == ErrorCode.CANCELLED ? 130 : 2;
        }
        System.exit(status);
    }

    /** Prints each state and the progress on one line. */
    private static final class Printing implements MigrationListener {
        @Override
        public void onStateChanged(StateChanged event) {
            System.out.println("\n[" + event.to() + "]");
        }

        @Override
        public void onProgress(ProgressSnapshot p) {
            System.out.print("\r" + p.describe());
        }
    }
}
