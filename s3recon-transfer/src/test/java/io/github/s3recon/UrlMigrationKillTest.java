package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.source.UrlManifestSource;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import io.github.s3recon.testkit.LocalHttpServer;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration of a manifest of URLs in a child JVM killed with SIGKILL while copying small objects,
 * and while a multipart upload is under way, then run again on the same work directory: the resumed
 * run ends COMPLETED, every object was written exactly once (counted by the proxy in front of the
 * destination), a reconcile finds nothing missing, and no upload is left behind.
 */
class UrlMigrationKillTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final int SMALL = 120;
    private static final int LARGE = 2;
    private static final int PART = 5 << 20;
    private static FaultInjectingProxy proxy;
    private static LocalHttpServer http;
    private static Path manifest;

    @TempDir
    static Path work;

    @BeforeAll
    static void serve() throws IOException {
        proxy = FaultInjectingProxy.start(S3.endpoint());
        http = LocalHttpServer.start();
        Random random = new Random(11);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < SMALL; i++) {
            byte[] b = new byte[2000 + random.nextInt(20_000)];
            random.nextBytes(b);
            String path = String.format("img/%04d é.jpg", i);
            http.put(path, b, "image/jpeg");
            http.fault(path, LocalHttpServer.Fault.slowBody(Duration.ofMillis(3))); // the kill lands mid-run
            lines.add(http.url(path).toString());
        }
        for (int i = 0; i < LARGE; i++) {
            byte[] b = new byte[2 * PART + 1000 * i];
            random.nextBytes(b);
            String path = "video/" + i + ".mp4";
            http.put(path, b, "video/mp4");
            http.fault(path, LocalHttpServer.Fault.slowBody(Duration.ofNanos(200_000)));
            lines.add(http.url(path).toString());
        }
        manifest = Files.write(work.resolve("urls.txt"), lines, StandardCharsets.UTF_8);
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void killedWhileCopyingSmallObjects() throws Exception {
        killAndResume("kill-url-small", child -> child.await(l -> l.startsWith("COPIED ") && child.count("COPIED ") >= 25, 120));
    }

    @Test
    void killedInAMultipartUpload() throws Exception {
        killAndResume("kill-url-large", child -> {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
            while (System.nanoTime() < deadline && child.process.isAlive()) {
                for (int i = 0; i < LARGE; i++) {
                    String key = "video/" + i + ".mp4";
                    if (proxy.forwardedCount(Operation.UPLOAD_PART, child.bucket, key) >= 1
                            && proxy.forwardedCount(Operation.COMPLETE_MULTIPART_UPLOAD, child.bucket, key) == 0) {
                        return true;
                    }
                }
                Thread.sleep(5);
            }
            return false;
        });
    }

    private interface Moment {
        boolean reached(Child child) throws Exception;
    }

    private void killAndResume(String name, Moment moment) throws Exception {
        String destination = MigrationRunTest.bucket(S3, name);
        Path workDirectory = work.resolve(name);
        List<String> underWay = new ArrayList<>();
        Child child = Child.start(destination, workDirectory);
        try {
            assertThat(moment.reached(child)).as("the moment came; output " + child.lines + " " + child.errorTail())
                    .isTrue();
            assertThat(child.kill()).as("killed before it finished: " + child.lines).isTrue();
            for (int i = 0; i < LARGE; i++) {
                String key = "video/" + i + ".mp4";
                if (proxy.forwardedCount(Operation.UPLOAD_PART, destination, key) > 0
                        && proxy.forwardedCount(Operation.COMPLETE_MULTIPART_UPLOAD, destination, key) == 0) {
                    underWay.add(key);
                }
            }
        } finally {
            child.process.destroyForcibly().waitFor();
        }
        Child last = Child.start(destination, workDirectory);
        assertThat(last.process.waitFor(180, TimeUnit.SECONDS)).as("resume ended").isTrue();
        last.reader.join(5000);
        assertThat(last.lines).as("resumed run; " + last.errorTail()).contains("FINISHED COMPLETED");

        for (int i = 0; i < LARGE; i++) {
            String key = "video/" + i + ".mp4";
            if (underWay.contains(key)) {
                // Its record was durable before its first part: the resume went on with the same upload.
                assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, key))
                        .as("uploads created for " + key + ", under way at the kill").isEqualTo(1);
            }
        }
        Map<String, Long> writes = proxy.completedObjectWrites(destination);
        assertThat(writes).as("every object written").hasSize(SMALL + LARGE);
        assertThat(writes.values()).as("writes per object " + writes).allMatch(n -> n == 1);
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).as("uploads left").isEmpty();
        try (Migration check = Migration.builder().source(UrlManifestSource.of(manifest))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(workDirectory.resolve("check"))
                .build()) {
            MigrationResult r = check.reconcile();
            assertThat(r.report().counts().differences()).isZero();
            assertThat(r.report().counts().matched()).isEqualTo(SMALL + LARGE);
        }
    }

    /** A child JVM running {@link UrlRunChild}. */
    private static final class Child {
        final Process process;
        final String bucket;
        final List<String> lines = new CopyOnWriteArrayList<>();
        final Thread reader;
        final Path errors;

        private Child(Process process, String bucket, Path errors) {
            this.process = process;
            this.bucket = bucket;
            this.errors = errors;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // killed
                }
            }, "url-kill-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String destination, Path workDirectory) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            Path errors = work.resolve("stderr-" + System.nanoTime());
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Ds3recon.checkpoint.every=20",
                    "-Ds3recon.relay.concurrency=3", "-Ds3recon.relay.partSize=" + PART,
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath, UrlRunChild.class.getName(),
                    manifest.toString(), proxy.endpoint().toString(), destination, workDirectory.toString());
            pb.redirectError(errors.toFile());
            return new Child(pb.start(), destination, errors);
        }

        int count(String prefix) {
            return (int) lines.stream().filter(l -> l.startsWith(prefix)).count();
        }

        boolean await(java.util.function.Predicate<String> line, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (lines.stream().anyMatch(line)) {
                    return true;
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    return false;
                }
                Thread.sleep(2);
            }
            return false;
        }

        boolean kill() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
            reader.join(5000);
            return lines.stream().noneMatch(l -> l.startsWith("FINISHED"));
        }

        String errorTail() {
            try {
                String text = Files.readString(errors);
                return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
            } catch (IOException e) {
                return "(no standard error)";
            }
        }
    }
}
