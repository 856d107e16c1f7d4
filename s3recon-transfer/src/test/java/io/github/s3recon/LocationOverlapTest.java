package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.testkit.EmbeddedS3;
import java.net.URI;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Locations that overlap are refused by endpoint, bucket and prefix, whatever the client instances:
 * the same prefix, one nested in the other either way, through two clients of one server and through
 * two spellings of its endpoint; and locations that only look alike are not.
 */
class LocationOverlapTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static String bucket;
    private static S3AsyncClient byAddress;
    private static S3AsyncClient byName;
    private static S3AsyncClient byAddressAgain;

    @TempDir
    Path work;

    @BeforeAll
    static void clients() {
        bucket = MigrationRunTest.bucket(S3, "overlap");
        S3.put(bucket, "in/a", "a".getBytes(UTF_8));
        URI endpoint = S3.endpoint(); // http://127.0.0.1:port
        byAddress = S3Clients.asyncClient(endpoint, EmbeddedS3.REGION, EmbeddedS3.credentials());
        byAddressAgain = S3Clients.asyncClient(endpoint, EmbeddedS3.REGION, EmbeddedS3.credentials());
        byName = S3Clients.asyncClient(URI.create("http://localhost:" + endpoint.getPort() + "/"), EmbeddedS3.REGION,
                EmbeddedS3.credentials());
    }

    @AfterAll
    static void close() {
        byAddress.close();
        byAddressAgain.close();
        byName.close();
    }

    private S3ReconException refused(S3Location source, S3Location destination) {
        S3ReconException[] thrown = new S3ReconException[1];
        assertThatThrownBy(() -> Migration.builder().source(source).destination(destination)
                .workDirectory(work.resolve("w")).build().close())
                .isInstanceOfSatisfying(S3ReconException.class, e -> thrown[0] = e);
        assertThat(thrown[0].code()).isEqualTo(ErrorCode.LOCATIONS_OVERLAP);
        return thrown[0];
    }

    @Test
    void aDestinationInsideTheSourceThroughTwoClientsIsRefused() {
        S3ReconException e = refused(S3Location.of(byAddress, bucket, "in/"),
                S3Location.of(byAddressAgain, bucket, "in/copy/"));
        assertThat(e.getMessage()).contains("destination prefix 'in/copy/' is inside the source prefix 'in/'")
                .contains("change the destination prefix");
    }

    @Test
    void twoSpellingsOfOneEndpointAreOneServer() {
        S3ReconException e = refused(S3Location.of(byAddress, bucket, "in/"), S3Location.of(byName, bucket, "in/copy/"));
        assertThat(e.getMessage()).contains("inside the source prefix");
        refused(S3Location.of(byName, bucket, "in/"), S3Location.of(byAddress, bucket, "in/"));
    }

    @Test
    void aSourceInsideTheDestinationIsRefused() {
        S3ReconException e = refused(S3Location.of(byAddress, bucket, "in/deep/"),
                S3Location.of(byName, bucket, "in/"));
        assertThat(e.getMessage()).contains("source prefix 'in/deep/' is inside the destination prefix 'in/'");
    }

    @Test
    void theSameLocationIsRefused() {
        S3ReconException e = refused(S3Location.of(byAddress, bucket, "in/"), S3Location.of(byAddress, bucket, "in/"));
        assertThat(e.getMessage()).contains("the same location");
        // The whole bucket contains every prefix of it.
        refused(S3Location.of(byAddress, bucket), S3Location.of(byName, bucket, "backup/"));
    }

    @Test
    void neighbouringPrefixesOtherBucketsAndOtherServersAreAllowed() {
        Migration.builder().source(S3Location.of(byAddress, bucket, "in/"))
                .destination(S3Location.of(byName, bucket, "inx/")).workDirectory(work.resolve("a")).build().close();
        String other = MigrationRunTest.bucket(S3, "overlap-other");
        Migration.builder().source(S3Location.of(byAddress, bucket, "in/"))
                .destination(S3Location.of(byName, other, "in/")).workDirectory(work.resolve("b")).build().close();
        // Another port is another server (build() contacts neither).
        try (S3AsyncClient elsewhere = S3Clients.asyncClient(URI.create("http://127.0.0.1:1"), EmbeddedS3.REGION,
                EmbeddedS3.credentials())) {
            Migration.builder().source(S3Location.of(byAddress, bucket, "in/"))
                    .destination(S3Location.of(elsewhere, bucket, "in/copy/")).workDirectory(work.resolve("c")).build()
                    .close();
        }
    }
}
