package io.github.s3recon.source;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.FixPlan;
import io.github.s3recon.Migration;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.testkit.SyntheticS3;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * Runs with -Xmx64m (a *MemoryTest): the plan of a manifest of 400,000 URLs (a CSV with sizes, so
 * no request to the URLs) against a synthetic bucket, in one heap with the synthetic server: the
 * manifest is sorted through the store and its URLs are never indexed in memory (the old index
 * alone would take about 60 MB here).
 */
class UrlManifestMemoryTest {

    private static final int URLS = 400_000;

    @Test
    void aLargeManifestIsPlannedInASmallHeap(@TempDir Path work) throws IOException {
        assertThat(Runtime.getRuntime().maxMemory()).isLessThanOrEqualTo(80L * 1024 * 1024);
        Path manifest = work.resolve("urls.csv");
        try (BufferedWriter w = Files.newBufferedWriter(manifest, StandardCharsets.UTF_8)) {
            w.write("url,size\n");
            for (int i = URLS - 1; i >= 0; i--) { // in reverse key order: the store sorts them
                w.write("https://cdn.example.com/url/" + String.format("%07d", i) + ".jpg?token=sig-" + i + ",1000\n");
            }
        }
        UrlManifestSource source = UrlManifestSource.of(manifest);
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(1000).build();
                S3AsyncClient client = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1,
                        StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b")));
                Migration m = Migration.builder().source(source)
                        .destination(S3Location.of(client, s3.sourceBucket())).workDirectory(work.resolve("w"))
                        .build()) {
            FixPlan plan = m.plan();
            assertThat(plan.copies()).isEqualTo(URLS);
            assertThat(plan.bytesToCopy()).isEqualTo(URLS * 1000L);
            assertThat(source.indexed()).isFalse();
            try (var lines = Files.lines(plan.file())) {
                assertThat(lines.noneMatch(l -> l.contains("sig-"))).as("no URL token in the plan").isTrue();
            }
        }
    }
}
