package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Every builder, setter, factory and configuration constructor of core rejects a bad value with one
 * exception: {@link S3ReconException} with {@link ErrorCode#INVALID_CONFIGURATION}, whose message
 * names the parameter (and the value, where it is not null).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ConfigurationErrorsTest {

    private S3AsyncClient client;

    @TempDir
    Path work;

    @BeforeAll
    void createClient() {
        // A real client; nothing is ever sent to this address.
        client = S3Clients.asyncClient(URI.create("http://127.0.0.1:1"), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")));
    }

    @AfterAll
    void closeClient() {
        client.close();
    }

    /** Runs the call and checks the code and that the message names each of {@code named}. */
    private static S3ReconException invalid(Runnable call, String... named) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).as("expected an S3ReconException").isInstanceOf(S3ReconException.class);
        S3ReconException e = (S3ReconException) thrown;
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        assertThat(e.getMessage()).contains(named);
        return e;
    }

    @Test
    void theHelpersWordTheMessage() {
        assertThat(invalid(() -> S3ReconException.requireSetting(null, "thing"), "thing"))
                .hasMessage("thing must not be null");
        assertThat(S3ReconException.requireSetting("x", "thing")).isEqualTo("x");
        assertThat(S3ReconException.invalidConfiguration("maxAttempts", 0, "must be from 1 to 100"))
                .hasMessage("maxAttempts must be from 1 to 100, was 0")
                .satisfies(e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
    }

    @Test
    void migrationBuilderSetters() {
        Migration.Builder b = Migration.builder();
        invalid(() -> b.transferScheduler(null), "transferScheduler");
        invalid(() -> b.include(), "include");
        invalid(() -> b.include((String[]) null), "include", "null");
        invalid(() -> b.include("[a-"), "include", "[a-");
        invalid(() -> b.exclude(), "exclude");
        invalid(() -> b.exclude("{a"), "exclude");
        invalid(() -> b.overwrite(null), "overwrite");
        invalid(() -> b.maxDeletes(-1), "maxDeletes", "-1");
        invalid(() -> b.maxDeletePercent(101), "maxDeletePercent", "101");
        invalid(() -> b.maxDeletePercent(-1), "maxDeletePercent", "-1");
        invalid(() -> b.verification(null), "verification");
        invalid(() -> b.checksumAlgorithm(null), "checksumAlgorithm");
        invalid(() -> b.listingRanges(0), "listingRanges", "0");
        invalid(() -> b.listingRanges(1025), "listingRanges", "1025");
        invalid(() -> b.source((S3Location) null), "source");
        invalid(() -> b.source((io.github.s3recon.spi.ObjectSource) null), "source");
        invalid(() -> b.destination(null), "destination");
        invalid(() -> b.workDirectory(null), "workDirectory");
        invalid(() -> b.listener(null), "listener");
        invalid(() -> b.reporter(null), "reporter");
        invalid(() -> b.objectLister(null), "objectLister");
        invalid(() -> b.sourceLister(null), "sourceLister");
        invalid(() -> b.destinationLister(null), "destinationLister");
        invalid(() -> b.inventoryStore(null), "inventoryStore");
        invalid(() -> b.checkpointStore(null), "checkpointStore");
        invalid(() -> b.validationProbePrefix(null), "validationProbePrefix");
        invalid(() -> b.validationProbePrefix("/x"), "validationProbePrefix", "/x");
        invalid(() -> b.clock(null), "clock");
        invalid(() -> b.progressInterval(null), "progressInterval");
        invalid(() -> b.progressInterval(Duration.ZERO), "progressInterval", "PT0S");
    }

    @Test
    void migrationBuildNamesEveryMissingSetting() {
        invalid(() -> Migration.builder().build(), "source", "destination", "work directory");
        invalid(() -> Migration.builder().source(S3Location.of(client, "photos")).build(), "destination",
                "work directory");
    }

    @Test
    void locations() {
        invalid(() -> S3Location.of(null, "photos"), "client", "photos");
        invalid(() -> S3Location.of(client, null), "bucket");
        invalid(() -> S3Location.of(client, "a/b"), "bucket", "a/b");
        invalid(() -> S3Location.of(client, "photos", null), "prefix", "photos");
        invalid(() -> S3Location.of((Consumer<S3Location.Builder>) null), "spec");
        invalid(() -> S3Location.builder().bucket("photos").build(), "client");
        invalid(() -> new KeyRange("b", "a"), "startAfter", "endInclusive", "'b'", "'a'");
    }

    @Test
    void dataSizes() {
        invalid(() -> new DataSize(-1), "bytes", "-1");
        invalid(() -> DataSize.ofBytes(-1), "bytes", "-1");
        invalid(() -> DataSize.ofKibibytes(-2), "kibibytes", "-2 KiB");
        invalid(() -> DataSize.ofMebibytes(-3), "mebibytes", "-3 MiB");
        invalid(() -> DataSize.ofGibibytes(-4), "gibibytes", "-4 GiB");
        invalid(() -> DataSize.ofGibibytes(Long.MAX_VALUE), "gibibytes", "too large");
    }

    @Test
    void shards() {
        KeyRange all = KeyRange.ALL;
        invalid(() -> new ShardSpec(-1, "s", "", "d", "", all, Map.of()), "index", "-1");
        invalid(() -> new ShardSpec(0, null, "", "d", "", all, Map.of()), "sourceBucket");
        invalid(() -> new ShardSpec(0, "s", null, "d", "", all, Map.of()), "sourcePrefix");
        invalid(() -> new ShardSpec(0, "s", "", null, "", all, Map.of()), "destinationBucket");
        invalid(() -> new ShardSpec(0, "s", "", "d", null, all, Map.of()), "destinationPrefix");
        invalid(() -> new ShardSpec(0, "s", "", "d", "", null, Map.of()), "range");
        invalid(() -> new ShardSpec(0, "s", "", "d", "", all, null), "options");
        Map<String, String> withNull = new HashMap<>();
        withNull.put("verification", null);
        invalid(() -> new ShardSpec(0, "s", "", "d", "", all, withNull), "options", "verification=null");
        S3Location photos = S3Location.of(client, "photos");
        invalid(() -> ShardSpec.of(0, null, photos, all), "source");
        invalid(() -> ShardSpec.of(0, photos, null, all), "destination");
        invalid(() -> ShardSpec.of(0, photos, photos, null), "range");
    }

    @Test
    void clientsNeverEchoASecretInTheEndpoint() {
        var credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s"));
        URI endpoint = URI.create("http://127.0.0.1:9000");
        invalid(() -> S3Clients.asyncClient(null, Region.US_EAST_1, credentials), "endpoint");
        invalid(() -> S3Clients.asyncClient(endpoint, null, credentials), "region");
        invalid(() -> S3Clients.asyncClient(endpoint, Region.US_EAST_1, null), "credentials");
        invalid(() -> S3Clients.client(null, Region.US_EAST_1, credentials), "endpoint");
        invalid(() -> S3Clients.configureForCompatibleEndpoint(null, endpoint, Region.US_EAST_1, credentials),
                "builder");
        S3ReconException e = invalid(() -> S3Clients.asyncClient(URI.create("user:hunter2@minio:9000?sig=topsecret"),
                Region.US_EAST_1, credentials), "endpoint", "minio:9000");
        assertThat(e.getMessage()).doesNotContain("hunter2").doesNotContain("topsecret");
    }

    @Test
    void diffsAndPlans() {
        invalid(() -> MergeDiff.withLookup(null), "lookup");
        invalid(() -> MergeDiff.deep(null), "lookup");
        invalid(() -> FixPlan.of(null, OverwritePolicy.NEVER, true), "report");
    }

    @Test
    void history() {
        invalid(() -> MigrationHistory.open(null), "workDirectory");
        invalid(() -> MigrationHistory.of(null, work), "store");
    }
}
