package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.S3Clients;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Method;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkClientException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.core.sync.ResponseTransformer;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;

class FaultInjectingProxyTest {

    private static final String BUCKET = "testkit-fault-proxy";

    private static final EmbeddedS3 s3 = EmbeddedS3.shared();

    @BeforeAll
    static void createBucket() {
        s3.createBucket(BUCKET);
    }

    /** A client with the SDK's default retry settings. */
    private static S3Client defaultClient(FaultInjectingProxy proxy) {
        return S3Clients.client(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
    }

    /** The default retry strategy with more attempts and short pauses, so that tests stay fast. */
    private static S3Client patientClient(FaultInjectingProxy proxy, int maxAttempts) {
        BackoffStrategy fast = BackoffStrategy.exponentialDelay(Duration.ofMillis(2), Duration.ofMillis(20));
        return client(proxy, o -> o.retryStrategy(b -> b.maxAttempts(maxAttempts).backoffStrategy(fast)
                .throttlingBackoffStrategy(fast)));
    }

    private static S3Client noRetryClient(FaultInjectingProxy proxy) {
        return client(proxy, o -> o.retryStrategy(AwsRetryStrategy.doNotRetry()));
    }

    private static S3Client client(FaultInjectingProxy proxy,
            Consumer<software.amazon.awssdk.core.client.config.ClientOverrideConfiguration.Builder> override) {
        return S3Clients.configureForCompatibleEndpoint(S3Client.builder(), proxy.endpoint(), EmbeddedS3.REGION,
                EmbeddedS3.credentials()).overrideConfiguration(override).build();
    }

    private static int maxAttempts(S3Client client) {
        return client.serviceClientConfiguration().overrideConfiguration().retryStrategy().orElseThrow()
                .maxAttempts();
    }

    private static byte[] content(long seed, int size) {
        byte[] bytes = new byte[size];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    private static byte[] get(S3Client client, String key) {
        return client.getObject(b -> b.bucket(BUCKET).key(key), ResponseTransformer.toBytes()).asByteArray();
    }

    @Test
    void slowDownOnEveryRequestReachesTheCallerAfterTheSdkRetries() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.slowDown(1.0));
                S3Client client = defaultClient(proxy)) {
            int attempts = maxAttempts(client);
            assertThat(attempts).isGreaterThan(1);

            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key("slow-down"),
                    RequestBody.fromString("never stored")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(503);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("SlowDown");
                        assertThat(e.awsErrorDetails().errorMessage()).isEqualTo("Please reduce your request rate.");
                    });

            assertThat(proxy.requestCount()).isEqualTo(attempts);
            assertThat(proxy.injectedCount(Fault.Kind.SLOW_DOWN)).isEqualTo(attempts);
            assertThat(proxy.injectedCount()).isEqualTo(attempts);
            assertThat(proxy.forwardedCount()).isZero();
            assertThat(proxy.objectWrites(BUCKET, "slow-down")).isZero();
        }
    }

    @Test
    void internalErrorIsS3sErrorAndOneAttemptWithoutRetries() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.internalError(1.0));
                S3Client client = noRetryClient(proxy)) {
            assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(BUCKET)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> {
                        assertThat(e.statusCode()).isEqualTo(500);
                        assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InternalError");
                    });
            // A HEAD gets the status without a body, as from S3.
            assertThatThrownBy(() -> client.headBucket(b -> b.bucket(BUCKET)))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(500));
            assertThat(proxy.injectedCount(Fault.Kind.INTERNAL_ERROR)).isEqualTo(2);
            assertThat(proxy.requestCount()).isEqualTo(2);
        }
    }

    @Test
    void concurrentPutsAndGetsSucceedIntactThroughThirtyPercentSlowDowns() throws Exception {
        int objects = 50;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).seed(7)
                .inject(Fault.slowDown(0.30));
                S3Client client = patientClient(proxy, 12)) {
            ExecutorService pool = Executors.newFixedThreadPool(8);
            try {
                List<Future<?>> puts = new ArrayList<>();
                for (int i = 0; i < objects; i++) {
                    int n = i;
                    // Sizes from empty to 235 KiB, so that some bodies span many reads; small enough for
                    // eight at a time in the -Xmx64m run.
                    puts.add(pool.submit(() -> client.putObject(b -> b.bucket(BUCKET).key("thirty/" + n),
                            RequestBody.fromBytes(content(n, n * n * 100)))));
                }
                for (Future<?> put : puts) {
                    put.get();
                }
                List<Future<byte[]>> gets = new ArrayList<>();
                for (int i = 0; i < objects; i++) {
                    int n = i;
                    gets.add(pool.submit(() -> {
                        try (InputStream in = client.getObject(b -> b.bucket(BUCKET).key("thirty/" + n))) {
                            return digest(in);
                        }
                    }));
                }
                for (int i = 0; i < objects; i++) {
                    assertThat(gets.get(i).get()).as("object %d", i)
                            .isEqualTo(digest(new java.io.ByteArrayInputStream(content(i, i * i * 100))));
                }
            } finally {
                pool.shutdown();
            }

            long slowDowns = proxy.injectedCount(Fault.Kind.SLOW_DOWN);
            assertThat(slowDowns).isPositive();
            // About 30% of the requests: loose bounds, only to see that the share is applied.
            assertThat((double) slowDowns / proxy.requestCount()).isBetween(0.1, 0.5);
            assertThat(proxy.requestCount()).isEqualTo(proxy.forwardedCount() + slowDowns);
            assertThat(proxy.forwardedCount()).isEqualTo(2L * objects);
            // 503s are answered by the proxy: every object reached the server exactly once.
            Map<String, Long> writes = proxy.objectWrites(BUCKET);
            assertThat(writes).hasSize(objects).allSatisfy((key, count) -> assertThat(count).as(key).isOne());
            assertThat(proxy.forwardedCount(Operation.GET_OBJECT, BUCKET, "thirty/7")).isOne();
        }
    }

    @Test
    void resetsInTheMiddleOfGetBodiesAreRetriedByTheSdkOrFailWithoutRetries() {
        byte[] content = content(11, 300_000);
        s3.put(BUCKET, "reset/get", content);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.resetMidBody(1.0).onlyFor(Operation.GET_OBJECT));
                S3Client retrying = defaultClient(proxy);
                S3Client once = noRetryClient(proxy)) {
            assertThatThrownBy(() -> get(once, "reset/get")).isInstanceOf(SdkClientException.class);
            assertThat(proxy.injectedCount(Fault.Kind.RESET_MID_BODY)).isOne();

            proxy.reset();
            assertThatThrownBy(() -> get(retrying, "reset/get")).isInstanceOf(SdkClientException.class);
            assertThat(proxy.injectedCount(Fault.Kind.RESET_MID_BODY)).isEqualTo(maxAttempts(retrying));

            // HEAD has no body: its response head is cut instead.
            proxy.clearFaults().inject(Fault.resetMidBody(1.0).onlyFor(Method.HEAD)).reset();
            assertThatThrownBy(() -> once.headObject(b -> b.bucket(BUCKET).key("reset/get")))
                    .isInstanceOf(SdkClientException.class);
            assertThat(proxy.injectedCount(Fault.Kind.RESET_MID_BODY)).isOne();
        }

        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).seed(3)
                .inject(Fault.resetMidBody(0.4).onlyFor(Operation.GET_OBJECT));
                S3Client client = patientClient(proxy, 12)) {
            for (int i = 0; i < 20; i++) {
                assertThat(get(client, "reset/get")).isEqualTo(content);
            }
            assertThat(proxy.injectedCount(Fault.Kind.RESET_MID_BODY)).isPositive();
            assertThat(proxy.forwardedCount(Operation.GET_OBJECT, BUCKET, "reset/get"))
                    .isEqualTo(20 + proxy.injectedCount(Fault.Kind.RESET_MID_BODY));
        }
    }

    @Test
    void aResetBeforeTheResponseLeavesAPutDoneThatTheClientRetries() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.resetBeforeResponse(1.0).onlyFor(Operation.PUT_OBJECT));
                S3Client client = patientClient(proxy, 3)) {
            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key("reset/put"),
                    RequestBody.fromString("written anyway")))
                    .isInstanceOf(SdkClientException.class);
            // The server did every write that the client thinks failed.
            assertThat(proxy.objectWrites(BUCKET, "reset/put")).isEqualTo(3);
            assertThat(proxy.injectedCount(Fault.Kind.RESET_BEFORE_RESPONSE)).isEqualTo(3);
            assertThat(new String(get(client, "reset/put"), java.nio.charset.StandardCharsets.UTF_8))
                    .isEqualTo("written anyway");
        }
    }

    @Test
    void aCorruptedBodyArrivesWholeWithItsLastByteFlippedAndItsHeadersUntouched() {
        byte[] content = content(13, 200_000);
        s3.put(BUCKET, "corrupt/get", content);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.corruptBody(1.0).onlyFor(Operation.GET_OBJECT));
                S3Client client = noRetryClient(proxy)) {
            String eTag = client.headObject(b -> b.bucket(BUCKET).key("corrupt/get")).eTag();
            byte[] expected = content.clone();
            expected[expected.length - 1] ^= 0x01;
            ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(BUCKET).key("corrupt/get"));
            assertThat(in.response().eTag()).isEqualTo(eTag);
            assertThat(in.response().contentLength()).isEqualTo(content.length);
            assertThat(readAll(in)).isEqualTo(expected);
            assertThat(proxy.injectedCount(Fault.Kind.CORRUPT_BODY)).isOne();
        }
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void throttledAndDelayedResponsesTakeAtLeastTheirTime() {
        s3.put(BUCKET, "slow/body", content(5, 256 * 1024));
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.throttle(1.0, 128 * 1024).onlyFor(Operation.GET_OBJECT))
                .inject(Fault.delay(1.0, Duration.ofMillis(600)).onlyFor(Operation.HEAD_OBJECT));
                S3Client client = noRetryClient(proxy)) {
            long start = System.nanoTime();
            assertThat(get(client, "slow/body")).isEqualTo(content(5, 256 * 1024));
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofSeconds(2));

            start = System.nanoTime();
            assertThat(client.headObject(b -> b.bucket(BUCKET).key("slow/body")).contentLength())
                    .isEqualTo(256 * 1024);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(600));

            assertThat(proxy.injectedCount(Fault.Kind.THROTTLE)).isOne();
            assertThat(proxy.injectedCount(Fault.Kind.DELAY)).isOne();
        }
    }

    @Test
    void rulesLimitedToSomeRequestsLeaveTheOthersAlone() {
        s3.put(BUCKET, "limited/existing", new byte[] {1, 2, 3});
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.slowDown(1.0).onlyFor(Method.PUT));
                S3Client client = noRetryClient(proxy)) {
            assertThatThrownBy(() -> client.putObject(b -> b.bucket(BUCKET).key("limited/new"),
                    RequestBody.fromString("x")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(503));
            assertThat(get(client, "limited/existing")).containsExactly(1, 2, 3);
            assertThat(client.listObjectsV2(b -> b.bucket(BUCKET).prefix("limited/")).keyCount()).isOne();
            assertThat(proxy.injectedCount()).isOne();

            // Listings only: writes and reads pass.
            proxy.clearFaults().inject(Fault.internalError(1.0).onlyFor(Operation.LIST_OBJECTS_V2));
            client.putObject(b -> b.bucket(BUCKET).key("limited/new"), RequestBody.fromString("x"));
            assertThat(get(client, "limited/new")).containsExactly('x');
            assertThatThrownBy(() -> client.listObjectsV2(b -> b.bucket(BUCKET).prefix("limited/")))
                    .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.statusCode()).isEqualTo(500));

            // Conditions combine: GETs of one prefix only.
            proxy.clearFaults().inject(Fault.slowDown(1.0).onlyFor(Operation.GET_OBJECT)
                    .onlyFor(r -> r.key().startsWith("limited/ex")));
            assertThat(get(client, "limited/new")).containsExactly('x');
            assertThatThrownBy(() -> get(client, "limited/existing")).isInstanceOf(S3Exception.class);
        }
    }

    @Test
    void countsWritesPerObjectExactly() {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3Client client = noRetryClient(proxy)) {
            for (int i = 0; i < 3; i++) {
                client.putObject(b -> b.bucket(BUCKET).key("count/a b+ü"), RequestBody.fromString("a" + i));
            }
            client.putObject(b -> b.bucket(BUCKET).key("count/b"), RequestBody.fromString("b"));
            client.putObjectTagging(b -> b.bucket(BUCKET).key("count/b")
                    .tagging(t -> t.tagSet(s -> s.key("k").value("v"))));
            client.copyObject(b -> b.sourceBucket(BUCKET).sourceKey("count/b").destinationBucket(BUCKET)
                    .destinationKey("count/c"));
            String uploadId = client.createMultipartUpload(b -> b.bucket(BUCKET).key("count/d")).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            byte[] first = new byte[EmbeddedS3.MIN_PART_SIZE];
            for (int part = 1; part <= 2; part++) {
                int number = part;
                String eTag = client.uploadPart(b -> b.bucket(BUCKET).key("count/d").uploadId(uploadId)
                        .partNumber(number), RequestBody.fromBytes(number == 1 ? first : new byte[] {9})).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(eTag).build());
            }
            client.completeMultipartUpload(b -> b.bucket(BUCKET).key("count/d").uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));

            assertThat(proxy.objectWrites(BUCKET)).containsOnlyKeys("count/a b+ü", "count/b", "count/c", "count/d")
                    .containsEntry("count/a b+ü", 3L).containsEntry("count/b", 1L)
                    .containsEntry("count/c", 1L).containsEntry("count/d", 1L);
            assertThat(proxy.forwardedCount(Operation.PUT_OBJECT, BUCKET, "count/a b+ü")).isEqualTo(3);
            assertThat(proxy.forwardedCount(Operation.COPY_OBJECT, BUCKET, "count/c")).isOne();
            assertThat(proxy.forwardedCount(Operation.UPLOAD_PART, BUCKET, "count/d")).isEqualTo(2);
            assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, BUCKET, "count/d")).isOne();
            assertThat(proxy.forwardedCount(Operation.COMPLETE_MULTIPART_UPLOAD, BUCKET, "count/d")).isOne();
            // By method: the object PUT and the tagging PUT.
            assertThat(proxy.forwardedCount(Method.PUT, BUCKET, "count/b")).isEqualTo(2);
            assertThat(proxy.forwardedCount(Method.PUT, BUCKET, "count/d")).isEqualTo(2);
            assertThat(proxy.forwardedCount(Method.POST, BUCKET, "count/d")).isEqualTo(2);

            proxy.reset();
            assertThat(proxy.objectWrites(BUCKET)).isEmpty();
            assertThat(proxy.requestCount()).isZero();
            assertThat(proxy.forwardedCount()).isZero();
        }
    }

    @Test
    void streamsLargeBodiesBothWays() throws Exception {
        // Larger than the heap of the -Xmx64m run: the proxy must stream, not buffer.
        long size = 96L * 1024 * 1024;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3Client client = noRetryClient(proxy)) {
            client.putObject(b -> b.bucket(BUCKET).key("large"),
                    RequestBody.fromContentProvider(() -> new PatternStream(size), size, "application/octet-stream"));
            try (ResponseInputStream<GetObjectResponse> in = client.getObject(b -> b.bucket(BUCKET).key("large"))) {
                assertThat(in.response().contentLength()).isEqualTo(size);
                assertThat(digest(in)).isEqualTo(digest(new PatternStream(size)));
            }
            assertThat(proxy.objectWrites(BUCKET, "large")).isOne();
        } finally {
            s3.client().deleteObject(b -> b.bucket(BUCKET).key("large"));
        }
    }

    @Test
    void faultsAreValidatedAtOnceWithTheValue() {
        assertThatThrownBy(() -> Fault.slowDown(1.5)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("1.5");
        assertThatThrownBy(() -> Fault.resetMidBody(Double.NaN)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NaN");
        assertThatThrownBy(() -> Fault.throttle(1, 0)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("was 0");
        assertThatThrownBy(() -> Fault.delay(1, Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PT-0.001S");
        assertThatThrownBy(() -> Fault.slowDown(0.1).onlyFor((Method) null)).isInstanceOf(NullPointerException.class);
    }

    private static byte[] digest(InputStream in) throws IOException, java.security.NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        int n;
        while ((n = in.read(buffer)) >= 0) {
            md.update(buffer, 0, n);
        }
        return md.digest();
    }

    /** A deterministic, non-repeating-looking stream of a given length that holds nothing in memory. */
    private static final class PatternStream extends InputStream {
        private final long size;
        private long position;

        PatternStream(long size) {
            this.size = size;
        }

        @Override
        public int read() {
            if (position >= size) {
                return -1;
            }
            long p = position++;
            return (int) ((p * 2654435761L >>> 13) ^ (p >>> 20)) & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (position >= size) {
                return -1;
            }
            int n = (int) Math.min(len, size - position);
            for (int i = 0; i < n; i++) {
                b[off + i] = (byte) read();
            }
            return n;
        }
    }
}
