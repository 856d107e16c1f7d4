package io.github.s3recon.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the CLI tests share: the embedded S3 server of the test JVM (one for every test class; each
 * class uses buckets of its own), a home of each test's own for the work directories, the
 * environment a child process gets, and seeding. The commands themselves run in JVMs of their own
 * ({@link CliProcess}).
 */
abstract class CliTestBase {

    static final ObjectMapper JSON = new ObjectMapper();
    static EmbeddedS3 s3;

    @TempDir
    Path home;

    @BeforeAll
    static void startServer() {
        // The CLI brings slf4j-simple; S3Mock's Spring Boot would insist on Logback otherwise.
        System.setProperty("org.springframework.boot.logging.LoggingSystem", "none");
        s3 = EmbeddedS3.shared();
    }

    /** The test credentials in AWS_* variables, and S3RECON_HOME in the test's own directory. */
    Map<String, String> env() {
        Map<String, String> env = new HashMap<>();
        env.put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY_ID);
        env.put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_ACCESS_KEY);
        env.put("AWS_REGION", "us-east-1");
        env.put("S3RECON_HOME", home.toString()); // never the real ~/.s3recon
        return env;
    }

    String endpoint() {
        return s3.endpoint().toString();
    }

    /** Creates a bucket with {@code n} objects {@code <prefix>k<i>} holding "content i". */
    static void seed(String bucket, int n, String prefix) {
        s3.createBucket(bucket);
        for (int i = 0; i < n; i++) {
            s3.put(bucket, prefix + "k" + i, ("content " + i).getBytes(StandardCharsets.UTF_8));
        }
    }

    /** Asserts that no file under {@code dir} holds {@code secret}, whatever its encoding of text. */
    static void assertNoFileHolds(Path dir, String secret) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                String content = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
                org.assertj.core.api.Assertions.assertThat(content).as(f.toString()).doesNotContain(secret);
            }
        }
    }
}
