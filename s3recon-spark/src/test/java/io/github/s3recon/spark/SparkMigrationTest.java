package io.github.s3recon.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3Location;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.postgres.PostgresSettings;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.SyntheticS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.core.sync.ResponseTransformer;

/**
 * Distributed reconciles and runs in Spark {@code local[2]} (up to 4 attempts per task) against the
 * embedded S3 server and the synthetic endpoint, with the shards' state in the local PostgreSQL
 * server (each test in a schema of its own; skipped where none is reachable).
 */
class SparkMigrationTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final AtomicInteger BUCKETS = new AtomicInteger();
    private static JavaSparkContext spark;
    private static FaultInjectingProxy proxy;

    @TempDir
    Path work;

    private PostgresSettings checkpoints;

    @BeforeAll
    static void startSpark() {
        SparkConf conf = new SparkConf().setMaster("local[2,4]").setAppName("s3recon-spark-test")
                .set("spark.ui.enabled", "false").set("spark.driver.host", "127.0.0.1")
                .set("spark.driver.bindAddress", "127.0.0.1");
        spark = new JavaSparkContext(conf);
        proxy = FaultInjectingProxy.start(S3.endpoint());
    }

    @AfterAll
    static void stopSpark() {
        if (spark != null) {
            spark.stop();
        }
        if (proxy != null) {
            proxy.close();
        }
    }

    @AfterEach
    void cleanUp() throws SQLException {
        ShardWork.fault = null;
        if (checkpoints != null) {
            try (Connection c = checkpoints.connect(); Statement s = c.createStatement()) {
                s.execute("DROP SCHEMA IF EXISTS \"" + checkpoints.schema() + "\" CASCADE");
            }
        }
    }

    private PostgresSettings checkpoints() {
        PostgresSettings settings = PostgresSettings.fromEnvironment()
                .withSchema("t_spark_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12));
        try {
            settings.connect().close();
        } catch (SQLException e) {
            Assumptions.abort("No PostgreSQL server at " + settings.describe() + " (" + e.getMessage() + "): set"
                    + " S3RECON_PG_URL, S3RECON_PG_USER and S3RECON_PG_PASSWORD to run the Spark tests.");
        }
        checkpoints = settings;
        return settings;
    }

    private static S3ClientSettings client(java.net.URI endpoint) {
        return S3ClientSettings.factory(TestClientFactory.class.getName()).withEndpoint(endpoint);
    }

    private static String bucket(String name) {
        String bucket = name + "-" + BUCKETS.incrementAndGet() + "-" + Long.toHexString(System.nanoTime());
        S3.createBucket(bucket);
        return bucket;
    }

    /** 64 objects under 8 prefixes, one of them 6 MiB (a multipart copy at the default part size). */
    private static List<String> seed(String bucket, long seed) {
        Random random = new Random(seed);
        List<String> keys = new ArrayList<>();
        for (int p = 0; p < 8; p++) {
            for (int i = 0; i < 8; i++) {
                String key = String.format("p%02d/obj-%03d-é.bin", p, i);
                byte[] content = new byte[(p == 3 && i == 0) ? 6 * 1024 * 1024 : 200 + random.nextInt(3000)];
                random.nextBytes(content);
                S3.put(bucket, key, content);
                keys.add(key);
            }
        }
        return keys;
    }

    private SparkMigration.Builder job(String source, String destination, java.net.URI destinationEndpoint) {
        return SparkMigration.builder().jobId("job-" + UUID.randomUUID())
                .source(source, "", client(S3.endpoint()))
                .destination(destination, "", client(destinationEndpoint))
                .checkpoints(checkpoints()).workDirectory(work.resolve("executors").toString())
                .reportDirectory(work.resolve("report")).shards(4);
    }

    @Test
    void aDistributedReconcileGivesExactlyTheSingleJvmResult() throws Exception {
        try (SyntheticS3 synthetic = SyntheticS3.builder().objects(20_000).objectsPerPrefix(500).missingRate(0.01)
                .extraRate(0.005).sizeChangeRate(0.003).contentChangeRate(0.002).build()) {
            SparkResult distributed = SparkMigration.builder().jobId("reconcile")
                    .source(synthetic.sourceBucket(), "", client(synthetic.endpoint()))
                    .destination(synthetic.destinationBucket(), "", client(synthetic.endpoint()))
                    .checkpoints(checkpoints()).workDirectory(work.resolve("executors").toString())
                    .reportDirectory(work.resolve("distributed")).shards(8).build().reconcile(spark);

            var client = new TestClientFactory().create(client(synthetic.endpoint()));
            MigrationResult single;
            try (Migration m = Migration.builder().source(S3Location.of(client, synthetic.sourceBucket()))
                    .destination(S3Location.of(client, synthetic.destinationBucket()))
                    .workDirectory(work.resolve("single")).build()) {
                single = m.reconcile();
                single.report().writeJson(work.resolve("single-report"));
            } finally {
                client.close();
            }
            assertThat(distributed.shards()).as("shards").isGreaterThan(1);
            assertThat(distributed.report().counts()).isEqualTo(single.report().counts());
            assertThat(distributed.report().counts().missingInDestination()).isEqualTo(synthetic.expectedMissing());
            assertThat(distributed.report().source()).isEqualTo(single.report().source());
            assertThat(distributed.report().destination()).isEqualTo(single.report().destination());
            assertThat(distributed.report().matchedByRule()).isEqualTo(single.report().matchedByRule());
            assertThat(distributed.state()).isEqualTo(single.state());
            assertThat(Files.readAllLines(distributed.reportDirectory().resolve("differences.jsonl")))
                    .containsExactlyElementsOf(Files.readAllLines(work.resolve("single-report/differences.jsonl")));
            assertThat(distributed.reportDirectory().resolve("summary.json")).exists();
        }
    }

    @Test
    void aDistributedRunCopiesByteForByteOnceAndASecondRunDoesNothing() {
        String source = bucket("spark-src");
        String destination = bucket("spark-dst");
        List<String> keys = seed(source, 1);
        SparkMigration job = job(source, destination, proxy.endpoint()).build();

        SparkResult first = job.run(spark);

        assertThat(first.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(first.shards()).isGreaterThan(1);
        assertThat(first.shardsRun()).isEqualTo(first.shards());
        assertThat(first.report().transfer().objectsCopied()).isEqualTo(keys.size());
        assertThat(first.report().counts().matched()).isEqualTo(keys.size());
        assertSameBytes(source, destination, keys);
        Map<String, Long> writes = proxy.completedObjectWrites(destination);
        assertThat(writes).hasSize(keys.size());
        assertThat(writes.values()).allMatch(n -> n == 1);

        long requestsBefore = proxy.requestCount();
        SparkResult second = job.run(spark);
        assertThat(second.shardsRun()).as("shards run by the second run").isZero();
        assertThat(proxy.requestCount()).as("requests of the second run").isEqualTo(requestsBefore);
        assertThat(second.report().counts()).isEqualTo(first.report().counts());
        assertThat(second.report().transfer().objectsCopied()).isEqualTo(keys.size());
    }

    @Test
    void aTaskFailedInTheMiddleOfItsShardIsRetriedAndWritesNothingTwice() {
        String source = bucket("spark-fail-src");
        String destination = bucket("spark-fail-dst");
        List<String> keys = seed(source, 2);
        AtomicInteger injected = new AtomicInteger();
        // The first attempt of every shard fails after its third copy: Spark retries each.
        ShardWork.fault = (shard, attempt, copied) -> {
            if (attempt == 0 && copied == 3) {
                injected.incrementAndGet();
                return true;
            }
            return false;
        };

        SparkResult result = job(source, destination, proxy.endpoint()).build().run(spark);

        assertThat(injected.get()).as("failures injected").isGreaterThan(1);
        assertCopiedOnce(result, source, destination, keys);
    }

    @Test
    void aTaskRetriedOnAnotherMachineListsItsShardAgainAndWritesNothingTwice() {
        String source = bucket("spark-moved-src");
        String destination = bucket("spark-moved-dst");
        List<String> keys = seed(source, 5);
        String jobId = "moved-" + UUID.randomUUID();
        Path executors = work.resolve("executors");
        AtomicInteger moved = new AtomicInteger();
        // The first attempt of every shard fails after its third copy; the second starts as it would on
        // another machine: the first attempt's work directory (its listings, its plan) is not there, only
        // its checkpoints in PostgreSQL.
        ShardWork.fault = (shard, attempt, copied) -> {
            if (attempt == 0 && copied == 3) {
                return true;
            }
            Path first = executors.resolve(jobId).resolve("run").resolve("shard-" + shard);
            if (attempt == 1 && copied == 0 && Files.isDirectory(first)) {
                ShardFiles.deleteQuietly(first);
                moved.incrementAndGet();
            }
            return false;
        };

        SparkResult result = job(source, destination, proxy.endpoint()).jobId(jobId).build().run(spark);

        assertThat(moved.get()).as("attempts retried without the first attempt's files").isGreaterThan(1);
        assertCopiedOnce(result, source, destination, keys);
    }

    @Test
    void aJobRunAgainAfterItFailedSkipsTheShardsThatFinished() {
        String source = bucket("spark-again-src");
        String destination = bucket("spark-again-dst");
        List<String> keys = seed(source, 4);
        // Shard 1 fails after its first copy, then at the start of every retry (4 attempts in local[2,4]):
        // the job fails with shard 1 half done; the other shards finish.
        ShardWork.fault = (shard, attempt, copied) -> shard == 1 && (copied == 1 || attempt > 0);
        SparkMigration job = job(source, destination, proxy.endpoint()).build();
        assertThatThrownBy(() -> job.run(spark)).hasStackTraceContaining("injected failure of shard 1");
        // An aborted job leaves its other running tasks to finish (Spark does not interrupt them).
        awaitNoRunningTask();

        ShardWork.fault = null;
        SparkResult again = job.run(spark);

        assertThat(again.shardsRun()).as("shards run again").isEqualTo(1);
        assertThat(again.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(again.report().counts().matched()).isEqualTo(keys.size());
        assertSameBytes(source, destination, keys);
        assertThat(proxy.completedObjectWrites(destination).values()).allMatch(n -> n == 1);
    }

    @Test
    void aJobIdRunAgainWithAnotherConfigurationIsRefused() {
        String source = bucket("spark-conflict-src");
        String destination = bucket("spark-conflict-dst");
        S3.put(source, "a", new byte[] {1});
        SparkMigration.Builder builder = job(source, destination, S3.endpoint()).jobId("conflict");
        builder.build().run(spark);

        assertThatThrownBy(() -> builder.deleteExtraneous(true).build().run(spark))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.RESUME_CONFLICT))
                .hasMessageContaining("'conflict'").hasMessageContaining("another jobId");
    }

    @Test
    void theDeletionGuardsHoldOnTheWholeJobBeforeAnyTaskWrites() {
        String source = bucket("spark-guard-src");
        String destination = bucket("spark-guard-dst");
        seed(source, 3);
        for (int i = 0; i < 30; i++) {
            S3.put(destination, String.format("p%02d/extra-%02d", i % 8, i), new byte[] {1});
        }
        // 30 deletions over four shards: each shard plans few, the job plans too many.
        SparkMigration job = job(source, destination, proxy.endpoint()).deleteExtraneous(true).maxDeletes(20).build();

        SparkResult plan = job.plan(spark);
        assertThat(plan.planned().copies()).isEqualTo(64);
        assertThat(plan.planned().deletes()).isEqualTo(30);
        assertThat(plan.planned().planFile()).exists();
        assertThat(lines(plan.planned().planFile())).as("actions in the merged plan").hasSize(94);

        assertThatThrownBy(() -> job.run(spark)).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.TOO_MANY_DELETES))
                .hasMessageContaining("deletes 30").hasMessageContaining("maxDeletes (20)");
        assertThat(proxy.objectWrites(destination)).as("objects written").isEmpty();
        assertThat(S3.client().listObjectsV2(b -> b.bucket(destination)).keyCount()).isEqualTo(30);
    }

    private static void awaitNoRunningTask() {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (System.nanoTime() < deadline) {
            int running = 0;
            for (var executor : spark.sc().statusTracker().getExecutorInfos()) {
                running += executor.numRunningTasks();
            }
            if (running == 0) {
                return;
            }
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new AssertionError("tasks still running after 2 minutes");
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /**
     * A completed run whose every object arrived byte for byte and was written once, counted where
     * the server answered (the proxy in front of it), by whichever attempt wrote it; no upload left.
     */
    private static void assertCopiedOnce(SparkResult result, String source, String destination, List<String> keys) {
        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(result.report().counts().matched()).isEqualTo(keys.size());
        assertSameBytes(source, destination, keys);
        Map<String, Long> writes = proxy.completedObjectWrites(destination);
        assertThat(writes).hasSize(keys.size());
        assertThat(writes.values()).as("writes per object " + writes).allMatch(n -> n == 1);
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads()).isEmpty();
    }

    private static void assertSameBytes(String source, String destination, List<String> keys) {
        for (String key : keys) {
            byte[] expected = S3.client().getObject(b -> b.bucket(source).key(key), ResponseTransformer.toBytes())
                    .asByteArray();
            byte[] actual = S3.client().getObject(b -> b.bucket(destination).key(key), ResponseTransformer.toBytes())
                    .asByteArray();
            assertThat(actual).as(key).isEqualTo(expected);
        }
    }
}
