package io.github.s3recon.examples;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TrialReport;
import io.github.s3recon.ValidationReport;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.source.RetrySchedule;
import io.github.s3recon.source.UrlManifestSource;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Images listed in JSON files, behind a CDN or a web server, copied into a bucket: the JSON files
 * are found by a glob and each string at one of the URL fields is an image. The images stream from
 * their GET into the bucket with no local disk, keep their content type, and carry their URL and
 * ETag in their metadata. 404s are skipped and listed; 429, 5xx and timeouts are retried after
 * 1 s, 3 s and 9 s (or the server's {@code Retry-After}). Ctrl+C saves the checkpoint; running it
 * again resumes with nothing copied twice.
 *
 * <pre>
 * java io.github.s3recon.examples.UrlManifestMigration DIRECTORY GLOB URL_FIELDS \
 *      DESTINATION_ENDPOINT DESTINATION_BUCKET DESTINATION_PREFIX WORK_DIRECTORY [--strip PREFIX] [--trial N]
 *
 * # e.g. images of data/lots/2024/lot_17_images.json ({"images": [{"image_url": ..., "thumb_url": ...}]})
 * java ... UrlManifestMigration . 'data/lots/**&#47;lot_*_images.json' image_url,thumb_url \
 *      https://s3.eu-west-1.amazonaws.com my-bucket images/ /var/lib/s3recon/images --strip images/
 * </pre>
 *
 * <p>Before the run: {@link Migration#validate()} (the destination's put, get, list and delete,
 * and a HEAD of the first URLs), then, with {@code --trial N}, {@link Migration#trial(int)}: N
 * images copied under {@code _test/}, verified byte for byte and removed, with the measured rate;
 * the run only starts when both passed. Progress prints images per minute, bytes and the ETA.
 *
 * <p>Credentials come from the SDK's default chain; the region from {@code AWS_REGION} (us-east-1
 * if unset). Exit status: 0 when every image that answers is in the bucket and verified, 1 when
 * differences or failures remain (e.g. 404s, listed in the run's {@code failures.jsonl}), 2 on a
 * failure or a failed check, 130 when cancelled.
 */
public final class UrlManifestMigration {

    private UrlManifestMigration() {
    }

    /**
     * Validates, optionally tries, then runs or resumes the migration.
     *
     * @param args see the class comment
     */
    public static void main(String[] args) {
        if (args.length < 7) {
            System.err.println("usage: UrlManifestMigration DIRECTORY GLOB URL_FIELDS DESTINATION_ENDPOINT "
                    + "DESTINATION_BUCKET DESTINATION_PREFIX WORK_DIRECTORY [--strip PREFIX] [--trial N]");
            System.exit(2);
        }
        String strip = option(args, "--strip");
        String trial = option(args, "--trial");
        Region region = Region.of(System.getenv().getOrDefault("AWS_REGION", "us-east-1"));
        UrlManifestSource.Builder images = UrlManifestSource.builder()
                .jsonFiles(Path.of(args[0]), args[1], Arrays.stream(args[2].split(",")).map(String::strip)
                        .toArray(String[]::new))
                .retries(RetrySchedule.of(Duration.ofSeconds(1), 3, 4)); // 1 s, 3 s, 9 s
        if (strip != null) {
            images.stripPrefix(strip);
        }
        int status;
        try (S3AsyncClient destination = S3Clients.asyncClient(URI.create(args[3]), region,
                        DefaultCredentialsProvider.builder().build());
                Migration migration = Migration.builder()
                        .source(images.build())
                        .destination(S3Location.of(destination, args[4], args[5]))
                        .workDirectory(Path.of(args[6]))
                        .listener(new Printing())
                        .build();
                CancelOnInterrupt ctrlC = CancelOnInterrupt.install(migration)) {
            ValidationReport checks = migration.validate();
            System.out.println(checks.describe());
            if (!checks.passed()) {
                System.exit(2);
            }
            if (trial != null) {
                TrialReport t = migration.trial(Integer.parseInt(trial));
                System.out.println(t);
                if (!t.passed()) {
                    System.exit(2);
                }
            }
            MigrationResult result = migration.run();
            var transfer = result.report().transfer();
            System.out.println("\n" + result.state() + ": " + transfer.objectsCopied() + " images copied, "
                    + transfer.objectsFailed() + " failed or not found (see " + transfer.failuresFile() + "), "
                    + result.report().counts().differences() + " differences");
            transfer.notes().forEach(n -> System.out.println("  " + n));
            status = result.report().counts().differences() == 0 && transfer.objectsFailed() == 0 ? 0 : 1;
        } catch (S3ReconException e) {
            System.out.println("\n" + e.code() + ": " + e.getMessage());
            status = e.code() == ErrorCode.CANCELLED ? 130 : 2;
        }
        System.exit(status);
    }

    private static String option(String[] args, String name) {
        for (int i = 7; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return null;
    }

    /** Prints each state, each failure, and the progress in images per minute with the ETA. */
    private static final class Printing implements MigrationListener {
        @Override
        public void onStateChanged(StateChanged event) {
            System.out.println("\n[" + event.to() + "]");
        }

        @Override
        public void onObjectFailed(ObjectFailed event) {
            System.out.println("\n  failed: " + event.key() + ": " + event.error().getMessage());
        }

        @Override
        public void onProgress(ProgressSnapshot p) {
            String eta = p.eta() == null ? "" : ", ETA " + p.eta().toMinutes() + " min";
            System.out.print(String.format(Locale.ROOT, "\r%d/%d images, %.0f images/min, %.1f MB%s    ",
                    p.objectsDone(), p.objectsTotal(), p.objectsPerSecond() * 60, p.bytesDone() / 1e6, eta));
        }
    }
}
