package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.internal.HeadLookup;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A server that cannot answer a question a comparison rule asks (here HeadObject with
 * {@code partNumber}, answered 501 NotImplemented as S3Proxy does) leaves that rule undecided: the
 * object ends UNVERIFIED, or is decided by DEEP, and the run does not fail.
 */
class HeadLookupTest {

    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static final int PART = EmbeddedS3.MIN_PART_SIZE;

    private final EmbeddedS3 s3 = EmbeddedS3.shared();
    private FaultInjectingProxy proxy;
    private S3AsyncClient client;
    private String src;
    private String dst;

    @TempDir
    Path work;

    @BeforeEach
    void seed() {
        src = bucket("hl-src");
        dst = bucket("hl-dst");
        byte[] a = bytes(PART + 1000, 1);
        byte[] b = bytes(PART + 1000, 2);
        byte[] c = bytes(PART + 2 * 1024 * 1024, 3);
        // Same layout (5 MiB + 1000 B), different content: only part 1's size tells it differs.
        s3.putMultipart(src, "same-layout.bin", a, PART, null);
        s3.putMultipart(dst, "same-layout.bin", b, PART, null);
        // Same content, two parts each but split differently: no ETag rule can tell.
        s3.putMultipart(src, "other-layout.bin", c, PART, null);
        s3.putMultipart(dst, "other-layout.bin", c, PART + 1024 * 1024, null);
        s3.put(src, "plain.txt", "plain".getBytes(UTF_8));
        s3.put(dst, "plain.txt", "plain".getBytes(UTF_8));
        proxy = FaultInjectingProxy.start(s3.endpoint());
        client = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
    }

    @AfterEach
    void stop() {
        client.close();
        proxy.close();
    }

    private String bucket(String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        s3.createBucket(bucket);
        return bucket;
    }

    private static byte[] bytes(int n, long seed) {
        byte[] b = new byte[n];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static Fault partNumberNotImplemented() {
        return Fault.error(1.0, 501, "NotImplemented", "A header you provided implies functionality that is not implemented")
                .onlyFor(Operation.HEAD_OBJECT).onlyFor(r -> r.hasQueryParameter("partNumber"));
    }

    private MigrationResult reconcile(Verification verification) {
        try (Migration m = Migration.builder().source(S3Location.of(client, src)).destination(S3Location.of(client, dst))
                .workDirectory(work.resolve("work-" + verification)).verification(verification)
                .listener(MigrationListener.NONE).build()) {
            return m.reconcile();
        }
    }

    private static List<String> differences(MigrationResult result) {
        try (Stream<Difference> d = result.report().differences()) {
            return d.map(x -> x.type() + " " + x.key()).collect(Collectors.toList());
        }
    }

    @Test
    void aServerThatIgnoresPartNumberIsNotTakenForAMismatch() {
        // S3Mock answers HeadObject?partNumber=1 for the whole object: equal "part sizes" on both
        // sides then say nothing, and other-layout.bin (same bytes) must not be CONTENT_MISMATCH.
        MigrationResult result = reconcile(Verification.CHECKSUM);
        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
        assertThat(differences(result)).containsExactlyInAnyOrder("UNVERIFIED same-layout.bin",
                "UNVERIFIED other-layout.bin");
    }

    @Test
    void partNumberNotImplementedLeavesTheRuleUndecided() {
        proxy.inject(partNumberNotImplemented());
        MigrationResult result = reconcile(Verification.CHECKSUM);
        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
        assertThat(differences(result)).containsExactlyInAnyOrder("UNVERIFIED same-layout.bin",
                "UNVERIFIED other-layout.bin");
        assertThat(result.report().matchedByRule()).containsEntry(MatchRule.PLAIN_ETAG, 1L);
        assertThat(proxy.injectedCount()).isPositive();
    }

    @Test
    void partNumberNotImplementedFallsToDeep() {
        // reconcile() compares by CHECKSUM; DEEP is the verification of run(), so the rules are
        // driven here directly with the lookup the run uses.
        proxy.inject(partNumberNotImplemented());
        S3Location source = S3Location.of(client, src);
        S3Location destination = S3Location.of(client, dst);
        MergeDiff deep = MergeDiff.deep(new HeadLookup(source, destination));
        List<String> outcomes = new ArrayList<>();
        MergeDiff.Sink sink = new MergeDiff.Sink() {
            @Override
            public void matched(ObjectEntry s, ObjectEntry d, MatchRule rule) {
                outcomes.add(rule + " " + s.key());
            }

            @Override
            public void difference(Difference difference) {
                outcomes.add(difference.type() + " " + difference.key());
            }
        };
        for (String key : List.of("same-layout.bin", "other-layout.bin")) {
            deep.compare(entry(source, key), entry(destination, key), sink);
        }
        assertThat(outcomes).containsExactly("CONTENT_MISMATCH same-layout.bin", "DEEP other-layout.bin");
        assertThat(proxy.injectedCount()).isEqualTo(2); // once per side, then never asked again
    }

    private static ObjectEntry entry(S3Location location, String key) {
        return location.client().headObject(h -> h.bucket(location.bucket()).key(key))
                .thenApply(h -> new ObjectEntry(key, h.contentLength(), h.eTag(), h.lastModified(), null, null)).join();
    }

    @Test
    void methodNotAllowedAndInvalidArgumentAreUndecidedToo() {
        proxy.inject(Fault.error(1.0, 405, "MethodNotAllowed", "not allowed").onlyFor(Operation.HEAD_OBJECT)
                .onlyFor(r -> r.hasQueryParameter("partNumber") && r.key().startsWith("same")));
        proxy.inject(Fault.error(1.0, 400, "InvalidArgument", "partNumber").onlyFor(Operation.HEAD_OBJECT)
                .onlyFor(r -> r.hasQueryParameter("partNumber") && r.key().startsWith("other")));
        MigrationResult result = reconcile(Verification.CHECKSUM);
        assertThat(differences(result)).containsExactlyInAnyOrder("UNVERIFIED same-layout.bin",
                "UNVERIFIED other-layout.bin");
    }

    @Test
    void aServerErrorStillFailsTheRun() {
        proxy.inject(Fault.error(1.0, 500, "InternalError", "We encountered an internal error.")
                .onlyFor(Operation.HEAD_OBJECT).onlyFor(r -> r.hasQueryParameter("partNumber")));
        assertThatThrownBy(() -> reconcile(Verification.CHECKSUM)).isInstanceOf(S3ReconException.class);
    }

    @Test
    void asksASideThatCannotAnswerOnlyOnce() {
        proxy.inject(partNumberNotImplemented());
        S3Location source = S3Location.of(client, src);
        S3Location destination = S3Location.of(client, dst);
        HeadLookup lookup = new HeadLookup(source, destination);
        ObjectEntry entry = entry(source, "same-layout.bin");
        assertThat(lookup.firstPartSize(MergeDiff.Side.SOURCE, entry)).isZero();
        assertThat(lookup.firstPartSize(MergeDiff.Side.SOURCE, entry)).isZero();
        assertThat(proxy.injectedCount()).isEqualTo(1);
        assertThat(lookup.firstPartSize(MergeDiff.Side.DESTINATION, entry(destination, "same-layout.bin"))).isZero();
        assertThat(proxy.injectedCount()).isEqualTo(2);
    }
}
