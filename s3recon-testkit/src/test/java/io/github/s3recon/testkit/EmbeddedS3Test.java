package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.S3Clients;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class EmbeddedS3Test {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @Test
    void seedsObjectsWithMetadataTagsChecksumsAndMultipartLayouts() {
        s3.createBucket("testkit-seed");
        byte[] content = "hello world".getBytes(StandardCharsets.UTF_8);
        s3.put("testkit-seed", "a.txt", content, b -> b.contentType("text/plain").metadata(Map.of("owner", "me"))
                .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME));
        s3.putTagged("testkit-seed", "tagged", content, Map.of("team", "blue"));
        s3.putMultipart("testkit-seed", "big.bin", new byte[2 * EmbeddedS3.MIN_PART_SIZE + 5], EmbeddedS3.MIN_PART_SIZE, ChecksumAlgorithm.CRC32);

        List<S3Object> objects = s3.client().listObjectsV2(b -> b.bucket("testkit-seed")).contents();
        assertThat(objects).extracting(S3Object::key).containsExactly("a.txt", "big.bin", "tagged");
        assertThat(objects.get(0).eTag()).isEqualTo("\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
        assertThat(objects.get(1).eTag()).endsWith("-3\"");

        HeadObjectResponse head = s3.client().headObject(b -> b.bucket("testkit-seed").key("a.txt")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(head.metadata()).containsEntry("owner", "me");
        assertThat(head.contentType()).isEqualTo("text/plain");
        assertThat(head.checksumCRC64NVME()).isNotBlank();
        assertThat(s3.client().getObjectTagging(b -> b.bucket("testkit-seed").key("tagged")).tagSet())
                .singleElement().satisfies(t -> assertThat(t.value()).isEqualTo("blue"));
    }

    @Test
    void proxyRejectsOtherAccessKeysLikeS3AndForwardsTheRightOne() {
        s3.createBucket("testkit-proxy");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .acceptOnlyAccessKey(EmbeddedS3.ACCESS_KEY_ID);
                S3Client good = S3Clients.client(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
                S3Client bad = S3Clients.client(proxy.endpoint(), EmbeddedS3.REGION,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("wrong", "wrong-secret")))) {
            assertThat(good.listObjectsV2(b -> b.bucket("testkit-proxy")).contents()).isEmpty();
            assertThatThrownBy(() -> bad.listObjectsV2(b -> b.bucket("testkit-proxy")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(403);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidAccessKeyId");
                    });
            assertThat(proxy.requestCount()).isGreaterThanOrEqualTo(2);
        }
    }
}
