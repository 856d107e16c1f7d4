package io.github.s3recon.source;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.spi.ObjectSource;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.ObjectSourceContract;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.zip.CRC32C;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.retries.api.BackoffStrategy;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * {@link S3BucketSource} passes the {@link ObjectSourceContract} on the embedded S3 server, listed by
 * {@link S3ObjectLister} with pages of 7 keys (so that listings span pages), under a prefix with
 * neighbours that must not show; and its own paths: the checksum HeadObject returns, 404 answers,
 * S3 failures through the fault proxy (naming bucket and key), an unreachable endpoint, and
 * refused arguments.
 *
 * <p>Here, not in {@code s3recon-core}, because core's tests cannot depend on the testkit (which
 * depends on core) nor on this module's lister.
 */
class S3BucketSourceTest extends ObjectSourceContract {

    private static final String BUCKET = "object-source";
    private static final String PREFIX = "contract/";
    private static final EmbeddedS3 s3 = EmbeddedS3.shared();
    private static boolean filled;

    @BeforeAll
    static void createBucket() {
        s3.createBucket(BUCKET);
        // Neighbours that the prefix (ending in '/') must keep out of every listing.
        s3.put(BUCKET, "contract", new byte[1]);
        s3.put(BUCKET, "contract-other/a/k1", new byte[2]);
        s3.put(BUCKET, "contracts/a/k1", new byte[3]);
    }

    @Override
    protected ObjectSource createSource(Map<String, byte[]> objects) {
        // The objects are the same for every test and no test writes: store them once.
        synchronized (S3BucketSourceTest.class) {
            if (!filled) {
                objects.forEach((key, bytes) -> s3.put(BUCKET, PREFIX + key, bytes));
                filled = true;
            }
        }
        return new S3BucketSource(S3Location.of(s3.asyncClient(), BUCKET, PREFIX), S3ObjectLister.create(2, 7));
    }

    @Override
    protected Collection<String> secrets() {
        return List.of(EmbeddedS3.SECRET_ACCESS_KEY, EmbeddedS3.ACCESS_KEY_ID);
    }

    @Override
    protected boolean toleratesUtf16Order() {
        return true; // S3Mock lists keys by UTF-16 code units
    }

    /** A client with short retry pauses, so that the SDK's retries of a fault stay fast. */
    private static S3AsyncClient client(URI endpoint) {
        BackoffStrategy fast = BackoffStrategy.exponentialDelay(Duration.ofMillis(2), Duration.ofMillis(20));
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, EmbeddedS3.REGION,
                EmbeddedS3.credentials()).overrideConfiguration(o -> o.retryStrategy(b -> b.maxAttempts(2)
                        .backoffStrategy(fast).throttlingBackoffStrategy(fast))).build();
    }

    /** Runs a check on a source whose requests pass through a proxy that injects a fault. */
    private static void throughProxy(Fault fault, Consumer<ObjectSource> check) {
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(fault);
                S3AsyncClient client = client(proxy.endpoint())) {
            check.accept(new S3BucketSource(S3Location.of(client, BUCKET, PREFIX), S3ObjectLister.create()));
        }
    }

    private static void assertFailure(Throwable thrown, ErrorCode code, String... messageParts) {
        assertThat(thrown).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(code);
            assertThat(e.getMessage()).contains("bucket '" + BUCKET + "'");
            for (String part : messageParts) {
                assertThat(e.getMessage()).contains(part);
            }
        });
    }

    @Test
    void refusesNullLocationAndLister() {
        S3Location location = S3Location.of(s3.asyncClient(), BUCKET, PREFIX);
        assertThatThrownBy(() -> new S3BucketSource(null, S3ObjectLister.create()))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessage("location must not be null");
        assertThatThrownBy(() -> new S3BucketSource(location, null))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessage("lister must not be null");
    }

    @Test
    void isItsLocation() {
        S3Location location = S3Location.of(s3.asyncClient(), BUCKET, PREFIX);
        S3BucketSource bucket = new S3BucketSource(location, S3ObjectLister.create());
        assertThat(bucket.describe()).isEqualTo("s3://object-source/contract/").isEqualTo(location.toString());
        assertThat(bucket).hasToString("s3://object-source/contract/");
        assertThat(bucket.location()).containsSame(location);
        assertThat(bucket.listsInKeyOrder()).isTrue();
        // A prefix cannot forge a log line.
        assertThat(new S3BucketSource(S3Location.of(s3.asyncClient(), BUCKET, "a\nb/"), S3ObjectLister.create())
                .describe()).isEqualTo("s3://object-source/a\\nb/");
    }

    @Test
    void attributesCarryTheChecksumTheServerKeeps() {
        byte[] content = "checksummed".getBytes(StandardCharsets.UTF_8);
        s3.put(BUCKET, "sums/crc32c", content,
                b -> b.checksumAlgorithm(software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32_C));
        CRC32C crc = new CRC32C();
        crc.update(content);
        String expected = Base64.getEncoder().encodeToString(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());

        S3BucketSource sums = new S3BucketSource(S3Location.of(s3.asyncClient(), BUCKET, "sums/"), S3ObjectLister.create());
        Optional<ObjectEntry> entry = sums.attributes("crc32c");

        assertThat(entry).isPresent();
        assertThat(entry.get().key()).isEqualTo("crc32c");
        assertThat(entry.get().size()).isEqualTo(content.length);
        assertThat(entry.get().eTag()).doesNotContain("\"").hasSize(32);
        assertThat(entry.get().lastModified()).isNotNull();
        Checksum checksum = entry.get().checksum();
        assertThat(checksum).isNotNull();
        assertThat(checksum.algorithm()).isEqualTo(ChecksumAlgorithm.CRC32C);
        assertThat(checksum.value()).isEqualTo(expected);
    }

    @Test
    void keysAreRelativeToThePrefix() {
        assertThat(source.attributes("a/k1")).isPresent();
        assertThat(source.attributes(PREFIX + "a/k1")).isEmpty();
        assertThat(list(new KeyRange(null, "a/k1"))).extracting(ObjectEntry::key).containsExactly("a/k0", "a/k1");
    }

    @Test
    void plansSeveralRangesAndReadsRangesWithARangedGet() throws Exception {
        // What the contract checks runs the paths that matter here: parallel ranges, ranged GETs.
        assertThat(source.plan(4)).hasSizeGreaterThan(1);
        try (java.io.InputStream in = source.open(LARGE_KEY, 10, 20)) {
            assertThat(in).isNotInstanceOf(RangeWindow.class);
            assertThat(in.readAllBytes()).hasSize(20);
        }
    }

    @Test
    void aHeadAnswered404IsEmpty() {
        throughProxy(Fault.error(1.0, 404, "NoSuchKey", "The specified key does not exist.")
                .onlyFor(Operation.HEAD_OBJECT), source -> assertThat(source.attributes("a/k1")).isEmpty());
    }

    @Test
    void otherHeadFailuresNameTheBucketAndTheKey() {
        throughProxy(Fault.internalError(1.0).onlyFor(Operation.HEAD_OBJECT), source -> {
            assertFailure(catchThrowable(() -> source.attributes("a/k1")), ErrorCode.LISTING_FAILED,
                    "HeadObject of 'contract/a/k1'", "500");
            // A key with a control character is escaped, not written as it is.
            assertFailure(catchThrowable(() -> source.attributes("a\nk")), ErrorCode.LISTING_FAILED,
                    "HeadObject of 'contract/a\\nk'");
        });
        throughProxy(Fault.accessDenied(1.0).onlyFor(Operation.HEAD_OBJECT), source ->
                assertFailure(catchThrowable(() -> source.attributes("a/k1")), ErrorCode.ACCESS_DENIED,
                        "HeadObject of 'contract/a/k1'", "s3:GetObject"));
    }

    @Test
    void getFailuresNameTheBucketAndTheKey() {
        assertFailure(catchThrowable(() -> source.open("no/such/key", 0, -1)), ErrorCode.LISTING_FAILED,
                "GetObject of 'contract/no/such/key'", "404");
        throughProxy(Fault.internalError(1.0).onlyFor(Operation.GET_OBJECT), source ->
                assertFailure(catchThrowable(() -> source.open("a/k1", 1, 2)), ErrorCode.LISTING_FAILED,
                        "GetObject of 'contract/a/k1'", "500"));
        throughProxy(Fault.accessDenied(1.0).onlyFor(Operation.GET_OBJECT), source ->
                assertFailure(catchThrowable(() -> source.open("a/k1", 0, -1)), ErrorCode.ACCESS_DENIED,
                        "GetObject of 'contract/a/k1'", "s3:GetObject"));
    }

    @Test
    void anUnreachableEndpointSaysSo() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        try (S3AsyncClient client = client(URI.create("http://127.0.0.1:" + port))) {
            S3BucketSource nowhere = new S3BucketSource(S3Location.of(client, BUCKET, PREFIX), S3ObjectLister.create());
            // A refused connection; on a loaded machine the SDK may give up on it as a timeout first.
            java.util.Map<String, Throwable> thrown = java.util.Map.of(
                    "HeadObject of 'contract/a/k1'", catchThrowable(() -> nowhere.attributes("a/k1")),
                    "GetObject of 'contract/a/k1'", catchThrowable(() -> nowhere.open("a/k1", 0, -1)));
            thrown.forEach((what, t) -> {
                assertThat(t).isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.code())
                        .isIn(ErrorCode.ENDPOINT_UNREACHABLE, ErrorCode.TIMED_OUT));
                assertFailure(t, ((S3ReconException) t).code(), what);
            });
        }
    }
}
