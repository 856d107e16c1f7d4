package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.Bucket;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

class SyntheticS3Test {

    private static final int N = 25_000;

    private static SyntheticS3 s3;
    private static S3Client client;

    @BeforeAll
    static void start() {
        s3 = SyntheticS3.builder().objects(N).objectsPerPrefix(1_000).missingRate(0.01).extraRate(0.02)
                .sizeChangeRate(0.005).contentChangeRate(0.003).build();
        client = client(s3);
    }

    @AfterAll
    static void stop() {
        client.close();
        s3.close();
    }

    private static S3Client client(SyntheticS3 server) {
        return S3Clients.client(server.endpoint(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
    }

    @Test
    void paginatedListingReturnsEveryKeyOnceInUtf8ByteOrder() {
        List<ListObjectsV2Response> pages = new ArrayList<>();
        client.listObjectsV2Paginator(b -> b.bucket(s3.sourceBucket())).forEach(pages::add);

        assertThat(pages).hasSize(N / 1000);
        long index = 0;
        byte[] previous = null;
        for (int p = 0; p < pages.size(); p++) {
            ListObjectsV2Response page = pages.get(p);
            assertThat(page.keyCount()).isEqualTo(page.contents().size()).isEqualTo(1000);
            assertThat(page.isTruncated()).isEqualTo(p < pages.size() - 1);
            assertThat(page.nextContinuationToken() != null).isEqualTo(page.isTruncated());
            assertThat(page.maxKeys()).isEqualTo(1000);
            assertThat(page.name()).isEqualTo(s3.sourceBucket());
            for (S3Object object : page.contents()) {
                byte[] key = object.key().getBytes(StandardCharsets.UTF_8);
                if (previous != null) {
                    assertThat(Arrays.compareUnsigned(previous, key)).as(object.key()).isNegative();
                }
                previous = key;
                assertThat(object.key()).isEqualTo(s3.key(index++));
                assertThat(object.eTag()).matches("\"[0-9a-f]{32}\"");
                assertThat(object.lastModified()).isEqualTo(s3.lastModified());
            }
        }
        assertThat(index).isEqualTo(N).isEqualTo(s3.objectCount(s3.sourceBucket()));
        assertThat(s3.key(12_345)).isEqualTo("d0012/obj-0000012345");
    }

    @Test
    void destinationDiffersFromSourceByExactlyTheExpectedCounts() {
        assertThat(s3.expectedMissing()).isEqualTo(Math.round(N * 0.01));
        assertThat(s3.expectedExtra()).isEqualTo(Math.round(N * 0.02));
        assertThat(s3.expectedSizeMismatch()).isEqualTo(Math.round(N * 0.005));
        assertThat(s3.expectedContentMismatch()).isEqualTo(Math.round(N * 0.003));
        assertThat(s3.expectedMatched()).isEqualTo(N - 250 - 125 - 75);

        // A plain merge of the two sorted listings, as the diff engine does.
        Iterator<S3Object> source = client.listObjectsV2Paginator(b -> b.bucket(s3.sourceBucket())).contents().iterator();
        Iterator<S3Object> destination = client.listObjectsV2Paginator(b -> b.bucket(s3.destinationBucket()).maxKeys(777))
                .contents().iterator();
        long missing = 0;
        long extra = 0;
        long sizeMismatch = 0;
        long contentMismatch = 0;
        long matched = 0;
        long destinationCount = 0;
        byte[] previous = null;
        S3Object s = next(source);
        S3Object d = next(destination);
        while (s != null || d != null) {
            if (d != null) {
                byte[] key = d.key().getBytes(StandardCharsets.UTF_8);
                if (previous != null) {
                    assertThat(Arrays.compareUnsigned(previous, key)).as(d.key()).isNegative();
                }
            }
            int cmp = s == null ? 1 : d == null ? -1 : Arrays.compareUnsigned(s.key().getBytes(StandardCharsets.UTF_8),
                    d.key().getBytes(StandardCharsets.UTF_8));
            if (cmp < 0) {
                missing++;
                s = next(source);
            } else if (cmp > 0) {
                extra++;
                assertThat(d.key()).endsWith("-extra+\u00e9");
                destinationCount++;
                previous = d.key().getBytes(StandardCharsets.UTF_8);
                d = next(destination);
            } else {
                if (!s.size().equals(d.size())) {
                    sizeMismatch++;
                    assertThat(d.eTag()).isNotEqualTo(s.eTag());
                } else if (!s.eTag().equals(d.eTag())) {
                    contentMismatch++;
                } else {
                    matched++;
                }
                assertThat(d.lastModified()).isEqualTo(s.lastModified());
                destinationCount++;
                previous = d.key().getBytes(StandardCharsets.UTF_8);
                s = next(source);
                d = next(destination);
            }
        }
        assertThat(missing).isEqualTo(s3.expectedMissing());
        assertThat(extra).isEqualTo(s3.expectedExtra());
        assertThat(sizeMismatch).isEqualTo(s3.expectedSizeMismatch());
        assertThat(contentMismatch).isEqualTo(s3.expectedContentMismatch());
        assertThat(matched).isEqualTo(s3.expectedMatched());
        assertThat(destinationCount).isEqualTo(s3.objectCount(s3.destinationBucket()))
                .isEqualTo(N - s3.expectedMissing() + s3.expectedExtra());
    }

    private static S3Object next(Iterator<S3Object> it) {
        return it.hasNext() ? it.next() : null;
    }

    @Test
    void prefixAndDelimiterGiveCommonPrefixes() {
        ListObjectsV2Response top = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).delimiter("/"));
        assertThat(top.contents()).isEmpty();
        assertThat(top.commonPrefixes()).extracting(CommonPrefix::prefix)
                .containsExactlyElementsOf(LongStream.range(0, 25).mapToObj(i -> String.format("d%04d/", i)).toList());
        assertThat(top.keyCount()).isEqualTo(25);
        assertThat(top.isTruncated()).isFalse();
        assertThat(top.delimiter()).isEqualTo("/");

        // Common prefixes count against max-keys and paginate.
        List<String> paged = client.listObjectsV2Paginator(b -> b.bucket(s3.sourceBucket()).delimiter("/").maxKeys(10))
                .commonPrefixes().stream().map(CommonPrefix::prefix).toList();
        assertThat(paged).containsExactlyElementsOf(top.commonPrefixes().stream().map(CommonPrefix::prefix).toList());

        ListObjectsV2Response dir = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).prefix("d0003/").delimiter("/"));
        assertThat(dir.commonPrefixes()).isEmpty();
        assertThat(dir.contents()).hasSize(1000);
        assertThat(dir.contents().get(0).key()).isEqualTo(s3.key(3000));
        assertThat(dir.contents().get(999).key()).isEqualTo(s3.key(3999));
        assertThat(dir.isTruncated()).isFalse();
        assertThat(dir.prefix()).isEqualTo("d0003/");

        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).prefix("d00").delimiter("/")).commonPrefixes())
                .hasSize(25);
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).prefix("d0003/").delimiter("-"))
                .commonPrefixes()).extracting(CommonPrefix::prefix).containsExactly("d0003/obj-");
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).prefix("d0003/obj-000000312")).contents())
                .extracting(S3Object::key)
                .containsExactlyElementsOf(LongStream.range(3120, 3130).mapToObj(s3::key).toList());
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).prefix("nothing/")).contents()).isEmpty();

        // A start-after inside a prefix still rolls the rest of that prefix up; one equal to a
        // common prefix resumes after it.
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).delimiter("/").startAfter(s3.key(3500)))
                .commonPrefixes().get(0).prefix()).isEqualTo("d0003/");
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).delimiter("/").startAfter("d0003/"))
                .commonPrefixes().get(0).prefix()).isEqualTo("d0004/");
    }

    @Test
    void startAfterAndMaxKeysSelectAWindow() {
        ListObjectsV2Response page = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).startAfter(s3.key(12_345))
                .maxKeys(7));
        assertThat(page.contents()).extracting(S3Object::key)
                .containsExactlyElementsOf(LongStream.rangeClosed(12_346, 12_352).mapToObj(s3::key).toList());
        assertThat(page.keyCount()).isEqualTo(7);
        assertThat(page.maxKeys()).isEqualTo(7);
        assertThat(page.isTruncated()).isTrue();
        assertThat(page.startAfter()).isEqualTo(s3.key(12_345));

        // The continuation token goes on from where the page stopped.
        ListObjectsV2Response next = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).maxKeys(3)
                .continuationToken(page.nextContinuationToken()));
        assertThat(next.contents()).extracting(S3Object::key).containsExactly(s3.key(12_353), s3.key(12_354), s3.key(12_355));
        assertThat(next.continuationToken()).isEqualTo(page.nextContinuationToken());

        // Any string works as start-after, not only existing keys.
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).startAfter(s3.key(12_345) + "zzz").maxKeys(1))
                .contents()).extracting(S3Object::key).containsExactly(s3.key(12_346));
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).startAfter("a").maxKeys(1)).contents())
                .extracting(S3Object::key).containsExactly(s3.key(0));

        ListObjectsV2Response last = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).startAfter(s3.key(N - 3)));
        assertThat(last.contents()).extracting(S3Object::key).containsExactly(s3.key(N - 2), s3.key(N - 1));
        assertThat(last.isTruncated()).isFalse();
        // A full last page is not truncated: nothing follows it.
        ListObjectsV2Response exact = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).startAfter(s3.key(N - 3))
                .maxKeys(2));
        assertThat(exact.isTruncated()).isFalse();
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).startAfter(s3.key(N - 1))).contents()).isEmpty();

        ListObjectsV2Response none = client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).maxKeys(0));
        assertThat(none.contents()).isEmpty();
        assertThat(none.isTruncated()).isFalse();
        assertThat(client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).maxKeys(5000)).contents()).hasSize(1000);

        assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(s3.sourceBucket()).continuationToken("bogus")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidArgument");
                });
    }

    @Test
    void listObjectsV1PaginatesWithMarkersAsRcloneDoes() {
        List<String> keys = new ArrayList<>();
        List<String> prefixes = new ArrayList<>();
        listV1("d0007/", null, 333, keys, prefixes);
        List<String> v2 = client.listObjectsV2Paginator(b -> b.bucket(s3.destinationBucket()).prefix("d0007/"))
                .contents().stream().map(S3Object::key).toList();
        assertThat(keys).isEqualTo(v2).hasSizeGreaterThan(900);
        assertThat(prefixes).isEmpty();

        keys.clear();
        listV1("", "/", 4, keys, prefixes);
        assertThat(keys).isEmpty();
        assertThat(prefixes).hasSize(25).doesNotHaveDuplicates().startsWith("d0000/").endsWith("d0024/");
    }

    /** Pages through ListObjects (V1) as rclone does: from NextMarker, or else from the last key. */
    private static void listV1(String prefix, String delimiter, int maxKeys, List<String> keys, List<String> prefixes) {
        String marker = null;
        while (true) {
            String from = marker;
            ListObjectsResponse page = client.listObjects(b -> b.bucket(s3.destinationBucket()).prefix(prefix)
                    .delimiter(delimiter).maxKeys(maxKeys).marker(from));
            page.contents().forEach(o -> keys.add(o.key()));
            page.commonPrefixes().forEach(p -> prefixes.add(p.prefix()));
            if (!page.isTruncated()) {
                return;
            }
            marker = page.nextMarker() != null ? page.nextMarker() : keys.get(keys.size() - 1);
        }
    }

    @Test
    void xmlIsS3sAndKeysAreUrlEncodedOnlyWhenAsked() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        long withExtra = LongStream.range(0, N)
                .filter(i -> s3.object(s3.destinationBucket(), s3.key(i) + "-extra+\u00e9").isPresent())
                .findFirst().orElseThrow();
        String startAfter = s3.key(withExtra);
        String base = s3.endpoint() + "/" + s3.destinationBucket() + "?list-type=2&max-keys=1&fetch-owner=true&start-after="
                + startAfter.replace("/", "%2F");

        String plain = http.send(HttpRequest.newBuilder(URI.create(base)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        assertThat(plain).startsWith("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
                .contains("<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>"
                        + s3.destinationBucket() + "</Name><Prefix></Prefix>")
                .contains("<Key>" + startAfter + "-extra+\u00e9</Key>")
                .contains("<LastModified>2024-01-01T00:00:00.000Z</LastModified>")
                .containsPattern("<ETag>&quot;[0-9a-f]{32}&quot;</ETag><Size>\\d+</Size><StorageClass>STANDARD</StorageClass>")
                .contains("<KeyCount>1</KeyCount>", "<MaxKeys>1</MaxKeys>", "<IsTruncated>true</IsTruncated>",
                        "<NextContinuationToken>", "<StartAfter>" + startAfter + "</StartAfter>")
                .doesNotContain("<EncodingType>");

        String encoded = http.send(HttpRequest.newBuilder(URI.create(base + "&encoding-type=url&prefix=d0%2B")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        assertThat(encoded).contains("<EncodingType>url</EncodingType>", "<Prefix>d0%2B</Prefix>",
                "<KeyCount>0</KeyCount>");
        String encodedKey = http.send(HttpRequest.newBuilder(URI.create(base + "&encoding-type=url")).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
        assertThat(encodedKey).contains("<Key>" + startAfter + "-extra%2B%C3%A9</Key>");

        // What the SDK decodes (it asks for encoding-type=url) is the key itself, and HEAD finds it.
        S3Object extra = client.listObjectsV2(b -> b.bucket(s3.destinationBucket()).startAfter(startAfter).maxKeys(1))
                .contents().get(0);
        assertThat(extra.key()).isEqualTo(startAfter + "-extra+\u00e9");
        assertThat(client.headObject(b -> b.bucket(s3.destinationBucket()).key(extra.key())).eTag()).isEqualTo(extra.eTag());
    }

    @Test
    void headAndGetAgreeWithTheListing() throws IOException {
        List<S3Object> listed = client.listObjectsV2(b -> b.bucket(s3.destinationBucket()).maxKeys(300)).contents();
        assertThat(listed).anyMatch(o -> o.size() == 0).anyMatch(o -> o.key().endsWith("\u00e9"));
        for (S3Object object : listed) {
            HeadObjectResponse head = client.headObject(b -> b.bucket(s3.destinationBucket()).key(object.key()));
            assertThat(head.contentLength()).as(object.key()).isEqualTo(object.size());
            assertThat(head.eTag()).isEqualTo(object.eTag());
            assertThat(head.lastModified()).isEqualTo(s3.lastModified());
            assertThat(s3.object(s3.destinationBucket(), object.key())).get()
                    .satisfies(e -> assertThat(e.size()).isEqualTo(object.size()))
                    .satisfies(e -> assertThat("\"" + e.eTag() + "\"").isEqualTo(object.eTag()));
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(s3.destinationBucket())
                    .key(object.key()))) {
                assertThat(in.response().eTag()).isEqualTo(object.eTag());
                assertThat(in.readAllBytes()).hasSize(Math.toIntExact(object.size()));
            }
        }

        // A large object streams exactly its size; a range is the same bytes as that slice.
        long large = LongStream.range(0, N).filter(i -> s3.object(s3.sourceBucket(), s3.key(i)).orElseThrow().size() > 8 << 20)
                .findFirst().orElseThrow();
        ObjectEntry entry = s3.object(s3.sourceBucket(), s3.key(large)).orElseThrow();
        long total = 0;
        byte[] head = new byte[100];
        try (InputStream in = client.getObject(b -> b.bucket(s3.sourceBucket()).key(entry.key()))) {
            byte[] buffer = new byte[1 << 16];
            for (int n; (n = in.read(buffer)) > 0; ) {
                if (total < head.length) {
                    System.arraycopy(buffer, 0, head, (int) total, (int) Math.min(n, head.length - total));
                }
                total += n;
            }
        }
        assertThat(total).isEqualTo(entry.size());
        byte[] ranged = client.getObjectAsBytes(b -> b.bucket(s3.sourceBucket()).key(entry.key()).range("bytes=10-59"))
                .asByteArray();
        assertThat(ranged).isEqualTo(Arrays.copyOfRange(head, 10, 60));
    }

    @Test
    void unknownKeysAndBucketsGiveS3sErrors() {
        long missingIndex = LongStream.range(0, N)
                .filter(i -> s3.object(s3.destinationBucket(), s3.key(i)).isEmpty()).findFirst().orElseThrow();
        String missingKey = s3.key(missingIndex);
        assertThat(client.headObject(b -> b.bucket(s3.sourceBucket()).key(missingKey)).contentLength()).isNotNegative();
        assertThatThrownBy(() -> client.getObject(b -> b.bucket(s3.destinationBucket()).key(missingKey)))
                .isInstanceOfSatisfying(NoSuchKeyException.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(404);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("NoSuchKey");
                });
        assertThatThrownBy(() -> client.headObject(b -> b.bucket(s3.destinationBucket()).key(missingKey)))
                .isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> client.getObject(b -> b.bucket(s3.sourceBucket()).key("no/such key")))
                .isInstanceOf(NoSuchKeyException.class);
        assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket("no-such-bucket")))
                .isInstanceOfSatisfying(NoSuchBucketException.class, e -> assertThat(e.statusCode()).isEqualTo(404));
        assertThatThrownBy(() -> client.getObject(b -> b.bucket("no-such-bucket").key(s3.key(0))))
                .isInstanceOf(NoSuchBucketException.class);
        assertThatThrownBy(() -> client.headBucket(b -> b.bucket("no-such-bucket")))
                .isInstanceOf(NoSuchBucketException.class);
        assertThatThrownBy(() -> client.putObject(b -> b.bucket(s3.destinationBucket()).key("x"), RequestBody.fromString("x")))
                .isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(403);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("AccessDenied");
                });

        // What rclone and validators ask first.
        client.headBucket(b -> b.bucket(s3.sourceBucket()));
        assertThat(client.listBuckets().buckets()).extracting(Bucket::name)
                .containsExactly(s3.sourceBucket(), s3.destinationBucket());
        client.getBucketLocation(b -> b.bucket(s3.destinationBucket()));
        assertThat(client.getBucketVersioning(b -> b.bucket(s3.destinationBucket())).status()).isNull();
        assertThatThrownBy(() -> s3.objectCount("other")).isInstanceOf(S3ReconException.class);
    }

    @Test
    void builderChecksItsSettings() {
        assertThatThrownBy(() -> SyntheticS3.builder().objects(-1)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> SyntheticS3.builder().missingRate(1.5)).hasMessageContaining("1.5");
        assertThatThrownBy(() -> SyntheticS3.builder().sourceBucket("Bad_Name")).hasMessageContaining("Bad_Name");
        assertThatThrownBy(() -> SyntheticS3.builder().missingRate(0.6).contentChangeRate(0.6).build())
                .isInstanceOf(S3ReconException.class).hasMessageContaining("at most 1");
        assertThatThrownBy(() -> SyntheticS3.builder().destinationBucket(SyntheticS3.DEFAULT_SOURCE_BUCKET).build())
                .hasMessageContaining("differ");
        try (SyntheticS3 empty = SyntheticS3.builder().objects(0).missingRate(1).build();
                S3Client c = client(empty)) {
            assertThat(c.listObjectsV2(b -> b.bucket(empty.destinationBucket())).contents()).isEmpty();
            assertThat(empty.expectedMatched()).isZero();
        }
    }

    @Test
    void everyKeyMissingStillListsInBoundedPages() {
        try (SyntheticS3 all = SyntheticS3.builder().objects(10_000_000).missingRate(1).extraRate(0.000_001).build();
                S3Client c = client(all)) {
            List<String> keys = c.listObjectsV2Paginator(b -> b.bucket(all.destinationBucket())).contents().stream()
                    .map(S3Object::key).toList();
            assertThat(keys).hasSize(10).allMatch(k -> k.endsWith("-extra+\u00e9"));
            assertThat(all.objectCount(all.destinationBucket())).isEqualTo(10);
        }
    }

    @Test
    void maxKeysPerPageCapsEveryPageAndTheListingStaysWhole() {
        try (SyntheticS3 small = SyntheticS3.builder().objects(2_345).maxKeysPerPage(100).build();
                S3Client c = client(small)) {
            List<ListObjectsV2Response> pages = c.listObjectsV2Paginator(b -> b.bucket(small.sourceBucket())
                    .maxKeys(1000)).stream().toList();
            assertThat(pages).hasSize(24);
            assertThat(pages).allSatisfy(p -> assertThat(p.contents().size()).isLessThanOrEqualTo(100));
            assertThat(pages.stream().flatMap(p -> p.contents().stream()).map(S3Object::key).toList())
                    .hasSize(2_345).doesNotHaveDuplicates().isSorted();
        }
        assertThatThrownBy(() -> SyntheticS3.builder().maxKeysPerPage(0)).isInstanceOf(S3ReconException.class);
        assertThatThrownBy(() -> SyntheticS3.builder().maxKeysPerPage(1001)).isInstanceOf(S3ReconException.class);
    }

    @Test
    void pageLatencyDelaysEachListingPage() {
        try (SyntheticS3 slow = SyntheticS3.builder().objects(3_000).pageLatency(Duration.ofMillis(100)).build();
                S3Client c = client(slow)) {
            c.listObjectsV2(b -> b.bucket(slow.sourceBucket()).maxKeys(1)); // connection warm-up
            long start = System.nanoTime();
            long keys = c.listObjectsV2Paginator(b -> b.bucket(slow.sourceBucket())).contents().stream().count();
            long millis = (System.nanoTime() - start) / 1_000_000;
            assertThat(keys).isEqualTo(3_000);
            assertThat(millis).isGreaterThanOrEqualTo(300);
        }
    }

    @Test
    void hundredMillionObjectsListFromNearTheEndInstantlyWithConstantHeap() {
        try (SyntheticS3 huge = SyntheticS3.builder().objects(100_000_000).missingRate(0.001).extraRate(0.001).build();
                S3Client c = client(huge)) {
            assertThat(huge.key(99_999_999)).isEqualTo("d9999/obj-0099999999");
            assertThat(huge.objectCount(huge.destinationBucket())).isEqualTo(100_000_000);
            String startAfter = huge.key(98_999_999);
            c.listObjectsV2(b -> b.bucket(huge.sourceBucket()).startAfter(huge.key(5)).maxKeys(1000)); // warm-up
            long before = usedHeapAfterGc();

            long start = System.nanoTime();
            ListObjectsV2Response first = c.listObjectsV2(b -> b.bucket(huge.sourceBucket()).startAfter(startAfter));
            long firstPageMillis = (System.nanoTime() - start) / 1_000_000;
            assertThat(first.contents().get(0).key()).isEqualTo(huge.key(99_000_000));
            assertThat(firstPageMillis).isLessThan(2_000);

            long[] index = {99_000_000};
            long count = c.listObjectsV2Paginator(b -> b.bucket(huge.sourceBucket()).startAfter(startAfter))
                    .contents().stream().limit(50_000)
                    .peek(o -> assertThat(o.key()).isEqualTo(huge.key(index[0]++))).count();
            long destinationCount = c.listObjectsV2Paginator(b -> b.bucket(huge.destinationBucket())
                    .startAfter(startAfter)).contents().stream().limit(50_000).count();
            long after = usedHeapAfterGc();
            System.out.printf("SyntheticS3 100M objects: first page after key 99,000,000 in %d ms; heap %d KiB -> %d KiB%n",
                    firstPageMillis, before >> 10, after >> 10);
            assertThat(count).isEqualTo(50_000);
            assertThat(destinationCount).isEqualTo(50_000);
            assertThat(after - before).isLessThan(16L << 20);
        }
    }

    @Test
    void measuresSequentialListingThroughput() throws Exception {
        try (SyntheticS3 million = SyntheticS3.builder().objects(1_000_000).build(); S3Client c = client(million)) {
            // The SDK's XML parsing dominates and speeds up a lot once compiled: warm it up first.
            c.listObjectsV2Paginator(b -> b.bucket(million.sourceBucket())).contents().stream().limit(300_000).count();
            long start = System.nanoTime();
            long keys = c.listObjectsV2Paginator(b -> b.bucket(million.sourceBucket())).contents().stream().count();
            double seconds = (System.nanoTime() - start) / 1e9;
            assertThat(keys).isEqualTo(1_000_000);
            System.out.printf("SyntheticS3: listed %,d keys with one SDK client in %.2f s: %,.0f keys/s%n",
                    keys, seconds, keys / seconds);

            // The server alone: the same pages fetched as raw bytes, without XML parsing.
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            start = System.nanoTime();
            long pages = 0;
            String token = null;
            do {
                URI uri = URI.create(million.endpoint() + "/" + million.sourceBucket() + "?list-type=2&encoding-type=url"
                        + (token == null ? "" : "&continuation-token=" + token));
                String body = http.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8)).body();
                int at = body.indexOf("<NextContinuationToken>");
                token = at < 0 ? null : body.substring(at + 23, body.indexOf("</NextContinuationToken>"));
                pages++;
            } while (token != null);
            seconds = (System.nanoTime() - start) / 1e9;
            assertThat(pages).isEqualTo(1_000);
            System.out.printf("SyntheticS3: served %,d keys as raw pages in %.2f s: %,.0f keys/s%n",
                    pages * 1000, seconds, pages * 1000 / seconds);
        }
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
