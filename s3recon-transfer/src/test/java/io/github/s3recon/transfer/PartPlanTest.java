package io.github.s3recon.transfer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import org.junit.jupiter.api.Test;

class PartPlanTest {

    private static final long MIB = 1L << 20;
    private static final long GIB = 1L << 30;
    private static final long TIB = 1L << 40;

    @Test
    void cutsAnObjectIntoPartsOfThePreferredSizeWithAShorterLastOne() {
        PartPlan plan = PartPlan.of(40 * MIB + 3, 16 * MIB);
        assertThat(plan.partSize()).isEqualTo(16 * MIB);
        assertThat(plan.partCount()).isEqualTo(3);
        assertThat(plan.length(1)).isEqualTo(16 * MIB);
        assertThat(plan.length(3)).isEqualTo(8 * MIB + 3);
        assertThat(plan.range(1)).isEqualTo("bytes=0-" + (16 * MIB - 1));
        assertThat(plan.range(3)).isEqualTo("bytes=" + 32 * MIB + "-" + (40 * MIB + 2));
    }

    @Test
    void anObjectOfExactlyOnePartHasOnePart() {
        PartPlan plan = PartPlan.of(16 * MIB, 16 * MIB);
        assertThat(plan.partCount()).isEqualTo(1);
        assertThat(plan.range(1)).isEqualTo("bytes=0-" + (16 * MIB - 1));
    }

    @Test
    void anObjectBelowOnePartIsOneShortPart() {
        PartPlan plan = PartPlan.of(3, 5 * MIB);
        assertThat(plan.partCount()).isEqualTo(1);
        assertThat(plan.length(1)).isEqualTo(3);
    }

    @Test
    void tenThousandPartsFitWithoutGrowing() {
        PartPlan plan = PartPlan.of(10_000 * 16 * MIB, 16 * MIB);
        assertThat(plan.partSize()).isEqualTo(16 * MIB);
        assertThat(plan.partCount()).isEqualTo(10_000);
    }

    @Test
    void growsThePartSizeInWholeMebibytesSoThatNoObjectNeedsMoreThanTenThousandParts() {
        PartPlan plan = PartPlan.of(10_000 * 16 * MIB + 1, 16 * MIB);
        assertThat(plan.partSize()).isEqualTo(17 * MIB);
        assertThat(plan.partCount()).isLessThanOrEqualTo(10_000);

        PartPlan fiveTib = PartPlan.of(5 * TIB, 16 * MIB);
        assertThat(fiveTib.partSize() % MIB).isZero();
        assertThat(fiveTib.partCount()).isLessThanOrEqualTo(10_000);
        assertThat(fiveTib.partSize() * fiveTib.partCount()).isGreaterThanOrEqualTo(5 * TIB);
        assertThat(fiveTib.partSize()).isLessThanOrEqualTo(5 * GIB);
        // The last part holds the rest, at least one byte.
        assertThat(fiveTib.length(fiveTib.partCount())).isPositive();
        assertThat(fiveTib.offset(fiveTib.partCount()) + fiveTib.length(fiveTib.partCount())).isEqualTo(5 * TIB);
    }

    @Test
    void objectsAboveFiveGibibytesSplitIntoPartsOfAtMostFiveGibibytes() {
        PartPlan plan = PartPlan.of(6 * GIB, 5 * GIB);
        assertThat(plan.partCount()).isEqualTo(2);
        assertThat(plan.length(2)).isEqualTo(GIB);
    }

    @Test
    void anObjectBeyondTenThousandPartsOfFiveGibibytesCannotBeCopied() {
        assertThatThrownBy(() -> PartPlan.of(10_000 * 5 * GIB + 1, 16 * MIB))
                .isInstanceOf(S3ReconException.class)
                .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.COPY_FAILED))
                .hasMessageContaining("10,000 parts of 5 GiB");
    }
}
