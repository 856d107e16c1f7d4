package io.github.s3recon.transfer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/**
 * A relayed body written as {@code aws-chunked} with unsigned chunks and its checksum trailing
 * ({@code STREAMING-UNSIGNED-PAYLOAD-TRAILER}): the framing the SDK's signer produces, byte for
 * byte (chunks of {@value #CHUNK} bytes, the last one shorter, then a zero chunk and the trailer),
 * written straight from the relay's buffer. The SDK's own framed stream copies every chunk into a
 * new array and computes the checksum a second time (a sixth of a relay's CPU); here the checksum is
 * the one the relay already computes as the bytes pass.
 *
 * <p>Not thread-safe; one per write.
 */
final class AwsChunkedBody {

    /** The SDK's chunk size for a body with a trailing checksum. */
    static final int CHUNK = 128 << 10;

    private static final byte[] CRLF = {'\r', '\n'};

    private AwsChunkedBody() {
    }

    /**
     * Returns the framed length of a body.
     *
     * @param length the body's length
     * @param trailerName the trailer's header name, e.g. {@code x-amz-checksum-crc64nvme}
     * @param valueLength the length of the checksum's base64 value
     * @return what goes as the request's {@code Content-Length}
     */
    static long framedLength(long length, String trailerName, int valueLength) {
        long full = length / CHUNK;
        int last = (int) (length % CHUNK);
        long framed = full * (Integer.toHexString(CHUNK).length() + 2 + CHUNK + 2);
        if (last > 0) {
            framed += Integer.toHexString(last).length() + 2 + last + 2;
        }
        // "0\r\n", the trailer "name:value\r\n", and the empty line that ends the body.
        return framed + 3 + trailerName.length() + 1 + valueLength + 2 + 2;
    }

    /**
     * Writes {@code length} bytes of a body framed, then the trailer; the checksum is asked for only
     * once the last bytes were read (the body's own checks run in its reads, before they are sent).
     *
     * @param body the body; read to exactly {@code length} bytes (one fewer ends in an exception)
     * @param length the body's length
     * @param out where the framed body goes
     * @param trailerName the trailer's header name
     * @param checksum the checksum's base64 value, asked once the body was read
     * @param buffer the relay's buffer, at least {@value #CHUNK} bytes
     */
    static void write(InputStream body, long length, OutputStream out, String trailerName, Supplier<String> checksum,
            byte[] buffer) throws IOException {
        long left = length;
        while (left > 0) {
            int n = (int) Math.min(CHUNK, left);
            // Whole chunks, as the length was computed with them.
            int filled = body.readNBytes(buffer, 0, n);
            if (filled != n) {
                throw new IOException("the source's body ended " + (left - filled) + " bytes short");
            }
            out.write(Integer.toHexString(n).getBytes(StandardCharsets.US_ASCII));
            out.write(CRLF);
            out.write(buffer, 0, n);
            out.write(CRLF);
            left -= n;
        }
        out.write(("0\r\n" + trailerName + ":" + checksum.get() + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
    }
}
