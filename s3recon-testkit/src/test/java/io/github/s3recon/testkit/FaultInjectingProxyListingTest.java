package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The listing-page faults, seen in the raw HTTP answers of ListObjectsV2 pages of two keys. */
class FaultInjectingProxyListingTest {

    private static final String BUCKET = "testkit-fault-proxy-listing";
    private static final Pattern TOKEN = Pattern.compile("<NextContinuationToken>([^<]*)</NextContinuationToken>");
    private static final EmbeddedS3 s3 = EmbeddedS3.shared();
    private static final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void createBucket() {
        s3.createBucket(BUCKET);
        for (int i = 0; i < 5; i++) {
            s3.put(BUCKET, "k" + i, new byte[] {(byte) i});
        }
    }

    private static HttpResponse<String> page(FaultInjectingProxy proxy, String token) throws Exception {
        String query = "list-type=2&max-keys=2"
                + (token == null ? "" : "&continuation-token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create(proxy.endpoint() + "/" + BUCKET + "?" + query))
                .timeout(Duration.ofSeconds(10)).GET().build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    private static String token(String body) {
        Matcher m = TOKEN.matcher(body);
        return m.find() ? m.group(1).replace("&amp;", "&") : null;
    }

    @Test
    void numbersTheListingPagesByTheirContinuationTokens() throws Exception {
        List<Integer> seen = new CopyOnWriteArrayList<>();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.delay(1.0, Duration.ofMillis(1)).onlyFor(r -> {
                    seen.add(r.listingPage());
                    return false;
                }))) {
            String token = token(page(proxy, null).body());
            token = token(page(proxy, token).body());
            // A retry of a page has the same index.
            page(proxy, token);
            page(proxy, token);
            s3.client().headBucket(b -> b.bucket(BUCKET));
            page(proxy, "never-seen");
        }
        assertThat(seen).containsExactly(0, 1, 2, 2, -1);
    }

    @Test
    void truncatedListingPageSaysTruncatedWithoutAToken() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.truncatedListingPage(1))) {
            HttpResponse<String> first = page(proxy, null);
            assertThat(token(first.body())).isNotNull();
            HttpResponse<String> second = page(proxy, token(first.body()));
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.body()).contains("<IsTruncated>true</IsTruncated>").doesNotContain("NextContinuationToken")
                    .contains("<Key>k2</Key>").endsWith("</ListBucketResult>");
            assertThat(proxy.injectedCount(Fault.Kind.TRUNCATED_LISTING_PAGE)).isOne();
        }
    }

    @Test
    void repeatedListingPageServesThePreviousPageAgain() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.repeatedListingPage(1))) {
            HttpResponse<String> first = page(proxy, null);
            HttpResponse<String> second = page(proxy, token(first.body()));
            assertThat(second.statusCode()).isEqualTo(200);
            assertThat(second.body()).isEqualTo(first.body()).contains("<Key>k0</Key>");
            assertThat(proxy.injectedCount(Fault.Kind.REPEATED_LISTING_PAGE)).isOne();
        }
        assertThatThrownBy(() -> Fault.repeatedListingPage(0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> Fault.listingCutShort(-1)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was -1");
    }

    @Test
    void listingCutShortSendsHalfAPageWithAConsistentLength() throws Exception {
        String whole;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            whole = page(proxy, null).body();
        }
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.listingCutShort(0))) {
            HttpResponse<String> cut = page(proxy, null);
            assertThat(cut.statusCode()).isEqualTo(200);
            assertThat(cut.headers().firstValueAsLong("Content-Length")).hasValue(cut.body().length());
            assertThat(cut.body()).hasSize(whole.length() / 2).doesNotContain("</ListBucketResult>");
            assertThat(whole).startsWith(cut.body());
        }
    }

    @Test
    void listingClosedMidBodyEndsTheBodyEarly() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.listingClosedMidBody(0))) {
            assertThatThrownBy(() -> page(proxy, null)).isInstanceOf(IOException.class);
            assertThat(proxy.injectedCount(Fault.Kind.LISTING_CLOSED_MID_BODY)).isOne();
        }
    }

    @Test
    void internalErrorOnLaterListingPagesFailsEveryPageButTheFirst() throws Exception {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.internalErrorOnLaterListingPages())) {
            HttpResponse<String> first = page(proxy, null);
            assertThat(first.statusCode()).isEqualTo(200);
            String token = token(first.body());
            for (int attempt = 0; attempt < 3; attempt++) {
                HttpResponse<String> later = page(proxy, token);
                assertThat(later.statusCode()).isEqualTo(500);
                assertThat(later.body()).contains("InternalError");
            }
            // Other requests pass.
            assertThat(s3.client().headObject(b -> b.bucket(BUCKET).key("k0")).contentLength()).isOne();
            assertThat(proxy.forwardedCount(Operation.LIST_OBJECTS_V2, BUCKET, "")).isOne();
        }
    }
}
