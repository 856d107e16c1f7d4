package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration in a child JVM killed with SIGKILL at random moments (in listing, in copying small
 * objects, in the middle of multipart uploads, and twice in one run), then run again on the same
 * work directory: the resumed run ends COMPLETED, an independent reconcile finds no difference, the
 * destination server completed each object's write exactly once (counted by the proxy in front of
 * it), the multipart uploads under way at the kill were continued rather than started again, and
 * no upload is left behind.
 */
class MigrationKillTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final int SMALL = 150;
    private static final int LARGE = 3;
    private static final int LARGE_SIZE = 16 * 1024 * 1024;
    private static FaultInjectingProxy proxy;
    private static String source;

    @TempDir
    Path work;

    @BeforeAll
    static void seed() {
        proxy = FaultInjectingProxy.start(S3.endpoint());
        source = MigrationRunTest.bucket(S3, "kill-src");
        Random random = new Random(7);
        for (int i = 0; i < SMALL; i++) {
            byte[] content = new byte[512 + random.nextInt(4096)];
            random.nextBytes(content);
            S3.put(source, String.format("small/%04d-é.bin", i), content);
        }
        for (int i = 0; i < LARGE; i++) {
            byte[] content = new byte[LARGE_SIZE + i * 1000];
            random.nextBytes(content);
            S3.put(source, "large/" + i + ".bin", content);
        }
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
    }

    private enum Moment { LISTING, COPYING, MULTIPART, TWICE, EARLY_IN_RESUME }

    @Test
    void aRunKilledAtRandomMomentsResumesWithNothingLostAndNothingWrittenTwice() throws Exception {
        long seed = Long.getLong("kill.seed", System.nanoTime());
        System.out.println("MigrationKillTest seed " + seed + " (rerun with -Dkill.seed=" + seed + ")");
        Random random = new Random(seed);
        List<Moment> trials = List.of(Moment.LISTING, Moment.LISTING, Moment.COPYING, Moment.COPYING,
                Moment.COPYING, Moment.MULTIPART, Moment.MULTIPART, Moment.MULTIPART, Moment.MULTIPART,
                Moment.TWICE, Moment.COPYING);
        int trial = 0;
        for (Moment moment : trials) {
            trial++;
            String destination = MigrationRunTest.bucket(S3, "kill-dst-" + trial);
            Path workDirectory = work.resolve("trial-" + trial);
            String what = "trial " + trial + " (" + moment + ", seed " + seed + ")";
            List<String> interrupted = new ArrayList<>();
            int kills = moment == Moment.TWICE ? 2 : 1;
            for (int k = 0; k < kills; k++) {
                // Twice: in a multipart upload, then again early in the resume, which has copies left to make.
                Moment at = moment == Moment.TWICE ? (k == 0 ? Moment.MULTIPART : Moment.EARLY_IN_RESUME) : moment;
                Child child = Child.start(destination, workDirectory);
                try {
                    boolean killed = killAt(child, at, destination, random);
                    assertThat(killed).as(what + ": the child was killed before it finished; output "
                            + child.lines + "; standard error " + child.errorTail()).isTrue();
                    interrupted.addAll(uploadsUnderWay(destination));
                } finally {
                    child.process.destroyForcibly().waitFor();
                    proxy.clearFaults();
                }
            }
            Child last = Child.start(destination, workDirectory);
            assertThat(last.process.waitFor(180, TimeUnit.SECONDS)).as(what + ": resume ended").isTrue();
            last.drained();
            assertThat(last.lines).as(what + ": the resumed run's output; standard error " + last.errorTail())
                    .contains("FINISHED COMPLETED");
            assertThat(last.process.exitValue()).isZero();

            assertReconciled(destination, workDirectory.resolve("check"), what);
            Map<String, Long> writes = proxy.completedObjectWrites(destination);
            assertThat(writes).as(what + ": every object written once").hasSize(SMALL + LARGE);
            assertThat(writes.values()).as(what + ": writes per object " + writes).allMatch(n -> n == 1);
            for (String key : interrupted) {
                // started() is durable: the resume found the upload and went on with it.
                assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, key))
                        .as(what + ": uploads created for " + key + ", under way at the kill").isEqualTo(1);
            }
            assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                    .as(what + ": uploads left behind").isEmpty();
        }
    }

    /**
     * The large keys whose upload was recorded and not completed: the ones a kill interrupted and a
     * resume continues. A part is sent only once the upload's record is durable; an upload killed
     * between its creation and its record is not continued but aborted (see OrphanUploadsTest).
     */
    private static List<String> uploadsUnderWay(String destination) {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < LARGE; i++) {
            String key = "large/" + i + ".bin";
            if (proxy.forwardedCount(Operation.UPLOAD_PART, destination, key) > 0
                    && proxy.forwardedCount(Operation.COMPLETE_MULTIPART_UPLOAD, destination, key) == 0) {
                keys.add(key);
            }
        }
        return keys;
    }

    private static boolean killAt(Child child, Moment at, String destination, Random random) throws Exception {
        switch (at) {
            case LISTING -> {
                // Listing the destination takes a while: the kill lands inside it.
                proxy.inject(Fault.delay(1.0, Duration.ofMillis(1500)).onlyFor(Operation.LIST_OBJECTS_V2));
                if (!child.await(l -> l.equals("STATE LISTING"), 60)) {
                    return false;
                }
                Thread.sleep(200 + random.nextInt(1000));
                return child.kill(l -> l.equals("STATE COMPARING"));
            }
            case COPYING, EARLY_IN_RESUME -> {
                int copies = at == Moment.EARLY_IN_RESUME ? 1 : 5 + random.nextInt(SMALL - 20);
                if (!child.await(l -> l.startsWith("COPIED ") && child.count("COPIED ") >= copies, 120)) {
                    return false;
                }
                return child.kill(l -> l.startsWith("FINISHED"));
            }
            default -> {
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
                int parts = 1 + random.nextInt(3);
                while (System.nanoTime() < deadline && child.process.isAlive()) {
                    for (int i = 0; i < LARGE; i++) {
                        String key = "large/" + i + ".bin";
                        if (proxy.forwardedCount(Operation.UPLOAD_PART, destination, key) >= parts
                                && proxy.forwardedCount(Operation.COMPLETE_MULTIPART_UPLOAD, destination, key) == 0) {
                            Thread.sleep(random.nextInt(300));
                            return child.kill(l -> l.startsWith("FINISHED"));
                        }
                    }
                    Thread.sleep(5);
                }
                return false;
            }
        }
    }

    private static void assertReconciled(String destination, Path workDirectory, String what) {
        try (Migration check = Migration.builder().source(S3Location.of(S3.asyncClient(), source))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(workDirectory).build()) {
            MigrationResult r = check.reconcile();
            assertThat(r.report().counts().differences()).as(what + ": differences after the resume").isZero();
            assertThat(r.report().counts().matched()).isEqualTo(SMALL + LARGE);
        }
    }

    /** A child JVM running {@link ResumableRunChild}, its output collected line by line. */
    private static final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;
        Path errors;

        private Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                        synchronized (this) {
                            notifyAll();
                        }
                    }
                } catch (IOException e) {
                    // the process was killed
                }
            }, "kill-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String destination, Path workDirectory) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Ds3recon.checkpoint.every=20",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                    ResumableRunChild.class.getName(), S3.endpoint().toString(), source,
                    proxy.endpoint().toString(), destination, workDirectory.toString());
            Path errors = workDirectory.resolveSibling(workDirectory.getFileName() + "-stderr-" + System.nanoTime());
            pb.redirectError(errors.toFile());
            Child child = new Child(pb.start());
            child.errors = errors;
            return child;
        }

        int count(String prefix) {
            int n = 0;
            for (String l : lines) {
                if (l.startsWith(prefix)) {
                    n++;
                }
            }
            return n;
        }

        /** Waits until a line matches; false if the child ended or the time ran out first. */
        boolean await(Predicate<String> line, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                for (String l : lines) {
                    if (line.test(l)) {
                        return true;
                    }
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    return false;
                }
                Thread.sleep(2);
            }
            return false;
        }

        /** Kills the child with SIGKILL; true unless it had printed a line showing it went past the moment. */
        boolean kill(Predicate<String> tooLate) throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no flush
            process.waitFor();
            reader.join(5000);
            return lines.stream().noneMatch(tooLate);
        }

        void drained() throws InterruptedException {
            reader.join(5000);
        }

        /** The end of the child's standard error, for a failure's message. */
        String errorTail() {
            try {
                String text = java.nio.file.Files.readString(errors);
                return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
            } catch (IOException e) {
                return "(no standard error: " + e + ")";
            }
        }
    }
}
