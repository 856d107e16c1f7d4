package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.net.URI;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

class ModelValidationTest {

    private static final String MD5 = "0cc175b9c0f1b6a831c399e269772661";

    private static S3ReconException invalid(Runnable action) {
        S3ReconException e = catchThrowableOfType(S3ReconException.class, action::run);
        assertThat(e).as("expected an S3ReconException").isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
        return e;
    }

    @Nested
    @TestInstance(TestInstance.Lifecycle.PER_CLASS)
    class Locations {

        private S3AsyncClient client;

        @BeforeAll
        void createClient() {
            // A real client; nothing is ever sent to this address.
            client = S3Clients.asyncClient(URI.create("http://127.0.0.1:1"), Region.US_EAST_1,
                    StaticCredentialsProvider.create(AwsBasicCredentials.create("k", "s")));
        }

        @AfterAll
        void closeClient() {
            client.close();
        }

        @Test
        void nullClientIsRejectedNamingTheBucket() {
            S3ReconException e = invalid(() -> S3Location.of(null, "photos", "2024/"));
            assertThat(e).hasMessageContaining("photos").hasMessageContaining("client");
        }

        @ParameterizedTest
        @ValueSource(strings = {"", "ab", "My Bucket", "bucket/prefix", "s3://bucket", "-bad", "bad-", "a..b",
                "caf\u00E9", "bucket\n"})
        void badBucketNamesAreRejectedNamingTheName(String bucket) {
            S3ReconException e = invalid(() -> S3Location.of(client, bucket, ""));
            assertThat(e).hasMessageContaining(bucket.isEmpty() ? "bucket name must not be empty" : "'" + bucket + "'");
        }

        @Test
        void overlongBucketNameIsRejectedNamingTheName() {
            String bucket = "b".repeat(300);
            assertThat(invalid(() -> S3Location.of(client, bucket))).hasMessageContaining(bucket);
        }

        @Test
        void nullBucketIsRejected() {
            invalid(() -> S3Location.of(client, null));
        }

        @ParameterizedTest
        @ValueSource(strings = {"my-bucket", "a.b.c", "legacy_Bucket", "abc", "123", "x1y"})
        void validBucketNamesAreAccepted(String bucket) {
            S3Location location = S3Location.of(client, bucket, "p/");
            assertThat(location.bucket()).isEqualTo(bucket);
            assertThat(location.prefix()).isEqualTo("p/");
            assertThat(location.client()).isSameAs(client);
        }

        @Test
        void bucketNamesUpTo255CharactersAreAccepted() {
            assertThat(S3Location.of(client, "b".repeat(255)).bucket()).hasSize(255);
            invalid(() -> S3Location.of(client, "b".repeat(256)));
        }

        @Test
        void nullPrefixAndOverlongPrefixAreRejected() {
            assertThat(invalid(() -> S3Location.of(client, "photos", null))).hasMessageContaining("photos");
            S3Location.of(client, "photos", "p".repeat(1024));
            assertThat(invalid(() -> S3Location.of(client, "photos", "p".repeat(1025))))
                    .hasMessageContaining("1025");
        }

        @Test
        void toStringShowsTheS3UriAndNoClient() {
            assertThat(S3Location.of(client, "bucket", "prefix")).hasToString("s3://bucket/prefix");
            assertThat(S3Location.of(client, "bucket")).hasToString("s3://bucket/");
        }

        @Test
        void lambdaBuilderBuildsAValidatedLocation() {
            S3Location location = S3Location.of(b -> b.client(client).bucket("x1y").prefix("p/"));
            assertThat(location).isEqualTo(new S3Location(client, "x1y", "p/"));
            assertThat(location.fullKey("a/b")).isEqualTo("p/a/b");
            assertThat(S3Location.of(b -> b.client(client).bucket("x1y")).prefix()).isEmpty();
            assertThat(invalid(() -> S3Location.of(b -> b.client(client).bucket("s3://x1y"))))
                    .hasMessageContaining("s3://x1y");
            invalid(() -> S3Location.of(b -> b.bucket("x1y")));
        }
    }

    @Nested
    class ObjectEntries {

        @Test
        void quotesAroundTheETagAreStripped() {
            assertThat(ObjectEntry.of("k", 1, "\"" + MD5 + "\"").eTag()).isEqualTo(MD5);
            assertThat(ObjectEntry.of("k", 1, MD5).eTag()).isEqualTo(MD5);
            assertThat(ObjectEntry.of("k", 1, "\"\"").eTag()).isEmpty();
            assertThat(ObjectEntry.of("k", 1, "\"").eTag()).isEqualTo("\"");
            assertThat(ObjectEntry.of("k", 1, "\"abc").eTag()).isEqualTo("\"abc");
            assertThat(ObjectEntry.of("k", 1, null).eTag()).isNull();
        }

        @Test
        void multipartPartCount() {
            assertThat(ObjectEntry.of("k", 1, MD5 + "-3").multipartPartCount()).isEqualTo(3);
            assertThat(ObjectEntry.of("k", 1, "\"" + MD5 + "-10000\"").multipartPartCount()).isEqualTo(10_000);
            assertThat(ObjectEntry.of("k", 1, MD5.toUpperCase(java.util.Locale.ROOT) + "-2").multipartPartCount())
                    .isEqualTo(2);
            assertThat(ObjectEntry.of("k", 1, MD5).multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, null).multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, MD5 + "-").multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, MD5 + "-x").multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, MD5 + "-99999999999").multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, MD5.substring(1) + "-3").multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, "g" + MD5.substring(1) + "-3").multipartPartCount()).isZero();
            assertThat(ObjectEntry.of("k", 1, MD5 + "0-3").multipartPartCount()).isZero();
        }

        @Test
        void plainMd5ETag() {
            assertThat(ObjectEntry.of("k", 1, MD5).hasPlainMd5ETag()).isTrue();
            assertThat(ObjectEntry.of("k", 1, "\"" + MD5 + "\"").hasPlainMd5ETag()).isTrue();
            assertThat(ObjectEntry.of("k", 1, MD5.toUpperCase(java.util.Locale.ROOT)).hasPlainMd5ETag()).isTrue();
            assertThat(ObjectEntry.of("k", 1, MD5 + "-3").hasPlainMd5ETag()).isFalse();
            assertThat(ObjectEntry.of("k", 1, MD5.substring(1)).hasPlainMd5ETag()).isFalse();
            assertThat(ObjectEntry.of("k", 1, MD5 + "0").hasPlainMd5ETag()).isFalse();
            assertThat(ObjectEntry.of("k", 1, "z" + MD5.substring(1)).hasPlainMd5ETag()).isFalse();
            assertThat(ObjectEntry.of("k", 1, null).hasPlainMd5ETag()).isFalse();
            assertThat(ObjectEntry.of("k", 1, "").hasPlainMd5ETag()).isFalse();
        }

        @Test
        void negativeSizeIsRejectedNamingTheKey() {
            assertThat(invalid(() -> ObjectEntry.of("photos/a.jpg", -1, MD5)))
                    .hasMessageContaining("-1").hasMessageContaining("photos/a.jpg");
            assertThat(ObjectEntry.of("k", 0, MD5).size()).isZero();
            assertThat(ObjectEntry.of("k", Long.MAX_VALUE, MD5).size()).isEqualTo(Long.MAX_VALUE);
        }

        @Test
        void nullKeyIsRejected() {
            assertThatThrownBy(() -> ObjectEntry.of(null, 1, MD5)).isInstanceOf(NullPointerException.class);
        }

        @Test
        void copiesKeepEveryOtherField() {
            Checksum c = Checksum.of(ChecksumAlgorithm.SHA1, ChecksumType.FULL_OBJECT, "qUqP5cyxm6YcTAhz05Hph5gvu9M=");
            ObjectEntry e = new ObjectEntry("a", 3, MD5, java.time.Instant.EPOCH, "STANDARD", c);
            assertThat(e.withKey("b")).isEqualTo(new ObjectEntry("b", 3, MD5, java.time.Instant.EPOCH, "STANDARD", c));
            assertThat(e.withChecksum(null)).isEqualTo(new ObjectEntry("a", 3, MD5, java.time.Instant.EPOCH, "STANDARD", null));
        }
    }

    @Nested
    class Checksums {

        @Test
        void valuesAreKeptExactlyAsGivenSoTheyRoundTrip() {
            assertThat(Checksum.of(ChecksumAlgorithm.CRC32C, ChecksumType.COMPOSITE, "yZRlqg==-3").value())
                    .isEqualTo("yZRlqg==-3");
            assertThat(Checksum.of(ChecksumAlgorithm.CRC32, ChecksumType.COMPOSITE, "abc-1-2").value())
                    .isEqualTo("abc-1-2");
            assertThat(Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "Wz8+P3xZ/5s=").value())
                    .isEqualTo("Wz8+P3xZ/5s=");
        }

        @Test
        void valueMayBeUnknownButNotBlank() {
            Checksum listed = new Checksum(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, null);
            assertThat(listed.hasValue()).isFalse();
            assertThat(Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=").hasValue())
                    .isTrue();
            invalid(() -> new Checksum(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, " "));
            invalid(() -> new Checksum(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, ""));
            assertThatThrownBy(() -> Checksum.of(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, null))
                    .isInstanceOf(NullPointerException.class);
        }

        @Test
        void algorithmAndTypeAreRequired() {
            assertThatThrownBy(() -> new Checksum(null, ChecksumType.FULL_OBJECT, "AAAAAA=="))
                    .isInstanceOf(NullPointerException.class);
            assertThatThrownBy(() -> new Checksum(ChecksumAlgorithm.CRC32, null, "AAAAAA=="))
                    .isInstanceOf(NullPointerException.class);
        }
    }

    @Nested
    class Differences {

        @Test
        void pairsMustShareTheKey() {
            ObjectEntry a = ObjectEntry.of("a", 1, MD5);
            ObjectEntry b = ObjectEntry.of("b", 1, MD5);
            assertThat(invalid(() -> new Difference.ContentMismatch(a, b))).hasMessageContaining("'a'")
                    .hasMessageContaining("'b'");
            invalid(() -> new Difference.SizeMismatch(a, b));
            invalid(() -> new Difference.Stale(a, b));
            invalid(() -> new Difference.Unverified(a, b));
        }

        @Test
        void ofBuildsEveryType() {
            ObjectEntry s = ObjectEntry.of("k", 1, MD5);
            ObjectEntry d = ObjectEntry.of("k", 2, MD5);
            for (DifferenceType type : DifferenceType.values()) {
                Difference difference = Difference.of(type, type == DifferenceType.EXTRA_IN_DESTINATION ? null : s,
                        type == DifferenceType.MISSING_IN_DESTINATION ? null : d);
                assertThat(difference.type()).isEqualTo(type);
                assertThat(difference.key()).isEqualTo("k");
            }
        }

        @Test
        void countsSumAndSelectByType() {
            DifferenceCounts counts = new DifferenceCounts(100, 1, 2, 3, 4, 5, 6);
            assertThat(counts.differences()).isEqualTo(21);
            assertThat(counts.of(DifferenceType.MISSING_IN_DESTINATION)).isEqualTo(1);
            assertThat(counts.of(DifferenceType.EXTRA_IN_DESTINATION)).isEqualTo(2);
            assertThat(counts.of(DifferenceType.SIZE_MISMATCH)).isEqualTo(3);
            assertThat(counts.of(DifferenceType.CONTENT_MISMATCH)).isEqualTo(4);
            assertThat(counts.of(DifferenceType.STALE)).isEqualTo(5);
            assertThat(counts.of(DifferenceType.UNVERIFIED)).isEqualTo(6);
            assertThatThrownBy(() -> new DifferenceCounts(0, 0, 0, 0, 0, 0, -1))
                    .isInstanceOf(IllegalArgumentException.class);
        }
    }
}
