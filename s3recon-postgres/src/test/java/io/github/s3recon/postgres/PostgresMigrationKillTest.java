package io.github.s3recon.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A migration whose checkpoints are in PostgreSQL, in a child JVM killed with SIGKILL while it
 * copies small objects, and twice in one run (in the middle of a multipart upload, then early in
 * the resume), then run again:
 * the resumed run (the same run, resumed from the PostgreSQL history) ends COMPLETED, an
 * independent reconcile finds no difference, the destination completed each object's write
 * exactly once (counted by a proxy in front of it), the uploads under way at the kill were
 * continued, and none is left behind. Skipped where no PostgreSQL server is reachable.
 */
class PostgresMigrationKillTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final int SMALL = 40;
    private static final int LARGE = 2;
    private static final int LARGE_SIZE = 12 * 1024 * 1024;
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static FaultInjectingProxy proxy;
    private static String source;

    @TempDir
    Path work;

    private final List<String> schemas = new ArrayList<>();

    @BeforeAll
    static void seed() {
        proxy = FaultInjectingProxy.start(S3.endpoint());
        source = bucket("pg-kill-src");
        Random random = new Random(11);
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

    @AfterEach
    void dropSchemas() {
        for (String schema : schemas) {
            TestDatabase.dropSchema(TestDatabase.settings(), schema);
        }
    }

    private enum Moment { COPYING, TWICE }

    @Test
    void aRunKilledAtRandomMomentsResumesFromPostgresWithNothingLostAndNothingWrittenTwice() throws Exception {
        PostgresSettings settings = TestDatabase.settings();
        long seed = Long.getLong("kill.seed", System.nanoTime());
        System.out.println("PostgresMigrationKillTest seed " + seed + " (rerun with -Dkill.seed=" + seed + ")");
        Random random = new Random(seed);
        int trial = 0;
        // TWICE kills first in a multipart upload, then early in the resume.
        for (Moment moment : List.of(Moment.COPYING, Moment.TWICE)) {
            trial++;
            String destination = bucket("pg-kill-dst-" + trial);
            String schema = TestDatabase.newSchema("kill");
            schemas.add(schema);
            Path workDirectory = work.resolve("trial-" + trial);
            String what = "trial " + trial + " (" + moment + ", seed " + seed + ")";
            List<String> interrupted = new ArrayList<>();
            int kills = moment == Moment.TWICE ? 2 : 1;
            for (int k = 0; k < kills; k++) {
                Child child = Child.start(destination, workDirectory, schema);
                try {
                    boolean killed = moment == Moment.COPYING || (moment == Moment.TWICE && k == 1)
                            ? killAfterCopies(child, k == 1 ? 1 : 5 + random.nextInt(SMALL - 20))
                            : killInMultipart(child, destination, random);
                    assertThat(killed).as(what + ": the child was killed before it finished; output " + child.lines
                            + "; standard error " + child.errorTail()).isTrue();
                    interrupted.addAll(uploadsUnderWay(destination));
                } finally {
                    child.process.destroyForcibly().waitFor();
                }
            }
            Child last = Child.start(destination, workDirectory, schema);
            assertThat(last.process.waitFor(180, TimeUnit.SECONDS)).as(what + ": resume ended").isTrue();
            last.drained();
            assertThat(last.lines).as(what + ": the resumed run's output; standard error " + last.errorTail())
                    .contains("FINISHED COMPLETED");

            // One run in the PostgreSQL history, started once per kill and once more to finish.
            try (PostgresCheckpointStore store = PostgresCheckpointStore.open(settings.withSchema(schema))) {
                List<RunRecord> runs = store.runs();
                assertThat(runs).as(what + ": runs in the history").hasSize(1);
                assertThat(runs.get(0).kind()).isEqualTo(RunKind.RUN);
                assertThat(runs.get(0).state()).isEqualTo(MigrationState.COMPLETED);
                assertThat(runs.get(0).attempts()).as(what + ": attempts").isEqualTo(kills + 1);
            }
            assertReconciled(destination, workDirectory.resolve("check"), what);
            Map<String, Long> writes = proxy.completedObjectWrites(destination);
            assertThat(writes).as(what + ": every object written once").hasSize(SMALL + LARGE);
            assertThat(writes.values()).as(what + ": writes per object " + writes).allMatch(n -> n == 1);
            for (String key : interrupted) {
                assertThat(proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, key))
                        .as(what + ": uploads created for " + key + ", under way at the kill").isEqualTo(1);
            }
            assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                    .as(what + ": uploads left behind").isEmpty();
        }
    }

    private static String bucket(String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        S3.createBucket(bucket);
        return bucket;
    }

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

    private static boolean killAfterCopies(Child child, int copies) throws Exception {
        if (!child.await(l -> l.startsWith("COPIED ") && child.count("COPIED ") >= copies, 120)) {
            return false;
        }
        return child.kill(l -> l.startsWith("FINISHED"));
    }

    private static boolean killInMultipart(Child child, String destination, Random random) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int parts = 1 + random.nextInt(2);
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

    private static void assertReconciled(String destination, Path workDirectory, String what) {
        try (Migration check = Migration.builder().source(S3Location.of(S3.asyncClient(), source))
                .destination(S3Location.of(S3.asyncClient(), destination)).workDirectory(workDirectory).build()) {
            MigrationResult r = check.reconcile();
            assertThat(r.report().counts().differences()).as(what + ": differences after the resume").isZero();
            assertThat(r.report().counts().matched()).isEqualTo(SMALL + LARGE);
        }
    }

    /** A child JVM running {@link PostgresResumableRunChild}, its output collected line by line. */
    private static final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private Path errors;

        private Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        lines.add(line);
                    }
                } catch (IOException e) {
                    // the process was killed
                }
            }, "pg-kill-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(String destination, Path workDirectory, String schema) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-Ds3recon.checkpoint.every=20",
                    "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                    PostgresResumableRunChild.class.getName(), S3.endpoint().toString(), source,
                    proxy.endpoint().toString(), destination, workDirectory.toString(), schema);
            Files.createDirectories(workDirectory.getParent());
            Path errors = workDirectory.resolveSibling(workDirectory.getFileName() + "-stderr-" + System.nanoTime());
            pb.redirectError(errors.toFile());
            Child child = new Child(pb.start());
            child.errors = errors;
            return child;
        }

        int count(String prefix) {
            return (int) lines.stream().filter(l -> l.startsWith(prefix)).count();
        }

        boolean await(Predicate<String> line, int seconds) throws InterruptedException {
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

        boolean kill(Predicate<String> tooLate) throws InterruptedException {
            process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no flush
            process.waitFor();
            reader.join(5000);
            return lines.stream().noneMatch(tooLate);
        }

        void drained() throws InterruptedException {
            reader.join(5000);
        }

        String errorTail() {
            try {
                String text = Files.readString(errors);
                return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
            } catch (IOException e) {
                return "(no standard error: " + e + ")";
            }
        }
    }
}
