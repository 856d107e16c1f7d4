package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationHistory;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The listers', inventory readers' and stores' factories reject a bad value with
 * {@link S3ReconException} and {@link ErrorCode#INVALID_CONFIGURATION}, naming the parameter and
 * the value.
 */
class ConfigurationErrorsTest {

    @TempDir
    Path work;

    private static S3ReconException invalid(Runnable call, String... named) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).as("expected an S3ReconException").isInstanceOf(S3ReconException.class);
        S3ReconException e = (S3ReconException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains(named);
        return e;
    }

    private static S3AsyncClient unusedClient() {
        // A real client; nothing is ever sent to this address.
        return S3Clients.asyncClient(URI.create("http://127.0.0.1:1"), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")));
    }

    @Test
    void listers() {
        invalid(() -> S3ObjectLister.create(0, 1000), "readAheadPages", "0");
        invalid(() -> S3ObjectLister.create(1001, 1000), "readAheadPages", "1001");
        invalid(() -> S3ObjectLister.create(4, 0), "pageSize", "0");
        invalid(() -> S3ObjectLister.create(4, 1001), "pageSize", "1001");
        invalid(() -> FastS3ObjectLister.create(0, 1000), "readAheadPages", "0");
        invalid(() -> FastS3ObjectLister.create(4, 1001), "pageSize", "1001");
    }

    @Test
    void shardPlanner() {
        invalid(() -> ShardPlanner.plan(null, 4), "location");
        try (S3AsyncClient client = unusedClient()) {
            invalid(() -> ShardPlanner.plan(S3Location.of(client, "photos"), 0), "ranges", "0");
        }
    }

    @Test
    void inventoryReports() throws Exception {
        try (S3AsyncClient client = unusedClient()) {
            invalid(() -> S3InventoryLister.fromManifest(client, "photos", null), "manifestKey", "null", "photos");
            invalid(() -> S3InventoryLister.fromManifest(client, "photos", ""), "manifestKey", "\"\"");
            invalid(() -> S3InventoryLister.fromManifest(null, "photos", "m/manifest.json"), "client", "photos");
            invalid(() -> S3InventoryLister.fromManifest(client, "no/slash", "m/manifest.json"), "bucket", "no/slash");
        }
        invalid(() -> S3InventoryLister.fromManifest(null), "manifestJson");
        Path notADirectory = Files.writeString(work.resolve("file.txt"), "x");
        invalid(() -> S3InventoryLister.fromManifest(work.resolve("manifest.json"), notADirectory), "root",
                notADirectory.toString());
    }

    @Test
    void stores() {
        invalid(() -> SqliteInventoryStore.open(null), "workDirectory");
        invalid(() -> SqliteCheckpointStore.open(null), "workDirectory");
        invalid(() -> new SqliteInventoryStoreProvider().open(null), "workDirectory");
        invalid(() -> new SqliteCheckpointStoreProvider().open(null), "workDirectory");
        invalid(() -> SqliteCheckpointStore.open(work, c -> { }, 0, Duration.ofSeconds(1)), "batchChanges", "0");
        invalid(() -> SqliteCheckpointStore.open(work, c -> { }, 1, Duration.ZERO), "flushInterval", "PT0S");
        invalid(() -> MigrationHistory.open(null), "workDirectory");
        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(work)) {
            invalid(() -> MigrationHistory.of(store, null), "workDirectory");
            try (MigrationHistory history = MigrationHistory.of(store, work)) {
                invalid(() -> history.run(null), "runId");
                invalid(() -> history.log(null), "runId");
                invalid(() -> history.report(null), "runId");
                invalid(() -> history.taskCounts(null), "runId");
                invalid(() -> history.runDirectory(null), "runId");
                invalid(() -> history.failuresFile(null), "runId");
            }
        }
    }
}
