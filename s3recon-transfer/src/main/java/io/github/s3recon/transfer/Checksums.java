package io.github.s3recon.transfer;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import java.nio.ByteBuffer;
import java.util.Base64;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;
import software.amazon.awssdk.core.SdkPojo;
import software.amazon.awssdk.services.s3.model.CompleteMultipartUploadRequest;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * The checksum algorithms as the SDK names them, their values in S3's base64 form, and the
 * combination of CRCs of consecutive parts into the CRC of the whole, which is how a multipart
 * upload gets a full-object checksum while its parts travel in parallel.
 */
final class Checksums {

    private Checksums() {
    }

    /**
     * Returns a new running checksum.
     *
     * @param algorithm the algorithm; not null
     * @return a checksum at its initial value (CRC64NVME needs the CRT on the class path)
     */
    static SdkChecksum newChecksum(ChecksumAlgorithm algorithm) {
        return SdkChecksum.forAlgorithm(sdkAlgorithm(algorithm));
    }

    /** Returns the algorithm as the SDK's checksums and signer name it. */
    static software.amazon.awssdk.checksums.spi.ChecksumAlgorithm sdkAlgorithm(ChecksumAlgorithm algorithm) {
        return switch (algorithm) {
            case CRC64NVME -> DefaultChecksumAlgorithm.CRC64NVME;
            case CRC32 -> DefaultChecksumAlgorithm.CRC32;
            case CRC32C -> DefaultChecksumAlgorithm.CRC32C;
            case SHA1 -> DefaultChecksumAlgorithm.SHA1;
            case SHA256 -> DefaultChecksumAlgorithm.SHA256;
        };
    }

    /**
     * Returns the algorithm as the S3 model names it.
     *
     * @param algorithm the algorithm; not null
     * @return the model's constant
     */
    static software.amazon.awssdk.services.s3.model.ChecksumAlgorithm toSdk(ChecksumAlgorithm algorithm) {
        return switch (algorithm) {
            case CRC64NVME -> software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC64_NVME;
            case CRC32 -> software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32;
            case CRC32C -> software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.CRC32_C;
            case SHA1 -> software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.SHA1;
            case SHA256 -> software.amazon.awssdk.services.s3.model.ChecksumAlgorithm.SHA256;
        };
    }

    /**
     * Tells whether checksums of parts combine into the checksum of the whole (the CRCs), so that a
     * multipart upload can carry a FULL_OBJECT checksum; S3 allows only COMPOSITE ones for SHAs.
     *
     * @param algorithm the algorithm; not null
     * @return true for the CRCs
     */
    static boolean combinable(ChecksumAlgorithm algorithm) {
        return algorithm != ChecksumAlgorithm.SHA1 && algorithm != ChecksumAlgorithm.SHA256;
    }

    /**
     * Returns the final value of a running checksum as S3 writes it.
     *
     * @param checksum the checksum; not null
     * @return base64 of its big-endian bytes
     */
    static String base64(SdkChecksum checksum) {
        return Base64.getEncoder().encodeToString(checksum.getChecksumBytes());
    }

    /**
     * Feeds a buffer's remaining bytes without moving its position.
     *
     * @param checksum the checksum; not null
     * @param buffer the bytes; not null
     * @param scratch a reusable array for buffers without one
     */
    static void update(SdkChecksum checksum, ByteBuffer buffer, byte[] scratch) {
        if (buffer.hasArray()) {
            checksum.update(buffer.array(), buffer.arrayOffset() + buffer.position(), buffer.remaining());
            return;
        }
        ByteBuffer view = buffer.duplicate();
        while (view.hasRemaining()) {
            int n = Math.min(scratch.length, view.remaining());
            view.get(scratch, 0, n);
            checksum.update(scratch, 0, n);
        }
    }

    /**
     * Returns the checksum of {@code a} followed by {@code b} from theirs: the CRC of {@code a}
     * advanced over {@code lengthOfB} zero bytes, xor the CRC of {@code b} (zlib's
     * {@code crc32_combine}, for any reflected CRC whose initial and final xor are all ones, which
     * CRC32, CRC32C and CRC64NVME all are).
     *
     * @param algorithm a {@link #combinable} algorithm
     * @param a the base64 CRC of the first bytes
     * @param b the base64 CRC of the bytes that follow
     * @param lengthOfB how many bytes follow
     * @return the base64 CRC of the whole
     */
    static String combine(ChecksumAlgorithm algorithm, String a, String b, long lengthOfB) {
        int width = algorithm == ChecksumAlgorithm.CRC64NVME ? 64 : 32;
        long poly = switch (algorithm) {
            case CRC64NVME -> 0x9A6C9329AC4BC9B5L; // 0xAD93D23594C93659 reflected
            case CRC32 -> 0xEDB88320L;
            case CRC32C -> 0x82F63B78L;
            default -> throw new IllegalArgumentException(algorithm + " checksums do not combine");
        };
        long combined = combine(toLong(a), toLong(b), lengthOfB, poly, width);
        return Base64.getEncoder().encodeToString(toBytes(combined, width / 8));
    }

    static long combine(long crc1, long crc2, long len2, long poly, int width) {
        if (len2 == 0) {
            return crc1;
        }
        long[] even = new long[width];
        long[] odd = new long[width];
        // The operator for one zero bit, then squared to two and four bits; each further squaring
        // doubles the run of zeros, applied where len2 (in bytes) has a bit set.
        odd[0] = poly;
        long row = 1;
        for (int n = 1; n < width; n++) {
            odd[n] = row;
            row <<= 1;
        }
        square(even, odd);
        square(odd, even);
        do {
            square(even, odd);
            if ((len2 & 1) != 0) {
                crc1 = times(even, crc1);
            }
            len2 >>>= 1;
            if (len2 == 0) {
                break;
            }
            square(odd, even);
            if ((len2 & 1) != 0) {
                crc1 = times(odd, crc1);
            }
            len2 >>>= 1;
        } while (len2 != 0);
        return crc1 ^ crc2;
    }

    private static long times(long[] matrix, long vector) {
        long sum = 0;
        for (int i = 0; vector != 0; i++, vector >>>= 1) {
            if ((vector & 1) != 0) {
                sum ^= matrix[i];
            }
        }
        return sum;
    }

    private static void square(long[] square, long[] matrix) {
        for (int n = 0; n < matrix.length; n++) {
            square[n] = times(matrix, matrix[n]);
        }
    }

    private static long toLong(String base64) {
        long v = 0;
        for (byte b : Base64.getDecoder().decode(base64)) {
            v = v << 8 | (b & 0xFF);
        }
        return v;
    }

    private static byte[] toBytes(long v, int length) {
        byte[] bytes = new byte[length];
        for (int i = length - 1; i >= 0; i--, v >>>= 8) {
            bytes[i] = (byte) v;
        }
        return bytes;
    }

    /**
     * Reads the checksum of an algorithm from a response or model object that carries
     * {@code ChecksumCRC32}-style fields.
     *
     * @param pojo the response; may be null
     * @param algorithm the algorithm; not null
     * @return the base64 value, or null
     */
    static String valueIn(SdkPojo pojo, ChecksumAlgorithm algorithm) {
        if (pojo == null) {
            return null;
        }
        String field = "Checksum" + algorithm.name();
        return pojo.sdkFields().stream().filter(f -> f.memberName().equals(field)).findFirst()
                .map(f -> (String) f.getValueOrDefault(pojo)).orElse(null);
    }

    /**
     * Returns the header that carries a checksum of an algorithm, e.g. {@code x-amz-checksum-crc64nvme}.
     *
     * @param algorithm the algorithm; not null
     * @return the header's name in lower case
     */
    static String header(ChecksumAlgorithm algorithm) {
        return "x-amz-checksum-" + algorithm.name().toLowerCase(java.util.Locale.ROOT);
    }

    /**
     * Sets the checksum of an algorithm on a response or model builder that has
     * {@code ChecksumCRC32}-style fields (the counterpart of {@link #valueIn}).
     *
     * @param builder the builder
     * @param algorithm the algorithm
     * @param value the base64 value
     */
    static void setIn(SdkPojo builder, ChecksumAlgorithm algorithm, String value) {
        String field = "Checksum" + algorithm.name();
        builder.sdkFields().stream().filter(f -> f.memberName().equals(field)).findFirst()
                .ifPresent(f -> f.set(builder, value));
    }

    /**
     * Returns the first checksum an object's GET or HEAD response carries, as a {@link Checksum}.
     * A checksum type the server does not state is inferred from the value: S3 writes composite
     * checksums as {@code base64-N}.
     *
     * @param response the response; not null
     * @param statedType the {@code x-amz-checksum-type} the server sent, or null
     * @return the checksum, or null when the response has none
     */
    static Checksum stored(SdkPojo response, String statedType) {
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            String value = valueIn(response, algorithm);
            if (value != null && !value.isBlank()) {
                ChecksumType type = "COMPOSITE".equals(statedType) || (statedType == null && value.indexOf('-') > 0)
                        ? ChecksumType.COMPOSITE : ChecksumType.FULL_OBJECT;
                return Checksum.of(algorithm, type, value);
            }
        }
        return null;
    }

    /**
     * Sets a part's checksum in a CompleteMultipartUpload part list.
     *
     * @param part the part's builder
     * @param algorithm the algorithm
     * @param value the base64 value; null sets nothing
     */
    static void set(CompletedPart.Builder part, ChecksumAlgorithm algorithm, String value) {
        if (value == null) {
            return;
        }
        switch (algorithm) {
            case CRC64NVME -> part.checksumCRC64NVME(value);
            case CRC32 -> part.checksumCRC32(value);
            case CRC32C -> part.checksumCRC32C(value);
            case SHA1 -> part.checksumSHA1(value);
            case SHA256 -> part.checksumSHA256(value);
        }
    }

    /**
     * Sets the whole object's expected checksum on a CompleteMultipartUpload.
     *
     * @param request the request's builder
     * @param algorithm the algorithm
     * @param value the base64 value; null sets nothing
     */
    static void set(CompleteMultipartUploadRequest.Builder request, ChecksumAlgorithm algorithm, String value) {
        if (value == null) {
            return;
        }
        switch (algorithm) {
            case CRC64NVME -> request.checksumCRC64NVME(value);
            case CRC32 -> request.checksumCRC32(value);
            case CRC32C -> request.checksumCRC32C(value);
            case SHA1 -> request.checksumSHA1(value);
            case SHA256 -> request.checksumSHA256(value);
        }
    }
}
