package io.github.s3recon.transfer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.S3Location;
import io.github.s3recon.testkit.EmbeddedS3Proxy;
import io.github.s3recon.testkit.RecordingListener;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Direct requests against servers that check SigV4 signatures (S3Proxy with credentials): keys that
 * URL encoding and signing get wrong when they can, metadata and content headers, all relayed with
 * the JDK's client after the first object, and accepted by both servers.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DirectRelaySigningTest {

    private static EmbeddedS3Proxy first;
    private static EmbeddedS3Proxy second;

    @BeforeAll
    static void start() {
        first = EmbeddedS3Proxy.withCredentials("direct-first", "first-secret-value");
        second = EmbeddedS3Proxy.withCredentials("direct-second", "second-secret-value");
    }

    @AfterAll
    static void stop() {
        for (EmbeddedS3Proxy s : new EmbeddedS3Proxy[] {first, second}) {
            if (s != null) {
                s.close();
            }
        }
    }

    @Test
    void signedDirectRequestsAreAcceptedForOddKeys() {
        String src = "direct-src-" + Long.toHexString(System.nanoTime());
        String dst = "direct-dst-" + Long.toHexString(System.nanoTime());
        first.createBucket(src);
        second.createBucket(dst);
        Map<String, byte[]> objects = new LinkedHashMap<>();
        objects.put("0 first (learns the endpoints)", "first".getBytes(UTF_8));
        objects.put("plain.txt", "plain".getBytes(UTF_8));
        objects.put("a+b=c&d.txt", "plus".getBytes(UTF_8));
        objects.put("with space/and more.txt", "spaces".getBytes(UTF_8));
        objects.put("%2F not a slash", "percent".getBytes(UTF_8));
        objects.put("caf\u00e9/\u65e5\u672c\u8a9e.txt", "unicode".getBytes(UTF_8));
        objects.put("\uD83D\uDE00 astral ~.txt", "astral".getBytes(UTF_8));
        objects.put("empty", new byte[0]);
        objects.forEach((k, v) -> first.put(src, k, v));
        first.client().putObject(b -> b.bucket(src).key("styled").contentType("text/plain; charset=utf-8")
                .cacheControl("no-cache").metadata(Map.of("owner", "team a", "n", "1")),
                software.amazon.awssdk.core.sync.RequestBody.fromBytes("styled".getBytes(UTF_8)));
        objects.put("styled", "styled".getBytes(UTF_8));

        RecordingListener recorder = new RecordingListener();
        try (SizeTieredScheduler scheduler = Fixture.testScheduler().smallObjectConcurrency(1).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(first.asyncClient(), src),
                    S3Location.of(second.asyncClient(), dst, "copy/"), recorder),
                    Fixture.list(first.client(), src, ""));
            // S3Proxy has no tags: the one GetObjectTagging answered 501 goes to the SDK, which then
            // turns tags off for the session. Nothing else leaves the direct path.
            assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isLessThanOrEqualTo(1);
            assertThat(scheduler.firstFallback()).isIn(null, "GetObjectTagging answered 501");
            // All but the first object: a GET and a PUT each.
            assertThat(scheduler.directRequestsSent()).isGreaterThanOrEqualTo(2L * (objects.size() - 2));
        }
        recorder.assertOneOutcomeEach(objects.keySet());
        for (Map.Entry<String, byte[]> e : objects.entrySet()) {
            assertThat(Fixture.get(second.client(), dst, "copy/" + e.getKey())).as(e.getKey()).isEqualTo(e.getValue());
        }
        var head = second.client().headObject(h -> h.bucket(dst).key("copy/styled"));
        // S3Proxy normalises the type it stores ("text/plain;charset=utf-8"): as the source has it.
        assertThat(head.contentType()).isEqualTo(first.client().headObject(h -> h.bucket(src).key("styled"))
                .contentType());
        assertThat(head.cacheControl()).isEqualTo("no-cache");
        assertThat(head.metadata()).containsEntry("owner", "team a").containsEntry("n", "1")
                .containsKey("s3recon-source-etag");
        // Nothing the source does not have: HttpURLConnection adds "Cache-Control: no-cache" to a
        // request sent without caches, and a form content type to some bodies; S3 would store both.
        var plain = second.client().headObject(h -> h.bucket(dst).key("copy/plain.txt"));
        var original = first.client().headObject(h -> h.bucket(src).key("plain.txt"));
        assertThat(plain.cacheControl()).isEqualTo(original.cacheControl()).isNull();
        assertThat(plain.contentType()).isEqualTo(original.contentType());
    }

    /**
     * The parts of a large object relayed directly (a ranged GET streamed into an UploadPart with an
     * aws-chunked body and a trailing checksum, signed as over https): accepted by a server that
     * checks every signature, and the object arrives whole.
     */
    @Test
    void partsRelayedDirectlyAreSignedAsTheServerExpects() {
        String src = "direct-parts-src-" + Long.toHexString(System.nanoTime());
        String dst = "direct-parts-dst-" + Long.toHexString(System.nanoTime());
        first.createBucket(src);
        second.createBucket(dst);
        byte[] large = Fixture.bytes(4 * io.github.s3recon.testkit.EmbeddedS3.MIN_PART_SIZE + 12345, 9);
        first.put(src, "large/été +&=.bin", large);
        first.put(src, "a small one", "small".getBytes(UTF_8));

        RecordingListener recorder = new RecordingListener();
        try (SizeTieredScheduler scheduler = Fixture.testScheduler()
                .smallObjectThreshold(io.github.s3recon.DataSize.ofMebibytes(6))
                .partSize(io.github.s3recon.DataSize.ofMebibytes(5)).largeObjectConcurrency(2).build()) {
            Fixture.copyAll(scheduler, Fixture.context(S3Location.of(first.asyncClient(), src),
                    S3Location.of(second.asyncClient(), dst), recorder), Fixture.list(first.client(), src, ""));
            // Only GetObjectTagging (S3Proxy has no tags) may leave the direct path.
            assertThat(scheduler.firstFallback()).isIn(null, "GetObjectTagging answered 501");
            assertThat(scheduler.directFallbacks()).as(scheduler.firstFallback()).isLessThanOrEqualTo(1);
            // Five parts: at most one of them learns a route through the SDK; each other is a GET and an UploadPart.
            assertThat(scheduler.directRequestsSent()).isGreaterThanOrEqualTo(2 * 4);
        }
        recorder.assertOneOutcomeEach(java.util.List.of("large/été +&=.bin", "a small one"));
        assertThat(Fixture.get(second.client(), dst, "large/été +&=.bin")).isEqualTo(large);
    }
}
