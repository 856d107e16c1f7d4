package io.github.s3recon.bench;

import io.github.s3recon.testkit.SyntheticS3;
import io.github.s3recon.testkit.SyntheticS3Builder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a {@link SyntheticS3} endpoint in a process of its own, so that clients (s3recon's
 * {@link ScaleHarness} with {@code --endpoint}, rclone) can be measured without the server in their
 * process. Prints the endpoint and the expected counts, then serves until killed.
 *
 * <pre>
 * java -cp s3recon-bench/target/benchmarks.jar io.github.s3recon.bench.SyntheticServer \
 *     --objects 1000000 --port 9400 [--differences 0.001] [--page-latency-ms 0]
 * # a source of 500 objects of 8 MiB each (ETags are their MD5s), and a sink bucket that absorbs writes
 * java -cp s3recon-bench/target/benchmarks.jar io.github.s3recon.bench.SyntheticServer \
 *     --objects 500 --object-size-kib 8192 --differences 0 --sink-bucket sink
 * </pre>
 * With {@code --sink-bucket B}, bucket {@code B} accepts writes (PUT, multipart, server-side copies
 * from the source bucket) and throws their bytes away after hashing them, as the testkit's sink does.
 */
public final class SyntheticServer {

    private SyntheticServer() {
    }

    /**
     * Starts the server.
     *
     * @param args {@code --objects N --port P --differences RATE --page-latency-ms L --objects-per-prefix K
     *     --object-size-kib S --sink-bucket B --server-threads T --max-keys-per-page K}
     * @throws InterruptedException never, in practice: the server runs until the process is killed
     */
    public static void main(String[] args) throws InterruptedException {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        SyntheticS3 s3 = configure(options).port(Integer.parseInt(options.getOrDefault("port", "0"))).build();
        System.out.printf(Locale.ROOT, "SyntheticS3 at %s: %s (%,d objects) and %s (%,d objects)%n", s3.endpoint(),
                s3.sourceBucket(), s3.objectCount(s3.sourceBucket()), s3.destinationBucket(),
                s3.objectCount(s3.destinationBucket()));
        if (options.containsKey("sink-bucket")) {
            System.out.printf(Locale.ROOT, "sink bucket: %s%n", s3.sinkBucket());
        }
        System.out.printf(Locale.ROOT, "expected: matched %d, missing %d, extra %d, size %d, content %d%n",
                s3.expectedMatched(), s3.expectedMissing(), s3.expectedExtra(), s3.expectedSizeMismatch(),
                s3.expectedContentMismatch());
        System.out.flush();
        Thread.currentThread().join();
    }

    /**
     * Applies the shared options of the harness and the server to a builder.
     *
     * @param options parsed options
     * @return the builder
     */
    static SyntheticS3Builder configure(Map<String, String> options) {
        long objects = Long.parseLong(options.getOrDefault("objects", "1000000"));
        double rate = Double.parseDouble(options.getOrDefault("differences", "0.001"));
        long latency = Long.parseLong(options.getOrDefault("page-latency-ms", "0"));
        int perPrefix = Integer.parseInt(options.getOrDefault("objects-per-prefix", "10000"));
        int threads = Integer.parseInt(options.getOrDefault("server-threads", "64"));
        SyntheticS3Builder builder = SyntheticS3.builder();
        if (options.containsKey("object-size-kib")) {
            builder.objectSize(Long.parseLong(options.get("object-size-kib")) * 1024);
        }
        if (options.containsKey("sink-bucket")) {
            builder.sinkBucket(options.get("sink-bucket"));
        }
        return builder.objects(objects).objectsPerPrefix(perPrefix).missingRate(rate)
                .extraRate(rate / 2).sizeChangeRate(rate / 4).contentChangeRate(rate / 4)
                .pageLatency(Duration.ofMillis(latency)).threads(threads)
                .maxKeysPerPage(Integer.parseInt(options.getOrDefault("max-keys-per-page", "1000")));
    }
}
