package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.S3Object;

/** The options of a run: filters, overwrite policies, deletions and their guard, plan, repair, verification. */
class MigrationOptionsTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private String src;
    private String dst;

    /** Source: a.txt, b.jpg, tmp/c.jpg, x/y/d.jpg, same.txt; destination: same.txt, differs.txt, extra-1..3. */
    private void seed() {
        src = MigrationRunTest.bucket(s3, "opt-src");
        dst = MigrationRunTest.bucket(s3, "opt-dst");
        s3.put(src, "a.txt", "a".getBytes(UTF_8));
        s3.put(src, "b.jpg", "b".getBytes(UTF_8));
        s3.put(src, "tmp/c.jpg", "c".getBytes(UTF_8));
        s3.put(src, "x/y/d.jpg", "d".getBytes(UTF_8));
        s3.put(src, "same.txt", "same".getBytes(UTF_8));
        s3.put(src, "differs.txt", "new content".getBytes(UTF_8));
        s3.put(dst, "same.txt", "same".getBytes(UTF_8));
        s3.put(dst, "differs.txt", "old content".getBytes(UTF_8));
        for (int i = 1; i <= 3; i++) {
            s3.put(dst, "extra-" + i, ("extra " + i).getBytes(UTF_8));
        }
    }

    private Migration migration(Consumer<Migration.Builder> options) {
        return migration(s3.asyncClient(), options);
    }

    private Migration migration(S3AsyncClient client, Consumer<Migration.Builder> options) {
        Migration.Builder b = Migration.builder().source(S3Location.of(client, src))
                .destination(S3Location.of(client, dst)).workDirectory(work.resolve("work"))
                .transferScheduler(SizeTieredScheduler.builder().build());
        options.accept(b);
        return b.build();
    }

    private Map<String, String> contents(String bucket) {
        Map<String, String> m = new TreeMap<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            m.put(o.key(), s3.client().getObjectAsBytes(b -> b.bucket(bucket).key(o.key())).asUtf8String());
        }
        return m;
    }

    private static List<String> differences(MigrationResult r) {
        try (Stream<Difference> d = r.report().differences()) {
            return d.map(x -> x.type() + " " + x.key()).collect(Collectors.toList());
        }
    }

    @Test
    void includeAndExcludeLimitWhatIsCopiedAndReported() {
        seed();
        try (Migration m = migration(b -> b.include("**/*.jpg").exclude("tmp/**"))) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(2);
            assertThat(r.report().source().objects()).isEqualTo(2);
        }
        assertThat(contents(dst)).containsOnlyKeys("b.jpg", "x/y/d.jpg", "same.txt", "differs.txt", "extra-1",
                "extra-2", "extra-3");
    }

    @Test
    void ifDifferentCopiesMissingAndDifferentOnly() {
        seed();
        try (Migration m = migration(b -> b.overwrite(OverwritePolicy.IF_DIFFERENT))) {
            MigrationResult r = m.run();
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(5);
            assertThat(r.report().transfer().objectsSkipped()).isEqualTo(1);
            // The extraneous objects stay (deleteExtraneous is off), so the run ends with differences.
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
            assertThat(differences(r)).containsExactly("EXTRA_IN_DESTINATION extra-1",
                    "EXTRA_IN_DESTINATION extra-2", "EXTRA_IN_DESTINATION extra-3");
        }
        assertThat(contents(dst)).containsEntry("differs.txt", "new content").containsEntry("a.txt", "a");
    }

    @Test
    void neverKeepsWhatTheDestinationHas() {
        seed();
        try (Migration m = migration(b -> b.overwrite(OverwritePolicy.NEVER))) {
            MigrationResult r = m.run();
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(4);
            assertThat(differences(r)).contains("CONTENT_MISMATCH differs.txt");
        }
        assertThat(contents(dst)).containsEntry("differs.txt", "old content").containsEntry("a.txt", "a");
    }

    @Test
    void alwaysCopiesEvenWhatIsEqual() {
        seed();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(client, b -> b.overwrite(OverwritePolicy.ALWAYS))) {
            MigrationResult r = m.run();
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(6);
            assertThat(r.report().transfer().objectsSkipped()).isZero();
            assertThat(proxy.objectWrites(dst, "same.txt")).isEqualTo(1);
        }
    }

    @Test
    void deleteExtraneousDeletesWithinTheGuard() {
        seed();
        try (Migration m = migration(b -> b.deleteExtraneous(true).maxDeletes(3).maxDeletePercent(60))) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsDeleted()).isEqualTo(3);
        }
        assertThat(contents(dst)).isEqualTo(contents(src));
    }

    @Test
    void theDeleteGuardTripsBeforeAnythingIsWritten() {
        seed();
        Map<String, String> before = contents(dst);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(client, b -> b.deleteExtraneous(true).maxDeletes(2))) {
            assertThatThrownBy(m::run).isInstanceOf(S3ReconException.class)
                    .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.TOO_MANY_DELETES))
                    .hasMessageContaining("deletes 3 objects").hasMessageContaining("maxDeletes (2)");
            assertThat(proxy.objectWrites(dst)).isEmpty();
        }
        assertThat(contents(dst)).isEqualTo(before);
    }

    @Test
    void planWritesNothingAndSaysWhatRunWouldDo() throws Exception {
        seed();
        Map<String, String> before = contents(dst);
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint());
                S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        EmbeddedS3.credentials());
                Migration m = migration(client, b -> b.deleteExtraneous(true))) {
            FixPlan plan = m.plan();
            assertThat(plan.copies()).isEqualTo(4);
            assertThat(plan.recopies()).isEqualTo(1);
            assertThat(plan.deletes()).isEqualTo(3);
            try (Stream<FixAction> actions = plan.actions()) {
                assertThat(actions.map(a -> a.action() + " " + a.key())).containsExactly("COPY a.txt", "COPY b.jpg",
                        "RECOPY differs.txt", "DELETE extra-1", "DELETE extra-2", "DELETE extra-3",
                        "COPY tmp/c.jpg", "COPY x/y/d.jpg");
            }
            Path script = work.resolve("fix.sh");
            plan.writeShellScript(script);
            assertThat(Files.readString(script)).contains("$AWS s3 cp 's3://" + src + "/a.txt' 's3://" + dst
                    + "/a.txt'").contains("$AWS s3 rm 's3://" + dst + "/extra-1'");
            assertThat(proxy.objectWrites(dst)).isEmpty();
            assertThat(proxy.forwardedCount(FaultInjectingProxy.Method.PUT, dst, "a.txt")).isZero();
        }
        assertThat(contents(dst)).isEqualTo(before);
    }

    @Test
    void repairClosesEveryDifferenceOfAReport() {
        seed();
        MigrationResult found;
        try (Migration m = migration(b -> b.deleteExtraneous(true).maxDeletePercent(60))) {
            found = m.reconcile();
            assertThat(found.report().counts().differences()).isEqualTo(8);
            MigrationResult repaired = m.repair(found.report());
            assertThat(repaired.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(repaired.report().counts().differences()).isZero();
            assertThat(repaired.report().transfer().objectsCopied()).isEqualTo(5);
            assertThat(repaired.report().transfer().objectsDeleted()).isEqualTo(3);
            assertThat(m.reconcile().report().counts().differences()).isZero();
        }
    }

    @Test
    void aDestinationCorruptedAfterCopyIsAContentMismatch() {
        src = MigrationRunTest.bucket(s3, "corrupt-src");
        dst = MigrationRunTest.bucket(s3, "corrupt-dst");
        byte[] big = new byte[2 * EmbeddedS3.MIN_PART_SIZE + 17];
        new java.util.Random(3).nextBytes(big);
        s3.put(src, "small.txt", "the original".getBytes(UTF_8));
        // As S3 stores new objects: a full-object CRC64NVME, which the copy's fingerprint records.
        s3.putMultipart(src, "big.bin", big, EmbeddedS3.MIN_PART_SIZE, ChecksumAlgorithm.CRC64_NVME);
        // Relayed with another part size: neither ETag nor layout can prove the copy, its fingerprint can.
        try (Migration m = migration(b -> b.transferScheduler(SizeTieredScheduler.builder().serverSideCopy(false)
                .smallObjectThreshold(DataSize.ofMebibytes(6)).partSize(DataSize.ofMebibytes(6)).build()))) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
            // Same sizes, other bytes; the big one keeps its metadata (and so the recorded fingerprint).
            s3.put(dst, "small.txt", "the 0riginal".getBytes(UTF_8));
            Map<String, String> metadata = s3.client().headObject(b -> b.bucket(dst).key("big.bin")).metadata();
            byte[] corrupted = big.clone();
            corrupted[big.length / 2] ^= 0x40;
            s3.put(dst, "big.bin", corrupted, b -> b.metadata(metadata)
                    .checksumAlgorithm(ChecksumAlgorithm.CRC64_NVME));
            MigrationResult r = m.reconcile();
            assertThat(differences(r)).containsExactly("CONTENT_MISMATCH big.bin", "CONTENT_MISMATCH small.txt");
        }
    }

    @Test
    void verificationModesDecideHowTheCopyIsChecked() {
        seed();
        try (Migration m = migration(b -> b.verification(Verification.SIZE).deleteExtraneous(true).maxDeletePercent(60))) {
            MigrationResult r = m.run();
            assertThat(r.report().verification()).isEqualTo(Verification.SIZE);
            assertThat(r.report().matchedByRule()).containsOnlyKeys(MatchRule.SIZE);
            assertThat(r.report().verified()).isZero();
        }
        try (Migration m = migration(b -> b.verification(Verification.DEEP))) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().transfer().objectsCopied()).isZero();
            assertThat(r.report().verified()).isEqualTo(6);
        }
        try (Migration m = migration(b -> b.verification(Verification.NONE).overwrite(OverwritePolicy.ALWAYS))) {
            MigrationResult r = m.run();
            assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
            assertThat(r.report().verification()).isEqualTo(Verification.NONE);
            assertThat(r.report().transfer().objectsCopied()).isEqualTo(6);
        }
    }

    @Test
    void aPermanentFailureIsRecordedAndTheRunGoesOn() throws Exception {
        seed();
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(s3.endpoint())) {
            proxy.inject(FaultInjectingProxy.Fault.accessDenied(1.0).onlyFor(r -> (r.key().equals("b.jpg")
                    || r.key().equals("differs.txt")) && r.bucket().equals(dst)
                    && r.method() == FaultInjectingProxy.Method.PUT));
            try (S3AsyncClient client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                    EmbeddedS3.credentials()); Migration m = migration(client, b -> { })) {
                MigrationResult r = m.run();
                assertThat(r.state()).isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
                assertThat(r.report().transfer().objectsFailed()).isEqualTo(2);
                assertThat(r.report().transfer().objectsCopied()).isEqualTo(3);
                assertThat(differences(r)).contains("MISSING_IN_DESTINATION b.jpg", "CONTENT_MISMATCH differs.txt");
                List<String> failures = Files.readAllLines(r.report().transfer().failuresFile());
                assertThat(failures).hasSize(2);
                String b = failures.stream().filter(l -> l.contains("\"key\":\"b.jpg\"")).findFirst().orElseThrow();
                String d = failures.stream().filter(l -> l.contains("\"key\":\"differs.txt\"")).findFirst()
                        .orElseThrow();
                assertThat(b).contains("\"action\":\"COPY\"").contains("\"code\":\"ACCESS_DENIED\"")
                        .contains(dst).doesNotContain(EmbeddedS3.SECRET_ACCESS_KEY);
                assertThat(d).contains("\"action\":\"RECOPY\"");
            }
        }
    }
}
