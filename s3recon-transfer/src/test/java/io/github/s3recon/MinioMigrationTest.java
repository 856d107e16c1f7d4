package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.transfer.SizeTieredScheduler;
import java.net.URI;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.MinIOContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A migration and a reconcile against a real MinIO server (checks SigV4 signatures, rejects the
 * SDK's default aws-chunked checksums, which is what {@link S3Clients} configures for): server-side
 * within one bucket pair, and relayed (direct small requests and multipart parts) with
 * {@code serverSideCopy(false)}. Runs where Docker is available; skipped elsewhere, by
 * Testcontainers, with "Docker is not available" as the reason.
 */
@Testcontainers(disabledWithoutDocker = true)
class MinioMigrationTest {

    @Container
    static final MinIOContainer MINIO = new MinIOContainer("minio/minio:RELEASE.2023-09-04T19-57-37Z");

    @TempDir
    Path work;

    private static S3AsyncClient client() {
        return S3Clients.asyncClient(URI.create(MINIO.getS3URL()), Region.US_EAST_1, StaticCredentialsProvider.create(
                AwsBasicCredentials.create(MINIO.getUserName(), MINIO.getPassword())));
    }

    private static Map<String, byte[]> objects() {
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (int i = 0; i < 40; i++) {
            objects.put("small/object-" + i + ".bin", ("content " + i).repeat(i + 1).getBytes(UTF_8));
        }
        objects.put("unicode/caf\u00e9 \u65e5\u672c +&=.txt", "unicode".getBytes(UTF_8));
        objects.put("empty", new byte[0]);
        byte[] large = new byte[(7 << 20) + 123];
        new Random(7).nextBytes(large);
        objects.put("large/multipart.bin", large);
        return objects;
    }

    @Test
    void migratesAndReconcilesServerSideAndRelayed() {
        try (S3AsyncClient s3 = client()) {
            s3.createBucket(b -> b.bucket("minio-src")).join();
            s3.createBucket(b -> b.bucket("minio-dst")).join();
            Map<String, byte[]> objects = objects();
            objects.forEach((k, v) -> s3.putObject(b -> b.bucket("minio-src").key(k), AsyncRequestBody.fromBytes(v))
                    .join());
            for (boolean serverSide : new boolean[] {true, false}) {
                String prefix = serverSide ? "server-side/" : "relayed/";
                S3Location source = S3Location.of(s3, "minio-src");
                S3Location destination = S3Location.of(s3, "minio-dst", prefix);
                SizeTieredScheduler scheduler = SizeTieredScheduler.builder().serverSideCopy(serverSide)
                        .smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(5))
                        .smallObjectConcurrency(4).build();
                try (Migration m = Migration.builder().source(source).destination(destination)
                        .workDirectory(work.resolve(prefix)).transferScheduler(scheduler).build()) {
                    MigrationResult r = m.run();
                    assertThat(r.state()).as("%s", r.report()).isEqualTo(MigrationState.COMPLETED);
                    assertThat(r.report().transfer().objectsCopied()).isEqualTo(objects.size());
                    assertThat(r.report().transfer().objectsFailed()).isZero();
                }
                try (Migration check = Migration.builder().source(source).destination(destination)
                        .workDirectory(work.resolve(prefix + "check")).build()) {
                    MigrationResult r = check.reconcile();
                    assertThat(r.report().counts().differences()).as("%s", r.report()).isZero();
                    assertThat(r.report().counts().matched()).isEqualTo(objects.size());
                }
                objects.forEach((k, v) -> assertThat(s3.getObject(b -> b.bucket("minio-dst").key(prefix + k),
                        AsyncResponseTransformer.toBytes()).join().asByteArray()).as(prefix + k).isEqualTo(v));
            }
        }
    }
}
