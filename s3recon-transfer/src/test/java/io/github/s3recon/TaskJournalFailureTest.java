package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ObjectCopied;
import io.github.s3recon.event.RunFinished;
import io.github.s3recon.inventory.SqliteCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine records task outcomes in its own journal, not through the listeners: a listener that
 * throws on every copy changes nothing in the journal, and a store that cannot record an outcome
 * fails the run with STORE_FAILED (it used to be a WARN), after which a resume finishes the run.
 */
class TaskJournalFailureTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    /** The real SQLite store, whose saveTask fails for DONE tasks while {@code failing} is set. */
    private static final class FailingDoneTasks implements CheckpointStore {
        private final CheckpointStore store;
        final AtomicBoolean failing = new AtomicBoolean(true);

        FailingDoneTasks(CheckpointStore store) {
            this.store = store;
        }

        @Override
        public void saveTask(String runId, TaskRecord task) {
            if (failing.get() && task.state() == TaskState.DONE) {
                throw new S3ReconException(ErrorCode.STORE_FAILED, "disk full (injected)");
            }
            store.saveTask(runId, task);
        }

        @Override
        public void createRun(RunRecord run) {
            store.createRun(run);
        }

        @Override
        public void updateRun(RunRecord run) {
            store.updateRun(run);
        }

        @Override
        public Optional<RunRecord> run(String runId) {
            return store.run(runId);
        }

        @Override
        public List<RunRecord> runs() {
            return store.runs();
        }

        @Override
        public void clearProgress(String runId) {
            store.clearProgress(runId);
        }

        @Override
        public void log(String runId, LogLine line) {
            store.log(runId, line);
        }

        @Override
        public Stream<LogLine> log(String runId) {
            return store.log(runId);
        }

        @Override
        public void saveResumeState(String runId, byte[] state) {
            store.saveResumeState(runId, state);
        }

        @Override
        public Optional<byte[]> resumeState(String runId) {
            return store.resumeState(runId);
        }

        @Override
        public void saveRange(String runId, RangeCheckpoint checkpoint) {
            store.saveRange(runId, checkpoint);
        }

        @Override
        public List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
            return store.ranges(runId, pass);
        }

        @Override
        public List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
            return store.tasks(runId, afterSequence, limit);
        }

        @Override
        public long countTasks(String runId, TaskState state) {
            return store.countTasks(runId, state);
        }

        @Override
        public void saveUpload(String runId, UploadRecord upload) {
            store.saveUpload(runId, upload);
        }

        @Override
        public void savePart(String runId, String uploadId, PartRecord part) {
            store.savePart(runId, uploadId, part);
        }

        @Override
        public Optional<UploadRecord> upload(String runId, String key) {
            return store.upload(runId, key);
        }

        @Override
        public List<UploadRecord> uploads(String runId) {
            return store.uploads(runId);
        }

        @Override
        public void deleteUpload(String runId, String uploadId) {
            store.deleteUpload(runId, uploadId);
        }

        @Override
        public void flush() {
            store.flush();
        }

        @Override
        public void close() {
            store.close();
        }
    }

    @Test
    void aStoreThatCannotRecordAnOutcomeFailsTheRunAndTheResumeFinishesIt() {
        String src = MigrationRunTest.bucket(S3, "journal-src");
        String dst = MigrationRunTest.bucket(S3, "journal-dst");
        for (int i = 0; i < 6; i++) {
            S3.put(src, "k" + i, new byte[50 + i]);
        }
        List<RunFinished> finished = new CopyOnWriteArrayList<>();
        MigrationListener throwingOnCopies = new MigrationListener() {
            @Override
            public void onObjectCopied(ObjectCopied event) {
                throw new IllegalStateException("listener bug");
            }

            @Override
            public void onFinished(RunFinished event) {
                finished.add(event);
            }
        };
        try (FailingDoneTasks store = new FailingDoneTasks(SqliteCheckpointStore.open(work))) {
            try (Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                    .destination(S3Location.of(S3.asyncClient(), dst)).workDirectory(work).checkpointStore(store)
                    .listener(throwingOnCopies)
                    .transferScheduler(SizeTieredScheduler.builder().smallObjectConcurrency(1).build()).build()) {
                assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getMessage()).contains("cannot record the outcome of 'k")
                            .contains("disk full (injected)").contains("run again to resume");
                });
            }
            assertThat(finished).singleElement().satisfies(f -> {
                assertThat(f.state()).isEqualTo(MigrationState.FAILED);
                assertThat(f.failure()).isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED));
            });

            store.failing.set(false);
            String runId = store.runs().get(0).runId();
            List<Long> doneAtVerify = new CopyOnWriteArrayList<>();
            MigrationListener journalReader = new MigrationListener() {
                @Override
                public void onStateChanged(io.github.s3recon.event.StateChanged event) {
                    if (event.to() == MigrationState.VERIFYING) {
                        doneAtVerify.add(store.countTasks(runId, CheckpointStore.TaskState.DONE));
                    }
                }
            };
            try (Migration m = Migration.builder().source(S3Location.of(S3.asyncClient(), src))
                    .destination(S3Location.of(S3.asyncClient(), dst)).workDirectory(work).checkpointStore(store)
                    .listener(throwingOnCopies).listener(journalReader)
                    .transferScheduler(SizeTieredScheduler.builder().build()).build()) {
                assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
            }
            assertThat(store.runs()).singleElement().satisfies(r -> assertThat(r.attempts()).isEqualTo(2));
            // A listener that threw on every copy did not keep a single outcome from the journal.
            assertThat(doneAtVerify).containsExactly(6L);
        }
        for (int i = 0; i < 6; i++) {
            String key = "k" + i;
            assertThat(S3.client().headObject(b -> b.bucket(dst).key(key)).contentLength()).isEqualTo(50L + i);
        }
    }
}
