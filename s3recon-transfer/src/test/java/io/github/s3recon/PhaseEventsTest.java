package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * The events a user times phases with: phase started / finished pairs with counts around the
 * listing, the transfer and the verification; VALIDATING and ESTIMATING; a resume announced by an
 * event and on the console, and a cancel logged as a warning, not an error.
 */
class PhaseEventsTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();

    private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
    private Level level;

    @TempDir
    Path work;

    @BeforeEach
    void captureLogs() {
        logged.start();
        level = logger().getLevel();
        logger().setLevel(Level.INFO);
        logger().addAppender(logged);
    }

    @AfterEach
    void releaseLogs() {
        logger().detachAppender(logged);
        logger().setLevel(level);
    }

    private static Logger logger() {
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger("io.github.s3recon.Migration");
    }

    private String seeded(String name, int objects) {
        String src = MigrationRunTest.bucket(S3, name);
        for (int i = 0; i < objects; i++) {
            S3.put(src, "k" + i, new byte[100]);
        }
        return src;
    }

    private Migration.Builder builder(String src, String dst, MigrationListener listener) {
        return Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                .destination(S3Location.of(S3.asyncClient(), dst)).workDirectory(work).listener(listener)
                .listener(MigrationListener.logging()).transferScheduler(SizeTieredScheduler.builder().build());
    }

    @Test
    void aRunPairsEachPhaseWithItsCountsAndDuration() {
        String src = seeded("phases-src", 4);
        String dst = MigrationRunTest.bucket(S3, "phases-dst");
        S3.put(dst, "k0", new byte[100]);
        RecordingListener phases = new RecordingListener();
        try (Migration m = builder(src, dst, phases).build()) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
        }

        assertThat(phases.phaseTimeline()).containsExactly("state INITIALIZING", "state LISTING", "started LISTING",
                "finished LISTING", "state COMPARING", "state TRANSFERRING", "started TRANSFERRING",
                "finished TRANSFERRING", "state VERIFYING", "started VERIFYING", "finished VERIFYING",
                "state REPORTING");
        assertThat(phases.phasesFinished()).extracting(PhaseFinished::objects).containsExactly(5L, 3L, 8L);
        assertThat(phases.phasesFinished()).extracting(PhaseFinished::bytes).containsExactly(500L, 300L, 800L);
        assertThat(phases.phasesFinished()).allSatisfy(f -> assertThat(f.duration().isNegative()).isFalse());
        assertThat(phases.of(ProgressSnapshot.class)).isNotEmpty().noneMatch(ProgressSnapshot::resumed);
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("TRANSFERRING done: 3 objects, 300 B in"))
                .noneSatisfy(line -> assertThat(line).contains("resum"));
    }

    @Test
    void validateAndEstimateAnnounceTheirStateAndPairTheirPhase() {
        String src = seeded("phases-est-src", 3);
        String dst = MigrationRunTest.bucket(S3, "phases-est-dst");
        RecordingListener phases = new RecordingListener();
        try (Migration m = builder(src, dst, phases).build()) {
            assertThat(m.validate().passed()).isTrue();
            assertThat(m.estimate().objects()).isEqualTo(3);
        }

        assertThat(phases.phaseTimeline()).containsExactly("state VALIDATING", "started VALIDATING", "finished VALIDATING",
                "state ESTIMATING", "started ESTIMATING", "finished ESTIMATING");
        assertThat(phases.phasesFinished().get(1).objects()).isEqualTo(3);
        assertThat(phases.phasesFinished().get(1).bytes()).isEqualTo(300);
    }

    @Test
    void aResumedRunSaysSoAndACancelIsAWarningNotAnError() {
        String src = seeded("phases-resume-src", 5);
        String dst = MigrationRunTest.bucket(S3, "phases-resume-dst");
        AtomicReference<Migration> current = new AtomicReference<>();
        RecordingListener first = new RecordingListener();
        MigrationListener cancelAtTransfer = new MigrationListener() {
            @Override
            public void onStateChanged(StateChanged event) {
                if (event.to() == MigrationState.TRANSFERRING) {
                    current.get().cancel();
                }
            }
        };
        try (Migration m = builder(src, dst, first).listener(cancelAtTransfer).build()) {
            current.set(m);
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        }
        assertThat(first.phaseTimeline()).doesNotContain("finished TRANSFERRING").noneMatch(l -> l.startsWith("resumed"));
        assertThat(logged.list).noneMatch(e -> e.getLevel() == Level.ERROR);
        assertThat(logged.list).filteredOn(e -> e.getFormattedMessage().startsWith("run CANCELLED"))
                .singleElement().satisfies(e -> assertThat(e.getLevel()).isEqualTo(Level.WARN));
        logged.list.clear();

        RecordingListener second = new RecordingListener();
        try (Migration m = builder(src, dst, second).build()) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
        }
        assertThat(second.phaseTimeline()).startsWith("state INITIALIZING", "resumed TRANSFERRING 2", "state TRANSFERRING",
                "started TRANSFERRING", "finished TRANSFERRING");
        assertThat(second.of(ProgressSnapshot.class)).isNotEmpty().allMatch(ProgressSnapshot::resumed);
        assertThat(second.of(ProgressSnapshot.class).get(0).describe()).startsWith("TRANSFERRING (resumed) ");
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("resuming run ").contains("TRANSFERRING"))
                .anySatisfy(line -> assertThat(line).startsWith("TRANSFERRING (resumed) 5/5 objects"));
    }
}
