package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.ContentStreamProvider;
import software.amazon.awssdk.http.SdkHttpFullRequest;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.HttpSigner;
import software.amazon.awssdk.http.auth.spi.signer.SignedRequest;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;

class UnsignedPayloadsTest {

    private static final AwsCredentialsIdentity ID = AwsCredentialsIdentity.create("AKIDEXAMPLE", "secret");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC);

    private static SdkHttpRequest put(String protocol, int port) {
        return SdkHttpFullRequest.builder().method(SdkHttpMethod.PUT).protocol(protocol).host("127.0.0.1").port(port)
                .encodedPath("/bucket/key").putHeader("Content-Length", "5").build();
    }

    private static SignedRequest sign(HttpSigner<AwsCredentialsIdentity> signer, SdkHttpRequest request) {
        return signer.sign(r -> r.identity(ID).request(request).payload(ContentStreamProvider.fromUtf8String("hello"))
                .putProperty(AwsV4HttpSigner.REGION_NAME, "us-east-1")
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(HttpSigner.SIGNING_CLOCK, CLOCK));
    }

    private static String header(SignedRequest signed, String name) {
        return signed.request().firstMatchingHeader(name).orElse(null);
    }

    @Test
    void overPlainHttpTheBodyIsNotSigned_theHeadersAreAsOverHttps_andTheRequestStaysHttp() {
        SignedRequest ours = sign(UnsignedPayloads.signer(), put("http", 9000));
        SignedRequest sdkOverHttp = sign(AwsV4HttpSigner.create(), put("http", 9000));
        SignedRequest sdkOverHttps = sign(AwsV4HttpSigner.create(), put("https", 9000));

        assertThat(header(sdkOverHttp, "x-amz-content-sha256")).as("the SDK hashes the body over HTTP")
                .isNotEqualTo("UNSIGNED-PAYLOAD");
        assertThat(header(ours, "x-amz-content-sha256")).isEqualTo("UNSIGNED-PAYLOAD");
        assertThat(header(ours, "Authorization")).isEqualTo(header(sdkOverHttps, "Authorization"));
        assertThat(header(ours, "Host")).isEqualTo(header(sdkOverHttp, "Host"));
        assertThat(ours.request().protocol()).isEqualTo("http");
        assertThat(ours.request().port()).isEqualTo(9000);
        assertThat(ours.request().getUri()).isEqualTo(put("http", 9000).getUri());
    }

    @Test
    void onTheDefaultPortAndOverHttpsTheSdkSignsAsItWould() {
        assertThat(header(sign(UnsignedPayloads.signer(), put("http", 80)), "Authorization"))
                .isEqualTo(header(sign(AwsV4HttpSigner.create(), put("http", 80)), "Authorization"));
        assertThat(header(sign(UnsignedPayloads.signer(), put("https", 9000)), "Authorization"))
                .isEqualTo(header(sign(AwsV4HttpSigner.create(), put("https", 9000)), "Authorization"));
    }
}
