package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataSizeTest {

    @Test
    void unitsAreBinary() {
        assertThat(DataSize.ofBytes(5).toBytes()).isEqualTo(5);
        assertThat(DataSize.ofKibibytes(3).toBytes()).isEqualTo(3 * 1024L);
        assertThat(DataSize.ofMebibytes(16).toBytes()).isEqualTo(16L * 1024 * 1024);
        assertThat(DataSize.ofGibibytes(5).toBytes()).isEqualTo(5L * 1024 * 1024 * 1024);
        assertThat(DataSize.ofMebibytes(16).bytes()).isEqualTo(16_777_216L);
    }

    @Test
    void zeroIsAllowedInEveryUnit() {
        assertThat(DataSize.ofBytes(0).toBytes()).isZero();
        assertThat(DataSize.ofKibibytes(0)).isEqualTo(DataSize.ofGibibytes(0));
    }

    @Test
    void equalAmountsInDifferentUnitsAreEqual() {
        assertThat(DataSize.ofMebibytes(1024)).isEqualTo(DataSize.ofGibibytes(1)).hasSameHashCodeAs(
                DataSize.ofGibibytes(1));
        assertThat(DataSize.ofKibibytes(1)).isEqualTo(DataSize.ofBytes(1024));
    }

    @Test
    void largestAmountsThatFit() {
        assertThat(DataSize.ofBytes(Long.MAX_VALUE).toBytes()).isEqualTo(Long.MAX_VALUE);
        assertThat(DataSize.ofGibibytes(Long.MAX_VALUE >> 30).toBytes()).isEqualTo((Long.MAX_VALUE >> 30) << 30);
        assertThat(DataSize.ofKibibytes(Long.MAX_VALUE >> 10).toBytes()).isEqualTo((Long.MAX_VALUE >> 10) << 10);
    }

    @Test
    void overflowIsRejectedNotWrapped() {
        assertThatThrownBy(() -> DataSize.ofGibibytes((Long.MAX_VALUE >> 30) + 1))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining(((Long.MAX_VALUE >> 30) + 1) + " GiB").hasMessageContaining("too large");
        assertThatThrownBy(() -> DataSize.ofMebibytes(Long.MAX_VALUE)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("MiB");
        assertThatThrownBy(() -> DataSize.ofKibibytes(Long.MAX_VALUE / 1024 + 1)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("KiB");
    }

    @Test
    void negativeAmountsAreRejectedNamingTheValueAndUnit() {
        assertThatThrownBy(() -> DataSize.ofBytes(-1))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("negative").hasMessageContaining("-1 bytes");
        assertThatThrownBy(() -> new DataSize(Long.MIN_VALUE)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining(Long.toString(Long.MIN_VALUE));
        assertThatThrownBy(() -> DataSize.ofKibibytes(-2)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("-2 KiB");
        assertThatThrownBy(() -> DataSize.ofMebibytes(-3)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("-3 MiB");
        // negative times the unit would not overflow for this one, and must not pass as a positive size either
        assertThatThrownBy(() -> DataSize.ofGibibytes(Long.MIN_VALUE)).isInstanceOf(S3ReconException.class)
                .hasMessageContaining("negative");
    }

    @Test
    void toStringUsesTheLargestUnitThatDividesTheSize() {
        assertThat(DataSize.ofMebibytes(16)).hasToString("16MiB");
        assertThat(DataSize.ofBytes(0)).hasToString("0B");
        assertThat(DataSize.ofBytes(1)).hasToString("1B");
        assertThat(DataSize.ofBytes(1023)).hasToString("1023B");
        assertThat(DataSize.ofBytes(1536)).hasToString("1536B");
        assertThat(DataSize.ofKibibytes(1)).hasToString("1KiB");
        assertThat(DataSize.ofKibibytes(1536)).hasToString("1536KiB");
        assertThat(DataSize.ofMebibytes(1024)).hasToString("1GiB");
        assertThat(DataSize.ofGibibytes(5)).hasToString("5GiB");
        assertThat(DataSize.ofGibibytes(1024)).hasToString("1TiB");
        assertThat(DataSize.ofGibibytes(1024L * 1024)).hasToString("1024TiB");
        assertThat(DataSize.ofBytes(Long.MAX_VALUE)).hasToString(Long.MAX_VALUE + "B");
    }

    @Test
    void comparesByBytes() {
        DataSize kib = DataSize.ofKibibytes(1);
        assertThat(kib.compareTo(DataSize.ofBytes(1024))).isZero();
        assertThat(kib.compareTo(DataSize.ofBytes(1023))).isPositive();
        assertThat(kib.compareTo(DataSize.ofMebibytes(1))).isNegative();
        assertThat(DataSize.ofBytes(Long.MAX_VALUE).compareTo(DataSize.ofBytes(0))).isPositive();
        assertThat(DataSize.ofBytes(0).compareTo(DataSize.ofBytes(Long.MAX_VALUE))).isNegative();

        List<DataSize> sizes = new ArrayList<>(List.of(DataSize.ofGibibytes(1), DataSize.ofBytes(7),
                DataSize.ofMebibytes(5), DataSize.ofKibibytes(64)));
        Collections.sort(sizes);
        assertThat(sizes).containsExactly(DataSize.ofBytes(7), DataSize.ofKibibytes(64), DataSize.ofMebibytes(5),
                DataSize.ofGibibytes(1));
        assertThat(Collections.max(sizes)).isEqualTo(DataSize.ofGibibytes(1));
    }
}
