package io.github.s3recon.testkit;

import com.adobe.testing.s3mock.S3MockApplication;
import io.github.s3recon.S3Clients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.ChecksumAlgorithm;
import software.amazon.awssdk.services.s3.model.CompletedPart;
import software.amazon.awssdk.services.s3.model.CreateMultipartUploadResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Object;
import software.amazon.awssdk.services.s3.model.Tag;
import software.amazon.awssdk.services.s3.model.Tagging;
import software.amazon.awssdk.services.s3.model.UploadPartResponse;

/**
 * A real S3 server in this JVM (Adobe S3Mock), for tests of up to a few thousand objects: it
 * keeps tags, checksums, multipart uploads and conditional writes, on a temporary directory that
 * is deleted when the server stops.
 *
 * <p>{@link #shared()} starts one server per JVM (about 5 s) and stops it when the JVM exits;
 * {@link #start()} starts another, independent one (a second endpoint, e.g. for relay copies).
 * It listens on 127.0.0.1 only. The server accepts any credentials: S3Mock does not check
 * signatures. To test rejected credentials, use {@link EmbeddedS3Proxy#withCredentials(String,
 * String)}, which checks AWS Signature V4, or put a {@link FaultInjectingProxy} in front of this
 * server ({@code acceptOnlyAccessKey}); for failures, use the proxy.
 *
 * <p>It lists keys in UTF-16 order, not S3's UTF-8 byte order: keys outside the Basic
 * Multilingual Plane come out of order, which s3recon has to cope with.
 *
 * <p>Thread-safe. The clients it returns are shared and must not be closed by callers.
 */
public final class EmbeddedS3 implements AutoCloseable {

    /** The access key id of the embedded server's credentials (the server accepts any). */
    public static final String ACCESS_KEY_ID = "s3recon-test-access-key";

    /** The secret of the embedded server's credentials (not a real secret). */
    public static final String SECRET_ACCESS_KEY = "s3recon-test-secret-key";

    /** The smallest part but the last that S3 and this server accept in a multipart upload: 5 MiB. */
    public static final int MIN_PART_SIZE = 5 * 1024 * 1024;

    /** The region the clients sign for. */
    public static final Region REGION = Region.US_EAST_1;

    private static final class Shared {
        static final EmbeddedS3 INSTANCE = startShared();

        private static EmbeddedS3 startShared() {
            EmbeddedS3 s3 = start();
            Runtime.getRuntime().addShutdownHook(new Thread(s3::close, "embedded-s3-shutdown"));
            return s3;
        }
    }

    private final S3MockApplication application;
    private final Path root;
    private final URI endpoint;
    private final S3Client client;
    private final S3AsyncClient asyncClient;
    private final S3Client seedingClient;

    private EmbeddedS3(S3MockApplication application, Path root) {
        this.application = application;
        this.root = root;
        this.endpoint = URI.create("http://127.0.0.1:" + application.getHttpPort());
        this.client = S3Clients.client(endpoint, REGION, credentials());
        this.asyncClient = S3Clients.asyncClient(endpoint, REGION, credentials());
        // S3Mock stores checksums only from aws-chunked trailers, so seeding keeps the SDK's default
        // checksum behaviour; only path style is needed.
        this.seedingClient = S3Client.builder().endpointOverride(endpoint).region(REGION)
                .credentialsProvider(credentials()).forcePathStyle(true).build();
    }

    /**
     * Returns the server shared by every test in this JVM, starting it on first use.
     *
     * @return the shared server; never closed by callers
     */
    public static EmbeddedS3 shared() {
        return Shared.INSTANCE;
    }

    /**
     * Starts a new server on a free port with a store of its own. The caller closes it.
     *
     * @return the running server
     */
    public static EmbeddedS3 start() {
        return start(0, null);
    }

    /**
     * Starts a new server on a given port of 127.0.0.1, with its objects in a given directory;
     * for {@link TestServerMain}. The caller closes it.
     *
     * @param port the HTTP port, or 0 for a free one
     * @param dataDirectory the directory to keep objects in (kept at close), or null for a
     *        temporary one (deleted at close)
     * @return the running server
     */
    public static EmbeddedS3 start(int port, Path dataDirectory) {
        Path root;
        try {
            root = dataDirectory == null ? Files.createTempDirectory("s3recon-embedded-s3-")
                    : Files.createDirectories(dataDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the embedded S3 server's store directory", e);
        }
        // S3Mock mutates the map it is given.
        Map<String, Object> properties = new HashMap<>();
        properties.put(S3MockApplication.PROP_HTTP_PORT, port);
        properties.put(S3MockApplication.PROP_HTTPS_PORT, 0);
        properties.put(S3MockApplication.PROP_SILENT, true);
        properties.put("com.adobe.testing.s3mock.store.root", root.toString());
        properties.put("com.adobe.testing.s3mock.store.retain-files-on-exit", dataDirectory != null);
        properties.put("com.adobe.testing.s3mock.max-payload-size", "1GB");
        properties.put("spring.main.banner-mode", "off");
        properties.put("logging.level.root", "WARN");
        properties.put("logging.level.com.adobe.testing.s3mock", "ERROR");
        // server.address binds the HTTPS connector only; S3MockLoopback binds the HTTP one.
        properties.put("server.address", S3MockLoopback.LOOPBACK);
        properties.put("spring.main.sources", S3MockLoopback.class.getName());
        return new EmbeddedS3(S3MockApplication.start(properties), dataDirectory == null ? root : null);
    }

    /**
     * Returns the credentials that the clients of this server use.
     *
     * @return static test credentials
     */
    public static AwsCredentialsProvider credentials() {
        return StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY_ID, SECRET_ACCESS_KEY));
    }

    /**
     * Returns the server's HTTP endpoint.
     *
     * @return e.g. {@code http://127.0.0.1:41234}
     */
    public URI endpoint() {
        return endpoint;
    }

    /**
     * Returns a blocking client configured by {@link S3Clients} for this server; do not close it.
     *
     * @return the shared client
     */
    public S3Client client() {
        return client;
    }

    /**
     * Returns an async client configured by {@link S3Clients} for this server; do not close it.
     *
     * @return the shared client
     */
    public S3AsyncClient asyncClient() {
        return asyncClient;
    }

    /**
     * Creates a bucket.
     *
     * @param bucket the name; not null
     */
    public void createBucket(String bucket) {
        client.createBucket(b -> b.bucket(bucket));
    }

    /**
     * Deletes every object of a bucket, then the bucket; does nothing if it does not exist.
     *
     * @param bucket the name; not null
     */
    public void deleteBucket(String bucket) {
        if (!client.listBuckets().buckets().stream().anyMatch(b -> b.name().equals(bucket))) {
            return;
        }
        for (S3Object object : client.listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            client.deleteObject(b -> b.bucket(bucket).key(object.key()));
        }
        client.deleteBucket(b -> b.bucket(bucket));
    }

    /**
     * Stores an object in one PUT, with a CRC32 checksum.
     *
     * @param bucket the bucket; not null
     * @param key the key; not null
     * @param content the bytes; not null
     */
    public void put(String bucket, String key, byte[] content) {
        put(bucket, key, content, b -> { });
    }

    /**
     * Stores an object in one PUT, with request settings (metadata, content type, checksum
     * algorithm, tags via {@link PutObjectRequest.Builder#tagging(Tagging)}).
     *
     * @param bucket the bucket; not null
     * @param key the key; not null
     * @param content the bytes; not null
     * @param settings applied to the request after bucket and key; not null
     */
    public void put(String bucket, String key, byte[] content,
            java.util.function.Consumer<PutObjectRequest.Builder> settings) {
        Objects.requireNonNull(content, "content");
        seedingClient.putObject(b -> {
            b.bucket(bucket).key(key);
            settings.accept(b);
        }, RequestBody.fromBytes(content));
    }

    /**
     * Stores an object with tags.
     *
     * @param bucket the bucket; not null
     * @param key the key; not null
     * @param content the bytes; not null
     * @param tags the tags; not null
     */
    public void putTagged(String bucket, String key, byte[] content, Map<String, String> tags) {
        List<Tag> tagList = new ArrayList<>();
        tags.forEach((k, v) -> tagList.add(Tag.builder().key(k).value(v).build()));
        put(bucket, key, content, b -> b.tagging(Tagging.builder().tagSet(tagList).build()));
    }

    /**
     * Stores an object as a multipart upload of parts of {@code partSize} bytes (the last one
     * shorter), so that its ETag is a multipart ETag ({@code <md5>-<parts>}).
     *
     * @param bucket the bucket; not null
     * @param key the key; not null
     * @param content the bytes; at least one byte
     * @param partSize the part size in bytes; at least 5 MiB, as on S3, for all parts but the last
     * @param algorithm the checksum algorithm for the parts, or null for none
     */
    public void putMultipart(String bucket, String key, byte[] content, int partSize, ChecksumAlgorithm algorithm) {
        if (partSize < MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size must be at least 5 MiB (5242880), was " + partSize);
        }
        CreateMultipartUploadResponse upload = seedingClient.createMultipartUpload(
                b -> b.bucket(bucket).key(key).checksumAlgorithm(algorithm));
        List<CompletedPart> parts = new ArrayList<>();
        for (int offset = 0, number = 1; offset < content.length; offset += partSize, number++) {
            int length = Math.min(partSize, content.length - offset);
            int partNumber = number;
            UploadPartResponse part = seedingClient.uploadPart(b -> b.bucket(bucket).key(key)
                    .uploadId(upload.uploadId()).partNumber(partNumber).checksumAlgorithm(algorithm),
                    RequestBody.fromBytes(java.util.Arrays.copyOfRange(content, offset, offset + length)));
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(part.eTag())
                    .checksumCRC32(part.checksumCRC32()).checksumCRC32C(part.checksumCRC32C())
                    .checksumCRC64NVME(part.checksumCRC64NVME()).checksumSHA1(part.checksumSHA1())
                    .checksumSHA256(part.checksumSHA256()).build());
        }
        seedingClient.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(upload.uploadId())
                .multipartUpload(m -> m.parts(parts)));
    }

    /** Stops the server and deletes its store if it made a temporary one. */
    @Override
    public void close() {
        client.close();
        asyncClient.close();
        seedingClient.close();
        application.stop();
        if (root == null) {
            return; // a directory the caller gave: kept
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // A leftover temporary directory is not worth failing a test run for.
        }
    }
}
