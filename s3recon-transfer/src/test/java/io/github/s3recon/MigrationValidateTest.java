package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.ValidationReport.Check;
import io.github.s3recon.ValidationReport.Status;
import io.github.s3recon.internal.validation.Validator;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Method;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.BucketVersioningStatus;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * {@code Migration.validate()} against a real S3 server: all checks passing, a read-only destination,
 * missing buckets, rejected credentials, an unreachable endpoint, and no secret in any report.
 */
class MigrationValidateTest {

    private static final List<String> ORDER = List.of(ValidationReport.SOURCE_BUCKET, ValidationReport.SOURCE_LIST,
            ValidationReport.SOURCE_READ, ValidationReport.SOURCE_VERSIONING, ValidationReport.SOURCE_OBJECT_LOCK,
            ValidationReport.DESTINATION_BUCKET, ValidationReport.DESTINATION_WRITE, ValidationReport.DESTINATION_READ,
            ValidationReport.DESTINATION_DELETE, ValidationReport.DESTINATION_VERSIONING,
            ValidationReport.DESTINATION_OBJECT_LOCK, ValidationReport.DELETIONS);

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    /**
     * The one place that runs a validation; becomes
     * {@code Migration.builder().source(source).destination(destination).workDirectory(work).build().validate()}.
     */
    private ValidationReport validate(S3Location source, S3Location destination) {
        return validate(source, destination, false);
    }

    private ValidationReport validate(S3Location source, S3Location destination, boolean deleteExtraneous) {
        ValidationReport report;
        try (Migration m = Migration.builder().source(source).destination(destination)
                .deleteExtraneous(deleteExtraneous).workDirectory(work.resolve("w" + System.nanoTime())).build()) {
            report = m.validate();
        }
        assertThat(report.checks()).extracting(Check::name).containsExactlyElementsOf(ORDER);
        assertNoSecret(report);
        return report;
    }

    private void assertNoSecret(ValidationReport report) {
        Path json = work.resolve("validation-" + System.nanoTime() + ".json");
        report.writeJson(json);
        String written;
        try {
            written = Files.readString(json, UTF_8);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        for (String text : List.of(report.describe(), report.toString(), written)) {
            assertThat(text).doesNotContain(EmbeddedS3.SECRET_ACCESS_KEY).doesNotContain(EmbeddedS3.ACCESS_KEY_ID)
                    .doesNotContainIgnoringCase("Signature=").doesNotContainIgnoringCase("Credential=");
        }
    }

    private static Check check(ValidationReport report, String name) {
        return report.check(name).orElseThrow();
    }

    private String sourceWithObjects() {
        String src = MigrationRunTest.bucket(s3, "val-src");
        s3.put(src, "data/a.txt", "a".getBytes(UTF_8));
        s3.put(src, "data/b.txt", "bb".getBytes(UTF_8));
        return src;
    }

    private List<String> keys(String bucket) {
        return s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents().stream().map(S3Object::key)
                .toList();
    }

    private static S3AsyncClient client(URI endpoint) {
        return S3Clients.asyncClient(endpoint, EmbeddedS3.REGION, EmbeddedS3.credentials());
    }

    @Test
    void everyCheckPassesAgainstTwoWritableBucketsAndTheProbeIsGoneAfterwards() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-dst");
        s3.put(dst, "other/keep.txt", "keep".getBytes(UTF_8));

        ValidationReport report = validate(S3Location.of(s3.asyncClient(), src, "data/"),
                S3Location.of(s3.asyncClient(), dst, "backup/"));

        assertThat(report.passed()).as(report.describe()).isTrue();
        assertThat(report.failures()).isEmpty();
        assertThat(report.checks()).as(report.describe()).allSatisfy(c -> assertThat(c.status()).isEqualTo(Status.PASS));
        assertThat(check(report, ValidationReport.SOURCE_READ).detail()).contains("data/a.txt");
        assertThat(check(report, ValidationReport.DESTINATION_WRITE).detail())
                .contains("s3://" + dst + "/backup/.s3recon-probe/");
        assertThat(keys(dst)).containsExactly("other/keep.txt");
        assertThat(report.describe()).contains("PASSED").contains(ValidationReport.DESTINATION_DELETE);
        assertThat(report.startedAt()).isBeforeOrEqualTo(report.finishedAt());
    }

    @Test
    void anEmptySourcePrefixSkipsTheReadAndStillPasses() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-dst");

        ValidationReport report = validate(S3Location.of(s3.asyncClient(), src, "nothing-here/"),
                S3Location.of(s3.asyncClient(), dst));

        assertThat(report.passed()).as(report.describe()).isTrue();
        Check read = check(report, ValidationReport.SOURCE_READ);
        assertThat(read.status()).isEqualTo(Status.SKIPPED);
        assertThat(read.hint()).contains("nothing-here/");
        assertThat(keys(dst)).isEmpty();
    }

    @Test
    void aReadOnlyDestinationFailsTheWriteNamingThePermission() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-ro");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.accessDenied(1.0).onlyFor(Method.PUT))
                .inject(Fault.accessDenied(1.0).onlyFor(Method.DELETE));
                S3AsyncClient readOnly = client(proxy.endpoint())) {
            ValidationReport report = validate(S3Location.of(s3.asyncClient(), src, "data/"),
                    S3Location.of(readOnly, dst, "backup/"), true);

            assertThat(report.passed()).isFalse();
            Check write = check(report, ValidationReport.DESTINATION_WRITE);
            assertThat(write.status()).isEqualTo(Status.FAIL);
            assertThat(write.detail()).contains("403").contains("AccessDenied");
            assertThat(write.hint()).contains("s3:PutObject on arn:aws:s3:::" + dst + "/backup/*");
            assertThat(check(report, ValidationReport.DESTINATION_READ).status()).isEqualTo(Status.SKIPPED);
            Check delete = check(report, ValidationReport.DESTINATION_DELETE);
            assertThat(delete.status()).isEqualTo(Status.FAIL);
            assertThat(delete.hint()).contains("s3:DeleteObject on arn:aws:s3:::" + dst + "/backup/*");
            assertThat(report.failures()).extracting(Check::name)
                    .containsExactly(ValidationReport.DESTINATION_WRITE, ValidationReport.DESTINATION_DELETE);
            for (String name : List.of(ValidationReport.SOURCE_BUCKET, ValidationReport.SOURCE_LIST,
                    ValidationReport.SOURCE_READ, ValidationReport.SOURCE_VERSIONING,
                    ValidationReport.SOURCE_OBJECT_LOCK, ValidationReport.DESTINATION_BUCKET)) {
                assertThat(check(report, name).status()).as(name).isEqualTo(Status.PASS);
            }
            assertThat(proxy.objectWrites(dst)).isEmpty();
            assertThat(report.describe()).contains("FAILED: 2 check(s) failed").contains("hint: ");
        }
        assertThat(keys(dst)).isEmpty();
    }

    @Test
    void aMissingSourceBucketFailsWithAHintToCheckTheName() {
        String dst = MigrationRunTest.bucket(s3, "val-dst");
        String missing = "val-missing-" + Long.toHexString(System.nanoTime());

        ValidationReport report = validate(S3Location.of(s3.asyncClient(), missing),
                S3Location.of(s3.asyncClient(), dst));

        assertThat(report.passed()).isFalse();
        Check bucket = check(report, ValidationReport.SOURCE_BUCKET);
        assertThat(bucket.status()).isEqualTo(Status.FAIL);
        assertThat(bucket.detail()).contains("404");
        assertThat(bucket.hint()).contains("check the bucket name '" + missing + "'").contains(s3.endpoint().toString());
        for (String name : List.of(ValidationReport.SOURCE_LIST, ValidationReport.SOURCE_READ,
                ValidationReport.SOURCE_VERSIONING, ValidationReport.SOURCE_OBJECT_LOCK)) {
            assertThat(check(report, name).status()).as(name).isEqualTo(Status.SKIPPED);
            assertThat(check(report, name).detail()).isEqualTo("skipped: source.bucket failed");
        }
        assertThat(report.failures()).extracting(Check::name).containsExactly(ValidationReport.SOURCE_BUCKET);
        assertThat(check(report, ValidationReport.DESTINATION_WRITE).status()).isEqualTo(Status.PASS);
    }

    @Test
    void aMissingDestinationBucketFailsWithAHintToCheckTheName() {
        String src = sourceWithObjects();
        String missing = "val-missing-" + Long.toHexString(System.nanoTime());

        ValidationReport report = validate(S3Location.of(s3.asyncClient(), src),
                S3Location.of(s3.asyncClient(), missing, "backup/"));

        assertThat(report.failures()).extracting(Check::name).containsExactly(ValidationReport.DESTINATION_BUCKET);
        assertThat(check(report, ValidationReport.DESTINATION_BUCKET).hint())
                .contains("check the bucket name '" + missing + "'");
        for (String name : List.of(ValidationReport.DESTINATION_WRITE, ValidationReport.DESTINATION_READ,
                ValidationReport.DESTINATION_DELETE, ValidationReport.DESTINATION_VERSIONING,
                ValidationReport.DESTINATION_OBJECT_LOCK)) {
            assertThat(check(report, name).status()).as(name).isEqualTo(Status.SKIPPED);
        }
        assertThat(check(report, ValidationReport.SOURCE_READ).status()).isEqualTo(Status.PASS);
    }

    @Test
    void anUnknownAccessKeyFailsTheCredentialsCheckWithTheCredentialsHint() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-dst");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).acceptOnlyAccessKey("another-key");
                S3AsyncClient rejected = client(proxy.endpoint())) {
            ValidationReport report = validate(S3Location.of(rejected, src), S3Location.of(s3.asyncClient(), dst));

            Check bucket = check(report, ValidationReport.SOURCE_BUCKET);
            assertThat(bucket.status()).isEqualTo(Status.FAIL);
            // HeadBucket's 403 has no code; the listing's answer tells rejected credentials apart.
            assertThat(bucket.detail()).contains("InvalidAccessKeyId");
            assertThat(bucket.hint()).contains("check the access key id and secret key")
                    .contains(proxy.endpoint().toString());
            assertThat(check(report, ValidationReport.SOURCE_LIST).status()).isEqualTo(Status.SKIPPED);
            assertThat(report.failures()).extracting(Check::name).containsExactly(ValidationReport.SOURCE_BUCKET);
        }
    }

    @Test
    void aWrongSecretKeyFailsTheCredentialsCheckWithTheCredentialsHint() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-dst");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint()).inject(Fault.error(1.0, 403,
                "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you "
                        + "provided. Check your key and signing method."));
                S3AsyncClient rejected = client(proxy.endpoint())) {
            ValidationReport report = validate(S3Location.of(s3.asyncClient(), src), S3Location.of(rejected, dst));

            Check bucket = check(report, ValidationReport.DESTINATION_BUCKET);
            assertThat(bucket.status()).isEqualTo(Status.FAIL);
            assertThat(bucket.detail()).contains("SignatureDoesNotMatch");
            assertThat(bucket.hint()).contains("the credentials were rejected")
                    .contains("check the access key id and secret key");
            assertThat(check(report, ValidationReport.DESTINATION_WRITE).status()).isEqualTo(Status.SKIPPED);
            assertThat(report.failures()).extracting(Check::name).containsExactly(ValidationReport.DESTINATION_BUCKET);
            assertThat(proxy.objectWrites(dst)).isEmpty();
        }
    }

    @Test
    void anUnreachableEndpointFailsWithAHintToCheckTheUrl() {
        String dst = MigrationRunTest.bucket(s3, "val-dst");
        // Port 1: privileged, so nothing listens, and outside the ephemeral range, so no self-connect.
        URI nowhere = URI.create("http://127.0.0.1:1");
        try (S3AsyncClient unreachable = client(nowhere)) {
            ValidationReport report = validate(S3Location.of(unreachable, "some-bucket"),
                    S3Location.of(s3.asyncClient(), dst));

            Check bucket = check(report, ValidationReport.SOURCE_BUCKET);
            assertThat(bucket.status()).isEqualTo(Status.FAIL);
            assertThat(bucket.hint()).contains("check the endpoint URL").contains(nowhere.toString());
            assertThat(check(report, ValidationReport.SOURCE_LIST).status()).isEqualTo(Status.SKIPPED);
        }
    }

    @Test
    void aDeniedSettingIsAWarningNotAFailure() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-dst");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.accessDenied(1.0).onlyFor(r -> r.hasQueryParameter("versioning")));
                S3AsyncClient client = client(proxy.endpoint())) {
            ValidationReport report = validate(S3Location.of(client, src), S3Location.of(client, dst));

            assertThat(report.passed()).as(report.describe()).isTrue();
            assertThat(report.warnings()).extracting(Check::name)
                    .containsExactly(ValidationReport.SOURCE_VERSIONING, ValidationReport.DESTINATION_VERSIONING);
            assertThat(check(report, ValidationReport.DESTINATION_VERSIONING).hint())
                    .contains("s3:GetBucketVersioning on arn:aws:s3:::" + dst);
            assertThat(report.describe()).contains("PASSED, 2 warning(s)");
        }
    }

    @Test
    void aDeniedDeleteOnlyWarnsWhenTheJobDeletesNothing() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-nodel");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())
                .inject(Fault.accessDenied(1.0).onlyFor(Method.DELETE));
                S3AsyncClient noDelete = client(proxy.endpoint())) {
            ValidationReport report = validate(S3Location.of(s3.asyncClient(), src, "data/"),
                    S3Location.of(noDelete, dst, "backup/"), false);

            assertThat(report.passed()).as(report.describe()).isTrue();
            Check delete = check(report, ValidationReport.DESTINATION_DELETE);
            assertThat(delete.status()).isEqualTo(Status.WARN);
            assertThat(delete.detail()).contains("403").contains("deleteExtraneous is off");
            assertThat(delete.hint()).contains("s3:DeleteObject on arn:aws:s3:::" + dst + "/backup/*")
                    .contains("before turning deleteExtraneous on").contains("remove the probe");
            assertThat(check(report, ValidationReport.DESTINATION_WRITE).status()).isEqualTo(Status.PASS);
            assertThat(check(report, ValidationReport.DESTINATION_READ).status()).isEqualTo(Status.PASS);

            ValidationReport deleting = validate(S3Location.of(s3.asyncClient(), src, "data/"),
                    S3Location.of(noDelete, dst, "backup/"), true);
            assertThat(deleting.passed()).isFalse();
            assertThat(deleting.failures()).extracting(Check::name).containsExactly(ValidationReport.DESTINATION_DELETE);
            assertThat(check(deleting, ValidationReport.DESTINATION_DELETE).hint())
                    .contains("needed to delete extraneous objects");
        }
        // The two probes the proxy kept from being deleted.
        assertThat(keys(dst)).hasSize(2).allMatch(k -> k.startsWith("backup/.s3recon-probe/"));
    }

    @Test
    void aVersionedDestinationWarnsAndKeepsNoVersionOfTheProbe() {
        String src = sourceWithObjects();
        String dst = MigrationRunTest.bucket(s3, "val-ver");
        s3.client().putBucketVersioning(b -> b.bucket(dst).versioningConfiguration(v -> v.status(
                BucketVersioningStatus.ENABLED)));

        ValidationReport report = validate(S3Location.of(s3.asyncClient(), src), S3Location.of(s3.asyncClient(), dst));

        assertThat(report.passed()).as(report.describe()).isTrue();
        Check versioning = check(report, ValidationReport.DESTINATION_VERSIONING);
        assertThat(versioning.status()).isEqualTo(Status.WARN);
        assertThat(versioning.hint()).contains("keep their old versions").contains("cost storage");
        assertThat(check(report, ValidationReport.DESTINATION_DELETE).status()).as(report.describe())
                .isEqualTo(Status.PASS);
        assertThat(s3.client().listObjectVersions(b -> b.bucket(dst)).versions()).isEmpty();
        assertThat(s3.client().listObjectVersions(b -> b.bucket(dst)).deleteMarkers()).isEmpty();
    }
}
