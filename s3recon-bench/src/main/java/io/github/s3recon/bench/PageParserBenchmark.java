package io.github.s3recon.bench;

import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3Clients;
import io.github.s3recon.S3Location;
import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.inventory.internal.ListObjectsV2PageFetcher;
import io.github.s3recon.inventory.internal.ListObjectsV2PageParser;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.testkit.SyntheticS3;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.ExecutableHttpRequest;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpResponse;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Response;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * Keys per second of ListObjectsV2 page parsing: {@link ListObjectsV2PageParser} against the SDK's
 * own unmarshalling, on the same {@value #PAGES} pages of {@value #KEYS} keys captured from a
 * {@link SyntheticS3} destination bucket at setup (plain keys with a few {@code -extra+é} ones).
 * Each invocation goes through all pages, so every score reads as keys/s.
 *
 * <ul>
 *   <li>{@code parser} — the parser on the bytes; {@code parserUrlEncoded} — on the same pages
 *       fetched with {@code encoding-type=url}, as the fast lister asks for them.
 *   <li>{@code stax} — a StAX cursor parser (the JDK's XMLStreamReader) making the same entries:
 *       the alternative to a hand-written scanner.
 *   <li>{@code sdkUnmarshalling} — the SDK's default path on one core: a blocking {@link S3Client}
 *       whose HTTP client (an {@link SdkHttpClient}, the SDK's public SPI) answers from memory, so
 *       that request marshalling, signing, interceptors and the XML unmarshalling run on the
 *       calling thread and no network is involved; the objects are turned into entries as
 *       {@link S3ObjectLister} does.
 *   <li>{@code sdkOverHttp} and {@code fetcherOverHttp} — end to end over loopback HTTP against a
 *       JDK HttpServer that replays the captured pages: the SDK's {@link S3AsyncClient}
 *       ({@code listObjectsV2}, Netty) and {@link ListObjectsV2PageFetcher} (JDK HttpClient, SigV4,
 *       the parser). One caller at a time, so these are latency-bound.
 * </ul>
 *
 * <p>Every JVM uses the JDK's own StAX implementation (as s3recon does in production: no other is
 * on its class path; the bench jar carries Woodstox through the testkit).
 *
 * <p>{@link #main} also lists 1,000,000 keys from SyntheticS3 with {@link FastS3ObjectLister} and
 * {@link S3ObjectLister}, one listing each after a warm-up listing of each, and prints keys/s and
 * keys per CPU second of this process:
 *
 * <pre>
 * java -cp s3recon-bench/target/benchmarks.jar io.github.s3recon.bench.PageParserBenchmark \
 *     [--objects 1000000] [--endpoint http://127.0.0.1:9400]
 * </pre>
 * With {@code --endpoint} (a {@link SyntheticServer} in another process) the CPU time is the
 * client's alone.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g",
    "-Djavax.xml.stream.XMLInputFactory=com.sun.xml.internal.stream.XMLInputFactoryImpl"})
// The parser's large methods reach C2 only after a few seconds: warm up for 3 s per iteration.
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 1)
public class PageParserBenchmark {

    /** Pages captured. */
    static final int PAGES = 20;
    /** Keys per page. */
    static final int KEYS = 1000;
    private static final int ALL_KEYS = PAGES * KEYS;

    private byte[][] pages;
    private byte[][] urlEncodedPages;
    private XMLInputFactory stax;
    private S3Client memoryClient;
    private HttpServer replay;
    private ExecutorService replayThreads;
    private S3AsyncClient httpClient;
    private ListObjectsV2PageFetcher fetcher;
    private ListObjectsV2PageFetcher.Listing listing;

    /**
     * Captures the pages from a SyntheticS3 server, then starts the in-memory SDK client, the replay
     * server and the clients on it.
     *
     * @throws IOException when a server cannot start
     * @throws InterruptedException never, in practice
     */
    @Setup
    public void capture() throws IOException, InterruptedException {
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(ALL_KEYS).extraRate(0.002).build()) {
            pages = capturePages(s3, false);
            urlEncodedPages = capturePages(s3, true);
        }
        stax = XMLInputFactory.newInstance();
        stax.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        stax.setProperty(XMLInputFactory.IS_COALESCING, true);

        memoryClient = S3Clients.configureForCompatibleEndpoint(S3Client.builder().httpClient(new MemoryHttpClient(pages)),
                URI.create("http://memory.invalid"), Region.US_EAST_1, credentials()).build();

        // The JDK server waits for delayed ACKs without this (read once per JVM).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        replay = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        replayThreads = Executors.newFixedThreadPool(4);
        replay.setExecutor(replayThreads);
        replay.createContext("/", exchange -> {
            // The continuation token is the page's number: 0 to PAGES - 1.
            String query = exchange.getRequestURI().getRawQuery();
            int at = query == null ? -1 : query.indexOf("continuation-token=");
            int page = 0;
            if (at >= 0) {
                int end = query.indexOf('&', at);
                page = Integer.parseInt(query.substring(at + "continuation-token=".length(), end < 0 ? query.length() : end));
            }
            byte[] body = pages[page];
            exchange.getResponseHeaders().set("Content-Type", "application/xml");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        replay.start();
        URI endpoint = URI.create("http://127.0.0.1:" + replay.getAddress().getPort());
        httpClient = S3Clients.asyncClient(endpoint, Region.US_EAST_1, credentials());
        fetcher = ListObjectsV2PageFetcher.create();
        listing = fetcher.listing(S3Location.of(httpClient, "replay"), null, KEYS, PageParserBenchmark::entry);
        // The first page of a bucket goes through the SDK, to learn the endpoint; the rest go direct.
        listing.fetch("0").join();
        listing.fetch("1").join();
        if (fetcher.directPages() != 1) {
            throw new IllegalStateException("the fetcher does not fetch directly: " + fetcher.directPages());
        }
    }

    /** Stops the servers and clients. */
    @TearDown
    public void stop() {
        fetcher.close();
        httpClient.close();
        memoryClient.close();
        replay.stop(0);
        replayThreads.shutdownNow();
    }

    /**
     * The parser on the pages' bytes.
     *
     * @param bh the sink
     */
    @Benchmark
    @OperationsPerInvocation(ALL_KEYS)
    public void parser(Blackhole bh) {
        ListObjectsV2PageParser parser = new ListObjectsV2PageParser(0);
        for (byte[] page : pages) {
            bh.consume(parser.parse(page).entries());
        }
    }

    /**
     * The parser on the pages fetched with {@code encoding-type=url}.
     *
     * @param bh the sink
     */
    @Benchmark
    @OperationsPerInvocation(ALL_KEYS)
    public void parserUrlEncoded(Blackhole bh) {
        ListObjectsV2PageParser parser = new ListObjectsV2PageParser(0);
        for (byte[] page : urlEncodedPages) {
            bh.consume(parser.parse(page).entries());
        }
    }

    /**
     * A StAX cursor parser on the pages' bytes.
     *
     * @param bh the sink
     * @throws XMLStreamException never, on these pages
     */
    @Benchmark
    @OperationsPerInvocation(ALL_KEYS)
    public void stax(Blackhole bh) throws XMLStreamException {
        for (byte[] page : pages) {
            bh.consume(staxParse(stax, page));
        }
    }

    /**
     * The SDK's blocking client, its HTTP client answering from memory, on one thread.
     *
     * @param bh the sink
     */
    @Benchmark
    @OperationsPerInvocation(ALL_KEYS)
    public void sdkUnmarshalling(Blackhole bh) {
        for (int i = 0; i < PAGES; i++) {
            ListObjectsV2Response response = memoryClient.listObjectsV2(b -> b.bucket("memory"));
            bh.consume(entries(response));
        }
    }

    /**
     * The SDK's async client over loopback HTTP, one page at a time.
     *
     * @param bh the sink
     */
    @Benchmark
    @OperationsPerInvocation(ALL_KEYS)
    public void sdkOverHttp(Blackhole bh) {
        for (int i = 0; i < PAGES; i++) {
            String token = Integer.toString(i);
            ListObjectsV2Response response = httpClient.listObjectsV2(b -> b.bucket("replay").continuationToken(token)).join();
            bh.consume(entries(response));
        }
    }

    /**
     * The direct fetcher over loopback HTTP, one page at a time.
     *
     * @param bh the sink
     */
    @Benchmark
    @OperationsPerInvocation(ALL_KEYS)
    public void fetcherOverHttp(Blackhole bh) {
        for (int i = 0; i < PAGES; i++) {
            bh.consume(listing.fetch(Integer.toString(i)).join().entries());
        }
    }

    private static List<ObjectEntry> entries(ListObjectsV2Response response) {
        List<ObjectEntry> entries = new ArrayList<>(response.contents().size());
        for (S3Object o : response.contents()) {
            entries.add(entry(o));
        }
        return entries;
    }

    /** As S3ObjectLister turns an SDK object into an entry (these pages list no checksums). */
    private static ObjectEntry entry(S3Object o) {
        return new ObjectEntry(o.key(), o.size() == null ? 0 : o.size(), o.eTag(), o.lastModified(),
                o.storageClassAsString(), null);
    }

    /** A StAX cursor parser of the same fields, as one would write it. */
    static List<ObjectEntry> staxParse(XMLInputFactory factory, byte[] page) throws XMLStreamException {
        XMLStreamReader reader = factory.createXMLStreamReader(new ByteArrayInputStream(page), "UTF-8");
        List<ObjectEntry> entries = new ArrayList<>(KEYS);
        String key = null;
        String eTag = null;
        String storageClass = null;
        Instant lastModified = null;
        long size = 0;
        boolean inContents = false;
        while (reader.hasNext()) {
            int event = reader.next();
            if (event == XMLStreamConstants.START_ELEMENT) {
                String name = reader.getLocalName();
                if (name.equals("Contents")) {
                    inContents = true;
                    key = null;
                    eTag = null;
                    storageClass = null;
                    lastModified = null;
                    size = 0;
                } else if (inContents) {
                    switch (name) {
                        case "Key" -> key = reader.getElementText();
                        case "ETag" -> eTag = reader.getElementText();
                        case "StorageClass" -> storageClass = reader.getElementText();
                        case "LastModified" -> lastModified = Instant.parse(reader.getElementText());
                        case "Size" -> size = Long.parseLong(reader.getElementText());
                        default -> {
                        }
                    }
                }
            } else if (event == XMLStreamConstants.END_ELEMENT && inContents && reader.getLocalName().equals("Contents")) {
                inContents = false;
                entries.add(new ObjectEntry(key, size, eTag, lastModified, storageClass, null));
            }
        }
        reader.close();
        return entries;
    }

    private static byte[][] capturePages(SyntheticS3 s3, boolean urlEncoded) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
        byte[][] captured = new byte[PAGES][];
        String token = null;
        for (int i = 0; i < PAGES; i++) {
            String uri = s3.endpoint() + "/" + s3.destinationBucket() + "?list-type=2&max-keys=" + KEYS
                    + (urlEncoded ? "&encoding-type=url" : "")
                    + (token == null ? "" : "&continuation-token=" + URLEncoder.encode(token, StandardCharsets.UTF_8));
            captured[i] = http.send(HttpRequest.newBuilder(URI.create(uri)).build(), HttpResponse.BodyHandlers.ofByteArray())
                    .body();
            ListObjectsV2PageParser.Page page = new ListObjectsV2PageParser(0).parse(captured[i]);
            if (page.entries().size() != KEYS) {
                throw new IllegalStateException("page " + i + " holds " + page.entries().size() + " keys");
            }
            token = page.nextContinuationToken();
        }
        return captured;
    }

    private static StaticCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create("bench-key", "bench-secret"));
    }

    /** An SDK HTTP client that answers every request with the next captured page, from memory. */
    private static final class MemoryHttpClient implements SdkHttpClient {
        private final byte[][] pages;
        private int next;

        MemoryHttpClient(byte[][] pages) {
            this.pages = pages;
        }

        @Override
        public ExecutableHttpRequest prepareRequest(HttpExecuteRequest request) {
            byte[] body = pages[next++ % pages.length];
            return new ExecutableHttpRequest() {
                @Override
                public HttpExecuteResponse call() {
                    return HttpExecuteResponse.builder()
                            .response(SdkHttpResponse.builder().statusCode(200).putHeader("Content-Type", "application/xml")
                                    .putHeader("Content-Length", Integer.toString(body.length)).build())
                            .responseBody(AbortableInputStream.create(new ByteArrayInputStream(body))).build();
                }

                @Override
                public void abort() {
                }
            };
        }

        @Override
        public String clientName() {
            return "memory";
        }

        @Override
        public void close() {
        }
    }

    /**
     * Lists 1,000,000 keys (or {@code --objects}) from SyntheticS3 once with each lister, after a
     * warm-up listing of the same keys with each, and prints keys/s and keys per CPU second of this
     * process.
     *
     * @param args {@code [--objects N] [--endpoint URL]}; with an endpoint, lists its source bucket
     * @throws Exception when the listing fails
     */
    public static void main(String[] args) throws Exception {
        Map<String, String> options = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            options.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        long objects = Long.parseLong(options.getOrDefault("objects", "1000000"));
        SyntheticS3 local = options.containsKey("endpoint") ? null : SyntheticS3.builder().objects(objects).build();
        URI endpoint = local == null ? URI.create(options.get("endpoint")) : local.endpoint();
        String bucket = local == null ? SyntheticS3.DEFAULT_SOURCE_BUCKET : local.sourceBucket();
        com.sun.management.OperatingSystemMXBean os =
                (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        try (S3AsyncClient client = S3Clients.asyncClient(endpoint, Region.US_EAST_1, credentials());
             FastS3ObjectLister fast = FastS3ObjectLister.create()) {
            S3ObjectLister sdk = S3ObjectLister.create();
            S3Location location = S3Location.of(client, bucket);
            System.out.printf(Locale.ROOT, "Listing %s at %s (%s server), %d cores%n", bucket, endpoint,
                    local == null ? "external" : "in-process", Runtime.getRuntime().availableProcessors());
            // Warm-up: a whole listing with each, so that both run compiled code (the JIT's and
            // the collector's threads count in the CPU time, and settle only after a while).
            for (ObjectLister lister : List.of(sdk, fast)) {
                try (Stream<ObjectEntry> entries = lister.list(location, KeyRange.ALL)) {
                    entries.count();
                }
            }
            for (ObjectLister lister : List.of(sdk, fast)) {
                long cpu = os.getProcessCpuTime();
                long start = System.nanoTime();
                long count;
                try (Stream<ObjectEntry> entries = lister.list(location, KeyRange.ALL)) {
                    count = entries.count();
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuSeconds = (os.getProcessCpuTime() - cpu) / 1e9;
                System.out.printf(Locale.ROOT, "%-18s %,d keys in %.2f s: %,.0f keys/s; %.2f CPU s: %,.0f keys per CPU second%n",
                        lister.getClass().getSimpleName(), count, seconds, count / seconds, cpuSeconds, count / cpuSeconds);
            }
            System.out.println("fast lister pages: " + fast.pageCounts());
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } finally {
            if (local != null) {
                local.close();
            }
        }
    }
}
