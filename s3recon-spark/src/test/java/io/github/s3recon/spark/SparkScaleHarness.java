package io.github.s3recon.spark;

import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Location;
import io.github.s3recon.postgres.PostgresSettings;
import io.github.s3recon.testkit.HeapPeak;
import io.github.s3recon.testkit.SyntheticS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.Locale;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaSparkContext;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The Spark benchmark: N vs N objects on the synthetic endpoint (in this JVM), reconciled by one
 * JVM's {@link Migration} or by {@link SparkMigration} in {@code local[2]}, with the wall time and
 * the peak heap of the JVM (in local mode the driver and the executor share it). Run each mode in a
 * JVM of its own. Arguments: {@code single|spark objects [shards]}. Prints one {@code RESULT} line.
 */
public final class SparkScaleHarness {

    private SparkScaleHarness() {
    }

    /**
     * Runs one measurement.
     *
     * @param args mode, object count, shards (spark only; default 8)
     * @throws Exception when the run fails
     */
    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long objects = Long.parseLong(args[1]);
        int shards = args.length > 2 ? Integer.parseInt(args[2]) : 8;
        Path work = Files.createTempDirectory("s3recon-spark-bench");
        try (SyntheticS3 synthetic = SyntheticS3.builder().objects(objects).missingRate(0.001).extraRate(0.0005)
                .build()) {
            S3ClientSettings client = S3ClientSettings.factory(TestClientFactory.class.getName())
                    .withEndpoint(synthetic.endpoint());
            long differences;
            long started;
            long elapsed;
            long peak;
            if (mode.equals("single")) {
                S3AsyncClient s3 = new TestClientFactory().create(client);
                try (HeapPeak heap = HeapPeak.start();
                        Migration m = Migration.builder().source(S3Location.of(s3, synthetic.sourceBucket()))
                                .destination(S3Location.of(s3, synthetic.destinationBucket()))
                                .workDirectory(work).listingRanges(4).build()) {
                    started = System.nanoTime();
                    MigrationResult r = m.reconcile();
                    elapsed = System.nanoTime() - started;
                    differences = r.report().counts().differences();
                    peak = heap.bytes();
                } finally {
                    s3.close();
                }
            } else {
                PostgresSettings checkpoints = PostgresSettings.fromEnvironment().withSchema("bench_spark");
                JavaSparkContext spark = new JavaSparkContext(new SparkConf().setMaster("local[2]")
                        .setAppName("s3recon-bench").set("spark.ui.enabled", "false")
                        .set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1"));
                try (HeapPeak heap = HeapPeak.start()) {
                    started = System.nanoTime();
                    SparkResult r = SparkMigration.builder().jobId("bench-" + System.nanoTime())
                            .source(synthetic.sourceBucket(), "", client)
                            .destination(synthetic.destinationBucket(), "", client).checkpoints(checkpoints)
                            .workDirectory(work.resolve("executors").toString()).reportDirectory(work.resolve("report"))
                            .shards(shards).build().reconcile(spark);
                    elapsed = System.nanoTime() - started;
                    differences = r.report().counts().differences();
                    peak = heap.bytes();
                    System.out.println("shards " + r.shards());
                } finally {
                    spark.stop();
                    try (Connection c = checkpoints.connect(); Statement s = c.createStatement()) {
                        s.execute("DROP SCHEMA IF EXISTS bench_spark CASCADE");
                    }
                }
            }
            long expected = synthetic.expectedMissing() + synthetic.expectedExtra();
            System.out.printf(Locale.ROOT, "RESULT mode=%s objects=%d wall_s=%.1f keys_per_s=%.0f heap_peak_mib=%d"
                    + " differences=%d expected=%d%n", mode, objects, elapsed / 1e9, 2.0 * objects / (elapsed / 1e9),
                    peak >> 20, differences, expected);
        } finally {
            ShardFiles.deleteQuietly(work);
        }
    }
}
