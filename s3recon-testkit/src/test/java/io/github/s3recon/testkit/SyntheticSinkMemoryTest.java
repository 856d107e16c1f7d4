package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.S3Clients;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.async.AsyncRequestBody;
import software.amazon.awssdk.core.async.AsyncResponseTransformer;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3AsyncClient;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Moves 768 MiB of 64 MiB objects and parts into the sink of a {@link SyntheticS3}, client and
 * server in one JVM whose heap is far smaller than one object (this class runs in the surefire
 * execution with {@code -Xmx64m}): relayed copies from the source (GET, then PUT of the stream), a
 * multipart upload from the blocking client (signed {@code aws-chunked} parts), and one plain PUT
 * written to a socket, whose rate is the sink's own. The rates printed are of a cold JVM.
 */
class SyntheticSinkMemoryTest {

    private static final long MIB = 1L << 20;
    private static final long SIZE = 64 * MIB;
    private static final int OBJECTS = 4;
    private static final String SINK = "sink";

    @Test
    void streamsHundredsOfMebibytesThroughTheSinkInASmallHeap() throws Exception {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertThat(maxHeap).as("this test must run with -Xmx64m (the memory-tests surefire execution)")
                .isLessThanOrEqualTo(80 * MIB);
        StaticCredentialsProvider credentials = StaticCredentialsProvider.create(AwsBasicCredentials.create("a", "b"));
        try (SyntheticS3 s3 = SyntheticS3.builder().objects(OBJECTS).objectSize(SIZE).sinkBucket(SINK).build();
                S3AsyncClient async = S3Clients.asyncClient(s3.endpoint(), Region.US_EAST_1, credentials);
                S3Client client = S3Clients.client(s3.endpoint(), Region.US_EAST_1, credentials);
                HeapPeak heap = HeapPeak.start()) {

            // Relayed copies, in parallel: the sink's MD5 of what arrived is the source's ETag.
            long start = System.nanoTime();
            List<CompletableFuture<String>> copies = new ArrayList<>();
            for (int i = 0; i < OBJECTS; i++) {
                String key = s3.key(i);
                copies.add(async.getObject(b -> b.bucket(s3.sourceBucket()).key(key),
                        AsyncResponseTransformer.toPublisher()).thenCompose(publisher -> async.putObject(
                                b -> b.bucket(SINK).key(key).contentLength(publisher.response().contentLength()),
                                AsyncRequestBody.fromPublisher(publisher))).thenApply(r -> r.eTag()));
            }
            for (int i = 0; i < OBJECTS; i++) {
                assertThat(copies.get(i).join()).isEqualTo("\"" + s3.object(s3.sourceBucket(), s3.key(i))
                        .orElseThrow().eTag() + "\"");
            }
            report("relayed GET -> PUT, async SDK client, 4 in parallel", OBJECTS * SIZE, start);
            assertThat(s3.bytesServed()).isEqualTo(OBJECTS * SIZE);

            // A multipart upload of 64 MiB parts from a stream, signed aws-chunked by the blocking client.
            start = System.nanoTime();
            String key = "mpu/large";
            String uploadId = client.createMultipartUpload(b -> b.bucket(SINK).key(key)).uploadId();
            List<CompletedPart> parts = new ArrayList<>();
            MessageDigest md5s = MessageDigest.getInstance("MD5");
            for (int n = 1; n <= OBJECTS; n++) {
                int number = n;
                String eTag = client.uploadPart(b -> b.bucket(SINK).key(key).uploadId(uploadId).partNumber(number),
                        RequestBody.fromContentProvider(() -> new Generated(number, SIZE), SIZE,
                                "application/octet-stream")).eTag();
                assertThat(eTag).isEqualTo("\"" + Generated.md5Hex(number, SIZE) + "\"");
                md5s.update(HexFormat.of().parseHex(eTag.replace("\"", "")));
                parts.add(CompletedPart.builder().partNumber(n).eTag(eTag).build());
            }
            String eTag = client.completeMultipartUpload(b -> b.bucket(SINK).key(key).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts))).eTag();
            report("multipart upload, blocking SDK client (signed aws-chunked)", OBJECTS * SIZE, start);
            assertThat(eTag).isEqualTo("\"" + HexFormat.of().formatHex(md5s.digest()) + "-" + OBJECTS + "\"");
            assertThat(client.headObject(b -> b.bucket(SINK).key(key)).contentLength()).isEqualTo(OBJECTS * SIZE);

            // The sink alone: one plain PUT of 256 MiB, written to a socket by hand.
            long rawSize = OBJECTS * SIZE;
            String rawMd5 = Generated.md5Hex(7, rawSize);
            start = System.nanoTime();
            String rawETag = rawPut(s3.endpoint(), "/" + SINK + "/raw", new Generated(7, rawSize), rawSize);
            report("one plain PUT over a socket", rawSize, start);
            assertThat(rawETag).isEqualTo("\"" + rawMd5 + "\"");

            assertThat(s3.bytesWritten()).isEqualTo(3 * OBJECTS * SIZE);
            assertThat(s3.requestCount(Operation.PUT_OBJECT)).isEqualTo(OBJECTS + 1);
            assertThat(s3.requestCount(Operation.UPLOAD_PART)).isEqualTo(OBJECTS);
            assertThat(s3.writeCounts()).hasSize(OBJECTS + 2).allSatisfy((k, writes) -> assertThat(writes).isOne());
            assertThat(s3.uploadsInProgress()).isZero();
            System.out.printf("SyntheticS3 sink: %,d MiB received with a heap peak of %,d MiB (max %,d MiB)%n",
                    s3.bytesWritten() / MIB, heap.bytes() / MIB, maxHeap / MIB);
        }
    }

    /** PUTs a body with Content-Length over a plain socket and returns the answer's ETag. */
    private static String rawPut(URI endpoint, String path, InputStream body, long size) throws Exception {
        try (Socket socket = new Socket(endpoint.getHost(), endpoint.getPort())) {
            OutputStream out = socket.getOutputStream();
            out.write(("PUT " + path + " HTTP/1.1\r\nHost: " + endpoint.getAuthority() + "\r\nContent-Length: " + size
                    + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            byte[] buffer = new byte[256 << 10];
            for (int n; (n = body.read(buffer, 0, buffer.length)) > 0; ) {
                out.write(buffer, 0, n);
            }
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            assertThat(in.readLine()).isEqualTo("HTTP/1.1 200 OK");
            for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                if (line.regionMatches(true, 0, "ETag:", 0, 5)) {
                    return line.substring(5).trim();
                }
            }
            return null;
        }
    }

    private static void report(String what, long bytes, long startNanos) {
        double seconds = (System.nanoTime() - startNanos) / 1e9;
        System.out.printf("SyntheticS3 sink: %s: %,d MiB in %.2f s, %.0f MB/s%n", what, bytes / MIB, seconds,
                bytes / 1e6 / seconds);
    }

    /** A stream of generated bytes, never held whole: the synthetic body stream of a seed. */
    private static final class Generated extends InputStream {
        private final long seed;
        private final long size;
        private long offset;

        Generated(long seed, long size) {
            this.seed = seed;
            this.size = size;
        }

        static String md5Hex(long seed, long size) throws Exception {
            MessageDigest md5 = MessageDigest.getInstance("MD5");
            byte[] buffer = new byte[1 << 16];
            try (Generated in = new Generated(seed, size)) {
                for (int n; (n = in.read(buffer)) > 0; ) {
                    md5.update(buffer, 0, n);
                }
            }
            return HexFormat.of().formatHex(md5.digest());
        }

        @Override
        public int read() {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (offset == size) {
                return -1;
            }
            int n = (int) Math.min(len, size - offset);
            SyntheticDataset.fillStream(seed, offset, b, off, n);
            offset += n;
            return n;
        }
    }
}
