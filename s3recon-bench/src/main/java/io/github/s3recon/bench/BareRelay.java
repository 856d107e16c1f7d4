package io.github.s3recon.bench;

import io.github.s3recon.S3Clients;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.async.ResponsePublisher;
import software.amazon.awssdk.http.nio.netty.NettyNioAsyncHttpClient;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The baseline of the copy benchmark: relays every object of a bucket to another server with as
 * little client as possible, to show what the two servers can do on this machine. No listing
 * resume, no checksums, no retries, no verification.
 *
 * <pre>
 * java -cp benchmarks.jar io.github.s3recon.bench.BareRelay --source-endpoint URL --source-bucket B \
 *     --destination-endpoint URL2 --destination-bucket B2 [--client sdk|jdk|urlconnection] [--concurrency 32]
 * </pre>
 * {@code --client sdk} (the default) streams each GET's body into a PUT with the AWS SDK's async
 * client (Netty, one connection pool per side, the SDK's defaults for checksums as
 * {@link S3Clients} sets them: only where required); {@code jdk} does the same with the JDK's
 * {@link HttpClient} and no signing at all (the synthetic servers check no signature), one
 * blocking thread per object in flight; {@code urlconnection} the same with the JDK's blocking
 * {@link java.net.HttpURLConnection} (a GET's stream copied into a fixed-length PUT through one
 * buffer of {@code -Dbare.buffer} bytes, 64 KiB by default). Prints a last line
 * {@code RESULT seconds=S objects=N bytes=B}.
 */
public final class BareRelay {

    private BareRelay() {
    }

    /**
     * Runs the baseline.
     *
     * @param args see the class comment
     * @throws Exception if a request fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        URI source = URI.create(options.get("source-endpoint"));
        URI destination = URI.create(options.get("destination-endpoint"));
        String from = options.get("source-bucket");
        String to = options.get("destination-bucket");
        int concurrency = Integer.parseInt(options.getOrDefault("concurrency", "32"));
        String kind = options.getOrDefault("client", "sdk");
        long started = System.nanoTime();
        List<S3Object> objects = new ArrayList<>();
        try (S3Client lister = S3Clients.client(source, EmbeddedS3.REGION, EmbeddedS3.credentials())) {
            lister.listObjectsV2Paginator(b -> b.bucket(from)).contents().forEach(objects::add);
        }
        long bytes = kind.equals("jdk") ? jdk(source, from, destination, to, objects, concurrency)
                : kind.equals("urlconnection") ? urlConnection(source, from, destination, to, objects, concurrency)
                : sdk(source, from, destination, to, objects, concurrency);
        double seconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "bare %s relay: %,d objects, %,d bytes in %.2f s: %,.0f objects/s, %.1f MB/s%n",
                kind, objects.size(), bytes, seconds, objects.size() / seconds, bytes / seconds / 1e6);
        System.out.printf(Locale.ROOT, "RESULT seconds=%.3f objects=%d bytes=%d failed=0 state=DONE%n", seconds,
                objects.size(), bytes);
        System.exit(0); // as CopyHarness: no wait for Netty's non-daemon GlobalEventExecutor thread
    }

    private static S3AsyncClient client(URI endpoint, int concurrency) {
        return S3Clients.configureForCompatibleEndpoint(S3AsyncClient.builder(), endpoint, EmbeddedS3.REGION,
                EmbeddedS3.credentials())
                .httpClientBuilder(NettyNioAsyncHttpClient.builder().maxConcurrency(Math.max(concurrency, 8))
                        .connectionAcquisitionTimeout(Duration.ofMinutes(2)))
                .build();
    }

    private static long sdk(URI sourceUri, String from, URI destinationUri, String to, List<S3Object> objects,
            int concurrency) throws Exception {
        AtomicLong bytes = new AtomicLong();
        Semaphore slots = new Semaphore(concurrency);
        List<CompletableFuture<?>> all = new ArrayList<>();
        try (S3AsyncClient source = client(sourceUri, concurrency);
                S3AsyncClient destination = client(destinationUri, concurrency)) {
            for (S3Object o : objects) {
                slots.acquire();
                CompletableFuture<?> f = source.getObject(b -> b.bucket(from).key(o.key()),
                        AsyncResponseTransformer.<GetObjectResponse>toPublisher())
                        .thenCompose((ResponsePublisher<GetObjectResponse> body) -> destination.putObject(
                                b -> b.bucket(to).key(o.key()).contentLength(o.size()),
                                AsyncRequestBody.fromPublisher(new Counted(body, bytes, o.size()))))
                        .whenComplete((r, e) -> slots.release());
                all.add(f);
            }
            CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).join();
        }
        return bytes.get();
    }

    /** Fake SigV4 (the synthetic servers check no signature). */
    private static final String AUTH = "AWS4-HMAC-SHA256 Credential=bench/20240101/us-east-1/s3/aws4_request, "
            + "SignedHeaders=host, Signature=0";

    /** One object's GET streamed into its PUT, blocking. */
    private interface BlockingRelay {
        void relay(S3Object o) throws Exception;
    }

    /** Relays every object on a pool of {@code concurrency} blocking threads; returns the bytes relayed. */
    private static long eachOnAThread(List<S3Object> objects, int concurrency, BlockingRelay relay) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        AtomicLong bytes = new AtomicLong();
        try {
            List<Future<?>> all = new ArrayList<>();
            for (S3Object o : objects) {
                all.add(pool.submit(() -> {
                    relay.relay(o);
                    bytes.addAndGet(o.size());
                    return null;
                }));
            }
            for (Future<?> f : all) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        return bytes.get();
    }

    private static long jdk(URI source, String from, URI destination, String to, List<S3Object> objects,
            int concurrency) throws Exception {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        return eachOnAThread(objects, concurrency, o -> {
            HttpResponse<InputStream> get = http.send(HttpRequest.newBuilder(
                    source.resolve("/" + from + "/" + o.key())).header("Authorization", AUTH)
                    .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD").GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
            if (get.statusCode() != 200) {
                throw new IllegalStateException("GET " + o.key() + ": " + get.statusCode());
            }
            try (InputStream in = get.body()) {
                HttpResponse<Void> put = http.send(HttpRequest.newBuilder(
                        destination.resolve("/" + to + "/" + o.key())).header("Authorization", AUTH)
                        .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
                        .PUT(HttpRequest.BodyPublishers.fromPublisher(
                                HttpRequest.BodyPublishers.ofInputStream(() -> in), o.size()))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (put.statusCode() != 200) {
                    throw new IllegalStateException("PUT " + o.key() + ": " + put.statusCode());
                }
            }
        });
    }

    private static long urlConnection(URI source, String from, URI destination, String to, List<S3Object> objects,
            int concurrency) throws Exception {
        return eachOnAThread(objects, concurrency, o -> {
            java.net.HttpURLConnection get = (java.net.HttpURLConnection) source.resolve("/" + from + "/"
                    + o.key()).toURL().openConnection(java.net.Proxy.NO_PROXY);
            get.setRequestProperty("Authorization", AUTH);
            get.setRequestProperty("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
            if (get.getResponseCode() != 200) {
                throw new IllegalStateException("GET " + o.key() + ": " + get.getResponseCode());
            }
            try (InputStream in = get.getInputStream()) {
                java.net.HttpURLConnection put = (java.net.HttpURLConnection) destination.resolve("/" + to
                        + "/" + o.key()).toURL().openConnection(java.net.Proxy.NO_PROXY);
                put.setRequestMethod("PUT");
                put.setDoOutput(true);
                put.setFixedLengthStreamingMode(o.size());
                put.setRequestProperty("Authorization", AUTH);
                put.setRequestProperty("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
                try (java.io.OutputStream out = put.getOutputStream()) {
                    byte[] buffer = new byte[BUFFER];
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        out.write(buffer, 0, n);
                    }
                }
                if (put.getResponseCode() != 200) {
                    throw new IllegalStateException("PUT " + o.key() + ": " + put.getResponseCode());
                }
                try (InputStream answer = put.getInputStream()) {
                    answer.readAllBytes();
                }
            }
        });
    }

    private static final int BUFFER = Integer.getInteger("bare.buffer", 64 << 10);

    /** A GET's body passed on unchanged, its bytes counted. */
    private record Counted(org.reactivestreams.Publisher<ByteBuffer> body, AtomicLong bytes, long length)
            implements org.reactivestreams.Publisher<ByteBuffer> {

        @Override
        public void subscribe(org.reactivestreams.Subscriber<? super ByteBuffer> s) {
            body.subscribe(new org.reactivestreams.Subscriber<ByteBuffer>() {
                @Override
                public void onSubscribe(org.reactivestreams.Subscription subscription) {
                    s.onSubscribe(subscription);
                }

                @Override
                public void onNext(ByteBuffer buffer) {
                    bytes.addAndGet(buffer.remaining());
                    s.onNext(buffer);
                }

                @Override
                public void onError(Throwable t) {
                    s.onError(t);
                }

                @Override
                public void onComplete() {
                    s.onComplete();
                }
            });
        }
    }
}
