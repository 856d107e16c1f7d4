package io.github.s3recon.testkit;

import io.github.s3recon.ChecksumAlgorithm;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import software.amazon.awssdk.checksums.DefaultChecksumAlgorithm;
import software.amazon.awssdk.checksums.SdkChecksum;

/**
 * The checksums of {@link SyntheticS3}'s sink as S3 names and computes them: header and XML names,
 * a fresh digest per algorithm, and the two ways S3 derives a multipart object's checksum from its
 * parts' (a full-object CRC by combining the parts' CRCs, or a composite digest of the part
 * checksums).
 *
 * <p>Stateless and thread-safe; the digests it returns are not.
 */
final class SyntheticChecksums {

    /** Reflected polynomials of the CRCs; all three start and end with every bit set. */
    private static final long CRC32_POLY = 0xEDB88320L;
    private static final long CRC32C_POLY = 0x82F63B78L;
    private static final long CRC64NVME_POLY = 0x9A6C9329AC4BC9B5L;

    private SyntheticChecksums() {
    }

    /** Returns the algorithm a header or trailer name such as {@code x-amz-checksum-crc64nvme} names, or null. */
    static ChecksumAlgorithm fromHeader(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        if (!lower.startsWith("x-amz-checksum-")) {
            return null;
        }
        return fromName(lower.substring("x-amz-checksum-".length()));
    }

    /** Returns the algorithm of a name such as {@code CRC64NVME} or {@code crc32c} (any case), or null. */
    static ChecksumAlgorithm fromName(String name) {
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            if (algorithm.name().equalsIgnoreCase(name)) {
                return algorithm;
            }
        }
        return null;
    }

    /** Returns the header that carries a checksum, e.g. {@code x-amz-checksum-crc64nvme}. */
    static String header(ChecksumAlgorithm algorithm) {
        return "x-amz-checksum-" + algorithm.name().toLowerCase(Locale.ROOT);
    }

    /** Returns the XML element that carries a checksum, e.g. {@code ChecksumCRC64NVME}. */
    static String element(ChecksumAlgorithm algorithm) {
        return "Checksum" + algorithm.name();
    }

    /** Returns whether S3 can keep a full-object checksum of a multipart upload (CRCs only). */
    static boolean combinable(ChecksumAlgorithm algorithm) {
        return algorithm == ChecksumAlgorithm.CRC32 || algorithm == ChecksumAlgorithm.CRC32C
                || algorithm == ChecksumAlgorithm.CRC64NVME;
    }

    /** Returns a fresh digest of an algorithm; its bytes are big-endian, as S3 encodes them in base64. */
    static SdkChecksum newChecksum(ChecksumAlgorithm algorithm) {
        return SdkChecksum.forAlgorithm(switch (algorithm) {
            case CRC64NVME -> DefaultChecksumAlgorithm.CRC64NVME;
            case CRC32 -> DefaultChecksumAlgorithm.CRC32;
            case CRC32C -> DefaultChecksumAlgorithm.CRC32C;
            case SHA1 -> DefaultChecksumAlgorithm.SHA1;
            case SHA256 -> DefaultChecksumAlgorithm.SHA256;
        });
    }

    static String base64(byte[] bytes) {
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** Decodes a base64 checksum value; null when it is not base64. */
    static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64.trim());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * Returns the CRC of the concatenation of parts from the parts' CRCs and lengths, as S3 computes
     * a multipart object's full-object checksum: {@code crc(a + b) = crc(a) × x^(8·|b|) mod P + crc(b)}
     * (zlib's {@code crc32_combine}, generalised to 64 bits).
     */
    static byte[] combine(ChecksumAlgorithm algorithm, List<byte[]> crcs, List<Long> lengths) {
        int width = algorithm == ChecksumAlgorithm.CRC64NVME ? 64 : 32;
        long poly = switch (algorithm) {
            case CRC32 -> CRC32_POLY;
            case CRC32C -> CRC32C_POLY;
            case CRC64NVME -> CRC64NVME_POLY;
            default -> throw new IllegalArgumentException(algorithm + " does not combine");
        };
        long crc = toLong(crcs.get(0));
        for (int k = 1; k < crcs.size(); k++) {
            crc = multiply(powerOfX(8 * lengths.get(k), poly, width), crc, poly, width) ^ toLong(crcs.get(k));
        }
        byte[] out = new byte[width / 8];
        for (int k = out.length - 1; k >= 0; k--) {
            out[k] = (byte) crc;
            crc >>>= 8;
        }
        return out;
    }

    /** Returns S3's composite checksum of parts: the digest of the parts' checksums, then {@code -N}. */
    static String composite(ChecksumAlgorithm algorithm, List<byte[]> checksums) {
        SdkChecksum digest = newChecksum(algorithm);
        for (byte[] c : checksums) {
            digest.update(c, 0, c.length);
        }
        return base64(digest.getChecksumBytes()) + "-" + checksums.size();
    }

    /** Returns the MD5 of bytes. */
    static byte[] md5(byte[] bytes) {
        return newMd5().digest(bytes);
    }

    static MessageDigest newMd5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has MD5", e);
        }
    }

    static String hex(byte[] bytes) {
        StringBuilder s = new StringBuilder(bytes.length * 2);
        for (byte b : bytes) {
            s.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return s.toString();
    }

    private static long toLong(byte[] bigEndian) {
        long value = 0;
        for (byte b : bigEndian) {
            value = value << 8 | (b & 0xFF);
        }
        return value;
    }

    /** Multiplies two polynomials modulo P, in the reflected bit order of the CRC (bit width-1 is x^0). */
    private static long multiply(long a, long b, long poly, int width) {
        long top = 1L << (width - 1);
        long product = 0;
        for (long m = top; m != 0; m >>>= 1) {
            if ((a & m) != 0) {
                product ^= b;
            }
            b = (b & 1) != 0 ? (b >>> 1) ^ poly : b >>> 1;
        }
        return product;
    }

    /** Returns x^n mod P by squaring, in the reflected bit order. */
    private static long powerOfX(long n, long poly, int width) {
        long result = 1L << (width - 1); // x^0
        long square = 1L << (width - 2); // x^1
        while (n != 0) {
            if ((n & 1) != 0) {
                result = multiply(square, result, poly, width);
            }
            square = multiply(square, square, poly, width);
            n >>>= 1;
        }
        return result;
    }
}
