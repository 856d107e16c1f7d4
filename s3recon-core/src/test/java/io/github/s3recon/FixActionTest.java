package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FixActionTest {

    private static final ObjectEntry SOURCE = ObjectEntry.of("k", 10, "0cc175b9c0f1b6a831c399e269772661");
    private static final ObjectEntry DESTINATION = ObjectEntry.of("k", 10, "92eb5ffee6ae2fec3ad71c777531578f");

    private static Difference difference(DifferenceType type) {
        ObjectEntry dst = type == DifferenceType.SIZE_MISMATCH ? ObjectEntry.of("k", 11, null) : DESTINATION;
        return Difference.of(type, type == DifferenceType.EXTRA_IN_DESTINATION ? null : SOURCE,
                type == DifferenceType.MISSING_IN_DESTINATION ? null : dst);
    }

    // Every type under every policy, with and without deleting extraneous objects; empty: left as it is.
    @ParameterizedTest(name = "{0} under {1}, deleteExtraneous={2}: {3}")
    @CsvSource({
            "MISSING_IN_DESTINATION, ALWAYS, false, COPY",
            "MISSING_IN_DESTINATION, ALWAYS, true, COPY",
            "MISSING_IN_DESTINATION, IF_DIFFERENT, false, COPY",
            "MISSING_IN_DESTINATION, IF_DIFFERENT, true, COPY",
            "MISSING_IN_DESTINATION, NEVER, false, COPY",
            "MISSING_IN_DESTINATION, NEVER, true, COPY",
            "EXTRA_IN_DESTINATION, ALWAYS, false, ",
            "EXTRA_IN_DESTINATION, ALWAYS, true, DELETE",
            "EXTRA_IN_DESTINATION, IF_DIFFERENT, false, ",
            "EXTRA_IN_DESTINATION, IF_DIFFERENT, true, DELETE",
            "EXTRA_IN_DESTINATION, NEVER, false, ",
            "EXTRA_IN_DESTINATION, NEVER, true, DELETE",
            "SIZE_MISMATCH, ALWAYS, false, RECOPY",
            "SIZE_MISMATCH, ALWAYS, true, RECOPY",
            "SIZE_MISMATCH, IF_DIFFERENT, false, RECOPY",
            "SIZE_MISMATCH, IF_DIFFERENT, true, RECOPY",
            "SIZE_MISMATCH, NEVER, false, ",
            "SIZE_MISMATCH, NEVER, true, ",
            "CONTENT_MISMATCH, ALWAYS, false, RECOPY",
            "CONTENT_MISMATCH, ALWAYS, true, RECOPY",
            "CONTENT_MISMATCH, IF_DIFFERENT, false, RECOPY",
            "CONTENT_MISMATCH, IF_DIFFERENT, true, RECOPY",
            "CONTENT_MISMATCH, NEVER, false, ",
            "CONTENT_MISMATCH, NEVER, true, ",
            "STALE, ALWAYS, false, RECOPY",
            "STALE, ALWAYS, true, RECOPY",
            "STALE, IF_DIFFERENT, false, RECOPY",
            "STALE, IF_DIFFERENT, true, RECOPY",
            "STALE, NEVER, false, ",
            "STALE, NEVER, true, ",
            "UNVERIFIED, ALWAYS, false, RECOPY",
            "UNVERIFIED, ALWAYS, true, RECOPY",
            "UNVERIFIED, IF_DIFFERENT, false, RECOPY",
            "UNVERIFIED, IF_DIFFERENT, true, RECOPY",
            "UNVERIFIED, NEVER, false, ",
            "UNVERIFIED, NEVER, true, "
    })
    void fixingAndOfCoverEveryTypePolicyAndDeleteSetting(DifferenceType type, OverwritePolicy policy,
            boolean delete, TransferAction expected) {
        assertThat(FixAction.fixing(type, policy, delete)).isEqualTo(expected);

        Difference d = difference(type);
        FixAction a = FixAction.of(d, policy, delete);
        if (expected == null) {
            assertThat(a).isNull();
        } else {
            assertThat(a).isEqualTo(new FixAction(expected, "k", type, d.source(), d.destination()));
        }
    }

    @Test
    void ofAnExtraKeyIsADeleteOfTheDestinationEntry() {
        FixAction a = FixAction.of(new Difference.ExtraInDestination(DESTINATION), OverwritePolicy.NEVER, true);
        assertThat(a.action()).isEqualTo(TransferAction.DELETE);
        assertThat(a.reason()).isEqualTo(DifferenceType.EXTRA_IN_DESTINATION);
        assertThat(a.source()).isNull();
        assertThat(a.destination()).isSameAs(DESTINATION);
    }

    @Test
    void constructorAcceptsEntriesThatFitTheAction() {
        assertThat(new FixAction(TransferAction.COPY, "k", DifferenceType.MISSING_IN_DESTINATION, SOURCE, null).key())
                .isEqualTo("k");
        assertThat(new FixAction(TransferAction.RECOPY, "k", null, SOURCE, DESTINATION).reason()).isNull();
        assertThat(new FixAction(TransferAction.DELETE, "k", DifferenceType.EXTRA_IN_DESTINATION, null, DESTINATION)
                .action()).isEqualTo(TransferAction.DELETE);
    }

    @Test
    void constructorRejectsNulls() {
        assertThatThrownBy(() -> new FixAction(null, "k", null, SOURCE, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("action");
        assertThatThrownBy(() -> new FixAction(TransferAction.COPY, null, null, SOURCE, null))
                .isInstanceOf(NullPointerException.class).hasMessageContaining("key");
    }

    @Test
    void constructorRejectsEntriesThatDoNotFitTheAction() {
        assertThatThrownBy(() -> new FixAction(TransferAction.DELETE, "gone", null, SOURCE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'gone'")
                .hasMessageContaining("destination");
        assertThatThrownBy(() -> new FixAction(TransferAction.COPY, "new", null, null, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'new'")
                .hasMessageContaining("source");
        assertThatThrownBy(() -> new FixAction(TransferAction.RECOPY, "r", null, null, DESTINATION))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("source");
        assertThatThrownBy(() -> new FixAction(TransferAction.COPY, "k", null, SOURCE, DESTINATION))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("RECOPY");
        assertThatThrownBy(() -> new FixAction(TransferAction.RECOPY, "k", null, SOURCE, null))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("COPY");
    }
}
