package io.github.s3recon.examples;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.Migration;
import io.github.s3recon.S3Location;
import io.github.s3recon.testkit.EmbeddedS3;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Shows a custom reporter plugged in without touching the engine. */
class CsvDifferencesReporterTest {

    @Test
    void writesEveryDifferenceAsACsvRow(@TempDir Path dir) throws Exception {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        s3.createBucket("csv-source");
        s3.createBucket("csv-destination");
        s3.put("csv-source", "only-here, with \"comma\"", "x".getBytes(UTF_8));
        s3.put("csv-source", "same", "same".getBytes(UTF_8));
        s3.put("csv-destination", "same", "same".getBytes(UTF_8));
        s3.put("csv-destination", "leftover", "yy".getBytes(UTF_8));
        Path csv = dir.resolve("differences.csv");

        try (Migration m = Migration.builder()
                .source(S3Location.of(s3.asyncClient(), "csv-source"))
                .destination(S3Location.of(s3.asyncClient(), "csv-destination"))
                .workDirectory(dir.resolve("work"))
                .reporter(new CsvDifferencesReporter(csv))
                .build()) {
            m.reconcile();
        }

        assertThat(Files.readAllLines(csv, UTF_8)).containsExactly(
                "type,key,source_size,source_etag,destination_size,destination_etag",
                "EXTRA_IN_DESTINATION,leftover,,,2,2fb1c5cf58867b5bbc9a1b145a86f3a0",
                "MISSING_IN_DESTINATION,\"only-here, with \"\"comma\"\"\",1,9dd4e461268c8034f5c8564e155c67a6,,");
    }
}
