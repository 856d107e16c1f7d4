package io.github.s3recon.bench;

import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.testkit.HeapPeak;
import io.github.s3recon.testkit.SyntheticS3;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * The scale harness: reconciles N vs N objects served by {@link SyntheticS3} (in this JVM, never
 * stored) and prints keys/s, wall time and peak heap, and whether the counts are exactly the
 * planted differences.
 *
 * <pre>
 * java -Xmx256m -cp s3recon-bench/target/benchmarks.jar io.github.s3recon.bench.ScaleHarness \
 *     --objects 10000000 --ranges 32|auto [--page-latency-ms 0] [--lister default|sdk|fast] [--differences 0.001]
 *     [--endpoint http://127.0.0.1:9400]
 * </pre>
 *
 * <p>With {@code --endpoint}, the objects are served by a {@link SyntheticServer} started with the
 * same {@code --objects}, {@code --differences} and {@code --objects-per-prefix}.
 *
 * <p>Exits with status 1 if the counts differ from what was planted.
 */
public final class ScaleHarness {

    private ScaleHarness() {
    }

    /**
     * Runs the harness.
     *
     * @param args {@code --objects N --ranges R|auto --page-latency-ms L --lister default|sdk|fast --differences RATE
     *     --endpoint URL}
     * @throws Exception on failure
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        // "auto": not set, so the migration chooses from the first listing page, as it does for a
        // user who sets nothing; sized below as a large bucket's count.
        String rangesOption = options.getOrDefault("ranges", "32");
        boolean autoRanges = rangesOption.equals("auto");
        int ranges = autoRanges ? Migration.LARGE_BUCKET_LISTING_RANGES : Integer.parseInt(rangesOption);
        long latency = Long.parseLong(options.getOrDefault("page-latency-ms", "0"));
        String listerName = options.getOrDefault("lister", "default");
        // With --endpoint the server runs elsewhere (SyntheticServer with the same options), so that
        // this process measures the client alone; the expected counts come from a local twin that
        // serves nothing.
        String external = options.get("endpoint");
        options.putIfAbsent("server-threads", Integer.toString(Math.max(8, ranges * 2)));
        // The harness owns the client's event loops so that it can stop them at once: the SDK's
        // own close waits out Netty's 2-second quiet period, which is not reconciling.
        SdkEventLoopGroup eventLoops = SdkEventLoopGroup.builder().build();
        boolean exact;
        try (SyntheticS3 s3 = SyntheticServer.configure(options).threads(external == null
                        ? Integer.parseInt(options.get("server-threads")) : 1).build();
                S3AsyncClient client = S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(),
                        external == null ? s3.endpoint() : java.net.URI.create(external), Region.US_EAST_1,
                        StaticCredentialsProvider.create(
                                AwsBasicCredentials.create("scale", "harness")))
                        .httpClientBuilder(NettyNioAsyncHttpClient.builder().eventLoopGroup(eventLoops)
                                .maxConcurrency(Math.max(64, ranges * 4)))
                        .build()) {
            Path work = Files.createTempDirectory("s3recon-scale-");
            System.out.printf(Locale.ROOT, "reconciling %,d vs %,d objects on SyntheticS3 (%s), %s ranges, "
                    + "%d ms page latency, %s lister, max heap %s%n", s3.objectCount(s3.sourceBucket()),
                    s3.objectCount(s3.destinationBucket()), external == null ? s3.endpoint() : external,
                    autoRanges ? "auto (not set)" : Integer.toString(ranges), latency, listerName,
                    mib(Runtime.getRuntime().maxMemory()));
            Duration[] listingPhase = new Duration[1];
            Migration.Builder builder = Migration.builder().source(S3Location.of(client, s3.sourceBucket()))
                    .destination(S3Location.of(client, s3.destinationBucket())).workDirectory(work)
                    .progressInterval(Duration.ofSeconds(10)).listener(new MigrationListener() {
                        @Override
                        public void onProgress(ProgressSnapshot p) {
                            System.out.printf(Locale.ROOT, "  %,d + %,d keys listed, %,.0f keys/s%n",
                                    p.sourceObjects(), p.destinationObjects(), p.objectsPerSecond());
                            listingPhase[0] = p.elapsed(); // the last one is sent as the listing ends
                        }
                    });
            if (!autoRanges) {
                builder.listingRanges(ranges);
            }
            ObjectLister lister = lister(listerName);
            if (lister != null) {
                builder.objectLister(lister);
            }
            HeapPeak heapPeak = HeapPeak.start();
            long started = System.nanoTime();
            MigrationResult result;
            double seconds;
            int planned;
            try (Migration migration = builder.build()) {
                result = migration.reconcile();
                seconds = (System.nanoTime() - started) / 1e9;
                // The ranges the run listed, planned again (outside the time measured).
                planned = migration.shards().size();
            }
            System.out.printf(Locale.ROOT, "ranges planned: %d%n", planned);
            long keys = result.report().source().objects() + result.report().destination().objects();
            DifferenceCounts c = result.report().counts();
            DifferenceCounts expected = new DifferenceCounts(s3.expectedMatched(), s3.expectedMissing(),
                    s3.expectedExtra(), s3.expectedSizeMismatch(), s3.expectedContentMismatch(), 0, 0);
            System.out.printf(Locale.ROOT, "result: %s, %,d keys in %.1f s = %,.0f keys/s, peak heap %s (max %s)%n",
                    result.state(), keys, seconds, keys / seconds, mib(heapPeak.bytes()), mib(Runtime.getRuntime().maxMemory()));
            if (listingPhase[0] != null && !listingPhase[0].isZero()) {
                // The listing phase alone: without the planning of the ranges and the report.
                double listingSeconds = listingPhase[0].toMillis() / 1e3;
                System.out.printf(Locale.ROOT, "listing phase: %.1f s = %,.0f keys/s%n", listingSeconds,
                        keys / listingSeconds);
            }
            System.out.println("counts:   " + c);
            System.out.println("expected: " + expected + (c.equals(expected) ? "  (exact)" : "  (MISMATCH)"));
            heapPeak.close();
            exact = c.equals(expected);
        } finally {
            eventLoops.eventLoopGroup().shutdownGracefully(0, 5, TimeUnit.SECONDS).await(5, TimeUnit.SECONDS);
        }
        // Everything is closed; do not wait out the idle second of Netty's global executor thread.
        System.exit(exact ? 0 : 1);
    }

    /** The lister named; null for "default": the one the migration finds itself. */
    private static ObjectLister lister(String name) {
        return switch (name) {
            case "default" -> null;
            case "sdk" -> S3ObjectLister.create();
            case "fast" -> FastS3ObjectLister.create();
            default -> throw new IllegalArgumentException("--lister must be default, sdk or fast, was " + name);
        };
    }

    private static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / 1048576.0);
    }
}
