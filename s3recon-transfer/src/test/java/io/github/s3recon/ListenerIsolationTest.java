package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import io.github.s3recon.internal.Listeners;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.RecordingListener;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Listeners only observe: one that throws on every event is logged once and cannot stop a run,
 * and the listeners after it still get every event.
 */
class ListenerIsolationTest {

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
        return ((LoggerContext) LoggerFactory.getILoggerFactory()).getLogger(Listeners.class.getName());
    }

    /** Throws on every event, with a message that carries a secret-looking query string. */
    private static final class Throwing implements MigrationListener {
        private static RuntimeException bug() {
            return new IllegalStateException("listener bug at http://u:secret@host/?X-Amz-Signature=feedface");
        }

        @Override
        public void onStateChanged(StateChanged event) {
            throw bug();
        }

        @Override
        public void onProgress(ProgressSnapshot event) {
            throw bug();
        }

        @Override
        public void onDifference(DifferenceFound event) {
            throw bug();
        }

        @Override
        public void onObjectCopied(ObjectCopied event) {
            throw bug();
        }

        @Override
        public void onObjectDeleted(ObjectDeleted event) {
            throw bug();
        }

        @Override
        public void onObjectFailed(ObjectFailed event) {
            throw bug();
        }

        @Override
        public void onRetry(TransferRetried event) {
            throw bug();
        }

        @Override
        public void onFinished(RunFinished event) {
            throw bug();
        }
    }

    @Test
    void aListenerThatThrowsOnEveryEventIsLoggedOnceAndTheRunCompletes() {
        String src = MigrationRunTest.bucket(S3, "isolate-src");
        String dst = MigrationRunTest.bucket(S3, "isolate-dst");
        for (int i = 0; i < 4; i++) {
            S3.put(src, "k" + i, new byte[10 + i]);
        }
        S3.put(dst, "extra", new byte[3]);
        RecordingListener after = new RecordingListener();
        MigrationResult result;
        try (Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                .destination(S3Location.of(S3.asyncClient(), dst)).workDirectory(work).deleteExtraneous(true)
                .maxDeletePercent(100).listener(new Throwing()).listener(after)
                .transferScheduler(SizeTieredScheduler.builder().build()).build()) {
            result = m.run();
        }

        assertThat(result.state()).isEqualTo(MigrationState.COMPLETED);
        assertThat(after.states()).containsExactly(MigrationState.INITIALIZING, MigrationState.LISTING, MigrationState.COMPARING,
                        MigrationState.TRANSFERRING, MigrationState.VERIFYING, MigrationState.REPORTING);
        assertThat(after.of(ObjectCopied.class)).extracting(ObjectCopied::key).containsExactlyInAnyOrder("k0", "k1", "k2", "k3");
        assertThat(after.of(ObjectDeleted.class)).hasSize(1);
        assertThat(after.differences()).hasSize(5);
        assertThat(after.events().get(after.events().size() - 1)).isInstanceOfSatisfying(RunFinished.class,
                f -> assertThat(f.state()).isEqualTo(MigrationState.COMPLETED));

        List<ILoggingEvent> warnings = logged.list.stream().filter(e -> e.getLevel() == Level.WARN).toList();
        assertThat(warnings).singleElement().satisfies(w -> {
            assertThat(w.getFormattedMessage()).contains(Throwing.class.getName())
                    .contains(IllegalStateException.class.getName()).contains("listener bug")
                    .doesNotContain("secret").doesNotContain("feedface");
            assertThat(w.getThrowableProxy()).isNull();
        });
        assertThat(logged.list).filteredOn(e -> e.getLevel() == Level.INFO).singleElement()
                .satisfies(i -> assertThat(i.getFormattedMessage()).contains("threw").contains("times"));
    }
}
