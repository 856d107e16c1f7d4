package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A destination that stores the aws-chunked framing of an upload with a trailing checksum as the
 * object's bytes, as s3rver 3.7 does (each object longer than written): the engine checks its first
 * writes, switches to plain uploads, copies those objects again and says so once; a scheduler built
 * with {@code plainUploads(true)} never sends a framed body.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class MisstoringServerTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final int LARGE = 7 * 1024 * 1024;

    @TempDir
    Path work;

    private final List<String> failures = new java.util.concurrent.CopyOnWriteArrayList<>();

    /**
     * An HTTP server in front of S3Mock that forwards every request, except that a PUT with an
     * aws-chunked body is forwarded as a plain body: S3Mock stores the framing as the bytes.
     */
    private static final class Misstoring implements AutoCloseable {
        private static final Set<String> NOT_FORWARDED = Set.of("host", "content-length", "connection", "expect",
                "upgrade", "date", "via", "warning", "from", "referer", "origin", "transfer-encoding");
        final AtomicInteger framedPuts = new AtomicInteger();
        private final HttpServer server;
        private final ExecutorService threads = Executors.newFixedThreadPool(16);
        private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        private final URI upstream;

        Misstoring(URI upstream) throws IOException {
            this.upstream = upstream;
            server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            server.setExecutor(threads);
            server.createContext("/", this::forward);
            server.start();
        }

        URI endpoint() {
            return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
        }

        private void forward(HttpExchange exchange) throws IOException {
            try (exchange) {
                String method = exchange.getRequestMethod();
                URI uri = exchange.getRequestURI();
                URI target = URI.create(upstream.toString().replaceAll("/$", "") + uri.getRawPath()
                        + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery()));
                byte[] body = exchange.getRequestBody().readAllBytes();
                Headers in = exchange.getRequestHeaders();
                String encoding = String.valueOf(in.getFirst("Content-Encoding")).toLowerCase(Locale.ROOT);
                boolean framed = method.equals("PUT") && encoding.contains("aws-chunked");
                if (framed) {
                    framedPuts.incrementAndGet();
                }
                HttpRequest.Builder request = HttpRequest.newBuilder(target).method(method,
                        body.length == 0 ? HttpRequest.BodyPublishers.noBody()
                                : HttpRequest.BodyPublishers.ofByteArray(body));
                for (Map.Entry<String, List<String>> h : in.entrySet()) {
                    String name = h.getKey().toLowerCase(Locale.ROOT);
                    if (NOT_FORWARDED.contains(name) || (framed && (name.equals("content-encoding")
                            || name.equals("x-amz-decoded-content-length") || name.equals("x-amz-trailer")
                            || name.equals("x-amz-content-sha256")))) {
                        continue;
                    }
                    for (String v : h.getValue()) {
                        request.header(h.getKey(), v);
                    }
                }
                if (framed) {
                    request.header("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
                }
                HttpResponse<byte[]> response;
                try {
                    response = client.send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
                Headers out = exchange.getResponseHeaders();
                response.headers().map().forEach((name, values) -> {
                    String n = name.toLowerCase(Locale.ROOT);
                    if (!n.equals("content-length") && !n.equals("transfer-encoding") && !n.equals("connection")
                            && !n.startsWith(":")) {
                        out.put(name, values);
                    }
                });
                byte[] answer = response.body();
                if (method.equals("HEAD")) {
                    response.headers().firstValue("content-length").ifPresent(v -> out.set("Content-Length", v));
                    exchange.sendResponseHeaders(response.statusCode(), -1);
                } else {
                    exchange.sendResponseHeaders(response.statusCode(), answer.length == 0 ? -1 : answer.length);
                    exchange.getResponseBody().write(answer);
                }
            }
        }

        @Override
        public void close() {
            server.stop(0);
            threads.shutdownNow();
        }
    }

    private static byte[] bytes(int size, long seed) {
        byte[] b = new byte[size];
        new Random(seed).nextBytes(b);
        return b;
    }

    private Map<String, byte[]> seed(String src) {
        Map<String, byte[]> contents = new TreeMap<>();
        for (int i = 0; i < 12; i++) {
            contents.put("small-" + i, bytes(100 + i * 997, i));
        }
        // Large enough to stream from their GET into their PUT, framed by the relay itself.
        for (int i = 0; i < 3; i++) {
            contents.put("medium-" + i, bytes(3 * 1024 * 1024 / 2 + i, 50 + i));
        }
        contents.put("large.bin", bytes(LARGE, 99));
        contents.forEach((k, v) -> S3.put(src, k, v));
        return contents;
    }

    private MigrationResult run(String src, String dst, Misstoring server, boolean plain, Path workDirectory) {
        try (S3AsyncClient destination = S3Clients.asyncClient(server.endpoint(), EmbeddedS3.REGION,
                EmbeddedS3.credentials());
                Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                        .destination(S3Location.of(destination, dst)).workDirectory(workDirectory)
                        .transferScheduler(SizeTieredScheduler.builder().smallObjectThreshold(DataSize.ofMebibytes(6))
                                .partSize(DataSize.ofMebibytes(5)).smallObjectConcurrency(4).plainUploads(plain)
                                .build())
                        .listener(new io.github.s3recon.event.MigrationListener() {
                            @Override
                            public void onObjectFailed(io.github.s3recon.event.ObjectFailed e) {
                                failures.add(e.key() + ": " + e.error().getMessage());
                            }
                        })
                        .build()) {
            return m.run();
        }
    }

    private static void assertCopied(String dst, Map<String, byte[]> contents) {
        contents.forEach((k, v) -> assertThat(S3.client().getObjectAsBytes(b -> b.bucket(dst).key(k)).asByteArray())
                .as(k).isEqualTo(v));
    }

    @Test
    void aDestinationThatStoresTheFramingIsSwitchedToPlainUploads_theObjectsAreCopiedAgain_andThatIsSaidOnce()
            throws IOException {
        String src = MigrationRunTest.bucket(S3, "misstore-src");
        String dst = MigrationRunTest.bucket(S3, "misstore-dst");
        Map<String, byte[]> contents = seed(src);
        MigrationResult r;
        try (Misstoring server = new Misstoring(S3.endpoint())) {
            r = run(src, dst, server, false, work.resolve("work"));
            assertThat(server.framedPuts.get()).as("framed uploads before the switch").isPositive();
        }
        assertThat(failures).isEmpty();
        assertThat(r.report().differences().map(Object::toString).toList()).isEmpty();
        assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
        assertCopied(dst, contents);
        try (MigrationHistory history = MigrationHistory.open(work.resolve("work"))) {
            List<CheckpointStore.LogLine> log = history.log(history.latest().orElseThrow().runId());
            assertThat(log).filteredOn(l -> l.message().contains("switched to plain uploads")).singleElement()
                    .satisfies(l -> assertThat(l.message()).contains("aws-chunked").contains("plainUploads(true)"));
        }
    }

    @Test
    void plainUploadsSendNoFramedBody() throws IOException {
        String src = MigrationRunTest.bucket(S3, "plain-src");
        String dst = MigrationRunTest.bucket(S3, "plain-dst");
        Map<String, byte[]> contents = seed(src);
        MigrationResult r;
        try (Misstoring server = new Misstoring(S3.endpoint())) {
            r = run(src, dst, server, true, work.resolve("plain"));
            assertThat(server.framedPuts.get()).as("framed uploads").isZero();
        }
        assertThat(r.state()).isEqualTo(MigrationState.COMPLETED);
        assertCopied(dst, contents);
    }
}
