package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ChecksumAlgorithm;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

/** The relay's own aws-chunked framing is the SDK signer's, byte for byte and in length. */
class AwsChunkedBodyTest {

    private static final int CHUNK = AwsChunkedBody.CHUNK;

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, 15, 16, 4095, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 12_345, 16 * CHUNK})
    void framesAsTheSdkSignerDoes(int length) throws IOException {
        assertSameAsSdk(length, ChecksumAlgorithm.CRC64NVME);
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(ChecksumAlgorithm.class)
    void framesEveryAlgorithmsTrailerAsTheSdkSignerDoes(ChecksumAlgorithm algorithm) throws IOException {
        assertSameAsSdk(2 * CHUNK + 77, algorithm);
    }

    @ParameterizedTest(name = "{0} bytes")
    @ValueSource(ints = {1, CHUNK, CHUNK + 5})
    void aBodyThatEndsShortIsNotFramedToTheEnd(int length) {
        byte[] body = bytes(length - 1);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThatThrownBy(() -> AwsChunkedBody.write(new ByteArrayInputStream(body), length, out,
                "x-amz-checksum-crc32", () -> "AAAAAA==", new byte[CHUNK]))
                .isInstanceOf(IOException.class).hasMessageContaining("1 bytes short");
        // No trailer went out: the request stays shorter than its Content-Length.
        assertThat(out.toString(java.nio.charset.StandardCharsets.ISO_8859_1)).doesNotContain("x-amz-checksum");
    }

    private static void assertSameAsSdk(int length, ChecksumAlgorithm algorithm) throws IOException {
        byte[] body = bytes(length);
        SdkHttpRequest unsigned = SdkHttpRequest.builder().method(SdkHttpMethod.PUT)
                .uri(URI.create("https://example.com/bucket/key")).putHeader("Content-Length", Integer.toString(length))
                .build();
        SignedRequest signed = AwsV4HttpSigner.create().sign(r -> r
                .identity(AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret"))
                .request(unsigned).payload(ContentStreamProvider.fromByteArray(body))
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.CHUNK_ENCODING_ENABLED, true)
                .putProperty(AwsV4HttpSigner.CHECKSUM_ALGORITHM, Checksums.sdkAlgorithm(algorithm)));
        byte[] sdk = signed.payload().orElseThrow().newStream().readAllBytes();

        SdkChecksum checksum = Checksums.newChecksum(algorithm);
        checksum.update(body, 0, body.length);
        String value = Checksums.base64(checksum);
        ByteArrayOutputStream ours = new ByteArrayOutputStream();
        AwsChunkedBody.write(new ByteArrayInputStream(body), length, ours, Checksums.header(algorithm), () -> value,
                new byte[CHUNK]);

        assertThat(ours.toByteArray()).isEqualTo(sdk);
        long framed = AwsChunkedBody.framedLength(length, Checksums.header(algorithm), value.length());
        assertThat(framed).isEqualTo(sdk.length);
        assertThat(signed.request().firstMatchingHeader("Content-Length")).contains(Long.toString(framed));
    }

    private static byte[] bytes(int length) {
        byte[] b = new byte[length];
        new Random(length).nextBytes(b);
        return b;
    }
}
