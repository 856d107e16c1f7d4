package io.github.s3recon.testkit;

import com.sun.net.httpserver.Headers;
import io.github.s3recon.ChecksumAlgorithm;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * Reads the body of a PutObject or UploadPart request for {@link SyntheticS3}'s sink and throws it
 * away: strips the {@code aws-chunked} framing that the AWS SDK sends (signed chunks, unsigned chunks,
 * trailers), counts the bytes as they arrive, and computes the MD5 and the checksum the client
 * declared, checking them against {@code Content-MD5}, the checksum header or trailer and
 * {@code x-amz-decoded-content-length}. Memory is the caller's buffer, whatever the body's size.
 * HTTP chunking is accepted (S3 itself refuses it); a body with neither {@code Content-Length} nor
 * {@code Transfer-Encoding} is refused with 411 {@code MissingContentLength}, as S3 does.
 * Chunk and trailer signatures and {@code x-amz-content-sha256} are not checked.
 *
 * <p>Stateless; one call reads one request's body on the calling thread.
 */
final class SyntheticUploadBody {

    /** The longest chunk header or trailer line accepted; a signed chunk header is about 90 bytes. */
    private static final int MAX_LINE = 8 << 10;

    /**
     * What a body held.
     *
     * @param size the payload bytes, without framing
     * @param md5 the payload's MD5
     * @param algorithm the checksum algorithm the client declared; null when none
     * @param checksum the checksum computed (and checked when the client sent a value); null when none declared
     */
    record Received(long size, byte[] md5, ChecksumAlgorithm algorithm, byte[] checksum) {
    }

    private SyntheticUploadBody() {
    }

    /**
     * Reads a request body to its end and throws the payload away.
     *
     * @param headers the request headers
     * @param in the request body, as the HTTP server decoded it (without HTTP chunking)
     * @param buffer the buffer to read into
     * @param bytesReceived counts payload bytes as they arrive
     * @param bucket the bucket, for errors
     * @param key the key, for errors; null for a request on the bucket
     * @throws SyntheticHandler.S3Error when the framing is broken or a digest or length does not match
     * @throws IOException when the client goes away
     */
    static Received read(Headers headers, InputStream in, byte[] buffer, LongAdder bytesReceived, String bucket,
            String key) throws IOException {
        return read(headers, in, buffer, bytesReceived, bucket, key, null, 0);
    }

    /**
     * Reads a request body to its end, as {@link #read(Headers, InputStream, byte[], LongAdder, String, String)},
     * and keeps the payload, for the small XML bodies of requests on objects and buckets.
     *
     * @param bytesReceived counts payload bytes as they arrive; null not to count
     * @param keep receives the payload; null to throw it away
     * @param limit the most bytes kept; a longer body is refused
     */
    static Received read(Headers headers, InputStream in, byte[] buffer, LongAdder bytesReceived, String bucket,
            String key, ByteArrayOutputStream keep, int limit) throws IOException {
        if (!headers.containsKey("Content-Length") && !headers.containsKey("Transfer-Encoding")) {
            // Without either, HTTP/1.1 says there is no body, whatever the client sends next.
            throw new SyntheticHandler.S3Error(411, "MissingContentLength",
                    "You must provide the Content-Length HTTP header.", bucket, key);
        }
        ChecksumAlgorithm algorithm = declaredAlgorithm(headers, bucket, key);
        SdkChecksum checksum = algorithm == null ? null : SyntheticChecksums.newChecksum(algorithm);
        MessageDigest md5 = SyntheticChecksums.newMd5();
        String sha256 = headers.getFirst("x-amz-content-sha256");
        String encoding = headers.getFirst("Content-Encoding");
        boolean chunked = (sha256 != null && sha256.startsWith("STREAMING-"))
                || (encoding != null && encoding.toLowerCase(Locale.ROOT).contains("aws-chunked"));
        AwsChunked decoder = chunked ? new AwsChunked(in, bucket, key) : null;
        InputStream payload = chunked ? decoder : in;
        long size = 0;
        for (int n; (n = payload.read(buffer, 0, buffer.length)) > 0; ) {
            md5.update(buffer, 0, n);
            if (checksum != null) {
                checksum.update(buffer, 0, n);
            }
            if (bytesReceived != null) {
                bytesReceived.add(n);
            }
            if (keep != null) {
                if (keep.size() + n > limit) {
                    throw new SyntheticHandler.S3Error(400, "MaxMessageLengthExceeded", "Your request was too big: "
                            + "more than " + limit + " bytes", bucket, key);
                }
                keep.write(buffer, 0, n);
            }
            size += n;
        }
        String decodedLength = headers.getFirst("x-amz-decoded-content-length");
        if (chunked && decodedLength != null && !decodedLength.trim().equals(Long.toString(size))) {
            throw new SyntheticHandler.S3Error(400, "IncompleteBody", "You did not provide the number of bytes "
                    + "specified by the x-amz-decoded-content-length header: " + decodedLength + " declared, " + size
                    + " received", bucket, key);
        }
        byte[] digest = md5.digest();
        String contentMd5 = headers.getFirst("Content-MD5");
        if (contentMd5 != null && !Arrays.equals(SyntheticChecksums.decode(contentMd5), digest)) {
            throw new SyntheticHandler.S3Error(400, "BadDigest",
                    "The Content-MD5 you specified did not match what we received.", bucket, key);
        }
        byte[] computed = null;
        if (algorithm != null) {
            computed = checksum.getChecksumBytes();
            String name = SyntheticChecksums.header(algorithm);
            String sent = headers.getFirst(name);
            if (sent == null && decoder != null) {
                sent = decoder.trailers.get(name);
            }
            if (sent != null && !Arrays.equals(SyntheticChecksums.decode(sent), computed)) {
                throw new SyntheticHandler.S3Error(400, "BadDigest", "The " + algorithm
                        + " you specified did not match the calculated checksum.", bucket, key);
            }
        }
        return new Received(size, digest, algorithm, computed);
    }

    /**
     * Returns the checksum algorithm of a request: from {@code x-amz-sdk-checksum-algorithm}, the
     * trailer it announces or a checksum header; null when it has none.
     */
    static ChecksumAlgorithm declaredAlgorithm(Headers headers, String bucket, String key) {
        String sdk = headers.getFirst("x-amz-sdk-checksum-algorithm");
        if (sdk != null) {
            ChecksumAlgorithm algorithm = SyntheticChecksums.fromName(sdk.trim());
            if (algorithm == null) {
                throw new SyntheticHandler.S3Error(400, "InvalidRequest",
                        "Value for x-amz-sdk-checksum-algorithm header is invalid: " + sdk, bucket, key);
            }
            return algorithm;
        }
        String trailer = headers.getFirst("x-amz-trailer");
        if (trailer != null) {
            ChecksumAlgorithm algorithm = SyntheticChecksums.fromHeader(trailer.trim());
            if (algorithm != null) {
                return algorithm;
            }
        }
        for (String name : headers.keySet()) {
            ChecksumAlgorithm algorithm = SyntheticChecksums.fromHeader(name);
            if (algorithm != null) {
                return algorithm;
            }
        }
        return null;
    }

    /**
     * Decodes {@code aws-chunked}: {@code hex-size[;chunk-signature=...]\r\n data \r\n}, repeated,
     * ending with a zero-size chunk, then trailer lines {@code name:value\r\n} and an empty line.
     */
    private static final class AwsChunked extends InputStream {

        final Map<String, String> trailers = new HashMap<>();
        private final InputStream in;
        private final String bucket;
        private final String key;
        private final byte[] line = new byte[MAX_LINE];
        private long remaining;
        private boolean first = true;
        private boolean done;

        AwsChunked(InputStream in, String bucket, String key) {
            this.in = in;
            this.bucket = bucket;
            this.key = key;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (len == 0) {
                return 0;
            }
            while (remaining == 0) {
                if (done) {
                    return -1;
                }
                nextChunk();
            }
            int n = in.read(b, off, (int) Math.min(len, remaining));
            if (n < 0) {
                throw malformed("the body ended inside a chunk");
            }
            remaining -= n;
            return n;
        }

        private void nextChunk() throws IOException {
            if (!first && !readLine().isEmpty()) {
                throw malformed("a chunk's data is not followed by CRLF");
            }
            first = false;
            String header = readLine();
            int semicolon = header.indexOf(';');
            String hex = (semicolon < 0 ? header : header.substring(0, semicolon)).trim();
            long size;
            try {
                size = Long.parseLong(hex, 16);
            } catch (NumberFormatException e) {
                size = -1;
            }
            if (size < 0) {
                throw malformed("chunk header '" + header + "' has no hexadecimal size");
            }
            if (size > 0) {
                remaining = size;
                return;
            }
            done = true;
            // Trailers (x-amz-checksum-*, x-amz-trailer-signature) up to an empty line or the end.
            for (String trailer; (trailer = readLineOrNull()) != null && !trailer.isEmpty(); ) {
                int colon = trailer.indexOf(':');
                if (colon > 0) {
                    trailers.put(trailer.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                            trailer.substring(colon + 1).trim());
                }
            }
        }

        private String readLine() throws IOException {
            String s = readLineOrNull();
            if (s == null) {
                throw malformed("the body ended before its last chunk");
            }
            return s;
        }

        /** Reads up to CRLF (or a bare LF); null at the end of the body. */
        private String readLineOrNull() throws IOException {
            int length = 0;
            for (int c; (c = in.read()) >= 0; ) {
                if (c == '\n') {
                    if (length > 0 && line[length - 1] == '\r') {
                        length--;
                    }
                    return new String(line, 0, length, StandardCharsets.ISO_8859_1);
                }
                if (length == line.length) {
                    throw malformed("a chunk header or trailer is longer than " + MAX_LINE + " bytes");
                }
                line[length++] = (byte) c;
            }
            return length == 0 ? null : new String(line, 0, length, StandardCharsets.ISO_8859_1);
        }

        private SyntheticHandler.S3Error malformed(String what) {
            return new SyntheticHandler.S3Error(400, "IncompleteBody",
                    "The aws-chunked body is malformed: " + what, bucket, key);
        }
    }
}
