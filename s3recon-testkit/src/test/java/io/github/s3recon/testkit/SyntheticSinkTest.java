package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.KeyOrder;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.ChecksumMode;
import software.amazon.awssdk.services.s3.model.ChecksumType;
import software.amazon.awssdk.services.s3.model.CommonPrefix;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.MetadataDirective;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.NoSuchUploadException;
import software.amazon.awssdk.services.s3.model.ObjectIdentifier;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;

/**
 * The sink bucket and fixed-size objects of {@link SyntheticS3}, through the AWS SDK's clients as
 * s3recon builds them: the blocking client (signed {@code aws-chunked} bodies), the async client
 * (plain bodies) and an async client that sends CRC64NVME trailers.
 */
class SyntheticSinkTest {

    private static final String SINK = "sink";
    /** Not a multiple of 8 nor of the 64-byte own tail, to try the edges of both. */
    private static final long SIZE = (6L << 20) + 1001;
    private static final int MIB = 1 << 20;
    private static final Instant NOW = Instant.parse("2026-03-04T05:06:07Z");

    private static SyntheticS3 s3;
    private static S3Client client;
    private static S3AsyncClient async;
    private static S3AsyncClient trailing;

    @BeforeAll
    static void start() {
        s3 = SyntheticS3.builder().objects(40).objectSize(SIZE).sizeChangeRate(0.1).contentChangeRate(0.1)
                .extraRate(0.1).sinkBucket(SINK).clock(Clock.fixed(NOW.plusMillis(300), ZoneOffset.UTC)).build();
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
        client = S3Clients.client(s3.endpoint(), Region.US_EAST_1, credentials);
        async = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1, credentials);
        trailing = S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), s3.endpoint(), Region.US_EAST_1,
                credentials).requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED).build();
    }

    @AfterAll
    static void stop() {
        client.close();
        async.close();
        trailing.close();
        s3.close();
    }

    // ---------------------------------------------------------------------------------------------
    // Fixed-size objects

    @Test
    void fixedSizeObjectsServeBytesWhoseMd5IsTheirETag() throws Exception {
        List<S3Object> source = client.listObjectsV2(b -> b.bucket(s3.sourceBucket())).contents();
        List<S3Object> destination = client.listObjectsV2(b -> b.bucket(s3.destinationBucket())).contents();
        assertThat(source).hasSize(40).allMatch(o -> o.size() == SIZE);
        assertThat(source).extracting(S3Object::eTag).doesNotHaveDuplicates();
        assertThat(destination).anyMatch(o -> o.size() > SIZE).anyMatch(o -> o.key().endsWith("-extra+\u00e9"));

        // Every kind of object: plain, size-changed, content-changed and extra.
        List<String[]> checked = new ArrayList<>();
        for (S3Object o : destination) {
            S3Object same = source.stream().filter(s -> s.key().equals(o.key())).findFirst().orElse(null);
            String kind = same == null ? "extra" : o.size() != SIZE ? "size" : o.eTag().equals(same.eTag()) ? "same"
                    : "content";
            if (checked.stream().noneMatch(c -> c[0].equals(kind))) {
                checked.add(new String[] {kind, o.key()});
                ResponseBytes<GetObjectResponse> body = client.getObjectAsBytes(b -> b.bucket(s3.destinationBucket())
                        .key(o.key()));
                assertThat(body.asByteArray()).as(kind).hasSize(Math.toIntExact(o.size()));
                assertThat("\"" + md5Hex(body.asByteArray()) + "\"").as(kind).isEqualTo(o.eTag())
                        .isEqualTo(body.response().eTag());
                assertThat(s3.object(s3.destinationBucket(), o.key())).get().extracting(ObjectEntry::eTag)
                        .isEqualTo(unquote(o.eTag()));
            }
        }
        assertThat(checked).extracting(c -> c[0]).containsExactlyInAnyOrder("same", "size", "content", "extra");

        // Ranges across the 8-byte words and the object's own last 64 bytes are slices of the whole.
        String key = s3.key(3);
        byte[] whole = client.getObjectAsBytes(b -> b.bucket(s3.sourceBucket()).key(key)).asByteArray();
        for (long[] range : new long[][] {{0, 0}, {5, 17}, {SIZE - 100, SIZE - 1}, {SIZE - 65, SIZE - 60},
                {(3L << 20) + 3, (5L << 20) + 7}}) {
            byte[] slice = client.getObjectAsBytes(b -> b.bucket(s3.sourceBucket()).key(key)
                    .range("bytes=" + range[0] + "-" + range[1])).asByteArray();
            assertThat(slice).as("bytes=%d-%d", range[0], range[1])
                    .isEqualTo(Arrays.copyOfRange(whole, (int) range[0], (int) range[1] + 1));
        }
        // Two objects share all but their last 64 bytes: what makes their MD5s cheap.
        byte[] other = client.getObjectAsBytes(b -> b.bucket(s3.sourceBucket()).key(s3.key(4))).asByteArray();
        int firstDifference = Arrays.mismatch(whole, other);
        assertThat(firstDifference).isBetween((int) SIZE - 64, (int) SIZE - 1);
    }

    @Test
    void tinyAndEmptyFixedSizesHaveTrueMd5ETagsToo() throws Exception {
        for (long size : new long[] {0, 1, 63, 64, 65, 1000}) {
            try (SyntheticS3 tiny = SyntheticS3.builder().objects(5).objectSize(size).contentChangeRate(0.4)
                    .sizeChangeRate(0.2).build();
                    S3Client c = S3Clients.client(tiny.endpoint(), Region.US_EAST_1,
                            StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
                for (String bucket : List.of(tiny.sourceBucket(), tiny.destinationBucket())) {
                    for (S3Object o : c.listObjectsV2(b -> b.bucket(bucket)).contents()) {
                        byte[] body = c.getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asByteArray();
                        assertThat(body).hasSize(Math.toIntExact(o.size()));
                        assertThat(o.eTag()).as("size %d, %s", size, o.key()).isEqualTo("\"" + md5Hex(body) + "\"");
                    }
                }
            }
        }
        assertThatThrownBy(() -> SyntheticS3.builder().objectSize(-1)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("-1");
        assertThatThrownBy(() -> SyntheticS3.builder().objectSize(SyntheticS3.MAX_OBJECT_SIZE + 1))
                .hasMessageContaining(Long.toString(SyntheticS3.MAX_OBJECT_SIZE + 1));
    }

    // ---------------------------------------------------------------------------------------------
    // PutObject

    @Test
    void putObjectRemembersSizeMd5MetadataAndContentTypeFromEveryKindOfBody() throws Exception {
        byte[] data = bytes(300_001, 1);
        long writtenBefore = s3.bytesWritten();
        long putsBefore = s3.requestCount(Operation.PUT_OBJECT);

        // The blocking client signs aws-chunked bodies; the async one sends them plain.
        PutObjectResponse signed = client.putObject(b -> b.bucket(SINK).key("put/signed").contentType("text/plain")
                .metadata(Map.of("Origin", "sync", "s3recon-source-etag", "abc")), RequestBody.fromBytes(data));
        PutObjectResponse plain = async.putObject(b -> b.bucket(SINK).key("put/plain"),
                AsyncRequestBody.fromBytes(data)).join();
        // Of unknown length, HTTP-chunked (S3 itself would refuse the chunking).
        HttpResponse<String> streamed = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(s3.endpoint() + "/" + SINK + "/put/streamed"))
                .PUT(HttpRequest.BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(data))).build(),
                HttpResponse.BodyHandlers.ofString());

        String md5 = "\"" + md5Hex(data) + "\"";
        assertThat(streamed.statusCode()).isEqualTo(200);
        assertThat(List.of(signed.eTag(), plain.eTag(), streamed.headers().firstValue("ETag").orElseThrow()))
                .containsOnly(md5);
        assertThat(s3.bytesWritten() - writtenBefore).isEqualTo(3L * data.length);
        assertThat(s3.requestCount(Operation.PUT_OBJECT) - putsBefore).isEqualTo(3);
        // The async client sends a body of unknown length with no framing at all: refused, as S3 does.
        assertS3Error(() -> async.putObject(b -> b.bucket(SINK).key("put/unframed"),
                AsyncRequestBody.fromPublisher(AsyncRequestBody.fromBytes(data))).join(), 411, "MissingContentLength");

        HeadObjectResponse head = client.headObject(b -> b.bucket(SINK).key("put/signed"));
        assertThat(head.contentLength()).isEqualTo(data.length);
        assertThat(head.eTag()).isEqualTo(md5);
        assertThat(head.contentType()).isEqualTo("text/plain");
        assertThat(head.metadata()).containsExactlyInAnyOrderEntriesOf(
                Map.of("origin", "sync", "s3recon-source-etag", "abc"));
        assertThat(head.lastModified()).isEqualTo(NOW);
        assertThat(head.checksumCRC64NVME()).isNull();

        // A GET gives the right size and headers, but filler bytes: the sink keeps none.
        ResponseBytes<GetObjectResponse> get = client.getObjectAsBytes(b -> b.bucket(SINK).key("put/plain"));
        assertThat(get.asByteArray()).hasSize(data.length).isNotEqualTo(data);
        assertThat(get.response().eTag()).isEqualTo(md5);
        assertThat(client.getObjectAsBytes(b -> b.bucket(SINK).key("put/plain").range("bytes=10-19")).asByteArray())
                .isEqualTo(Arrays.copyOfRange(get.asByteArray(), 10, 20));
        assertThat(s3.object(SINK, "put/streamed")).get().satisfies(e -> {
            assertThat(e.size()).isEqualTo(data.length);
            assertThat(e.eTag()).isEqualTo(md5Hex(data));
            assertThat(e.lastModified()).isEqualTo(NOW);
        });

        // An empty object, and one overwritten.
        assertThat(client.putObject(b -> b.bucket(SINK).key("put/empty"), RequestBody.empty()).eTag())
                .isEqualTo("\"d41d8cd98f00b204e9800998ecf8427e\"");
        assertThat(client.headObject(b -> b.bucket(SINK).key("put/empty")).contentLength()).isZero();
        client.putObject(b -> b.bucket(SINK).key("put/signed"), RequestBody.fromString("again"));
        assertThat(client.headObject(b -> b.bucket(SINK).key("put/signed")).contentLength()).isEqualTo(5);
        assertThat(s3.writeCount("put/signed")).isEqualTo(2);
        assertThat(s3.writeCount("put/never")).isZero();
    }

    @Test
    void checksumsInTrailersAndHeadersAreCheckedKeptAndEchoed() {
        byte[] data = bytes(200_000, 2);
        String crc64 = checksum(DefaultChecksumAlgorithm.CRC64NVME, data);

        PutObjectResponse put = trailing.putObject(b -> b.bucket(SINK).key("sum/crc64")
                .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME), AsyncRequestBody.fromBytes(data)).join();
        assertThat(put.checksumCRC64NVME()).isEqualTo(crc64);
        assertThat(put.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);
        assertThat(put.eTag()).isEqualTo("\"" + md5Hex(data) + "\"");

        HeadObjectResponse head = client.headObject(b -> b.bucket(SINK).key("sum/crc64").checksumMode(ChecksumMode.ENABLED));
        assertThat(head.checksumCRC64NVME()).isEqualTo(crc64);
        assertThat(head.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);
        assertThat(client.headObject(b -> b.bucket(SINK).key("sum/crc64")).checksumCRC64NVME()).isNull();
        assertThat(s3.object(SINK, "sum/crc64")).get().extracting(e -> e.checksum().value()).isEqualTo(crc64);
        S3Object listed = client.listObjectsV2(b -> b.bucket(SINK).prefix("sum/crc64")).contents().get(0);
        assertThat(listed.checksumAlgorithmAsStrings()).containsExactly("CRC64NVME");
        assertThat(listed.checksumTypeAsString()).isEqualTo("FULL_OBJECT");

        // A signed aws-chunked body with a CRC32 trailer, from the blocking client.
        try (S3Client signedTrailing = S3Clients.configureForCompatibleEndpoint(S3Client.builder(), s3.endpoint(),
                Region.US_EAST_1, StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_SUPPORTED).build()) {
            PutObjectResponse crc32 = signedTrailing.putObject(b -> b.bucket(SINK).key("sum/crc32")
                    .checksumAlgorithm(ChecksumAlgorithm.CRC32), RequestBody.fromBytes(data));
            assertThat(crc32.checksumCRC32()).isEqualTo(checksum(DefaultChecksumAlgorithm.CRC32, data));
        }

        // A value given by the caller travels in a header; a wrong one is refused, as is a wrong Content-MD5.
        long before = s3.objectCount(SINK);
        assertThatThrownBy(() -> client.putObject(b -> b.bucket(SINK).key("sum/bad").checksumCRC32("AAAAAA=="),
                RequestBody.fromBytes(data))).isInstanceOfSatisfying(S3Exception.class, e -> {
                    assertThat(e.statusCode()).isEqualTo(400);
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("BadDigest");
                });
        assertThatThrownBy(() -> client.putObject(b -> b.bucket(SINK).key("sum/bad")
                .contentMD5(Base64.getEncoder().encodeToString(new byte[16])), RequestBody.fromBytes(data)))
                .isInstanceOfSatisfying(S3Exception.class, e -> assertThat(e.awsErrorDetails().errorCode())
                        .isEqualTo("BadDigest"));
        assertThat(s3.objectCount(SINK)).isEqualTo(before);
        assertThat(s3.object(SINK, "sum/bad")).isEmpty();
    }

    // ---------------------------------------------------------------------------------------------
    // Multipart uploads

    @Test
    void multipartUploadCompletesWithTheMd5OfItsPartsMd5s() {
        byte[][] parts = {bytes(5 * MIB, 10), bytes(5 * MIB, 11), bytes(5 * MIB, 12), bytes(MIB + 3, 13)};
        long writtenBefore = s3.bytesWritten();
        long partsBefore = s3.requestCount(Operation.UPLOAD_PART);
        String key = "mpu/four parts+\u00e9";

        String uploadId = async.createMultipartUpload(b -> b.bucket(SINK).key(key).contentType("video/mp4")
                .metadata(Map.of("k", "v")).tagging("team=blue")).join().uploadId();
        assertThat(s3.uploadsInProgress()).isPositive();
        List<CompletedPart> completed = new ArrayList<>();
        MessageDigest md5s = md5();
        for (int n = 1; n <= parts.length; n++) {
            int number = n;
            String eTag = async.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(number),
                    AsyncRequestBody.fromBytes(parts[number - 1])).join().eTag();
            assertThat(eTag).isEqualTo("\"" + md5Hex(parts[n - 1]) + "\"");
            md5s.update(HexFormat.of().parseHex(unquote(eTag)));
            completed.add(CompletedPart.builder().partNumber(n).eTag(eTag).build());
        }
        CompleteMultipartUploadResponse done = async.completeMultipartUpload(b -> b.bucket(SINK).key(key)
                .uploadId(uploadId).multipartUpload(m -> m.parts(completed))).join();

        String eTag = "\"" + HexFormat.of().formatHex(md5s.digest()) + "-4\"";
        long size = 15L * MIB + MIB + 3;
        assertThat(done.eTag()).isEqualTo(eTag);
        assertThat(done.key()).isEqualTo(key);
        assertThat(done.bucket()).isEqualTo(SINK);
        assertThat(s3.bytesWritten() - writtenBefore).isEqualTo(size);
        assertThat(s3.requestCount(Operation.UPLOAD_PART) - partsBefore).isEqualTo(4);
        assertThat(s3.writeCount(key)).isOne();

        HeadObjectResponse head = client.headObject(b -> b.bucket(SINK).key(key));
        assertThat(head.contentLength()).isEqualTo(size);
        assertThat(head.eTag()).isEqualTo(eTag);
        assertThat(head.contentType()).isEqualTo("video/mp4");
        assertThat(head.metadata()).containsExactly(Map.entry("k", "v"));
        assertThat(client.getObjectTagging(b -> b.bucket(SINK).key(key)).tagSet())
                .containsExactly(Tag.builder().key("team").value("blue").build());
        // A part's size, as a diff asks to compare multipart layouts.
        HeadObjectResponse first = client.headObject(b -> b.bucket(SINK).key(key).partNumber(1));
        assertThat(first.contentLength()).isEqualTo(5L * MIB);
        assertThat(first.partsCount()).isEqualTo(4);
        assertThat(client.headObject(b -> b.bucket(SINK).key(key).partNumber(4)).contentLength()).isEqualTo(MIB + 3);
        ResponseBytes<GetObjectResponse> last = client.getObjectAsBytes(b -> b.bucket(SINK).key(key).partNumber(4));
        assertThat(last.asByteArray()).hasSize(MIB + 3);
        assertThat(last.response().contentRange()).isEqualTo("bytes " + 15L * MIB + "-" + (size - 1) + "/" + size);
        assertThat(s3.object(SINK, key)).get().satisfies(e -> assertThat(e.multipartPartCount()).isEqualTo(4));
    }

    @Test
    void multipartChecksumsCombineIntoFullObjectOrCompositeValues() {
        byte[][] parts = {bytes(5 * MIB, 20), bytes(2 * MIB + 5, 21)};
        byte[] whole = concat(parts);

        // CRC64NVME: full object, the parts' CRCs combined.
        CompleteMultipartUploadResponse crc64 = upload(trailing, "sum/mpu-crc64", parts, ChecksumAlgorithm.CRC64_NVME,
                null);
        String expected = checksum(DefaultChecksumAlgorithm.CRC64NVME, whole);
        assertThat(crc64.checksumCRC64NVME()).isEqualTo(expected);
        assertThat(crc64.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);
        HeadObjectResponse head = client.headObject(b -> b.bucket(SINK).key("sum/mpu-crc64")
                .checksumMode(ChecksumMode.ENABLED));
        assertThat(head.checksumCRC64NVME()).isEqualTo(expected);
        assertThat(head.checksumType()).isEqualTo(ChecksumType.FULL_OBJECT);

        // CRC32, full object when asked.
        CompleteMultipartUploadResponse full = upload(trailing, "sum/mpu-crc32-full", parts, ChecksumAlgorithm.CRC32,
                ChecksumType.FULL_OBJECT);
        CRC32 crc32 = new CRC32();
        crc32.update(whole);
        assertThat(Base64.getDecoder().decode(full.checksumCRC32()))
                .isEqualTo(new byte[] {(byte) (crc32.getValue() >>> 24), (byte) (crc32.getValue() >>> 16),
                        (byte) (crc32.getValue() >>> 8), (byte) crc32.getValue()});

        // SHA-256: composite, the digest of the parts' digests, then -N.
        CompleteMultipartUploadResponse composite = upload(trailing, "sum/mpu-sha256", parts, ChecksumAlgorithm.SHA256,
                null);
        SdkChecksum ofParts = SdkChecksum.forAlgorithm(DefaultChecksumAlgorithm.SHA256);
        for (byte[] part : parts) {
            ofParts.update(Base64.getDecoder().decode(checksum(DefaultChecksumAlgorithm.SHA256, part)));
        }
        assertThat(composite.checksumSHA256()).isEqualTo(Base64.getEncoder().encodeToString(
                ofParts.getChecksumBytes()) + "-2");
        assertThat(composite.checksumType()).isEqualTo(ChecksumType.COMPOSITE);

        // An upload created with a checksum wants it on every part.
        String uploadId = trailing.createMultipartUpload(b -> b.bucket(SINK).key("sum/mpu-missing")
                .checksumAlgorithm(ChecksumAlgorithm.CRC32_C)).join().uploadId();
        assertThatThrownBy(() -> async.uploadPart(b -> b.bucket(SINK).key("sum/mpu-missing").uploadId(uploadId)
                .partNumber(1), AsyncRequestBody.fromBytes(parts[1])).join())
                .hasCauseInstanceOf(S3Exception.class).hasMessageContaining("CRC32C");
        async.abortMultipartUpload(b -> b.bucket(SINK).key("sum/mpu-missing").uploadId(uploadId)).join();
    }

    private static CompleteMultipartUploadResponse upload(S3AsyncClient c, String key, byte[][] parts,
            ChecksumAlgorithm algorithm, ChecksumType type) {
        String uploadId = c.createMultipartUpload(b -> b.bucket(SINK).key(key).checksumAlgorithm(algorithm)
                .checksumType(type)).join().uploadId();
        List<CompletedPart> completed = new ArrayList<>();
        for (int n = 1; n <= parts.length; n++) {
            int number = n;
            String eTag = c.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(number)
                    .checksumAlgorithm(algorithm), AsyncRequestBody.fromBytes(parts[number - 1])).join().eTag();
            completed.add(CompletedPart.builder().partNumber(n).eTag(eTag).build());
        }
        return c.completeMultipartUpload(b -> b.bucket(SINK).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(completed))).join();
    }

    @Test
    void completeChecksThePartsAsS3DoesAndAbortForgetsTheUpload() {
        String key = "mpu/refused";
        String uploadId = client.createMultipartUpload(b -> b.bucket(SINK).key(key)).uploadId();
        String small = client.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromBytes(bytes(1000, 30))).eTag();
        String last = client.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(2),
                RequestBody.fromBytes(bytes(1000, 31))).eTag();
        CompletedPart one = CompletedPart.builder().partNumber(1).eTag(small).build();
        CompletedPart two = CompletedPart.builder().partNumber(2).eTag(last).build();

        assertS3Error(() -> complete(key, uploadId, one, two), 400, "EntityTooSmall");
        assertS3Error(() -> complete(key, uploadId, two, one), 400, "InvalidPartOrder");
        assertS3Error(() -> complete(key, uploadId, CompletedPart.builder().partNumber(1).eTag(last).build()), 400,
                "InvalidPart");
        assertS3Error(() -> complete(key, uploadId, CompletedPart.builder().partNumber(3).eTag(last).build()), 400,
                "InvalidPart");
        assertS3Error(() -> complete(key, "no-such-upload", one), 404, "NoSuchUpload");
        assertS3Error(() -> complete("mpu/other-key", uploadId, one), 404, "NoSuchUpload");
        assertS3Error(() -> client.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(10_001),
                RequestBody.fromString("x")), 400, "InvalidArgument");
        assertThat(s3.object(SINK, key)).isEmpty();

        // One small part is a whole object; a part uploaded again replaces the first.
        String again = client.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(1),
                RequestBody.fromString("one")).eTag();
        assertThat(complete(key, uploadId, CompletedPart.builder().partNumber(1).eTag(again).build()).eTag())
                .endsWith("-1\"");
        assertThat(client.headObject(b -> b.bucket(SINK).key(key)).contentLength()).isEqualTo(3);
        assertS3Error(() -> complete(key, uploadId, one), 404, "NoSuchUpload");

        long inProgress = s3.uploadsInProgress();
        long abortsBefore = s3.requestCount(Operation.ABORT_MULTIPART_UPLOAD);
        String aborted = client.createMultipartUpload(b -> b.bucket(SINK).key(key)).uploadId();
        assertThat(s3.uploadsInProgress()).isEqualTo(inProgress + 1);
        client.abortMultipartUpload(b -> b.bucket(SINK).key(key).uploadId(aborted));
        assertThat(s3.uploadsInProgress()).isEqualTo(inProgress);
        assertThatThrownBy(() -> client.uploadPart(b -> b.bucket(SINK).key(key).uploadId(aborted).partNumber(1),
                RequestBody.fromString("late"))).isInstanceOf(NoSuchUploadException.class);
        assertThatThrownBy(() -> client.abortMultipartUpload(b -> b.bucket(SINK).key(key).uploadId(aborted)))
                .isInstanceOf(NoSuchUploadException.class);
        assertThat(s3.requestCount(Operation.ABORT_MULTIPART_UPLOAD) - abortsBefore).isEqualTo(2);
    }

    private static CompleteMultipartUploadResponse complete(String key, String uploadId, CompletedPart... parts) {
        return client.completeMultipartUpload(b -> b.bucket(SINK).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    // ---------------------------------------------------------------------------------------------
    // Copies

    @Test
    void copiesKeepTheSourcesSizeETagAndMetadataUnlessReplaced() {
        String from = s3.key(7);
        ObjectEntry source = s3.object(s3.sourceBucket(), from).orElseThrow();
        long writtenBefore = s3.bytesWritten();
        long copiesBefore = s3.requestCount(Operation.COPY_OBJECT);
        long partCopiesBefore = s3.requestCount(Operation.UPLOAD_PART_COPY);

        String copied = client.copyObject(b -> b.sourceBucket(s3.sourceBucket()).sourceKey(from)
                .destinationBucket(SINK).destinationKey("copy/" + from)).copyObjectResult().eTag();
        assertThat(copied).isEqualTo("\"" + source.eTag() + "\"");
        HeadObjectResponse head = client.headObject(b -> b.bucket(SINK).key("copy/" + from));
        assertThat(head.contentLength()).isEqualTo(SIZE);
        assertThat(head.eTag()).isEqualTo(copied);
        assertThat(s3.bytesWritten()).isEqualTo(writtenBefore); // no bytes moved

        // Sink to sink: metadata copied, or replaced; onto itself only with a change.
        client.putObject(b -> b.bucket(SINK).key("copy/with-meta").metadata(Map.of("a", "1")).tagging("t=1"),
                RequestBody.fromString("hello"));
        client.copyObject(b -> b.sourceBucket(SINK).sourceKey("copy/with-meta").destinationBucket(SINK)
                .destinationKey("copy/kept"));
        assertThat(client.headObject(b -> b.bucket(SINK).key("copy/kept")).metadata()).containsExactly(Map.entry("a", "1"));
        assertThat(client.getObjectTagging(b -> b.bucket(SINK).key("copy/kept")).tagSet()).hasSize(1);
        client.copyObject(b -> b.sourceBucket(SINK).sourceKey("copy/with-meta").destinationBucket(SINK)
                .destinationKey("copy/with-meta").metadataDirective(MetadataDirective.REPLACE).metadata(Map.of("b", "2")));
        assertThat(client.headObject(b -> b.bucket(SINK).key("copy/with-meta")).metadata())
                .containsExactly(Map.entry("b", "2"));
        assertS3Error(() -> client.copyObject(b -> b.sourceBucket(SINK).sourceKey("copy/kept").destinationBucket(SINK)
                .destinationKey("copy/kept")), 400, "InvalidRequest");
        assertS3Error(() -> client.copyObject(b -> b.sourceBucket(s3.sourceBucket()).sourceKey("no/such/key")
                .destinationBucket(SINK).destinationKey("copy/none")), 404, "NoSuchKey");
        assertS3Error(() -> client.copyObject(b -> b.sourceBucket(s3.sourceBucket()).sourceKey(from)
                .copySourceIfMatch("\"0123\"").destinationBucket(SINK).destinationKey("copy/none")), 412,
                "PreconditionFailed");
        assertThat(s3.writeCount("copy/with-meta")).isEqualTo(2);
        assertThat(s3.requestCount(Operation.COPY_OBJECT) - copiesBefore).isEqualTo(6); // refused ones too

        // UploadPartCopy: ranges of a synthetic object, completed into one object of their total size.
        String key = "copy/parts";
        String uploadId = client.createMultipartUpload(b -> b.bucket(SINK).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        long[][] ranges = {{0, (5L << 20) - 1}, {5L << 20, SIZE - 1}};
        for (int n = 1; n <= ranges.length; n++) {
            int number = n;
            String eTag = client.uploadPartCopy(b -> b.sourceBucket(s3.sourceBucket()).sourceKey(from)
                    .destinationBucket(SINK).destinationKey(key).uploadId(uploadId).partNumber(number)
                    .copySourceRange("bytes=" + ranges[number - 1][0] + "-" + ranges[number - 1][1]))
                    .copyPartResult().eTag();
            parts.add(CompletedPart.builder().partNumber(n).eTag(eTag).build());
        }
        assertS3Error(() -> client.uploadPartCopy(b -> b.sourceBucket(s3.sourceBucket()).sourceKey(from)
                .destinationBucket(SINK).destinationKey(key).uploadId(uploadId).partNumber(3)
                .copySourceRange("bytes=0-" + SIZE)), 400, "InvalidArgument");
        client.completeMultipartUpload(b -> b.bucket(SINK).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
        assertThat(client.headObject(b -> b.bucket(SINK).key(key)).contentLength()).isEqualTo(SIZE);
        assertThat(s3.requestCount(Operation.UPLOAD_PART_COPY) - partCopiesBefore).isEqualTo(3);
    }

    // ---------------------------------------------------------------------------------------------
    // Reads, listings, deletes, tags, conditions

    @Test
    void listingOfTheSinkIsInUtf8ByteOrderAndPaginates() {
        try (SyntheticS3 server = SyntheticS3.builder().objects(1).sinkBucket(SINK).build();
                S3Client c = S3Clients.client(server.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            // U+1F600 sorts after U+FFFD in UTF-8, before it in UTF-16.
            List<String> keys = new ArrayList<>(List.of("a/1", "a/2", "a/b/3", "b", "b+c d&e", "c/\uFFFD",
                    "c/\uD83D\uDE00", "c/z", "d\u00e9/x", "e"));
            for (String key : keys) {
                c.putObject(b -> b.bucket(SINK).key(key), RequestBody.fromString(key));
            }
            keys.sort(KeyOrder.UTF8);
            assertThat(keys.indexOf("c/\uFFFD")).isLessThan(keys.indexOf("c/\uD83D\uDE00"));

            List<String> all = c.listObjectsV2Paginator(b -> b.bucket(SINK).maxKeys(3)).contents().stream()
                    .map(S3Object::key).toList();
            assertThat(all).containsExactlyElementsOf(keys);
            assertThat(server.objectCount(SINK)).isEqualTo(keys.size());

            List<String> prefixes = c.listObjectsV2Paginator(b -> b.bucket(SINK).delimiter("/").maxKeys(1))
                    .commonPrefixes().stream().map(CommonPrefix::prefix).toList();
            assertThat(prefixes).containsExactly("a/", "c/", "d\u00e9/");
            assertThat(c.listObjectsV2(b -> b.bucket(SINK).delimiter("/")).contents()).extracting(S3Object::key)
                    .containsExactly("b", "b+c d&e", "e");
            assertThat(c.listObjectsV2(b -> b.bucket(SINK).prefix("a/").delimiter("/")).commonPrefixes())
                    .extracting(CommonPrefix::prefix).containsExactly("a/b/");
            assertThat(c.listObjectsV2(b -> b.bucket(SINK).prefix("c/").startAfter("c/z")).contents())
                    .extracting(S3Object::key).containsExactly("c/\uFFFD", "c/\uD83D\uDE00");
            assertThat(c.listObjectsV2(b -> b.bucket(SINK).delimiter("/").startAfter("a/")).commonPrefixes())
                    .extracting(CommonPrefix::prefix).containsExactly("c/", "d\u00e9/");
            S3Object first = c.listObjectsV2(b -> b.bucket(SINK).maxKeys(1)).contents().get(0);
            assertThat(first.size()).isEqualTo(3);
            assertThat(first.eTag()).isEqualTo("\"" + md5Hex("a/1".getBytes(StandardCharsets.UTF_8)) + "\"");
            assertThat(c.listObjectsV2(b -> b.bucket(SINK).maxKeys(0)).isTruncated()).isFalse();

            // ListObjects (V1), paged by NextMarker.
            List<String> v1 = new ArrayList<>();
            String marker = null;
            do {
                String from = marker;
                var page = c.listObjects(b -> b.bucket(SINK).maxKeys(4).marker(from));
                page.contents().forEach(o -> v1.add(o.key()));
                marker = page.isTruncated() ? page.nextMarker() : null;
            } while (marker != null);
            assertThat(v1).containsExactlyElementsOf(keys);

            // Deletes: one, then many (quietly or not); a missing key deletes fine.
            c.deleteObject(b -> b.bucket(SINK).key("e"));
            c.deleteObject(b -> b.bucket(SINK).key("e"));
            var deleted = c.deleteObjects(b -> b.bucket(SINK).delete(d -> d.objects(
                    ObjectIdentifier.builder().key("b+c d&e").build(), ObjectIdentifier.builder().key("a/1").build(),
                    ObjectIdentifier.builder().key("never").build())));
            assertThat(deleted.deleted()).extracting(x -> x.key()).containsExactly("b+c d&e", "a/1", "never");
            assertThat(c.deleteObjects(b -> b.bucket(SINK).delete(d -> d.quiet(true).objects(
                    ObjectIdentifier.builder().key("c/z").build()))).deleted()).isEmpty();
            assertThat(c.listObjectsV2(b -> b.bucket(SINK)).contents()).extracting(S3Object::key)
                    .containsExactly("a/2", "a/b/3", "b", "c/\uFFFD", "c/\uD83D\uDE00", "d\u00e9/x");
            assertThatThrownBy(() -> c.headObject(b -> b.bucket(SINK).key("e"))).isInstanceOf(NoSuchKeyException.class);
            assertThat(server.writeCounts()).containsEntry("e", 1L).hasSize(keys.size());
            assertThat(server.requestCount(Operation.DELETE_OBJECT)).isEqualTo(2);
            assertThat(server.requestCount(Operation.DELETE_OBJECTS)).isEqualTo(2);
            assertThat(c.listBuckets().buckets()).extracting(x -> x.name()).contains(SINK);
            c.headBucket(b -> b.bucket(SINK));
        }
    }

    @Test
    void tagsAreKeptReplacedAndDeleted() {
        client.putObject(b -> b.bucket(SINK).key("tags/one").tagging("a=1&b=two%20words"), RequestBody.fromString("x"));
        assertThat(client.getObjectTagging(b -> b.bucket(SINK).key("tags/one")).tagSet()).containsExactly(
                Tag.builder().key("a").value("1").build(), Tag.builder().key("b").value("two words").build());
        client.putObjectTagging(b -> b.bucket(SINK).key("tags/one").tagging(t -> t.tagSet(
                Tag.builder().key("c&").value("<3>").build())));
        assertThat(client.getObjectTagging(b -> b.bucket(SINK).key("tags/one")).tagSet())
                .containsExactly(Tag.builder().key("c&").value("<3>").build());
        assertThat(client.headObject(b -> b.bucket(SINK).key("tags/one")).eTag())
                .isEqualTo("\"" + md5Hex(new byte[] {'x'}) + "\"");
        client.deleteObjectTagging(b -> b.bucket(SINK).key("tags/one"));
        assertThat(client.getObjectTagging(b -> b.bucket(SINK).key("tags/one")).tagSet()).isEmpty();
        assertThatThrownBy(() -> client.putObjectTagging(b -> b.bucket(SINK).key("tags/none")
                .tagging(t -> t.tagSet(Tag.builder().key("a").value("b").build()))))
                .isInstanceOf(NoSuchKeyException.class);
        // The synthetic objects have none.
        assertThat(client.getObjectTagging(b -> b.bucket(s3.sourceBucket()).key(s3.key(1))).tagSet()).isEmpty();
    }

    @Test
    void conditionalWritesAndReadsFollowTheETag() {
        PutObjectResponse put = client.putObject(b -> b.bucket(SINK).key("cond/k"), RequestBody.fromString("v1"));
        assertS3Error(() -> client.putObject(b -> b.bucket(SINK).key("cond/k").ifNoneMatch("*"),
                RequestBody.fromString("v2")), 412, "PreconditionFailed");
        assertS3Error(() -> client.putObject(b -> b.bucket(SINK).key("cond/k").ifMatch("\"0000\""),
                RequestBody.fromString("v2")), 412, "PreconditionFailed");
        client.putObject(b -> b.bucket(SINK).key("cond/k").ifMatch(put.eTag()), RequestBody.fromString("v2"));
        client.putObject(b -> b.bucket(SINK).key("cond/new").ifNoneMatch("*"), RequestBody.fromString("v1"));
        assertThat(s3.writeCount("cond/k")).isEqualTo(2);

        String eTag = client.headObject(b -> b.bucket(s3.sourceBucket()).key(s3.key(2))).eTag();
        assertThat(client.getObjectAsBytes(b -> b.bucket(s3.sourceBucket()).key(s3.key(2)).ifMatch(eTag)
                .range("bytes=0-9")).asByteArray()).hasSize(10);
        assertS3Error(() -> client.getObjectAsBytes(b -> b.bucket(s3.sourceBucket()).key(s3.key(2))
                .ifMatch("\"other\"")), 412, "PreconditionFailed");
    }

    @Test
    void writesOutsideTheSinkAreStillRefused() {
        for (String bucket : List.of(s3.sourceBucket(), s3.destinationBucket())) {
            assertS3Error(() -> client.putObject(b -> b.bucket(bucket).key("x"), RequestBody.fromString("x")), 403,
                    "AccessDenied");
            assertS3Error(() -> client.deleteObject(b -> b.bucket(bucket).key(s3.key(0))), 403, "AccessDenied");
            assertS3Error(() -> client.createMultipartUpload(b -> b.bucket(bucket).key("x")), 403, "AccessDenied");
            assertS3Error(() -> client.copyObject(b -> b.sourceBucket(SINK).sourceKey("x").destinationBucket(bucket)
                    .destinationKey("x")), 403, "AccessDenied");
        }
        assertS3Error(() -> client.putObject(b -> b.bucket("no-such-bucket").key("x"), RequestBody.fromString("x")), 403,
                "AccessDenied");
        assertThat(s3.objectCount(s3.sourceBucket())).isEqualTo(40);
        assertThatThrownBy(() -> SyntheticS3.builder().sinkBucket(SyntheticS3.DEFAULT_SOURCE_BUCKET).build())
                .isInstanceOf(S3ReconException.class).hasMessageContaining("sink");
        assertThatThrownBy(() -> SyntheticS3.builder().sinkBucket("Bad_Name")).hasMessageContaining("Bad_Name");
        try (SyntheticS3 readOnly = SyntheticS3.builder().objects(1).build()) {
            assertThatThrownBy(readOnly::sinkBucket).isInstanceOf(S3ReconException.class)
                    .hasMessageContaining("sinkBucket(name)");
            assertThat(readOnly.bytesWritten()).isZero();
            assertThat(readOnly.writeCounts()).isEmpty();
        }
        assertThat(s3.sinkBucket()).isEqualTo(SINK);
    }

    @Test
    void relayedCopiesOfFixedSizeObjectsKeepTheirETags() {
        // GET from the source, PUT to the sink, as a relay copies: the sink's MD5 is the source's ETag.
        long servedBefore = s3.bytesServed();
        for (int i = 10; i < 13; i++) {
            String key = s3.key(i);
            GetObjectResponse[] got = new GetObjectResponse[1];
            PutObjectResponse put = async.getObject(b -> b.bucket(s3.sourceBucket()).key(key),
                    AsyncResponseTransformer.toPublisher()).thenCompose(publisher -> {
                        got[0] = publisher.response();
                        return async.putObject(b -> b.bucket(SINK).key("relay/" + key)
                                .contentLength(publisher.response().contentLength()),
                                AsyncRequestBody.fromPublisher(publisher));
                    }).join();
            assertThat(put.eTag()).isEqualTo(got[0].eTag());
            assertThat(s3.object(SINK, "relay/" + key)).get().extracting(ObjectEntry::eTag)
                    .isEqualTo(s3.object(s3.sourceBucket(), key).orElseThrow().eTag());
        }
        assertThat(s3.bytesServed() - servedBefore).isEqualTo(3 * SIZE);
    }

    @Test
    void relaysMoreThanTheServerHasThreadsDoNotStarveTheirGets() {
        // Each PUT waits for its GET's bytes; on a server of 2 threads both would be taken by the first
        // GETs (bodies larger than the socket buffers) if the PUTs queued behind them.
        try (SyntheticS3 small = SyntheticS3.builder().objects(4).objectSize(16L << 20).threads(2).sinkBucket(SINK)
                .build();
                S3AsyncClient c = S3Clients.asyncClient(small.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")))) {
            List<CompletableFuture<PutObjectResponse>> relays = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String key = small.key(i);
                relays.add(c.getObject(b -> b.bucket(small.sourceBucket()).key(key),
                        AsyncResponseTransformer.toPublisher()).thenCompose(publisher -> c.putObject(b -> b.bucket(SINK)
                                .key(key).contentLength(publisher.response().contentLength()),
                                AsyncRequestBody.fromPublisher(publisher))));
            }
            relays.forEach(r -> r.orTimeout(60, TimeUnit.SECONDS).join());
            assertThat(small.bytesWritten()).isEqualTo(4L << 24);
            assertThat(small.writeCounts()).hasSize(4);
        }
    }

    // ---------------------------------------------------------------------------------------------

    private static void assertS3Error(Runnable call, int status, String code) {
        assertThatThrownBy(call::run).satisfies(t -> {
            Throwable e = t instanceof CompletionException ? t.getCause() : t;
            assertThat(e).isInstanceOf(S3Exception.class);
            assertThat(((S3Exception) e).statusCode()).isEqualTo(status);
            assertThat(((S3Exception) e).awsErrorDetails().errorCode()).isEqualTo(code);
        });
    }

    static byte[] bytes(int length, long seed) {
        byte[] b = new byte[length];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static byte[] concat(byte[][] parts) {
        byte[] all = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    static String md5Hex(byte[] bytes) {
        return HexFormat.of().formatHex(md5().digest(bytes));
    }

    private static String checksum(software.amazon.awssdk.checksums.spi.ChecksumAlgorithm algorithm, byte[] data) {
        SdkChecksum c = SdkChecksum.forAlgorithm(algorithm);
        c.update(data, 0, data.length);
        return Base64.getEncoder().encodeToString(c.getChecksumBytes());
    }

    private static String unquote(String eTag) {
        return eTag.replace("\"", "");
    }
}
