package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.ChecksumAlgorithm;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import software.amazon.awssdk.checksums.SdkChecksum;

class ChecksumsTest {

    private static String checksum(ChecksumAlgorithm algorithm, byte[] bytes, int from, int to) {
        SdkChecksum c = Checksums.newChecksum(algorithm);
        c.update(bytes, from, to - from);
        return Checksums.base64(c);
    }

    @ParameterizedTest
    @EnumSource(value = ChecksumAlgorithm.class, names = {"CRC64NVME", "CRC32", "CRC32C"})
    void theCrcsOfConsecutivePartsCombineIntoTheCrcOfTheWhole(ChecksumAlgorithm algorithm) {
        Random random = new Random(7);
        byte[] bytes = new byte[300_000];
        random.nextBytes(bytes);
        for (int round = 0; round < 20; round++) {
            int[] cuts = random.ints(1 + random.nextInt(5), 0, bytes.length + 1).sorted().toArray();
            int[] bounds = new int[cuts.length + 2];
            System.arraycopy(cuts, 0, bounds, 1, cuts.length);
            bounds[bounds.length - 1] = bytes.length;
            String whole = checksum(algorithm, bytes, 0, bounds[1]);
            for (int i = 1; i < bounds.length - 1; i++) {
                whole = Checksums.combine(algorithm, whole, checksum(algorithm, bytes, bounds[i], bounds[i + 1]),
                        bounds[i + 1] - bounds[i]);
            }
            assertThat(whole).as("cuts %s", Arrays.toString(cuts)).isEqualTo(checksum(algorithm, bytes, 0, bytes.length));
        }
    }

    @ParameterizedTest
    @EnumSource(ChecksumAlgorithm.class)
    void everyAlgorithmHasAChecksumAndAnSdkName(ChecksumAlgorithm algorithm) {
        assertThat(checksum(algorithm, new byte[] {1, 2, 3}, 0, 3)).isNotBlank();
        assertThat(Checksums.toSdk(algorithm).toString()).isEqualTo(algorithm.name());
    }

    @org.junit.jupiter.api.Test
    void crc64nvmeOfAKnownStringIsWhatS3Computes() {
        // The value S3 (and S3Mock) store for "hello world".
        byte[] hello = "hello world".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        assertThat(checksum(ChecksumAlgorithm.CRC64NVME, hello, 0, hello.length)).isEqualTo("jSnVw/bqjr4=");
    }
}
