package io.github.s3recon.internal.run;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.FixPlan;
import io.github.s3recon.KeyRange;
import io.github.s3recon.LocationSummary;
import io.github.s3recon.MatchRule;
import io.github.s3recon.S3Location;
import io.github.s3recon.spi.TransferScheduler;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/** The resume state and tallies survive their codec exactly; what it cannot read is refused, not guessed. */
class ResumeCodecTest {

    private static final Path RUN = Path.of("/work/runs/r1");
    private final S3AsyncClient client = S3AsyncClient.builder().region(software.amazon.awssdk.regions.Region.US_EAST_1)
            .credentialsProvider(software.amazon.awssdk.auth.credentials.AnonymousCredentialsProvider.create()).build();
    private final S3Location source = S3Location.of(client, "src", "in/");
    private final S3Location destination = S3Location.of(client, "dst", "");

    @Test
    void aStateAtEveryStageReadsBackAsWritten() throws Exception {
        LocationSummary src = new LocationSummary("src", "in/", 10, 1000);
        LocationSummary dst = new LocationSummary("dst", "", 7, 700);
        Comparison before = new Comparison(src, dst, new DifferenceCounts(5, 3, 1, 1, 0, 0, 1),
                Map.of(MatchRule.FULL_OBJECT_CHECKSUM, 4L, MatchRule.SIZE, 1L), RUN.resolve("differences-before.jsonl"),
                new FixPlan(src, dst, RUN.resolve("planned.jsonl"), 3, 1, 1, 400), 5);
        TransferOutcome outcome = new TransferOutcome(new TransferScheduler.TransferTotals(4, 400, 3, 300, 1, 100, 1,
                0, 2, 1, List.of()), 2, 200, 6, RUN.resolve("failures.jsonl"));
        List<KeyRange> ranges = List.of(new KeyRange(null, "m"), new KeyRange("m", null));
        ResumeState started = ResumeState.STARTED;
        ResumeState planned = started.withRanges(ranges).planned(before, 1234).withSubmitted(511);
        ResumeState transferred = planned.transferred(outcome);
        for (ResumeState s : List.of(started, started.withRanges(ranges), planned, transferred)) {
            ResumeState read = ResumeCodec.decode(ResumeCodec.encode(s), RUN, source, destination);
            assertThat(read).usingRecursiveComparison().isEqualTo(s);
        }
        assertThat(transferred.stage()).isEqualTo(Stage.VERIFY);
    }

    @Test
    void anOlderVersionsValuesAreRefusedNotGuessed() {
        byte[] old = "{\"stage\":\"transfer\",\"submitted\":\"255\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ResumeCodec.decode(old, RUN, source, destination))
                .isInstanceOf(ResumeCodec.Unreadable.class).hasMessageContaining("older version");
        assertThatThrownBy(() -> ResumeCodec.decode("stage=compare".getBytes(StandardCharsets.UTF_8), RUN, source,
                destination)).isInstanceOf(ResumeCodec.Unreadable.class);
        byte[] newer = "{\"format\":\"s3recon-resume\",\"version\":99,\"stage\":\"PLAN\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ResumeCodec.decode(newer, RUN, source, destination))
                .isInstanceOf(ResumeCodec.Unreadable.class).hasMessageContaining("version 99");
        byte[] damaged = "{\"format\":\"s3recon-resume\",\"version\":1,\"stage\":\"SIDEWAYS\"}".getBytes(StandardCharsets.UTF_8);
        assertThatThrownBy(() -> ResumeCodec.decode(damaged, RUN, source, destination))
                .isInstanceOf(ResumeCodec.Unreadable.class).hasMessageContaining("damaged");
    }

    @Test
    void aTallyReadsBackWithEveryCountAndRule() throws Exception {
        long[] counts = new long[Tally.COUNTS];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = 1L << (i * 3);
        }
        Tally t = Tally.of(counts);
        t.matched(MatchRule.FULL_OBJECT_CHECKSUM);
        t.matched(MatchRule.FULL_OBJECT_CHECKSUM);
        t.matched(MatchRule.SIZE);
        Tally read = ResumeCodec.decodeTally(ResumeCodec.encode(t));
        assertThat(read.counts()).containsExactly(counts);
        assertThat(read.matchedByRule()).isEqualTo(t.matchedByRule());
        assertThat(Arrays.stream(read.matchedByRule).sum()).isEqualTo(3);
    }

    @Test
    void aTallyOfAnotherVersionOrCutShortIsRefused() {
        byte[] bytes = ResumeCodec.encode(new Tally());
        byte[] other = bytes.clone();
        other[0] = 9;
        assertThatThrownBy(() -> ResumeCodec.decodeTally(other)).isInstanceOf(ResumeCodec.Unreadable.class)
                .hasMessageContaining("version 9");
        assertThatThrownBy(() -> ResumeCodec.decodeTally(Arrays.copyOf(bytes, 20)))
                .isInstanceOf(ResumeCodec.Unreadable.class).hasMessageContaining("damaged");
        assertThatThrownBy(() -> ResumeCodec.decodeTally("0,1,2,".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(ResumeCodec.Unreadable.class);
    }
}
