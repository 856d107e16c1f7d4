package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationEvent;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The events of a whole run, in order, with a clock that the test drives: each copy takes exactly
 * one second of it, so every transfer snapshot's counts, rates and ETA are known in advance.
 */
class MigrationEventsTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final Instant T0 = Instant.parse("2026-11-23T10:00:00Z");
    private static final int OBJECTS = 5;
    private static final int SIZE = 100;

    @TempDir
    Path work;

    /** A clock that moves only when told. */
    private static final class ManualClock extends Clock {
        private volatile Instant now = T0;

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aWholeRunSendsItsEventsInOrderWithExactProgressAndEta() {
        String src = MigrationRunTest.bucket(S3, "events-src");
        String dst = MigrationRunTest.bucket(S3, "events-dst");
        for (int i = 0; i < OBJECTS; i++) {
            S3.put(src, "k" + i, new byte[SIZE]);
        }
        ManualClock clock = new ManualClock();
        RecordingListener recorder = new RecordingListener();
        // Listeners are called in the order they were added: each copy is recorded, then takes one second.
        MigrationListener eachCopyTakesASecond = new MigrationListener() {
            @Override
            public void onObjectCopied(ObjectCopied e) {
                clock.advance(Duration.ofSeconds(1));
            }
        };
        try (Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                .destination(S3Location.of(S3.asyncClient(), dst)).workDirectory(work).clock(clock)
                .progressInterval(Duration.ofSeconds(1)).listener(recorder).listener(eachCopyTakesASecond)
                .transferScheduler(SizeTieredScheduler.builder().smallObjectConcurrency(1).build()).build()) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
        }

        // The outline: states, differences before the transfer, copies in it, one end. Retries, which
        // the run may meet, and the phase events that pair with the states are left out of it.
        List<MigrationEvent> events = recorder.events().stream().filter(e -> !(e instanceof TransferRetried
                || e instanceof PhaseStarted || e instanceof PhaseFinished)).toList();
        List<String> outline = new ArrayList<>();
        for (MigrationEvent e : events) {
            String line = e instanceof StateChanged s ? "state " + s.to()
                    : e instanceof ProgressSnapshot p ? "progress " + p.phase()
                    : e instanceof DifferenceFound d ? "difference " + d.difference().type()
                    : e instanceof ObjectCopied c ? "copied"
                    : e instanceof RunFinished f ? "finished " + f.state() : e.toString();
            if (outline.isEmpty() || !outline.get(outline.size() - 1).equals(line) || line.startsWith("state")) {
                outline.add(line);
            }
        }
        assertThat(outline).containsExactly("state INITIALIZING", "state LISTING", "progress LISTING",
                "state COMPARING", "difference MISSING_IN_DESTINATION", "state TRANSFERRING", "copied",
                "progress TRANSFERRING", "copied", "progress TRANSFERRING", "copied", "progress TRANSFERRING", "copied",
                "progress TRANSFERRING", "copied", "progress TRANSFERRING", "state VERIFYING", "progress VERIFYING",
                "state REPORTING", "finished COMPLETED");
        assertThat(events.stream().filter(DifferenceFound.class::isInstance)).hasSize(OBJECTS);
        assertThat(events.get(events.size() - 1)).isInstanceOf(RunFinished.class);

        // The listing's snapshot: both sides counted, no total known in a first listing, no time passed.
        ProgressSnapshot listing = recorder.progress(MigrationState.LISTING).get(0);
        assertThat(listing.sourceObjects()).isEqualTo(OBJECTS);
        assertThat(listing.sourceBytes()).isEqualTo((long) OBJECTS * SIZE);
        assertThat(listing.destinationObjects()).isZero();
        assertThat(listing.objectsTotal()).isEqualTo(-1);
        assertThat(listing.eta()).isNull();

        // The transfer: copy i ends at T0 + i s; one object and 100 bytes per second; ETA = what is left at that rate.
        List<ProgressSnapshot> transfer = recorder.progress(MigrationState.TRANSFERRING);
        assertThat(transfer).hasSizeGreaterThanOrEqualTo(OBJECTS);
        for (int i = 1; i <= OBJECTS; i++) {
            ProgressSnapshot p = transfer.get(i - 1);
            assertThat(p.at()).isEqualTo(T0.plusSeconds(i));
            assertThat(p.objectsDone()).isEqualTo(i);
            assertThat(p.objectsTotal()).isEqualTo(OBJECTS);
            assertThat(p.bytesDone()).isEqualTo((long) i * SIZE);
            assertThat(p.bytesTotal()).isEqualTo((long) OBJECTS * SIZE);
            assertThat(p.objectsPerSecond()).isEqualTo(1.0);
            assertThat(p.bytesPerSecond()).isEqualTo(SIZE);
            assertThat(p.eta()).isEqualTo(Duration.ofSeconds(OBJECTS - i));
            assertThat(p.elapsed()).isEqualTo(Duration.ofSeconds(i));
            assertThat(p.fractionDone()).isEqualTo((double) i / OBJECTS);
        }
        ProgressSnapshot last = transfer.get(transfer.size() - 1);
        assertThat(last.objectsDone()).isEqualTo(OBJECTS);
        assertThat(last.eta()).isEqualTo(Duration.ZERO);
        assertThat(last.describe()).isEqualTo("TRANSFERRING 5/5 objects, 500 B/500 B, 1 objects/s, 100 B/s, ETA 0:00:00");

        // Verification lists both sides again; it knows how many objects to expect.
        ProgressSnapshot verifying = recorder.progress(MigrationState.VERIFYING).get(0);
        assertThat(verifying.objectsDone()).isEqualTo(2L * OBJECTS);
        assertThat(verifying.objectsTotal()).isEqualTo(2L * OBJECTS);
        RunFinished end = (RunFinished) events.get(events.size() - 1);
        assertThat(end.duration()).isEqualTo(Duration.ofSeconds(OBJECTS));
    }
}
