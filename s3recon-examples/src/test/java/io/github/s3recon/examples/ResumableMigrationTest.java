package io.github.s3recon.examples;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.MigrationHistory;
import io.github.s3recon.MigrationState;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example stopped the way Ctrl+C stops it (SIGTERM, which runs the same shutdown hook as
 * SIGINT): it cancels, saves its checkpoint and exits; run again, it resumes and completes.
 */
class ResumableMigrationTest {

    @TempDir
    Path work;

    @Test
    void stopsGracefullyOnInterruptAndResumes() throws Exception {
        EmbeddedS3 s3 = EmbeddedS3.shared();
        String source = "ctrlc-src-" + System.nanoTime();
        String destination = "ctrlc-dst-" + System.nanoTime();
        s3.createBucket(source);
        s3.createBucket(destination);
        for (int i = 0; i < 400; i++) {
            s3.put(source, "k/" + i, new byte[2048]);
        }
        List<String> lines = new CopyOnWriteArrayList<>();
        Process first = start(s3, source, destination, lines);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline && !lines.contains("[TRANSFERRING]") && first.isAlive()) {
            Thread.sleep(1);
        }
        assertThat(lines).contains("[TRANSFERRING]");
        first.destroy(); // SIGTERM: the shutdown hooks run, as on Ctrl+C
        assertThat(first.waitFor(60, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(first.exitValue()).as("output " + lines).isIn(130, 143);
        try (MigrationHistory history = MigrationHistory.open(work)) {
            CheckpointStore.RunRecord run = history.latest().orElseThrow();
            assertThat(run.state()).as("output " + lines).isEqualTo(MigrationState.CANCELLED);
        }

        lines.clear();
        Process second = start(s3, source, destination, lines);
        assertThat(second.waitFor(120, TimeUnit.SECONDS)).isTrue();
        Thread.sleep(200);
        assertThat(second.exitValue()).as("output " + lines).isZero();
        try (MigrationHistory history = MigrationHistory.open(work)) {
            assertThat(history.runs()).singleElement().satisfies(run -> {
                assertThat(run.state()).isEqualTo(MigrationState.COMPLETED);
                assertThat(run.attempts()).isEqualTo(2);
            });
        }
    }

    private Process start(EmbeddedS3 s3, String source, String destination, List<String> lines) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // The destination through another host name: a relay rather than a server-side copy.
        String destinationEndpoint = s3.endpoint().toString().replace("localhost", "127.0.0.1");
        ProcessBuilder pb = new ProcessBuilder(java, "-cp", classPath,
                ResumableMigration.class.getName(), s3.endpoint().toString(), source, destinationEndpoint, destination,
                work.toString());
        pb.environment().put("AWS_ACCESS_KEY_ID", EmbeddedS3.ACCESS_KEY_ID);
        pb.environment().put("AWS_SECRET_ACCESS_KEY", EmbeddedS3.SECRET_ACCESS_KEY);
        pb.environment().put("AWS_REGION", "us-east-1");
        pb.redirectErrorStream(true);
        Process p = pb.start();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(p.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String l = in.readLine(); l != null; l = in.readLine()) {
                    lines.add(l.strip());
                }
            } catch (IOException e) {
                // ended
            }
        });
        reader.setDaemon(true);
        reader.start();
        return p;
    }
}
