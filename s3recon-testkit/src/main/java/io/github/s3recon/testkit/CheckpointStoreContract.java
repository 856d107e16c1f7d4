package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.github.s3recon.MigrationState;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The tests that every {@link CheckpointStore} must pass. Extend it in a test of your own and
 * implement {@link #openStore(Path)}:
 *
 * <pre>{@code
 * class MyCheckpointStoreTest extends CheckpointStoreContract {
 *     @Override
 *     protected CheckpointStore openStore(Path workDirectory) {
 *         return MyCheckpointStore.open(workDirectory);
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, empty work directory and a store opened on it, which is closed after
 * the test. What a store must keep, as these tests check it:
 *
 * <ul>
 *   <li><b>Exact values.</b> Every field of every record comes back as it went in: instants to the
 *       nanosecond, nulls apart from empty strings, keys with any Unicode, every {@code RunKind},
 *       {@code DiffPass}, {@code MigrationState}, {@code TaskState} and {@code TransferAction}.
 *   <li><b>Opaque bytes.</b> A resume state and a range's tally come back byte for byte: any byte
 *       value, bytes that are not UTF-8, megabytes, and an empty tally as an empty array (a resume
 *       state is never empty: saving an empty one throws {@link IllegalArgumentException} and keeps
 *       the previous one). A run never given a resume state, or whose progress was cleared, has
 *       none (an empty {@link Optional}). The store copies the caller's array when it is given
 *       (the caller may reuse it at once) and returns a new array on every read.
 *   <li><b>Orders and pages.</b> Runs by start then id; a log in the order it was written; ranges
 *       by index within a pass; uploads by start, then in the order saved (so that of uploads of
 *       a key started at the same instant the one saved last is the newest), their parts by number; tasks by
 *       sequence, a page holding those after the given sequence, at most {@code limit} of them,
 *       fewer only on the last page, and a {@code limit} below 1 throws
 *       {@link IllegalArgumentException}. {@code upload(run, key)} finds what the interface's
 *       default finds in {@code uploads(run)}.
 *   <li><b>Replacement and separation.</b> Saving again replaces by run id; range checkpoint by
 *       run, pass and index; task by run and sequence; upload by run and upload id (with its parts);
 *       part by run, upload and number. Runs, passes and uploads of one id in two runs never mix.
 *   <li><b>Clearing.</b> {@code clearProgress} deletes the run's resume state, range checkpoints,
 *       tasks and uploads with their parts, and keeps its record and log and every other run.
 *   <li><b>Durability and visibility.</b> Reads see every write made before them, flushed or not.
 *       Everything written before {@code close()} is there after a reopen. {@code flush()},
 *       {@code createRun}, {@code updateRun} and {@code clearProgress} make what was written before
 *       them visible to a second store opened on the same directory while the first is open.
 *   <li><b>Threads.</b> Eight threads writing and reading at once lose nothing, and each thread's
 *       log lines keep its order.
 *   <li><b>Nulls.</b> A null where the interface says not null throws
 *       {@link NullPointerException} and changes nothing.
 * </ul>
 *
 * <p>A volume test saves 110,000 tasks and reads them back page by page; it prints its timings.
 *
 * <p>JUnit 5 runs each test method on its own instance; the fields are not shared.
 */
public abstract class CheckpointStoreContract extends CheckpointStoreProgressContract {

    /** Creates the contract; JUnit creates one instance per test. */
    protected CheckpointStoreContract() {
    }

    // ---- multipart uploads --------------------------------------------------------------------

    @Test
    void savesAnUploadWithItsPartsAndReplacesPartsByNumber() {
        PartRecord p1 = new PartRecord(1, "\"etag-1\"", "crc64:AAAA", "crc64:AAAA");
        PartRecord p2 = new PartRecord(2, "\"etag-2\"", null, null);
        UploadRecord upload = new UploadRecord("big/\uD83D\uDE00.bin", "upload-1", "\"source-etag-3\"", 8L << 20,
                T0, List.of(p1, p2));
        store.saveUpload("run", upload);
        assertThat(store.upload("run", "big/\uD83D\uDE00.bin")).contains(upload);

        PartRecord p10 = new PartRecord(10, "\"etag-10\"", "", null);
        PartRecord p3 = new PartRecord(3, "\"etag-3\"", null, "sha256:x");
        PartRecord p2Again = new PartRecord(2, "\"etag-2b\"", "crc", "crc");
        store.savePart("run", "upload-1", p10);
        store.savePart("run", "upload-1", p3);
        store.savePart("run", "upload-1", p2Again);

        UploadRecord expected = new UploadRecord(upload.key(), "upload-1", "\"source-etag-3\"", 8L << 20, T0,
                List.of(p1, p2Again, p3, p10));
        assertThat(store.upload("run", "big/\uD83D\uDE00.bin")).contains(expected);
        assertThat(store.uploads("run")).containsExactly(expected);
        assertThat(store.upload("run", "big/other.bin")).isEmpty();
        assertThat(store.upload("other", "big/\uD83D\uDE00.bin")).isEmpty();
        assertThat(store.uploads("other")).isEmpty();
    }

    @Test
    void savingAnUploadAgainReplacesItsRecordAndParts() {
        store.saveUpload("run", new UploadRecord("key", "upload-1", "etag-a", 5L << 20, T0, List.of()));
        store.savePart("run", "upload-1", new PartRecord(1, "p1", null, null));
        store.savePart("run", "upload-1", new PartRecord(2, "p2", null, null));

        UploadRecord replaced = new UploadRecord("key", "upload-1", "etag-b", 6L << 20, T0.plusSeconds(1),
                List.of(new PartRecord(1, "p1-new", null, null)));
        store.saveUpload("run", replaced);

        assertThat(store.upload("run", "key")).contains(replaced);
        assertThat(store.uploads("run")).containsExactly(replaced);
    }

    @Test
    void returnsTheNewestUploadOfAKey() {
        UploadRecord newer = new UploadRecord("key", "upload-new", "etag", 5L << 20, T0.plusNanos(1),
                List.of(new PartRecord(1, "n1", null, null)));
        UploadRecord older = new UploadRecord("key", "upload-old", "etag", 5L << 20, T0,
                List.of(new PartRecord(1, "o1", null, null), new PartRecord(2, "o2", null, null)));
        UploadRecord otherKey = new UploadRecord("key2", "upload-3", "etag", 5L << 20, T0.plusSeconds(9), List.of());
        // Saved newest first: "newest" is by startedAt, not by the order of saving.
        store.saveUpload("run", newer);
        store.saveUpload("run", older);
        store.saveUpload("run", otherKey);

        assertThat(store.upload("run", "key")).contains(newer);
        assertThat(store.upload("run", "key2")).contains(otherKey);
        assertThat(store.uploads("run")).containsExactlyInAnyOrder(newer, older, otherKey);

        store.deleteUpload("run", "upload-new");
        assertThat(store.upload("run", "key")).contains(older);
    }

    @Test
    void deleteUploadForgetsItsParts() {
        UploadRecord upload = new UploadRecord("key", "upload-1", "etag", 5L << 20, T0, List.of());
        UploadRecord kept = new UploadRecord("kept", "upload-2", "etag", 5L << 20, T0,
                List.of(new PartRecord(1, "k1", null, null)));
        store.saveUpload("run", upload);
        store.saveUpload("run", kept);
        store.savePart("run", "upload-1", new PartRecord(1, "p1", null, null));
        store.savePart("run", "upload-1", new PartRecord(2, "p2", null, null));

        store.deleteUpload("run", "upload-1");
        store.deleteUpload("run", "never-saved");

        assertThat(store.upload("run", "key")).isEmpty();
        assertThat(store.uploads("run")).containsExactly(kept);
        // Saved again under the same id, it has no parts: they went with the upload.
        store.saveUpload("run", upload);
        assertThat(store.upload("run", "key")).contains(upload);
    }

    @Test
    void keepsTheUploadsOfRunsApart() {
        UploadRecord inRun = new UploadRecord("key", "same-id", "etag-run", 5L << 20, T0,
                List.of(new PartRecord(1, "r1", null, null)));
        UploadRecord inOther = new UploadRecord("key", "same-id", "etag-other", 6L << 20, T0.minusSeconds(1),
                List.of(new PartRecord(1, "o1", "c", "c"), new PartRecord(2, "o2", null, null)));
        store.saveUpload("run", inRun);
        store.saveUpload("other", inOther);

        assertThat(store.upload("run", "key")).contains(inRun);
        assertThat(store.upload("other", "key")).contains(inOther);

        store.savePart("run", "same-id", new PartRecord(2, "r2", null, null));
        store.deleteUpload("other", "same-id");

        assertThat(store.uploads("other")).isEmpty();
        assertThat(store.uploads("run")).containsExactly(new UploadRecord("key", "same-id", "etag-run", 5L << 20, T0,
                List.of(new PartRecord(1, "r1", null, null), new PartRecord(2, "r2", null, null))));
    }

    @Test
    void listsUploadsByStartAndFindsTheOneTheDefaultFinds() {
        UploadRecord b = new UploadRecord("key", "upload-b", "etag", 5L << 20, T0.plusNanos(1), List.of());
        UploadRecord a = new UploadRecord("key", "upload-a", "etag", 5L << 20, T0,
                List.of(new PartRecord(1, "a1", null, null)));
        UploadRecord earliest = new UploadRecord("other-key", "upload-z", "etag", 5L << 20, T0.minusNanos(1),
                List.of());
        UploadRecord latest = new UploadRecord("other-key", "upload-0", "etag", 5L << 20, T0.plusSeconds(1),
                List.of());
        for (UploadRecord upload : List.of(b, latest, a, earliest)) {
            store.saveUpload("run", upload);
        }

        assertThat(store.uploads("run")).containsExactly(earliest, a, b, latest);
        // upload() finds what the interface's default finds in uploads().
        for (String key : List.of("key", "other-key", "never")) {
            assertThat(store.upload("run", key)).as(key).isEqualTo(newestByDefault(store.uploads("run"), key));
        }
        assertThat(store.upload("run", "key")).contains(b);
        assertThat(store.upload("run", "other-key")).contains(latest);
    }

    @Test
    void ofUploadsOfAKeyStartedAtTheSameInstantTheOneSavedLastIsTheNewest() {
        // The engine saves an intent record, then the upload it creates, often at the same instant:
        // the upload must be the one found, whatever the ids.
        UploadRecord intent = new UploadRecord("key", "zzz-intent", "-", 1, T0, List.of());
        UploadRecord upload = new UploadRecord("key", "aaa-upload", "etag", 5L << 20, T0,
                List.of(new PartRecord(1, "p1", null, null)));
        store.saveUpload("run", intent);
        store.saveUpload("run", upload);

        assertThat(store.uploads("run")).containsExactly(intent, upload);
        assertThat(store.upload("run", "key")).contains(upload);
        store.saveUpload("other", upload);
        store.saveUpload("other", intent);
        assertThat(store.upload("other", "key")).contains(intent);
    }

    // ---- clearing progress --------------------------------------------------------------------

    @Test
    void clearProgressKeepsTheRunAndItsLogOnly() {
        writeOneOfEverything("run");
        writeOneOfEverything("other");

        store.clearProgress("run");
        store.clearProgress("unknown");

        assertThat(store.run("run")).contains(run("run", T0));
        assertThat(log("run")).containsExactly(logLine("run"));
        assertThat(store.ranges("run", DiffPass.BEFORE)).isEmpty();
        assertThat(tasks("run")).isEmpty();
        for (TaskState state : TaskState.values()) {
            assertThat(store.countTasks("run", state)).isZero();
        }
        assertThat(store.resumeState("run")).isEmpty();
        assertThat(store.uploads("run")).isEmpty();
        assertThat(store.upload("run", "key-run")).isEmpty();
        assertOneOfEverything("other");

        // The run resumes from nothing; its upload id may come back, without the old parts.
        store.saveUpload("run", new UploadRecord("key-run", "upload-run", "etag", 5L << 20, T0, List.of()));
        assertThat(store.upload("run", "key-run")).hasValueSatisfying(upload -> assertThat(upload.parts()).isEmpty());
    }

    // ---- durability and visibility ------------------------------------------------------------

    @Test
    void keepsEverythingWrittenBeforeCloseAcrossAReopen() {
        writeOneOfEverything("run");
        writeOneOfEverything("other");
        RangeCheckpoint replaced = new RangeCheckpoint(DiffPass.BEFORE, 0, null, "m", "later", 11, 21,
                tally("replaced"), true);
        store.saveRange("other", replaced);
        store.close();

        store = openStore(workDirectory);

        assertOneOfEverything("run");
        assertRanges(store.ranges("other", DiffPass.BEFORE), replaced);
        assertThat(bytes(store.resumeState("other"))).isEqualTo(resumeState("other"));
        assertThat(tasks("other")).hasSize(2);
        // Still writable, and the log goes on after the lines written before.
        store.log("run", new LogLine(T0, "INFO", "after reopen"));
        assertThat(log("run")).containsExactly(logLine("run"), new LogLine(T0, "INFO", "after reopen"));
    }

    @Test
    void closeIsIdempotent() {
        store.saveTask("run", task(0, TaskState.DONE));
        store.close();
        store.close();

        store = openStore(workDirectory);
        assertThat(tasks("run")).containsExactly(task(0, TaskState.DONE));
    }

    @Test
    void flushMakesWritesVisibleToAnotherStoreOnTheSameDirectory() {
        writeOneOfEverything("run");
        store.flush();

        try (CheckpointStore second = openStore(workDirectory)) {
            CheckpointStore first = store;
            store = second;
            try {
                assertOneOfEverything("run");
            } finally {
                store = first;
            }
        }
        // The first store goes on working.
        store.saveTask("run", task(2, TaskState.DONE));
        assertThat(tasks("run")).hasSize(3);
    }

    @Test
    void createAndUpdateRunAreVisibleToAnotherStoreWithoutAFlush() {
        store.createRun(run("run", T0));
        try (CheckpointStore second = openStore(workDirectory)) {
            assertThat(second.run("run")).contains(run("run", T0));
            RunRecord updated = run("run", T0).withState(MigrationState.COMPLETED, T0.plusSeconds(1));
            store.saveResumeState("run", tally("written before the update"));
            store.updateRun(updated);
            assertThat(second.run("run")).contains(updated);
            assertThat(bytes(second.resumeState("run"))).isEqualTo(tally("written before the update"));
        }
    }

    @Test
    void clearProgressIsVisibleToAnotherStoreWithoutAFlush() {
        writeOneOfEverything("run");
        store.flush();
        try (CheckpointStore second = openStore(workDirectory)) {
            assertThat(second.resumeState("run")).isPresent();
            // Written after the last flush, then cleared: the clearing is durable with what came before it.
            store.saveTask("run", task(5, TaskState.DONE));
            store.clearProgress("run");

            assertThat(second.resumeState("run")).isEmpty();
            assertThat(second.ranges("run", DiffPass.BEFORE)).isEmpty();
            assertThat(second.tasks("run", -1, 10)).isEmpty();
            assertThat(second.uploads("run")).isEmpty();
            assertThat(second.run("run")).contains(run("run", T0));
            try (Stream<LogLine> lines = second.log("run")) {
                assertThat(lines).containsExactly(logLine("run"));
            }
        }
    }

    // ---- threads ------------------------------------------------------------------------------

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void concurrentWritersOnEightThreadsLoseNothing() throws Exception {
        int threads = 8;
        int count = 3_000;
        store.createRun(run("shared", T0));
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                String own = "thread-" + t;
                work.add(executor.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    for (int i = 0; i < count; i++) {
                        store.saveTask(own, task(i, TaskState.IN_PROGRESS));
                        store.saveTask("shared", task((long) i * threads + thread, TaskState.DONE));
                        store.log("shared", new LogLine(T0, "INFO", own + " " + i));
                        store.saveResumeState(own, tally(Integer.toString(i)));
                        if (i % 500 == 0) {
                            // Reads see this thread's writes, committed or not, while the others write.
                            assertThat(store.countTasks(own, TaskState.IN_PROGRESS)).isEqualTo(i + 1);
                            assertThat(bytes(store.resumeState(own))).isEqualTo(tally(Integer.toString(i)));
                        }
                        if (i % 1_000 == 999) {
                            store.flush();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get(100, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }

        assertThat(store.countTasks("shared", TaskState.DONE)).isEqualTo((long) threads * count);
        Iterator<TaskRecord> it = tasks("shared").iterator();
        for (long i = 0; i < (long) threads * count; i++) {
            assertThat(it.next()).isEqualTo(task(i, TaskState.DONE));
        }
        assertThat(it.hasNext()).isFalse();
        List<String> lines = log("shared").stream().map(LogLine::message).collect(Collectors.toList());
        assertThat(lines).hasSize(threads * count);
        for (int t = 0; t < threads; t++) {
            String own = "thread-" + t;
            assertThat(store.countTasks(own, TaskState.IN_PROGRESS)).isEqualTo(count);
            assertThat(bytes(store.resumeState(own))).isEqualTo(tally(Integer.toString(count - 1)));
            // Each thread's lines come in the order that thread wrote them.
            assertThat(lines.stream().filter(line -> line.startsWith(own + " ")).collect(Collectors.toList()))
                    .containsExactlyElementsOf(numberedLines(own + " ", 0, 1, count));
        }
        assertThat(store.run("shared")).contains(run("shared", T0));
    }

    // ---- nulls --------------------------------------------------------------------------------

    @Test
    void rejectsNullArguments() {
        RunRecord run = run("run", T0);
        LogLine line = new LogLine(T0, "INFO", "x");
        RangeCheckpoint range = new RangeCheckpoint(DiffPass.BEFORE, 0, null, null, null, 0, 0, tally("{}"), false);
        TaskRecord task = task(0, TaskState.DONE);
        UploadRecord upload = new UploadRecord("key", "upload", "etag", 5L << 20, T0, List.of());
        PartRecord part = new PartRecord(1, "etag", null, null);

        assertThatNullPointerException().isThrownBy(() -> store.createRun(null));
        assertThatNullPointerException().isThrownBy(() -> store.updateRun(null));
        assertThatNullPointerException().isThrownBy(() -> store.run(null));
        assertThatNullPointerException().isThrownBy(() -> store.clearProgress(null));
        assertThatNullPointerException().isThrownBy(() -> store.log(null, line));
        assertThatNullPointerException().isThrownBy(() -> store.log("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.log(null));
        assertThatNullPointerException().isThrownBy(() -> store.saveResumeState(null, new byte[] {1}));
        assertThatNullPointerException().isThrownBy(() -> store.saveResumeState("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.resumeState(null));
        assertThatNullPointerException().isThrownBy(() -> store.saveRange(null, range));
        assertThatNullPointerException().isThrownBy(() -> store.saveRange("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.ranges(null, DiffPass.BEFORE));
        assertThatNullPointerException().isThrownBy(() -> store.ranges("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.saveTask(null, task));
        assertThatNullPointerException().isThrownBy(() -> store.saveTask("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.tasks(null, -1, 10));
        assertThatNullPointerException().isThrownBy(() -> store.countTasks(null, TaskState.DONE));
        assertThatNullPointerException().isThrownBy(() -> store.countTasks("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.saveUpload(null, upload));
        assertThatNullPointerException().isThrownBy(() -> store.saveUpload("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.savePart(null, "upload", part));
        assertThatNullPointerException().isThrownBy(() -> store.savePart("run", null, part));
        assertThatNullPointerException().isThrownBy(() -> store.savePart("run", "upload", null));
        assertThatNullPointerException().isThrownBy(() -> store.upload(null, "key"));
        assertThatNullPointerException().isThrownBy(() -> store.upload("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.uploads(null));
        assertThatNullPointerException().isThrownBy(() -> store.deleteUpload(null, "upload"));
        assertThatNullPointerException().isThrownBy(() -> store.deleteUpload("run", null));

        // A refused call changes nothing and leaves the store usable.
        assertThat(store.runs()).isEmpty();
        assertThat(tasks("run")).isEmpty();
        assertThat(store.resumeState("run")).isEmpty();
        store.createRun(run);
        store.saveTask("run", task);
        assertThat(store.run("run")).contains(run);
        assertThat(tasks("run")).containsExactly(task);
    }

    /** What {@link CheckpointStore#upload}'s default finds among a run's uploads. */
    private static Optional<UploadRecord> newestByDefault(List<UploadRecord> uploads, String key) {
        UploadRecord found = null;
        for (UploadRecord u : uploads) {
            if (u.key().equals(key) && (found == null || !u.startedAt().isBefore(found.startedAt()))) {
                found = u;
            }
        }
        return Optional.ofNullable(found);
    }

    private static LogLine logLine(String runId) {
        return new LogLine(T0, "WARN", "log of " + runId);
    }

    /** Writes a run with one log line, resume state, range checkpoint and upload with parts, and two tasks. */
    private void writeOneOfEverything(String runId) {
        store.createRun(run(runId, T0));
        store.log(runId, logLine(runId));
        store.saveResumeState(runId, resumeState(runId));
        store.saveRange(runId, new RangeCheckpoint(DiffPass.BEFORE, 0, null, "m", "k-" + runId, 10, 20,
                tally("{}"), false));
        store.saveTask(runId, task(0, TaskState.DONE));
        store.saveTask(runId, task(1, TaskState.FAILED));
        store.saveUpload(runId, new UploadRecord("key-" + runId, "upload-" + runId, "etag", 5L << 20, T0, List.of()));
        store.savePart(runId, "upload-" + runId, new PartRecord(1, "part-of-" + runId, null, "crc"));
    }

    private void assertOneOfEverything(String runId) {
        assertThat(store.run(runId)).contains(run(runId, T0));
        assertThat(log(runId)).containsExactly(logLine(runId));
        assertThat(bytes(store.resumeState(runId))).isEqualTo(resumeState(runId));
        assertRanges(store.ranges(runId, DiffPass.BEFORE),
                new RangeCheckpoint(DiffPass.BEFORE, 0, null, "m", "k-" + runId, 10, 20, tally("{}"), false));
        assertThat(tasks(runId)).containsExactly(task(0, TaskState.DONE), task(1, TaskState.FAILED));
        assertThat(store.countTasks(runId, TaskState.FAILED)).isEqualTo(1);
        UploadRecord upload = new UploadRecord("key-" + runId, "upload-" + runId, "etag", 5L << 20, T0,
                List.of(new PartRecord(1, "part-of-" + runId, null, "crc")));
        assertThat(store.upload(runId, "key-" + runId)).contains(upload);
        assertThat(store.uploads(runId)).containsExactly(upload);
    }
}
