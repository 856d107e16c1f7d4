package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.S3Clients;
import io.github.s3recon.testkit.EmbeddedS3;
import java.net.URI;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** Which clients reach AWS S3 itself; no request is sent. */
class EndpointsTest {

    @Test
    void tellsAwsFromOtherServers() {
        try (S3AsyncClient aws = S3AsyncClient.builder().region(Region.EU_WEST_1)
                        .credentialsProvider(EmbeddedS3.credentials()).build();
                S3AsyncClient regional = S3AsyncClient.builder().region(Region.EU_WEST_1)
                        .credentialsProvider(EmbeddedS3.credentials())
                        .endpointOverride(URI.create("https://s3.eu-west-1.amazonaws.com")).build();
                S3AsyncClient minio = S3Clients.asyncClient(URI.create("http://localhost:9000"), Region.US_EAST_1,
                        EmbeddedS3.credentials())) {
            assertThat(Endpoints.isAwsS3(aws)).isTrue();
            assertThat(Endpoints.isAwsS3(regional)).isTrue();
            assertThat(Endpoints.isAwsS3(minio)).isFalse();
        }
    }
}
