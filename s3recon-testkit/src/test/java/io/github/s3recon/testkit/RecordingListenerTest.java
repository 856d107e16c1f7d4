package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.Difference;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.TransferMode;
import io.github.s3recon.event.DifferenceFound;
import io.github.s3recon.event.MigrationEvent;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.ObjectDeleted;
import io.github.s3recon.event.ObjectFailed;
import io.github.s3recon.event.PhaseFinished;
import io.github.s3recon.event.PhaseStarted;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.event.RunResumed;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.event.TransferRetried;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.Test;

/** The shared recording listener: every event type, in order, and the accessors over them. */
class RecordingListenerTest {

    private static final Instant T = Instant.parse("2026-12-07T00:00:00Z");

    private static ProgressSnapshot progress(MigrationState phase, long done) {
        return new ProgressSnapshot(T, phase, done, 2, done, 2, 0, 0, null, 0, 0, 0, 0, Duration.ZERO);
    }

    private static ObjectCopied copied(String key) {
        return new ObjectCopied(T, key, 1, TransferMode.SERVER_SIDE, 1, null);
    }

    private static ObjectFailed failed(String key) {
        return new ObjectFailed(T, key, TransferAction.COPY, new S3ReconException(ErrorCode.COPY_FAILED, "no"), 3);
    }

    /** A migration's events, in the order a run sends them. */
    private static RecordingListener aRun() {
        RecordingListener r = new RecordingListener();
        r.onStateChanged(new StateChanged(T, MigrationState.INITIALIZING, MigrationState.LISTING));
        r.onProgress(progress(MigrationState.LISTING, 1));
        r.onProgress(progress(MigrationState.LISTING, 2));
        r.onDifference(new DifferenceFound(T, new Difference.MissingInDestination(ObjectEntry.of("a", 1, "e"))));
        r.onStateChanged(new StateChanged(T, MigrationState.COMPARING, MigrationState.TRANSFERRING));
        r.onRetry(new TransferRetried(T, "b", 1, "503", Duration.ofMillis(10)));
        r.onObjectCopied(copied("a"));
        r.onObjectFailed(failed("b"));
        r.onObjectDeleted(new ObjectDeleted(T, "c", 1));
        r.onProgress(progress(MigrationState.TRANSFERRING, 3));
        r.onFinished(new RunFinished(T, MigrationState.COMPLETED_WITH_DIFFERENCES, Duration.ofSeconds(1), null));
        return r;
    }

    @Test
    void recordsPhaseAndResumeEventsAndOutlinesThemApartFromTheTimeline() {
        RecordingListener r = new RecordingListener();
        r.onStateChanged(new StateChanged(T, null, MigrationState.INITIALIZING));
        r.onResumed(new RunResumed(T, "run-1", MigrationState.TRANSFERRING, 2));
        r.onStateChanged(new StateChanged(T, MigrationState.INITIALIZING, MigrationState.TRANSFERRING));
        r.onPhaseStarted(new PhaseStarted(T, MigrationState.TRANSFERRING));
        r.onObjectCopied(copied("a"));
        r.onPhaseFinished(new PhaseFinished(T, MigrationState.TRANSFERRING, 1, 1, Duration.ofSeconds(2)));
        r.onFinished(new RunFinished(T, MigrationState.COMPLETED, Duration.ofSeconds(3), null));

        assertThat(r.events()).extracting(e -> e.getClass().getSimpleName()).containsExactly("StateChanged",
                "RunResumed", "StateChanged", "PhaseStarted", "ObjectCopied", "PhaseFinished", "RunFinished");
        assertThat(r.resumed()).singleElement().satisfies(e -> assertThat(e.attempt()).isEqualTo(2));
        assertThat(r.phasesStarted()).extracting(PhaseStarted::phase).containsExactly(MigrationState.TRANSFERRING);
        assertThat(r.phasesFinished()).singleElement()
                .satisfies(f -> assertThat(f.duration()).isEqualTo(Duration.ofSeconds(2)));
        assertThat(r.phaseTimeline()).containsExactly("state INITIALIZING", "resumed TRANSFERRING 2",
                "state TRANSFERRING", "started TRANSFERRING", "finished TRANSFERRING");
        assertThat(r.timeline()).containsExactly("state INITIALIZING", "state TRANSFERRING", "copied a",
                "finished COMPLETED");
    }

    @Test
    void recordsEveryEventTypeInArrivalOrder() {
        RecordingListener r = aRun();

        assertThat(r.events()).hasSize(11).extracting(e -> e.getClass().getSimpleName()).containsExactly(
                "StateChanged", "ProgressSnapshot", "ProgressSnapshot", "DifferenceFound", "StateChanged",
                "TransferRetried", "ObjectCopied", "ObjectFailed", "ObjectDeleted", "ProgressSnapshot", "RunFinished");
        assertThat(r.timeline()).containsExactly("state LISTING", "progress LISTING", "MISSING_IN_DESTINATION a",
                "state TRANSFERRING", "retry b", "copied a", "failed b", "deleted c", "progress TRANSFERRING",
                "finished COMPLETED_WITH_DIFFERENCES");
        assertThat(r.states()).containsExactly(MigrationState.LISTING, MigrationState.TRANSFERRING);
        assertThat(r.progress(MigrationState.LISTING)).extracting(ProgressSnapshot::objectsDone).containsExactly(1L, 2L);
        assertThat(r.differences()).extracting(d -> d.difference().key()).containsExactly("a");
        assertThat(r.retries()).extracting(TransferRetried::key).containsExactly("b");
        assertThat(r.copied()).containsOnlyKeys("a");
        assertThat(r.failed()).containsOnlyKeys("b");
        assertThat(r.failed().get("b").attempts()).isEqualTo(3);
        assertThat(r.deleted()).containsOnlyKeys("c");
        assertThat(r.finished()).singleElement().extracting(RunFinished::state)
                .isEqualTo(MigrationState.COMPLETED_WITH_DIFFERENCES);
        assertThat(r.of(ObjectCopied.class)).extracting(ObjectCopied::key).containsExactly("a");
        r.assertOneOutcomeEach(List.of("a", "b", "c"));
    }

    @Test
    void snapshotsDoNotChangeWithLaterEvents() {
        RecordingListener r = new RecordingListener();
        assertThat(r.events()).isEmpty();
        assertThat(r.finished()).isEmpty();
        List<MigrationEvent> before = r.events();
        r.onObjectCopied(copied("a"));
        assertThat(before).isEmpty();
        assertThatThrownBy(() -> r.events().add(copied("b"))).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(() -> r.copied().clear()).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void theOutcomeContractIsChecked() {
        RecordingListener missing = aRun();
        assertThatThrownBy(() -> missing.assertOneOutcomeEach(List.of("a", "b", "c", "d")))
                .isInstanceOf(AssertionError.class);

        RecordingListener twice = new RecordingListener();
        twice.onObjectCopied(copied("a"));
        twice.onObjectCopied(copied("a"));
        assertThatThrownBy(() -> twice.assertOneOutcomeEach(List.of("a"))).isInstanceOf(AssertionError.class);
        assertThatThrownBy(twice::copied).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("two ObjectCopied events for key 'a'").hasMessageContaining("of(ObjectCopied.class)");
        assertThat(twice.of(ObjectCopied.class)).hasSize(2);

        RecordingListener retryAfter = new RecordingListener();
        retryAfter.onObjectCopied(copied("a"));
        retryAfter.onRetry(new TransferRetried(T, "a", 1, "503", Duration.ZERO));
        assertThatThrownBy(() -> retryAfter.assertOneOutcomeEach(List.of("a"))).isInstanceOf(AssertionError.class)
                .hasMessageContaining("outcome of a after its retry");
    }

    @Test
    void eventsFromManyThreadsAreAllKeptAndEachThreadsOrderHolds() throws Exception {
        RecordingListener r = new RecordingListener();
        int threads = 8;
        int each = 2_000;
        CountDownLatch start = new CountDownLatch(1);
        List<Thread> started = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "/";
            Thread thread = new Thread(() -> {
                try {
                    start.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                for (int i = 0; i < each; i++) {
                    r.onObjectCopied(copied(prefix + i));
                }
            });
            thread.start();
            started.add(thread);
        }
        start.countDown();
        for (Thread thread : started) {
            thread.join(30_000);
        }

        assertThat(r.copied()).hasSize(threads * each);
        for (int t = 0; t < threads; t++) {
            String prefix = "t" + t + "/";
            assertThat(r.of(ObjectCopied.class).stream().map(ObjectCopied::key).filter(k -> k.startsWith(prefix))
                    .map(k -> Integer.parseInt(k.substring(prefix.length()))))
                    .as(prefix).isSorted().hasSize(each);
        }
    }
}
