package io.github.s3recon.inventory;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.SyntheticS3;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.core.interceptor.Context;
import software.amazon.awssdk.core.interceptor.ExecutionAttributes;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;

/** The fast lister's contract: ranges, read-ahead, and errors through the SDK, on real servers. */
class FastS3ObjectListerTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    private static SyntheticS3 synthetic;
    private static S3AsyncClient syntheticClient;

    @BeforeAll
    static void start() {
        synthetic = SyntheticS3.builder().objects(20_000).objectsPerPrefix(5_000).extraRate(0.01).build();
        syntheticClient = S3Clients.asyncClient(synthetic.endpoint(), Region.US_EAST_1,
                StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")));
    }

    @AfterAll
    static void stop() {
        syntheticClient.close();
        synthetic.close();
    }

    private static List<ObjectEntry> list(io.github.s3recon.spi.ObjectLister lister, S3Location location, KeyRange range) {
        try (Stream<ObjectEntry> entries = lister.list(location, range)) {
            return entries.collect(Collectors.toList());
        }
    }

    @Test
    void listsARangeStartingAfterItsStartAndStoppingAtItsEnd() {
        S3Location location = S3Location.of(syntheticClient, synthetic.destinationBucket(), "d0001/");
        try (FastS3ObjectLister fast = FastS3ObjectLister.create()) {
            List<ObjectEntry> all = list(fast, location, KeyRange.ALL);
            // The prefix's 5,000 keys and the extras injected among them.
            assertThat(all.stream().filter(e -> !e.key().contains("-extra")).count()).isEqualTo(5_000);
            assertThat(all).hasSizeGreaterThan(5_000);

            List<KeyRange> ranges = List.of(new KeyRange("obj-0000006000", "obj-0000007500"),
                    new KeyRange("obj-0000006000-extra", "obj-0000006999~"), new KeyRange(null, "obj-0000005000"),
                    new KeyRange("obj-0000009998", null), new KeyRange("a", "b"), new KeyRange("obj-0000009999~", null));
            for (KeyRange range : ranges) {
                long requestsBefore = synthetic.requestCount();
                List<ObjectEntry> listed = list(fast, location, range);
                long requests = synthetic.requestCount() - requestsBefore;

                assertThat(listed).as(range.toString())
                        .isEqualTo(all.stream().filter(e -> range.contains(e.key())).collect(Collectors.toList()));
                // StartAfter skips what lies before; no page is fetched past the one holding the end.
                assertThat(requests).as(range.toString()).isLessThanOrEqualTo(1 + (listed.size() + 999) / 1000);
            }
            // After the counts: the SDK lister may leave a page in flight when it stops at a range's end.
            for (KeyRange range : ranges) {
                assertThat(list(fast, location, range)).as(range.toString())
                        .isEqualTo(list(S3ObjectLister.create(), location, range));
            }
            assertThat(list(fast, location, new KeyRange("obj-0000006000", "obj-0000006002")))
                    .extracting(ObjectEntry::key).containsExactly("obj-0000006001", "obj-0000006002");
        }
    }

    @Test
    void readsAheadABoundedNumberOfPages() throws Exception {
        S3Location location = S3Location.of(syntheticClient, synthetic.sourceBucket());
        try (FastS3ObjectLister fast = FastS3ObjectLister.create(2, 100)) {
            list(fast, S3Location.of(syntheticClient, synthetic.sourceBucket(), "d0003/"), KeyRange.ALL);
            long before = synthetic.requestCount();
            try (Stream<ObjectEntry> entries = fast.list(location)) {
                Iterator<ObjectEntry> it = entries.iterator();
                assertThat(it.next().key()).isEqualTo("d0000/obj-0000000000");
                Thread.sleep(300);
                // The page being read, two ahead, and at most one in flight.
                assertThat(synthetic.requestCount() - before).isBetween(2L, 4L);
                for (int i = 1; i < 1000; i++) {
                    assertThat(it.next().key()).isEqualTo(synthetic.key(i));
                }
            }
            Thread.sleep(200);
            long afterClose = synthetic.requestCount();
            Thread.sleep(300);
            assertThat(synthetic.requestCount()).isEqualTo(afterClose);
        }
    }

    @Test
    void directPagesDoNotStartAThreadEach() {
        // HttpClient.sendAsync hands each response to CompletableFuture's default executor, which
        // on a machine with two cores or fewer starts a new thread per task: 200 pages, 200 threads.
        S3Location location = S3Location.of(syntheticClient, synthetic.sourceBucket());
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        try (FastS3ObjectLister fast = FastS3ObjectLister.create(2, 100)) {
            assertThat(list(fast, location, KeyRange.ALL)).hasSize(20_000); // warm: routes, pools
            long started = threads.getTotalStartedThreadCount();
            long directBefore = fast.pageCounts().direct();

            assertThat(list(fast, location, KeyRange.ALL)).hasSize(20_000);

            assertThat(fast.pageCounts().direct() - directBefore).isEqualTo(200);
            assertThat(threads.getTotalStartedThreadCount() - started).as("threads started for 200 pages")
                    .isLessThan(20);
        }
    }

    @Test
    void aMissingBucketIsBucketNotFoundOnTheFirstPageAndAfterTheDirectPathTookOver() {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        String bucket = "fast-missing-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        try (FastS3ObjectLister fast = FastS3ObjectLister.create(2, 2);
             FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
             S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials())) {
            assertThatThrownBy(() -> list(fast, S3Location.of(client, "no-such-bucket-here"), KeyRange.ALL))
                    .isInstanceOfSatisfying(S3ReconException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BUCKET_NOT_FOUND);
                        assertThat(e.getMessage()).contains("no-such-bucket-here");
                    });

            // Once the direct path knows the bucket, a 404 on it falls back to the SDK, which says the same.
            s3.createBucket(bucket);
            for (int i = 0; i < 5; i++) {
                s3.put(bucket, "k" + i, new byte[i]);
            }
            S3Location location = S3Location.of(client, bucket);
            assertThat(list(fast, location, KeyRange.ALL)).hasSize(5);
            assertThat(fast.pageCounts().direct()).isEqualTo(2);
            s3.deleteBucket(bucket);
            long before = proxy.requestCount();

            assertThatThrownBy(() -> list(fast, location, KeyRange.ALL))
                    .isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BUCKET_NOT_FOUND));
            // One direct request, then the SDK's.
            assertThat(proxy.requestCount() - before).isGreaterThanOrEqualTo(2);
        } finally {
            s3.deleteBucket(bucket);
        }
    }

    @Test
    void rejectedCredentialsAreInvalidCredentialsThroughTheSdk() {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        String bucket = "fast-credentials-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        s3.createBucket(bucket);
        for (int i = 0; i < 5; i++) {
            s3.put(bucket, "k" + i, "v".getBytes(UTF_8));
        }
        try (FastS3ObjectLister fast = FastS3ObjectLister.create(2, 2);
             FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
             S3AsyncClient wrong = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                     StaticCredentialsProvider.create(AwsBasicCredentials.create("wrong-key", "wrong-secret")));
             S3AsyncClient right = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials())) {
            proxy.acceptOnlyAccessKey(EmbeddedS3.ACCESS_KEY_ID);

            assertThatThrownBy(() -> list(fast, S3Location.of(wrong, bucket), KeyRange.ALL))
                    .isInstanceOfSatisfying(S3ReconException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS);
                        assertThat(e.getMessage()).contains(bucket).doesNotContain("wrong-secret");
                    });

            // The direct path signs with the client's credentials: accepted ones list.
            assertThat(list(fast, S3Location.of(right, bucket), KeyRange.ALL)).hasSize(5);
            assertThat(fast.pageCounts().direct()).isEqualTo(2);

            // Keys rotated under a running deployment: the direct 403 falls back to the SDK's 403.
            proxy.acceptOnlyAccessKey("rotated-key");
            assertThatThrownBy(() -> list(fast, S3Location.of(right, bucket), KeyRange.ALL))
                    .isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CREDENTIALS));
            proxy.acceptOnlyAccessKey(null);
            assertThat(list(fast, S3Location.of(right, bucket), KeyRange.ALL)).hasSize(5);
        } finally {
            s3.deleteBucket(bucket);
        }
    }

    @Test
    void isTheDefaultListerAndListsDirectlyThroughAClientOfS3Clients() {
        S3Location location = S3Location.of(syntheticClient, synthetic.sourceBucket(), "d0002/");
        try (io.github.s3recon.spi.ObjectLister lister = new S3ObjectListerProvider().create()) {
            assertThat(lister).isInstanceOf(FastS3ObjectLister.class);
            FastS3ObjectLister fast = (FastS3ObjectLister) lister;
            List<ObjectEntry> listed = list(fast, location, KeyRange.ALL);
            assertThat(listed).isEqualTo(list(S3ObjectLister.create(), location, KeyRange.ALL));
            // The first page learns the route through the SDK; the other four go direct.
            assertThat(fast.pageCounts()).isEqualTo(new FastS3ObjectLister.PageCounts(4, 1));
        }
    }

    /** A user's interceptor, which the direct path would not run. */
    static final class CountingInterceptor implements ExecutionInterceptor {
        final AtomicInteger lists = new AtomicInteger();

        @Override
        public void beforeExecution(Context.BeforeExecution context, ExecutionAttributes attributes) {
            if (context.request() instanceof ListObjectsV2Request) {
                lists.incrementAndGet();
            }
        }
    }

    @Test
    void listsAClientWithItsOwnInterceptorThroughTheSdk() {
        CountingInterceptor interceptor = new CountingInterceptor();
        try (S3AsyncClient intercepted = S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(),
                        synthetic.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("key", "secret")))
                .overrideConfiguration(o -> o.addExecutionInterceptor(interceptor)).build();
                FastS3ObjectLister fast = FastS3ObjectLister.create()) {
            S3Location location = S3Location.of(intercepted, synthetic.sourceBucket(), "d0002/");
            List<ObjectEntry> listed = list(fast, location, KeyRange.ALL);
            assertThat(listed).hasSize(5_000);
            assertThat(fast.pageCounts()).isEqualTo(new FastS3ObjectLister.PageCounts(0, 5));
            assertThat(interceptor.lists.get()).as("every page through the client's interceptor").isEqualTo(5);
        }
    }

    @Test
    void checksItsSettings() {
        assertThatThrownBy(() -> FastS3ObjectLister.create(0, 1000))
                .isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.getMessage()).contains("read-ahead", "0"));
        assertThatThrownBy(() -> FastS3ObjectLister.create(4, 1001))
                .isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.getMessage()).contains("page size", "1001"));
    }
}
