package io.github.s3recon.bench;

import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.Verification;
import io.github.s3recon.source.UrlManifestSource;
import io.github.s3recon.testkit.EmbeddedS3;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Migrates a URL manifest ({@link UrlFileServer}'s {@code urls.txt}) into a bucket of an S3
 * endpoint with {@code Migration.run()} and prints objects/s, MB/s and the wall time (the peak
 * memory is measured outside, with GNU time). The bucket is created.
 *
 * <pre>
 * java -Xmx512m -cp benchmarks.jar io.github.s3recon.bench.UrlHarness MANIFEST ENDPOINT BUCKET [verification=SIZE]
 * </pre>
 */
public final class UrlHarness {

    private UrlHarness() {
    }

    /**
     * Runs the migration.
     *
     * @param args manifest, endpoint, bucket, verification
     * @throws Exception if the work directory cannot be made or the run fails
     */
    public static void main(String[] args) throws Exception {
        Path manifest = Path.of(args[0]);
        URI endpoint = URI.create(args[1]);
        String bucket = args[2];
        Verification verification = Verification.valueOf(args.length > 3 ? args[3] : "SIZE");
        Path work = Files.createTempDirectory("s3recon-url-bench");
        try (S3AsyncClient client = S3Clients.asyncClient(endpoint, EmbeddedS3.REGION, EmbeddedS3.credentials())) {
            client.createBucket(b -> b.bucket(bucket)).join();
            long started = System.nanoTime();
            try (Migration m = Migration.builder().source(UrlManifestSource.of(manifest))
                    .destination(S3Location.of(client, bucket)).workDirectory(work).verification(verification)
                    .build()) {
                MigrationResult r = m.run();
                double seconds = (System.nanoTime() - started) / 1e9;
                var t = r.report().transfer();
                System.out.printf(java.util.Locale.ROOT,
                        "s3recon url run: %s, %d objects, %.1f MB in %.1f s: %.1f objects/s, %.1f MB/s (failed %d)%n",
                        r.state(), t.objectsCopied(), t.bytesCopied() / 1e6, seconds, t.objectsCopied() / seconds,
                        t.bytesCopied() / 1e6 / seconds, t.objectsFailed());
            }
        }
    }
}
