package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * No multipart upload outlives a run: neither one created by a CreateMultipartUpload whose answer
 * was lost (the retry creates a second), nor one created just before the process was killed, before
 * its record was written. Each upload the engine creates is preceded by a durable intent, from which
 * the run's end and its resume find such uploads with ListMultipartUploads and abort them.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class OrphanUploadsTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final int LARGE = 7 * 1024 * 1024;

    @TempDir
    Path work;

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private static List<String> uploadsLeft(String bucket) {
        return S3.client().listMultipartUploads(b -> b.bucket(bucket)).uploads().stream()
                .map(u -> u.key() + " " + u.uploadId()).toList();
    }

    @Test
    void anUploadWhoseCreateAnswerWasLostIsAborted_andUploadsCarryTheRunMarker() {
        String src = MigrationRunTest.bucket(S3, "orphan-src");
        String dst = MigrationRunTest.bucket(S3, "orphan-dst");
        S3.put(src, "big.bin", bytes(LARGE, 1));
        S3.put(src, "small.txt", bytes(100, 2));
        AtomicBoolean first = new AtomicBoolean();
        List<String> failures = new CopyOnWriteArrayList<>();
        MigrationResult r;
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(S3.endpoint())
                .inject(Fault.resetBeforeResponse(1.0).onlyFor(q -> q.operation() == Operation.CREATE_MULTIPART_UPLOAD
                        && first.compareAndSet(false, true)));
                S3AsyncClient destination = S3Clients.asyncClient(proxy.endpoint(), EmbeddedS3.REGION,
                        software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("other", "secret")));
                Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                        .destination(S3Location.of(destination, dst)).workDirectory(work.resolve("work"))
                        .transferScheduler(SizeTieredScheduler.builder().smallObjectThreshold(DataSize.ofMebibytes(6))
                                .partSize(DataSize.ofMebibytes(5)).initialBackoff(Duration.ofMillis(5)).build())
                        .listener(new io.github.s3recon.event.MigrationListener() {
                            @Override
                            public void onObjectFailed(io.github.s3recon.event.ObjectFailed e) {
                                failures.add(e.error().getMessage());
                            }
                        })
                        .build()) {
            r = m.run();
            assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, dst, "big.bin"))
                    .as("uploads created for big.bin: the lost one, its retry, and a clean one").isEqualTo(3);
        }
        assertThat(failures).isEmpty();
        assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(uploadsLeft(dst)).as("uploads left behind").isEmpty();
        assertThat(S3.client().getObjectAsBytes(b -> b.bucket(dst).key("big.bin")).asByteArray())
                .isEqualTo(bytes(LARGE, 1));
        String runId;
        try (MigrationHistory history = MigrationHistory.open(work.resolve("work"))) {
            runId = history.latest().orElseThrow().runId();
        }
        assertThat(S3.client().headObject(b -> b.bucket(dst).key("big.bin")).metadata())
                .containsEntry("s3recon-run", runId);
    }

    @Test
    void anUploadCreatedJustBeforeAKillIsAbortedByTheResume() throws Exception {
        String src = MigrationRunTest.bucket(S3, "orphan-kill-src");
        String dst = MigrationRunTest.bucket(S3, "orphan-kill-dst");
        S3.put(src, "big.bin", bytes(LARGE, 3));
        for (int i = 0; i < 3; i++) {
            S3.put(src, "small-" + i, bytes(100 + i, i));
        }
        Path workDirectory = work.resolve("kill");
        try (FaultInjectingProxy proxy = FaultInjectingProxy.start(S3.endpoint())) {
            // The server creates the upload; its answer is held back, and the process dies waiting for it.
            proxy.inject(Fault.delay(1.0, Duration.ofSeconds(60)).onlyFor(Operation.CREATE_MULTIPART_UPLOAD));
            Process child = child(proxy, src, dst, workDirectory);
            try {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
                while (uploadsLeft(dst).isEmpty() && System.nanoTime() < deadline && child.isAlive()) {
                    Thread.sleep(10);
                }
                assertThat(uploadsLeft(dst)).as("the upload created before the kill").hasSize(1);
            } finally {
                child.destroyForcibly().waitFor(); // SIGKILL: no shutdown hook, no record of the upload
            }
            proxy.clearFaults();
            Process resume = child(proxy, src, dst, workDirectory);
            List<String> lines = output(resume);
            assertThat(resume.waitFor(120, TimeUnit.SECONDS)).isTrue();
            assertThat(lines).as("the resumed run's output").contains("FINISHED COMPLETED");
            assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, dst, "big.bin")).isEqualTo(2);
        }
        assertThat(uploadsLeft(dst)).as("uploads left behind").isEmpty();
        assertThat(S3.client().getObjectAsBytes(b -> b.bucket(dst).key("big.bin")).asByteArray())
                .isEqualTo(bytes(LARGE, 3));
        try (MigrationHistory history = MigrationHistory.open(workDirectory)) {
            List<CheckpointStore.LogLine> log = history.log(history.latest().orElseThrow().runId());
            assertThat(log).extracting(CheckpointStore.LogLine::message)
                    .anyMatch(m -> m.startsWith("aborted multipart upload") && m.contains("big.bin"));
        }
    }

    private static Process child(FaultInjectingProxy proxy, String src, String dst, Path workDirectory)
            throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn",
                "-cp", classPath, ResumableRunChild.class.getName(), S3.endpoint().toString(), src,
                proxy.endpoint().toString(), dst, workDirectory.toString());
        pb.redirectError(ProcessBuilder.Redirect.DISCARD);
        return pb.start();
    }

    /** Collects a process's output lines as they come. */
    private static List<String> output(Process process) {
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (java.io.IOException e) {
                // ended
            }
        }, "orphan-test-reader");
        reader.setDaemon(true);
        reader.start();
        return lines;
    }
}
