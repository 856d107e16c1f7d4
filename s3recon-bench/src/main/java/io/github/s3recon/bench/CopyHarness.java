package io.github.s3recon.bench;

import io.github.s3recon.DataSize;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferSummary;
import io.github.s3recon.Verification;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.spi.TransferScheduler;
import io.github.s3recon.transfer.SizeTieredScheduler;
import io.github.s3recon.transfer.TransferManagerScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Seeds and migrates buckets on a running S3 server (e.g. {@link EmbeddedServer}), to measure
 * s3recon's copy speed against other tools on the same server and data.
 *
 * <pre>
 * # seed 2,000 objects of 100 KiB into bucket "small"
 * java -cp benchmarks.jar io.github.s3recon.bench.CopyHarness --endpoint URL --seed small --objects 2000 --size-kib 100
 * # migrate it into "small-copy", server-side (same endpoint) or relayed (--relay: a second client on
 * # an equivalent endpoint URL, so s3recon streams the bytes through itself)
 * java -cp benchmarks.jar io.github.s3recon.bench.CopyHarness --endpoint URL --copy small --to small-copy [--relay true]
 * # or between two servers (e.g. a SyntheticServer source and a SyntheticServer sink, each in its own
 * # process): relayed, into an existing bucket
 * java -cp benchmarks.jar io.github.s3recon.bench.CopyHarness --endpoint URL --copy synthetic-source \
 *     --destination-endpoint URL2 --to sink --create-bucket false
 * </pre>
 * Options of the copy: {@code --small-concurrency N --large-concurrency N --part-size-mib M
 * --threshold-mib M --max-in-flight-mib M --copy-tags BOOL --direct-requests BOOL
 * --verification NONE|SIZE|CHECKSUM|DEEP}.
 * Prints the wall time, objects/s, MB/s and the transfer summary of the run, and a last line
 * {@code RESULT seconds=S objects=N bytes=B} for scripts.
 */
public final class CopyHarness {

    private CopyHarness() {
    }

    /**
     * Runs the harness.
     *
     * @param args see the class comment
     * @throws Exception if a step fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        URI endpoint = URI.create(options.get("endpoint"));
        if (options.containsKey("seed")) {
            seed(endpoint, options.get("seed"), Integer.parseInt(options.getOrDefault("objects", "2000")),
                    Long.parseLong(options.getOrDefault("size-kib", "100")) * 1024);
        } else {
            SizeTieredScheduler.Builder scheduler = SizeTieredScheduler.builder();
            if (options.containsKey("small-concurrency")) {
                scheduler.smallObjectConcurrency(Integer.parseInt(options.get("small-concurrency")));
            }
            if (options.containsKey("large-concurrency")) {
                scheduler.largeObjectConcurrency(Integer.parseInt(options.get("large-concurrency")));
            }
            if (options.containsKey("copy-tags")) {
                scheduler.copyTags(Boolean.parseBoolean(options.get("copy-tags")));
            }
            if (options.containsKey("multipart-copy-threshold-mib")) {
                scheduler.multipartCopyThreshold(DataSize.ofMebibytes(
                        Long.parseLong(options.get("multipart-copy-threshold-mib"))));
            }
            if (options.containsKey("part-size-mib")) {
                scheduler.partSize(DataSize.ofMebibytes(Long.parseLong(options.get("part-size-mib"))));
            }
            if (options.containsKey("max-in-flight-mib")) {
                scheduler.maxInFlightBytes(DataSize.ofMebibytes(Long.parseLong(options.get("max-in-flight-mib"))));
            }
            if (options.containsKey("threshold-mib")) {
                scheduler.smallObjectThreshold(DataSize.ofMebibytes(Long.parseLong(options.get("threshold-mib"))));
            }
            if (options.containsKey("direct-requests")) {
                scheduler.directRequests(Boolean.parseBoolean(options.get("direct-requests")));
            }
            boolean relay = Boolean.parseBoolean(options.getOrDefault("relay", "false"));
            // "localhost" and "127.0.0.1" are one server but two endpoints to s3recon: it then relays.
            URI other = options.containsKey("destination-endpoint")
                    ? URI.create(options.get("destination-endpoint"))
                    : relay ? URI.create(endpoint.toString().replace("127.0.0.1", "localhost")) : endpoint;
            TransferScheduler engine = options.containsKey("tm-clients") ? transferManager(options) : scheduler.build();
            copy(endpoint, options.get("copy"), other, options.get("to"),
                    Boolean.parseBoolean(options.getOrDefault("create-bucket", "true")), engine,
                    Verification.valueOf(options.getOrDefault("verification", "CHECKSUM")));
            // As the command line does: without it the JVM waits a second at exit for Netty's
            // GlobalEventExecutor thread, which is not a daemon (a second of every measured wall time).
            System.exit(0);
        }
    }

    /** The SDK's transfer manager as the engine: {@code --tm-clients AS_GIVEN|MULTIPART|CRT}, {@code --tm-concurrency}. */
    private static TransferScheduler transferManager(Map<String, String> options) {
        TransferManagerScheduler.Builder tm = TransferManagerScheduler.builder()
                .clients(TransferManagerScheduler.Clients.valueOf(options.get("tm-clients")))
                .maxConcurrency(Integer.parseInt(options.getOrDefault("tm-concurrency", "64")));
        if (options.containsKey("part-size-mib")) {
            tm.partSize(DataSize.ofMebibytes(Long.parseLong(options.get("part-size-mib"))));
        }
        if (options.containsKey("threshold-mib")) {
            tm.multipartThreshold(DataSize.ofMebibytes(Long.parseLong(options.get("threshold-mib"))));
        }
        if (options.containsKey("copy-tags")) {
            tm.copyTags(Boolean.parseBoolean(options.get("copy-tags")));
        }
        return tm.build();
    }

    private static void seed(URI endpoint, String bucket, int objects, long size) throws Exception {
        try (S3Client client = S3Clients.client(endpoint, EmbeddedS3.REGION, EmbeddedS3.credentials())) {
            client.createBucket(b -> b.bucket(bucket));
            ExecutorService pool = Executors.newFixedThreadPool(size > (64 << 20) ? 2 : 16);
            try {
                java.util.List<Future<?>> futures = new java.util.ArrayList<>();
                for (int i = 0; i < objects; i++) {
                    String key = String.format(Locale.ROOT, "data/%02d/object-%06d.bin", i % 16, i);
                    long seed = i;
                    futures.add(pool.submit(() -> client.putObject(b -> b.bucket(bucket).key(key),
                            RequestBody.fromContentProvider(() -> new Generated(seed, size), size,
                                    "application/octet-stream"))));
                }
                for (Future<?> f : futures) {
                    f.get();
                }
            } finally {
                pool.shutdown();
            }
        }
        System.out.printf(Locale.ROOT, "seeded %,d objects of %,d bytes into %s%n", objects, size, bucket);
    }

    /**
     * The clients' event loops, as the CLI has them: stopped with no quiet period once the clients
     * are closed (a client stopping loops of its own waits two seconds first).
     */
    private static final software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup LOOPS =
            software.amazon.awssdk.http.nio.netty.SdkEventLoopGroup.builder().build();

    private static S3AsyncClient client(URI endpoint) {
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, EmbeddedS3.REGION,
                EmbeddedS3.credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(256).eventLoopGroup(LOOPS)
                        .connectionAcquisitionTimeout(Duration.ofMinutes(2)))
                .build();
    }

    private static void copy(URI endpoint, String from, URI other, String to, boolean createBucket,
            TransferScheduler scheduler, Verification verification) throws IOException {
        boolean relay = !other.equals(endpoint);
        Path work = Files.createTempDirectory("s3recon-copy-");
        try (S3AsyncClient source = client(endpoint); S3AsyncClient destinationClient = relay ? client(other) : null) {
            S3AsyncClient destination = relay ? destinationClient : source;
            if (createBucket) {
                destination.createBucket(b -> b.bucket(to)).join();
            }
            long started = System.nanoTime();
            MigrationResult r;
            try (Migration m = Migration.builder().source(S3Location.of(source, from))
                    .destination(S3Location.of(destination, to)).workDirectory(work)
                    .transferScheduler(scheduler).verification(verification).build()) {
                r = m.run();
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            TransferSummary t = r.report().transfer();
            System.out.printf(Locale.ROOT, "s3recon run %s -> %s (%s): %s in %.2f s, %,.0f objects/s, %.1f MB/s; "
                    + "copied %,d (%,d server-side, %,d relayed), failed %,d, retries %,d, verified %,d%n", from, to,
                    relay ? "relay" : "same endpoint", r.state(), seconds, t.objectsCopied() / seconds,
                    t.bytesCopied() / seconds / 1e6, t.objectsCopied(), t.objectsServerSide(), t.objectsRelayed(),
                    t.objectsFailed(), t.retries(), r.report().verified());
            System.out.printf(Locale.ROOT, "RESULT seconds=%.3f objects=%d bytes=%d failed=%d state=%s%n", seconds,
                    t.objectsCopied(), t.bytesCopied(), t.objectsFailed(), r.state());
        } finally {
            LOOPS.eventLoopGroup().shutdownGracefully(0, 5, java.util.concurrent.TimeUnit.SECONDS);
            deleteTree(work);
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        try (java.util.stream.Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }

    /** Deterministic pseudo-random bytes of a given length, generated as they are read. */
    private static final class Generated extends InputStream {
        private long state;
        private long remaining;

        Generated(long seed, long length) {
            this.state = seed * 0x9E3779B97F4A7C15L + 1;
            this.remaining = length;
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (remaining == 0) {
                return -1;
            }
            int n = (int) Math.min(len, remaining);
            for (int i = 0; i < n; i++) {
                state ^= state << 13;
                state ^= state >>> 7;
                state ^= state << 17;
                b[off + i] = (byte) state;
            }
            remaining -= n;
            return n;
        }
    }
}
