package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.MigrationState;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

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
 * the test. The tests check the exact round trip of every field (instants to the nanosecond, nulls
 * apart from empty strings), the orders the interface promises, replacement, deletion, the
 * separation of runs, that reads see writes not yet flushed, durability across a close and a
 * reopen, that {@link CheckpointStore#flush()} makes writes visible to a second store opened on the
 * same directory while the first is still open, concurrent writers on 8 threads, null arguments,
 * and a volume of 100,000 tasks read back as a stream. The volume test prints its timings.
 *
 * <p>JUnit 5 runs each test method on its own instance; the fields are not shared.
 */
public abstract class CheckpointStoreContract {

    /** An instant with nanoseconds, from which the tests' instants are counted. */
    protected static final Instant T0 = Instant.parse("2024-02-29T23:59:59.123456789Z");

    /** The test's work directory: fresh and empty, deleted after the test. */
    @TempDir
    protected Path workDirectory;

    /** The store under test, opened on {@link #workDirectory} before each test and closed after it. */
    protected CheckpointStore store;

    /** Creates the contract; JUnit creates one instance per test. */
    protected CheckpointStoreContract() {
    }

    /**
     * Opens the store under test in a work directory; called once per test, again to check that
     * data survives a close and a reopen, and for a second store open on the same directory at
     * the same time as the first.
     *
     * @param workDirectory an existing, writable directory; not null
     * @return the store; the contract closes it
     */
    protected abstract CheckpointStore openStore(Path workDirectory);

    @BeforeEach
    void openTheStore() {
        store = openStore(workDirectory);
    }

    @AfterEach
    void closeTheStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- runs ---------------------------------------------------------------------------------

    @Test
    void roundTripsEveryFieldOfARun() {
        RunRecord full = new RunRecord("run-1", "RUN", "{\"source\":\"s3://bucket/caf\u00E9\",\"x\":\"\\\"\"}",
                "sha256:0123456789abcdef", MigrationState.TRANSFERRING, T0, T0.plusNanos(1),
                Instant.parse("2024-03-01T01:02:03.000000001Z"), "{\"copied\":3}",
                "failed:\nline 2\ttab \uD83D\uDE00 'quoted' \\back", 3);
        // Empty is not null: both must come back as they went in.
        RunRecord sparse = new RunRecord("run-2", "PLAN", "", "", MigrationState.INITIALIZING, Instant.EPOCH,
                Instant.EPOCH, null, null, null, 1);
        RunRecord emptyStrings = new RunRecord("run-3", "REPAIR", "{}", "h", MigrationState.FAILED,
                Instant.ofEpochSecond(-1, 999_999_999), Instant.ofEpochSecond(-1, 999_999_999),
                Instant.ofEpochSecond(0, 1), "", "", 0);
        for (RunRecord run : List.of(full, sparse, emptyStrings)) {
            store.createRun(run);
        }

        assertThat(store.run("run-1")).contains(full);
        assertThat(store.run("run-2")).contains(sparse);
        assertThat(store.run("run-3")).contains(emptyStrings);
        assertThat(store.run("run-4")).isEmpty();
        assertThat(store.runs()).containsExactly(emptyStrings, sparse, full);
    }

    @Test
    void roundTripsEveryRunState() {
        List<RunRecord> runs = new ArrayList<>();
        MigrationState[] states = MigrationState.values();
        for (int i = 0; i < states.length; i++) {
            RunRecord run = run("state-" + states[i], T0.plusSeconds(i)).withState(states[i], T0.plusSeconds(i + 1));
            store.createRun(run);
            runs.add(run);
        }
        assertThat(store.runs()).containsExactlyElementsOf(runs);
    }

    @Test
    void listsRunsByStartThenId() {
        assertThat(store.runs()).isEmpty();
        RunRecord b = run("b", T0.plusSeconds(1));
        RunRecord c = run("c", T0);
        RunRecord a = run("a", T0.plusSeconds(1));
        RunRecord earliest = run("z", T0.minusNanos(1));
        RunRecord nanoLater = run("y", T0.plusNanos(1));
        for (RunRecord run : List.of(b, c, a, earliest, nanoLater)) {
            store.createRun(run);
        }

        assertThat(store.runs()).containsExactly(earliest, c, nanoLater, a, b);
    }

    @Test
    void creatingARunTwiceFailsAndKeepsTheFirst() {
        RunRecord first = run("run", T0);
        store.createRun(first);
        RunRecord second = new RunRecord("run", "RECONCILE", "{\"other\":true}", "other", MigrationState.LISTING,
                T0.plusSeconds(5), T0.plusSeconds(5), null, null, null, 1);

        assertThatThrownBy(() -> store.createRun(second)).isInstanceOf(IllegalStateException.class);

        assertThat(store.run("run")).contains(first);
        assertThat(store.runs()).containsExactly(first);
    }

    @Test
    void updateRunReplacesTheWholeRecord() {
        RunRecord created = run("run", T0);
        store.createRun(created);
        store.createRun(run("other", T0));

        RunRecord ended = new RunRecord("run", "RUN", "{\"changed\":1}", "hash-2", MigrationState.FAILED, T0,
                T0.plusSeconds(60), T0.plusSeconds(60), "{\"failed\":1}", "access denied", 2);
        store.updateRun(ended);
        assertThat(store.run("run")).contains(ended);

        // A resumed run: back to a state that is not terminal, with nulls where there were values.
        RunRecord resumed = new RunRecord("run", "RUN", "{}", "hash-2", MigrationState.LISTING, T0,
                T0.plusSeconds(61), null, null, null, 3);
        store.updateRun(resumed);
        assertThat(store.run("run")).contains(resumed);
        assertThat(store.run("other")).contains(run("other", T0));
        assertThat(store.runs()).hasSize(2);
    }

    @Test
    void updatingAnUnknownRunFailsAndCreatesNothing() {
        store.createRun(run("known", T0));

        assertThatThrownBy(() -> store.updateRun(run("unknown", T0))).isInstanceOf(IllegalStateException.class);

        assertThat(store.run("unknown")).isEmpty();
        assertThat(store.runs()).containsExactly(run("known", T0));
    }

    // ---- log ----------------------------------------------------------------------------------

    @Test
    void readsALogInTheOrderItWasWrittenNotByTime() {
        List<LogLine> first = List.of(
                new LogLine(T0.plusSeconds(2), "INFO", "started"),
                new LogLine(T0.plusSeconds(1), "WARN", "earlier instant, written later"),
                new LogLine(T0.plusSeconds(1), "ERROR", "same instant\nsecond line \uD83D\uDE00 \"q\" \\ \u0001"),
                new LogLine(Instant.EPOCH, "INFO", ""),
                new LogLine(Instant.ofEpochSecond(-1, 1), "INFO", "before 1970"));
        List<LogLine> second = List.of(new LogLine(T0, "INFO", "other run"), new LogLine(T0, "INFO", "other run"));
        for (int i = 0; i < first.size(); i++) {
            store.log("run-1", first.get(i));
            if (i < second.size()) {
                store.log("run-2", second.get(i));
            }
        }

        assertThat(log("run-1")).containsExactlyElementsOf(first);
        assertThat(log("run-2")).containsExactlyElementsOf(second);
        assertThat(log("unknown")).isEmpty();
    }

    @Test
    void keepsTheOrderOfALogLongerThanABatch() {
        int count = 5_000;
        for (int i = 0; i < count; i++) {
            store.log(i % 2 == 0 ? "even" : "odd", new LogLine(T0.minusMillis(i), "INFO", "line " + i));
        }

        assertThat(log("even")).extracting(LogLine::message)
                .containsExactlyElementsOf(numberedLines(0, count));
        assertThat(log("odd")).extracting(LogLine::message)
                .containsExactlyElementsOf(numberedLines(1, count));
    }

    // ---- named values -------------------------------------------------------------------------

    @Test
    void putsReplacesAndReadsNamedValues() {
        assertThat(store.value("run", "submitted")).isEmpty();

        store.putValue("run", "submitted", "41");
        assertThat(store.value("run", "submitted")).contains("41");
        store.putValue("run", "submitted", "42");
        store.putValue("run", "Submitted", "case matters");
        store.putValue("run", "empty", "");
        store.putValue("other", "submitted", "7");
        store.putValue("run", "json", "{\"a\":[1,2],\"b\":\"\u00E9\uD83D\uDE00\\n\"}");

        assertThat(store.value("run", "submitted")).contains("42");
        assertThat(store.value("run", "Submitted")).contains("case matters");
        assertThat(store.value("run", "empty")).contains("");
        assertThat(store.value("other", "submitted")).contains("7");
        assertThat(store.value("run", "json")).contains("{\"a\":[1,2],\"b\":\"\u00E9\uD83D\uDE00\\n\"}");
        assertThat(store.value("run", "never")).isEmpty();
        assertThat(store.value("unknown", "submitted")).isEmpty();
    }

    // ---- listing checkpoints ------------------------------------------------------------------

    @Test
    void savesReplacesAndListsRangeCheckpointsByIndex() {
        RangeCheckpoint r10 = new RangeCheckpoint("before", 10, "m", null, null, 0, 0, "{}", false);
        RangeCheckpoint r2 = new RangeCheckpoint("before", 2, "c", "f", "d/\uD83D\uDE00", 1_000, 500, "{\"n\":1}",
                false);
        RangeCheckpoint r0 = new RangeCheckpoint("before", 0, null, "c", "b\u0000x", Long.MAX_VALUE, 0, "", true);
        RangeCheckpoint r1 = new RangeCheckpoint("before", 1, "c", "e", "", 0, Long.MAX_VALUE, "t", false);
        for (RangeCheckpoint range : List.of(r10, r2, r0, r1)) {
            store.saveRange("run", range);
        }
        RangeCheckpoint r2Later = new RangeCheckpoint("before", 2, "c", "f", "e", 2_000, 900, "{\"n\":2}", true);
        store.saveRange("run", r2Later);
        RangeCheckpoint verify = new RangeCheckpoint("verify", 2, null, null, null, 0, 0, "{}", false);
        store.saveRange("run", verify);
        RangeCheckpoint otherRun = new RangeCheckpoint("before", 0, null, null, "zzz", 1, 1, "{}", true);
        store.saveRange("other", otherRun);

        assertThat(store.ranges("run", "before")).containsExactly(r0, r1, r2Later, r10);
        assertThat(store.ranges("run", "verify")).containsExactly(verify);
        assertThat(store.ranges("other", "before")).containsExactly(otherRun);
        assertThat(store.ranges("run", "Before")).isEmpty();
        assertThat(store.ranges("unknown", "before")).isEmpty();
    }

    @Test
    void clearRangesClearsOnlyThatPhaseOfThatRun() {
        RangeCheckpoint before = new RangeCheckpoint("before", 0, null, null, "a", 1, 0, "{}", false);
        RangeCheckpoint verify = new RangeCheckpoint("verify", 0, null, null, "b", 2, 0, "{}", false);
        store.saveRange("run", before);
        store.saveRange("run", verify);
        store.saveRange("other", before);

        store.clearRanges("run", "before");
        store.clearRanges("run", "never-saved");
        store.clearRanges("unknown", "before");

        assertThat(store.ranges("run", "before")).isEmpty();
        assertThat(store.ranges("run", "verify")).containsExactly(verify);
        assertThat(store.ranges("other", "before")).containsExactly(before);

        // The phase starts over.
        RangeCheckpoint again = new RangeCheckpoint("before", 3, "x", null, null, 0, 0, "{}", false);
        store.saveRange("run", again);
        assertThat(store.ranges("run", "before")).containsExactly(again);
    }

    // ---- tasks --------------------------------------------------------------------------------

    @Test
    void roundTripsEveryFieldOfATask() {
        List<TaskRecord> tasks = new ArrayList<>();
        long sequence = 0;
        for (TransferAction action : TransferAction.values()) {
            for (TaskState state : TaskState.values()) {
                tasks.add(new TaskRecord(sequence, "key/" + action + "/" + state, action, state, (int) sequence,
                        sequence * 1_000, sequence % 2 == 0, state == TaskState.FAILED ? "error " + sequence : null));
                sequence++;
            }
        }
        for (String key : List.of("", "\u0000", "tab\tnew\nline", "\uD83D\uDE00/\u00E9", "e\u0301", "\uFFFF",
                "'; DROP TABLE tasks; --", "k".repeat(1024))) {
            tasks.add(new TaskRecord(sequence, key, TransferAction.RECOPY, TaskState.DONE, Integer.MAX_VALUE,
                    Long.MAX_VALUE, true, ""));
            sequence++;
        }
        tasks.add(new TaskRecord(Long.MAX_VALUE, "last", TransferAction.DELETE, TaskState.PENDING, 0, 0, false,
                "multi\nline \uD83D\uDE00"));
        List<TaskRecord> shuffled = new ArrayList<>(tasks);
        Collections.shuffle(shuffled, new Random(3));
        shuffled.forEach(task -> store.saveTask("run", task));

        assertThat(tasks("run")).containsExactlyElementsOf(tasks);
    }

    @Test
    void savingATaskAgainReplacesItAndStreamsInSequenceOrder() {
        for (long sequence : new long[] {5, 0, 9, 10, 1L << 40, 2, 100}) {
            store.saveTask("run", task(sequence, TaskState.IN_PROGRESS));
        }
        TaskRecord failed = new TaskRecord(5, key(5), TransferAction.COPY, TaskState.FAILED, 3, 0, false, "timeout");
        store.saveTask("run", failed);
        TaskRecord done = new TaskRecord(10, "renamed", TransferAction.DELETE, TaskState.DONE, 1, 0, false, null);
        store.saveTask("run", done);

        assertThat(tasks("run")).containsExactly(task(0, TaskState.IN_PROGRESS), task(2, TaskState.IN_PROGRESS),
                failed, task(9, TaskState.IN_PROGRESS), done, task(100, TaskState.IN_PROGRESS),
                task(1L << 40, TaskState.IN_PROGRESS));
    }

    @Test
    void readsTasksPageByPageAfterASequence() {
        for (long sequence = 24; sequence >= 0; sequence--) {
            store.saveTask("run", task(sequence * 2, TaskState.DONE)); // 0, 2, ..., 48, saved backwards
        }
        store.saveTask("other", task(1, TaskState.DONE));
        List<TaskRecord> first = store.tasks("run", -1, 10);
        assertThat(first).extracting(TaskRecord::sequence).containsExactly(0L, 2L, 4L, 6L, 8L, 10L, 12L, 14L, 16L,
                18L);
        assertThat(store.tasks("run", 18, 10)).extracting(TaskRecord::sequence).startsWith(20L).hasSize(10);
        assertThat(store.tasks("run", 37, 10)).extracting(TaskRecord::sequence).containsExactly(38L, 40L, 42L, 44L,
                46L, 48L);
        assertThat(store.tasks("run", 48, 10)).isEmpty();
        assertThat(store.tasks("run", 3, 1)).containsExactly(task(4, TaskState.DONE));
        assertThatThrownBy(() -> store.tasks("run", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void countsTasksByState() {
        for (TaskState state : TaskState.values()) {
            assertThat(store.countTasks("run", state)).isZero();
        }
        for (int i = 0; i < 100; i++) {
            store.saveTask("run", task(i, TaskState.IN_PROGRESS));
        }
        for (int i = 0; i < 100; i += 3) {
            store.saveTask("run", task(i, i % 2 == 0 ? TaskState.DONE : TaskState.FAILED));
        }
        store.saveTask("other", task(0, TaskState.DONE));

        // 34 of the 100 were saved again: 17 even (done) and 17 odd (failed).
        assertThat(store.countTasks("run", TaskState.IN_PROGRESS)).isEqualTo(66);
        assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(17);
        assertThat(store.countTasks("run", TaskState.FAILED)).isEqualTo(17);
        assertThat(store.countTasks("run", TaskState.PENDING)).isZero();
        assertThat(store.countTasks("other", TaskState.DONE)).isEqualTo(1);
        assertThat(store.countTasks("unknown", TaskState.DONE)).isZero();
    }

    @Test
    void keepsTheTasksOfRunsApart() {
        store.saveTask("run", task(0, TaskState.DONE));
        store.saveTask("run", task(1, TaskState.DONE));
        TaskRecord same = new TaskRecord(0, "other-key", TransferAction.DELETE, TaskState.FAILED, 9, 0, false, "x");
        store.saveTask("run-2", same);

        assertThat(tasks("run")).containsExactly(task(0, TaskState.DONE), task(1, TaskState.DONE));
        assertThat(tasks("run-2")).containsExactly(same);
        assertThat(tasks("unknown")).isEmpty();
    }

    @Test
    void taskStreamClosedEarlyLeavesTheStoreUsable() {
        for (int i = 0; i < 3_000; i++) {
            store.saveTask("run", task(i, TaskState.DONE));
        }
        for (int i = 0; i < 20; i++) {
            try (Stream<TaskRecord> tasks = store.tasks("run")) {
                assertThat(tasks.limit(2)).containsExactly(task(0, TaskState.DONE), task(1, TaskState.DONE));
            }
        }
        store.saveTask("run", task(0, TaskState.FAILED));
        assertThat(store.countTasks("run", TaskState.FAILED)).isEqualTo(1);
        assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(2_999);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void streamsAHundredThousandTasksBackInSequenceOrder() {
        int count = 100_000;
        long writeStart = System.nanoTime();
        for (int i = 0; i < count; i++) {
            int j = permuted(i, count);
            store.saveTask("volume", task(j, TaskState.IN_PROGRESS));
        }
        for (int i = 0; i < count; i += 10) {
            store.saveTask("volume", task(i, TaskState.DONE));
        }
        long written = System.nanoTime();

        // Checked task by task as they stream, never collected.
        long[] seen = {0};
        try (Stream<TaskRecord> tasks = store.tasks("volume")) {
            tasks.forEach(task -> {
                long i = seen[0]++;
                TaskRecord expected = task(i, i % 10 == 0 ? TaskState.DONE : TaskState.IN_PROGRESS);
                if (!task.equals(expected)) {
                    throw new AssertionError("task " + i + " is " + task + ", expected " + expected);
                }
            });
        }
        long read = System.nanoTime();

        assertThat(seen[0]).isEqualTo(count);
        assertThat(store.countTasks("volume", TaskState.DONE)).isEqualTo(count / 10);
        assertThat(store.countTasks("volume", TaskState.IN_PROGRESS)).isEqualTo(count - count / 10);
        System.out.printf(Locale.ROOT, "%s: saved %,d tasks in a scrambled order and %,d again in %,d ms"
                        + " (%,.0f saves/s), streamed them back in %,d ms (%,.0f tasks/s)%n",
                store.getClass().getSimpleName(), count, count / 10, (written - writeStart) / 1_000_000,
                (count + count / 10) / ((written - writeStart) / 1e9), (read - written) / 1_000_000,
                count / ((read - written) / 1e9));
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

    // ---- clearing progress --------------------------------------------------------------------

    @Test
    void clearProgressKeepsTheRunAndItsLogOnly() {
        writeOneOfEverything("run");
        writeOneOfEverything("other");

        store.clearProgress("run");
        store.clearProgress("unknown");

        assertThat(store.run("run")).contains(run("run", T0));
        assertThat(log("run")).containsExactly(logLine("run"));
        assertThat(store.ranges("run", "before")).isEmpty();
        assertThat(tasks("run")).isEmpty();
        for (TaskState state : TaskState.values()) {
            assertThat(store.countTasks("run", state)).isZero();
        }
        assertThat(store.value("run", "submitted")).isEmpty();
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
        store.clearRanges("other", "before");
        store.close();

        store = openStore(workDirectory);

        assertOneOfEverything("run");
        assertThat(store.ranges("other", "before")).isEmpty();
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
            store.putValue("run", "written-before-the-update", "yes");
            store.updateRun(updated);
            assertThat(second.run("run")).contains(updated);
            assertThat(second.value("run", "written-before-the-update")).contains("yes");
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
                        store.putValue(own, "done", Integer.toString(i));
                        if (i % 500 == 0) {
                            // Reads see this thread's writes, committed or not, while the others write.
                            assertThat(store.countTasks(own, TaskState.IN_PROGRESS)).isEqualTo(i + 1);
                            assertThat(store.value(own, "done")).contains(Integer.toString(i));
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
        try (Stream<TaskRecord> shared = store.tasks("shared")) {
            Iterator<TaskRecord> it = shared.iterator();
            for (long i = 0; i < (long) threads * count; i++) {
                assertThat(it.next()).isEqualTo(task(i, TaskState.DONE));
            }
            assertThat(it.hasNext()).isFalse();
        }
        List<String> lines = log("shared").stream().map(LogLine::message).collect(Collectors.toList());
        assertThat(lines).hasSize(threads * count);
        for (int t = 0; t < threads; t++) {
            String own = "thread-" + t;
            assertThat(store.countTasks(own, TaskState.IN_PROGRESS)).isEqualTo(count);
            assertThat(store.value(own, "done")).contains(Integer.toString(count - 1));
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
        RangeCheckpoint range = new RangeCheckpoint("before", 0, null, null, null, 0, 0, "{}", false);
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
        assertThatNullPointerException().isThrownBy(() -> store.putValue(null, "name", "value"));
        assertThatNullPointerException().isThrownBy(() -> store.putValue("run", null, "value"));
        assertThatNullPointerException().isThrownBy(() -> store.putValue("run", "name", null));
        assertThatNullPointerException().isThrownBy(() -> store.value(null, "name"));
        assertThatNullPointerException().isThrownBy(() -> store.value("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.saveRange(null, range));
        assertThatNullPointerException().isThrownBy(() -> store.saveRange("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.ranges(null, "before"));
        assertThatNullPointerException().isThrownBy(() -> store.ranges("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.clearRanges(null, "before"));
        assertThatNullPointerException().isThrownBy(() -> store.clearRanges("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.saveTask(null, task));
        assertThatNullPointerException().isThrownBy(() -> store.saveTask("run", null));
        assertThatNullPointerException().isThrownBy(() -> store.tasks(null));
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
        store.createRun(run);
        store.saveTask("run", task);
        assertThat(store.run("run")).contains(run);
        assertThat(tasks("run")).containsExactly(task);
    }

    // ---- helpers ------------------------------------------------------------------------------

    /**
     * Returns a run of kind {@code RUN} in state {@code LISTING}, started and updated at
     * {@code startedAt}, not ended.
     *
     * @param runId the run's id
     * @param startedAt when it started
     * @return the record
     */
    protected static RunRecord run(String runId, Instant startedAt) {
        return new RunRecord(runId, "RUN", "{\"run\":\"" + runId + "\"}", "hash-" + runId, MigrationState.LISTING,
                startedAt, startedAt, null, null, null, 1);
    }

    /**
     * Returns the task of a sequence number in a state: its key is {@link #key(long)}, its other
     * fields follow from the number and the state.
     *
     * @param sequence the sequence number
     * @param state the state
     * @return the record
     */
    protected static TaskRecord task(long sequence, TaskState state) {
        TransferAction action = TransferAction.values()[(int) (sequence % TransferAction.values().length)];
        return new TaskRecord(sequence, key(sequence), action, state, (int) (sequence % 5),
                state == TaskState.DONE && action != TransferAction.DELETE ? sequence * 7 : 0, sequence % 2 == 1,
                state == TaskState.FAILED ? "failed " + sequence : null);
    }

    /**
     * Returns the key of task {@code sequence}: {@code dir/<sequence>.bin}.
     *
     * @param sequence the sequence number
     * @return the key
     */
    protected static String key(long sequence) {
        return "dir/" + sequence + ".bin";
    }

    /**
     * Reads a run's tasks into a list; for small runs.
     *
     * @param runId the run's id
     * @return the tasks in the order the store returned them
     */
    protected final List<TaskRecord> tasks(String runId) {
        try (Stream<TaskRecord> tasks = store.tasks(runId)) {
            return tasks.collect(Collectors.toList());
        }
    }

    /**
     * Reads a run's log into a list.
     *
     * @param runId the run's id
     * @return the lines in the order the store returned them
     */
    protected final List<LogLine> log(String runId) {
        try (Stream<LogLine> lines = store.log(runId)) {
            return lines.collect(Collectors.toList());
        }
    }

    private static LogLine logLine(String runId) {
        return new LogLine(T0, "WARN", "log of " + runId);
    }

    /** Writes a run with one log line, value, range checkpoint and upload with parts, and two tasks. */
    private void writeOneOfEverything(String runId) {
        store.createRun(run(runId, T0));
        store.log(runId, logLine(runId));
        store.putValue(runId, "submitted", "value of " + runId);
        store.saveRange(runId, new RangeCheckpoint("before", 0, null, "m", "k-" + runId, 10, 20, "{}", false));
        store.saveTask(runId, task(0, TaskState.DONE));
        store.saveTask(runId, task(1, TaskState.FAILED));
        store.saveUpload(runId, new UploadRecord("key-" + runId, "upload-" + runId, "etag", 5L << 20, T0, List.of()));
        store.savePart(runId, "upload-" + runId, new PartRecord(1, "part-of-" + runId, null, "crc"));
    }

    private void assertOneOfEverything(String runId) {
        assertThat(store.run(runId)).contains(run(runId, T0));
        assertThat(log(runId)).containsExactly(logLine(runId));
        assertThat(store.value(runId, "submitted")).contains("value of " + runId);
        assertThat(store.ranges(runId, "before")).containsExactly(
                new RangeCheckpoint("before", 0, null, "m", "k-" + runId, 10, 20, "{}", false));
        assertThat(tasks(runId)).containsExactly(task(0, TaskState.DONE), task(1, TaskState.FAILED));
        assertThat(store.countTasks(runId, TaskState.FAILED)).isEqualTo(1);
        UploadRecord upload = new UploadRecord("key-" + runId, "upload-" + runId, "etag", 5L << 20, T0,
                List.of(new PartRecord(1, "part-of-" + runId, null, "crc")));
        assertThat(store.upload(runId, "key-" + runId)).contains(upload);
        assertThat(store.uploads(runId)).containsExactly(upload);
    }

    private static List<String> numberedLines(int first, int end) {
        return numberedLines("line ", first, 2, end);
    }

    private static List<String> numberedLines(String prefix, int first, int step, int end) {
        List<String> lines = new ArrayList<>();
        for (int i = first; i < end; i += step) {
            lines.add(prefix + i);
        }
        return lines;
    }

    /**
     * Maps 0..count-1 onto itself in a scrambled order, without a table: a multiplication by a
     * prime that does not divide count.
     */
    private static int permuted(int i, int count) {
        long prime = count % 7919 == 0 ? 7927 : 7919;
        return (int) ((i * prime + 13) % count);
    }
}
