package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.identity.spi.AwsCredentialsIdentity;
import software.amazon.awssdk.identity.spi.AwsSessionCredentialsIdentity;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/** {@link SigV4} signs as the SDK's {@link AwsV4HttpSigner} does, header for header, for every request shape the direct path sends. */
class SigV4Test {

    private static final Instant NOW = Instant.parse("2026-12-07T16:45:07Z");
    private static final AwsCredentialsIdentity KEYS = AwsCredentialsIdentity.create("AKIDEXAMPLE", "wJalr/XUtnFEMI+K7MDENG");
    private static final AwsCredentialsIdentity SESSION = AwsSessionCredentialsIdentity.create("ASIAEXAMPLE",
            "secret/with+chars", "FwoGZXIvYXdzE//token==");

    @Test
    void signsGetsPutsAndListingsAsTheSdkDoes() {
        for (boolean doubleEncode : new boolean[] {false, true}) {
            for (AwsCredentialsIdentity identity : List.of(KEYS, SESSION)) {
                assertSame(identity, doubleEncode, request("http://127.0.0.1:9000/bucket", "object.bin", SdkHttpMethod.GET,
                        b -> b.putHeader("If-Match", "\"d41d8cd98f00b204e9800998ecf8427e\"")
                                .putHeader("x-amz-checksum-mode", "ENABLED")));
                assertSame(identity, doubleEncode, request("https://bucket.s3.eu-west-1.amazonaws.com", "données été/日本 😀 +&=?#%.txt",
                        SdkHttpMethod.GET, b -> b.putHeader("Range", "bytes=0-8388607")));
                assertSame(identity, doubleEncode, request("http://localhost/bucket", "a/b", SdkHttpMethod.PUT,
                        b -> b.putHeader("Content-Length", "51200").putHeader("Content-Type", "text/html;  charset=utf-8")
                                .putHeader("x-amz-meta-owner", "  team   7 ")
                                .putHeader("x-amz-meta-Mixed-Case", "a\tb")
                                .putHeader("x-amz-meta-s3recon-source-etag", "abc-3")
                                .putHeader("x-amz-tagging", "project=s3recon&tier=gold")
                                .putHeader("x-amz-checksum-crc64nvme", "WanpjTNVteo=")
                                .putHeader("Expires", "Mon, 03 Feb 2031 04:05:06 GMT")
                                .putHeader("User-Agent", "s3recon (direct relay)")
                                .putHeader("Accept", "*/*")));
                assertSame(identity, doubleEncode, request("http://127.0.0.1:9000/bucket", "k", SdkHttpMethod.GET,
                        b -> b.appendRawQueryParameter("tagging", null)));
                assertSame(identity, doubleEncode, request("http://127.0.0.1:9000/bucket", "big", SdkHttpMethod.PUT,
                        b -> b.appendRawQueryParameter("partNumber", "12").appendRawQueryParameter("uploadId",
                                "2~abc/def+ghi=").putHeader("Content-Length", "8388608")));
                assertSame(identity, doubleEncode, request("https://s3.amazonaws.com/bucket", "", SdkHttpMethod.GET,
                        b -> b.appendRawQueryParameter("list-type", "2").appendRawQueryParameter("max-keys", "1000")
                                .appendRawQueryParameter("prefix", "logs/2026 été/")
                                .appendRawQueryParameter("continuation-token", "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=")
                                .appendRawQueryParameter("start-after", "a~b*c")
                                .appendRawQueryParameter("encoding-type", "url")));
                assertSame(identity, doubleEncode, request("http://127.0.0.1:9000/bucket", "dst", SdkHttpMethod.PUT,
                        b -> b.putHeader("x-amz-copy-source", "bucket/src%20key")
                                .putHeader("x-amz-copy-source-if-match", "\"0123\"")));
            }
        }
    }

    @Test
    void derivesTheKeyAgainForAnotherDayOrSecret() {
        SigV4 signer = new SigV4("eu-west-1", "s3", false);
        SdkHttpRequest r = request("http://127.0.0.1:9000/bucket", "k", SdkHttpMethod.GET, b -> { });
        String today = authorization(signer.sign(r, KEYS, "UNSIGNED-PAYLOAD", NOW));
        String tomorrow = authorization(signer.sign(r, KEYS, "UNSIGNED-PAYLOAD", NOW.plusSeconds(86_400)));
        String otherSecret = authorization(signer.sign(r, AwsCredentialsIdentity.create("AKIDEXAMPLE", "other"),
                "UNSIGNED-PAYLOAD", NOW));
        assertThat(tomorrow).isEqualTo(authorization(sdk(r, KEYS, false, NOW.plusSeconds(86_400))));
        assertThat(otherSecret).isEqualTo(authorization(sdk(r, AwsCredentialsIdentity.create("AKIDEXAMPLE", "other"),
                false, NOW)));
        assertThat(authorization(signer.sign(r, KEYS, "UNSIGNED-PAYLOAD", NOW))).isEqualTo(today)
                .isNotEqualTo(tomorrow).isNotEqualTo(otherSecret);
    }

    private static void assertSame(AwsCredentialsIdentity identity, boolean doubleEncode, SdkHttpRequest unsigned) {
        SdkHttpRequest ours = new SigV4("eu-west-1", "s3", doubleEncode).sign(unsigned, identity, "UNSIGNED-PAYLOAD", NOW);
        SdkHttpRequest theirs = sdk(unsigned, identity, doubleEncode, NOW);
        assertThat(ours.headers()).as("%s %s", unsigned.method(), unsigned.getUri()).isEqualTo(theirs.headers());
        assertThat(ours.getUri()).isEqualTo(theirs.getUri());
    }

    private static SdkHttpRequest sdk(SdkHttpRequest unsigned, AwsCredentialsIdentity identity, boolean doubleEncode,
            Instant now) {
        return AwsV4HttpSigner.create().sign(r -> r.identity(identity).request(unsigned)
                .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                .putProperty(AwsV4HttpSigner.REGION_NAME, "eu-west-1")
                .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, doubleEncode)
                .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)
                .putProperty(AwsV4HttpSigner.SIGNING_CLOCK, Clock.fixed(now, ZoneOffset.UTC))).request();
    }

    private static String authorization(SdkHttpRequest signed) {
        return signed.firstMatchingHeader("Authorization").orElseThrow();
    }

    private static SdkHttpRequest request(String base, String key, SdkHttpMethod method,
            Consumer<SdkHttpRequest.Builder> more) {
        URI url = URI.create(base);
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        SdkHttpRequest.Builder b = SdkHttpRequest.builder().method(method).uri(url)
                .encodedPath(key.isEmpty() ? path : path + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(key));
        more.accept(b);
        return b.build();
    }
}
