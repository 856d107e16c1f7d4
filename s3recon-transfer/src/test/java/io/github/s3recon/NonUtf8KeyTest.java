package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.inventory.FastS3ObjectLister;
import io.github.s3recon.inventory.S3ObjectLister;
import io.github.s3recon.spi.ObjectLister;
import io.github.s3recon.testkit.EmbeddedS3;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A key whose bytes are not valid UTF-8, sent URL-encoded ({@code bad%FFkey}) by a real HTTP server
 * answering ListObjectsV2, is refused with LISTING_FAILED naming the encoded key, on both listers
 * (on the fast lister's direct path too), never turned into U+FFFD; a migration that sees it
 * deletes nothing.
 */
class NonUtf8KeyTest {

    private static final String HEAD = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>src</Name>"
            + "<Prefix>in%2F</Prefix><MaxKeys>1000</MaxKeys><EncodingType>url</EncodingType>";

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private HttpServer server;
    private volatile boolean badKeyOnFirstPage;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", this::answer);
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    /** Page 0: in/a and a token (or the bad key); page 1: the bad key. Anything else: 404. */
    private void answer(HttpExchange exchange) throws IOException {
        String query = exchange.getRequestURI().getRawQuery() == null ? "" : exchange.getRequestURI().getRawQuery();
        String body;
        int status = 200;
        if (query.contains("list-type=2")) {
            String bad = "<Contents><Key>in%2Fbad%FFkey</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
                    + "<ETag>&quot;e2&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>";
            if (badKeyOnFirstPage) {
                body = HEAD + "<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>" + bad + "</ListBucketResult>";
            } else if (!query.contains("continuation-token")) {
                body = HEAD + "<KeyCount>1</KeyCount><IsTruncated>true</IsTruncated>"
                        + "<NextContinuationToken>t1</NextContinuationToken>"
                        + "<Contents><Key>in%2Fa</Key><LastModified>2024-01-01T00:00:00.000Z</LastModified>"
                        + "<ETag>&quot;e1&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>"
                        + "</ListBucketResult>";
            } else {
                body = HEAD + "<KeyCount>1</KeyCount><IsTruncated>false</IsTruncated>" + bad + "</ListBucketResult>";
            }
        } else {
            status = 404;
            body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>NoSuchKey</Code>"
                    + "<Message>The specified key does not exist.</Message></Error>";
        }
        byte[] bytes = body.getBytes(UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/xml");
        boolean head = exchange.getRequestMethod().equals("HEAD");
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
        exchange.close();
    }

    private URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private static List<Supplier<ObjectLister>> listers() {
        return List.of(S3ObjectLister::create, FastS3ObjectLister::create);
    }

    @Test
    void bothListersRefuseTheKeyAndNameItEncoded() throws Exception {
        for (boolean first : List.of(true, false)) {
            badKeyOnFirstPage = first;
            for (Supplier<ObjectLister> make : listers()) {
                try (S3AsyncClient client = S3Clients.asyncClient(endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
                        ObjectLister lister = make.get()) {
                    S3Location location = S3Location.of(client, "src", "in/");
                    assertThatThrownBy(() -> {
                        try (Stream<ObjectEntry> entries = lister.list(location)) {
                            entries.collect(Collectors.toList());
                        }
                    }).as("%s, bad key on the first page: %s", lister.getClass().getSimpleName(), first)
                            .isInstanceOfSatisfying(S3ReconException.class, e -> {
                                assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED);
                                assertThat(e.getMessage()).contains("in%2Fbad%FFkey", "not valid UTF-8", "bucket 'src'")
                                        .doesNotContain("\uFFFD");
                            });
                }
            }
        }
    }

    @Test
    void aMigrationThatSeesTheKeyDeletesNothing() throws Exception {
        String dst = MigrationRunTest.bucket(s3, "non-utf8-dst");
        for (int i = 0; i < 5; i++) {
            s3.put(dst, "in/d" + i, ("object " + i).getBytes(UTF_8));
        }
        for (Supplier<ObjectLister> make : listers()) {
            try (S3AsyncClient source = S3Clients.asyncClient(endpoint(), EmbeddedS3.REGION, EmbeddedS3.credentials());
                    ObjectLister lister = make.get();
                    Migration m = Migration.builder().source(S3Location.of(source, "src", "in/"))
                            .destination(S3Location.of(s3.asyncClient(), dst, "in/")).sourceLister(lister)
                            .workDirectory(work.resolve("work-" + lister.getClass().getSimpleName()))
                            .transferScheduler(MigrationRunTest.scheduler()).deleteExtraneous(true)
                            .maxDeletes(1_000).maxDeletePercent(100).build()) {
                assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.LISTING_FAILED);
                    assertThat(e.getMessage()).contains("in%2Fbad%FFkey");
                });
            }
            assertThat(s3.client().listObjectsV2Paginator(b -> b.bucket(dst)).contents().stream().count()).isEqualTo(5);
        }
    }
}
