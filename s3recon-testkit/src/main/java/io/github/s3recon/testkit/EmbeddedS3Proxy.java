package io.github.s3recon.testkit;

import io.github.s3recon.S3Clients;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Properties;
import java.util.stream.Stream;
import org.gaul.s3proxy.BlobStores;
import org.gaul.s3proxy.S3Proxy;
import org.gaul.s3proxy.auth.AuthenticationType;
import org.gaul.s3proxy.blobstore.BlobStore;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * A second, independent S3 implementation in this JVM (S3Proxy on its filesystem backend), for
 * tests that must not pass only because of one server's quirks, and for tests of credentials:
 * unlike {@link EmbeddedS3} (Adobe S3Mock, which accepts any signature), a server started with
 * {@link #withCredentials(String, String)} checks every request's AWS Signature V4 and answers
 * 403 {@code SignatureDoesNotMatch} or {@code InvalidAccessKeyId} to wrong credentials.
 *
 * <p>It listens on 127.0.0.1 only, on a free port, and keeps its objects in a temporary directory
 * deleted by {@link #close()}. Differences from S3 that tests meet (S3Proxy 4.1): HeadObject with
 * {@code partNumber} on a multipart object is answered 501 NotImplemented (on a single-part object
 * it answers for the whole object); object tagging is not implemented (GetObjectTagging answers
 * 501, {@code x-amz-tagging} on PutObject is accepted and dropped); flexible checksums
 * ({@code x-amz-checksum-*}) are not stored; keys are listed in UTF-16 order, not UTF-8 byte order.
 * Multipart uploads get multipart ETags ({@code <md5>-<parts>}) and user metadata is kept.
 *
 * <p>Thread-safe. The clients it returns are shared and must not be closed by callers.
 */
public final class EmbeddedS3Proxy implements AutoCloseable {

    /** The access key id of {@link #start()}'s server and of its clients. */
    public static final String ACCESS_KEY_ID = EmbeddedS3.ACCESS_KEY_ID;

    /** The secret of {@link #start()}'s server and of its clients (not a real secret). */
    public static final String SECRET_ACCESS_KEY = EmbeddedS3.SECRET_ACCESS_KEY;

    private final S3Proxy proxy;
    private final Path root;
    private final URI endpoint;
    private final AwsCredentialsProvider credentials;
    private final S3Client client;
    private final S3AsyncClient asyncClient;

    private EmbeddedS3Proxy(S3Proxy proxy, Path root, String accessKey, String secretKey) {
        this.proxy = proxy;
        this.root = root;
        this.endpoint = URI.create("http://" + S3MockLoopback.LOOPBACK + ":" + proxy.getPort());
        this.credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create(accessKey, secretKey));
        this.client = S3Clients.client(endpoint, EmbeddedS3.REGION, credentials);
        this.asyncClient = S3Clients.asyncClient(endpoint, EmbeddedS3.REGION, credentials);
    }

    /**
     * Starts a server on a free port that accepts any credentials, with a store of its own in a
     * temporary directory. The caller closes it.
     *
     * @return the running server
     */
    public static EmbeddedS3Proxy start() {
        return start(0, null, null, null);
    }

    /**
     * Starts a server on a free port that checks AWS Signature V4 (and V2) against one pair of keys:
     * requests signed with another access key get 403 {@code InvalidAccessKeyId}, with another
     * secret 403 {@code SignatureDoesNotMatch}. Its {@link #client()} signs with these keys. The
     * caller closes it.
     *
     * @param accessKey the only access key id accepted; not null or empty
     * @param secretKey its secret; not null or empty
     * @return the running server
     */
    public static EmbeddedS3Proxy withCredentials(String accessKey, String secretKey) {
        requireText(accessKey, "accessKey");
        requireText(secretKey, "secretKey");
        return start(0, accessKey, secretKey, null);
    }

    /**
     * Starts a server with every setting given; for {@link TestServerMain}.
     *
     * @param port the port on 127.0.0.1, or 0 for a free one
     * @param accessKey the only access key accepted, or null to accept any credentials
     * @param secretKey its secret, or null when {@code accessKey} is null
     * @param dataDirectory the directory to keep objects in (kept at close), or null for a
     *        temporary one (deleted at close)
     * @return the running server; the caller closes it
     */
    public static EmbeddedS3Proxy start(int port, String accessKey, String secretKey, Path dataDirectory) {
        if ((accessKey == null) != (secretKey == null)) {
            throw new IllegalArgumentException("give both accessKey and secretKey, or neither");
        }
        Path root = null;
        Path store;
        try {
            if (dataDirectory == null) {
                root = Files.createTempDirectory("s3recon-embedded-s3proxy-");
                store = root;
            } else {
                store = Files.createDirectories(dataDirectory);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the S3Proxy store directory", e);
        }
        Properties properties = new Properties();
        properties.setProperty("jclouds.filesystem.basedir", store.toAbsolutePath().toString());
        boolean checked = accessKey != null;
        properties.setProperty("jclouds.identity", checked ? accessKey : "");
        properties.setProperty("jclouds.credential", checked ? secretKey : "");
        BlobStore blobStore = BlobStores.create("filesystem", properties);
        S3Proxy proxy = S3Proxy.builder()
                .blobStore(blobStore)
                .endpoint(URI.create("http://" + S3MockLoopback.LOOPBACK + ":" + port))
                .awsAuthentication(checked ? AuthenticationType.AWS_V2_OR_V4 : AuthenticationType.NONE,
                        accessKey, secretKey)
                .ignoreUnknownHeaders(true)
                .stopTimeout(0)
                .build();
        try {
            proxy.start();
            long deadline = System.nanoTime() + 30_000_000_000L;
            while (!"STARTED".equals(proxy.getState())) {
                if (System.nanoTime() > deadline || "FAILED".equals(proxy.getState())) {
                    throw new IllegalStateException("S3Proxy did not start on 127.0.0.1:" + port
                            + ", state " + proxy.getState());
                }
                Thread.sleep(10);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            stopQuietly(proxy);
            throw new IllegalStateException("interrupted while S3Proxy was starting", e);
        } catch (Exception e) {
            stopQuietly(proxy);
            throw e instanceof RuntimeException r ? r
                    : new IllegalStateException("S3Proxy did not start on 127.0.0.1:" + port + ": " + e, e);
        }
        return new EmbeddedS3Proxy(proxy, root,
                checked ? accessKey : ACCESS_KEY_ID, checked ? secretKey : SECRET_ACCESS_KEY);
    }

    private static void requireText(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
    }

    private static void stopQuietly(S3Proxy proxy) {
        try {
            proxy.stop();
        } catch (Exception ignored) {
            // Already failing; the first error is the one to report.
        }
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
     * Returns the credentials this server's clients sign with: those given to
     * {@link #withCredentials(String, String)}, or the testkit's test keys.
     *
     * @return static credentials
     */
    public AwsCredentialsProvider credentials() {
        return credentials;
    }

    /**
     * Returns a blocking client configured by {@link S3Clients} (path style, checksums only where
     * required, Content-MD5) for this server; do not close it.
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
     * Stores an object in one PUT.
     *
     * @param bucket the bucket; not null
     * @param key the key; not null
     * @param content the bytes; not null
     */
    public void put(String bucket, String key, byte[] content) {
        Objects.requireNonNull(content, "content");
        client.putObject(b -> b.bucket(bucket).key(key), RequestBody.fromBytes(content));
    }

    /**
     * Stores an object as a multipart upload of parts of {@code partSize} bytes (the last one
     * shorter), so that its ETag is a multipart ETag ({@code <md5>-<parts>}).
     *
     * @param bucket the bucket; not null
     * @param key the key; not null
     * @param content the bytes; at least one byte
     * @param partSize the part size in bytes; at least {@link EmbeddedS3#MIN_PART_SIZE}
     */
    public void putMultipart(String bucket, String key, byte[] content, int partSize) {
        if (partSize < EmbeddedS3.MIN_PART_SIZE) {
            throw new IllegalArgumentException("part size must be at least 5 MiB (5242880), was " + partSize);
        }
        String uploadId = client.createMultipartUpload(b -> b.bucket(bucket).key(key)).uploadId();
        List<CompletedPart> parts = new ArrayList<>();
        for (int offset = 0, number = 1; offset < content.length; offset += partSize, number++) {
            int end = Math.min(content.length, offset + partSize);
            int partNumber = number;
            String eTag = client.uploadPart(b -> b.bucket(bucket).key(key).uploadId(uploadId).partNumber(partNumber),
                    RequestBody.fromBytes(Arrays.copyOfRange(content, offset, end))).eTag();
            parts.add(CompletedPart.builder().partNumber(partNumber).eTag(eTag).build());
        }
        client.completeMultipartUpload(b -> b.bucket(bucket).key(key).uploadId(uploadId)
                .multipartUpload(m -> m.parts(parts)));
    }

    /** Stops the server and deletes its store if it made a temporary one. */
    @Override
    public void close() {
        client.close();
        asyncClient.close();
        stopQuietly(proxy);
        if (root != null) {
            try (Stream<Path> files = Files.walk(root)) {
                files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // A leftover temporary directory is not worth failing a test run for.
            }
        }
    }
}
