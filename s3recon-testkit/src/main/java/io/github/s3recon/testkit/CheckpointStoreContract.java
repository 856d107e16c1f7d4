package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
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
        RunRecord full = new RunRecord("run-1", RunKind.RUN, "{\"source\":\"s3://bucket/caf\u00E9\",\"x\":\"\\\"\"}",
                "sha256:0123456789abcdef", MigrationState.TRANSFERRING, T0, T0.plusNanos(1),
                Instant.parse("2024-03-01T01:02:03.000000001Z"), "{\"copied\":3}",
                "failed:\nline 2\ttab \uD83D\uDE00 'quoted' \\back", 3);
        // Empty is not null: both must come back as they went in.
        RunRecord sparse = new RunRecord("run-2", RunKind.PLAN, "", "", MigrationState.INITIALIZING, Instant.EPOCH,
                Instant.EPOCH, null, null, null, 1);
        RunRecord emptyStrings = new RunRecord("run-3", RunKind.REPAIR, "{}", "h", MigrationState.FAILED,
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
        RunRecord second = new RunRecord("run", RunKind.RECONCILE, "{\"other\":true}", "other", MigrationState.LISTING,
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

        RunRecord ended = new RunRecord("run", RunKind.RUN, "{\"changed\":1}", "hash-2", MigrationState.FAILED, T0,
                T0.plusSeconds(60), T0.plusSeconds(60), "{\"failed\":1}", "access denied", 2);
        store.updateRun(ended);
        assertThat(store.run("run")).contains(ended);

        // A resumed run: back to a state that is not terminal, with nulls where there were values.
        RunRecord resumed = new RunRecord("run", RunKind.RUN, "{}", "hash-2", MigrationState.LISTING, T0,
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

    @Test
    void roundTripsEveryRunKind() {
        List<RunRecord> runs = new ArrayList<>();
        RunKind[] kinds = RunKind.values();
        for (int i = 0; i < kinds.length; i++) {
            RunRecord run = new RunRecord("kind-" + kinds[i], kinds[i], "{}", "h", MigrationState.COMPLETED,
                    T0.plusSeconds(i), T0.plusSeconds(i), T0.plusSeconds(i), null, null, 1);
            store.createRun(run);
            runs.add(run);
        }
        assertThat(store.runs()).containsExactlyElementsOf(runs);
        for (RunRecord run : runs) {
            assertThat(store.run(run.runId())).contains(run);
        }
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

    // ---- resume state -------------------------------------------------------------------------

    @Test
    void savesReplacesAndReadsResumeStatesByteForByte() {
        assertThat(store.resumeState("run")).isEmpty();

        store.saveResumeState("run", new byte[] {1});
        assertThat(bytes(store.resumeState("run"))).containsExactly(1);

        // Every byte value, and sequences that are not UTF-8: a store must not treat them as text.
        byte[] everyByte = new byte[512];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) (i % 256);
        }
        byte[] notUtf8 = {(byte) 0xC3, 0x28, (byte) 0xFF, (byte) 0xFE, 0, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
        byte[] single = {0};
        store.saveResumeState("run", everyByte);
        store.saveResumeState("other", notUtf8);
        store.saveResumeState("zero", single);

        assertThat(bytes(store.resumeState("run"))).containsExactly(everyByte);
        assertThat(bytes(store.resumeState("other"))).containsExactly(notUtf8);
        assertThat(bytes(store.resumeState("zero"))).containsExactly(0);
        assertThat(store.resumeState("Run")).isEmpty();
        assertThat(store.resumeState("unknown")).isEmpty();
    }

    @Test
    void keepsALargeResumeStateAcrossAReopen() {
        byte[] large = new byte[4 << 20];
        new Random(7).nextBytes(large);
        store.saveResumeState("run", large);
        assertThat(Arrays.equals(bytes(store.resumeState("run")), large)).isTrue();
        store.close();

        store = openStore(workDirectory);
        assertThat(Arrays.equals(bytes(store.resumeState("run")), large)).as("4 MiB back byte for byte").isTrue();
    }

    @Test
    void resumeStateIsCopiedWhenSavedAndWhenRead() {
        byte[] state = "state-1".getBytes(StandardCharsets.UTF_8);
        store.saveResumeState("run", state);
        // The caller reuses its array before the change is committed: the store keeps what it was given.
        Arrays.fill(state, (byte) 'x');
        byte[] read = bytes(store.resumeState("run"));
        assertThat(read).isEqualTo("state-1".getBytes(StandardCharsets.UTF_8));

        Arrays.fill(read, (byte) 'y');
        assertThat(bytes(store.resumeState("run"))).isEqualTo("state-1".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void refusesAnEmptyResumeStateAndKeepsThePrevious() {
        store.saveResumeState("run", new byte[] {42});

        assertThatThrownBy(() -> store.saveResumeState("run", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.saveResumeState("new", new byte[0]))
                .isInstanceOf(IllegalArgumentException.class);

        assertThat(bytes(store.resumeState("run"))).containsExactly(42);
        assertThat(store.resumeState("new")).isEmpty();
    }

    // ---- range checkpoints --------------------------------------------------------------------

    @Test
    void savesReplacesAndListsRangeCheckpointsByIndex() {
        RangeCheckpoint r10 = new RangeCheckpoint(DiffPass.BEFORE, 10, "m", null, null, 0, 0, tally("{}"), false);
        RangeCheckpoint r2 = new RangeCheckpoint(DiffPass.BEFORE, 2, "c", "f", "d/\uD83D\uDE00", 1_000, 500,
                tally("{\"n\":1}"), false);
        // An empty tally is not a missing one: it comes back empty.
        RangeCheckpoint r0 = new RangeCheckpoint(DiffPass.BEFORE, 0, null, "c", "b\u0000x", Long.MAX_VALUE, 0,
                new byte[0], true);
        RangeCheckpoint r1 = new RangeCheckpoint(DiffPass.BEFORE, 1, "c", "e", "", 0, Long.MAX_VALUE, tally("t"),
                false);
        for (RangeCheckpoint range : List.of(r10, r2, r0, r1)) {
            store.saveRange("run", range);
        }
        RangeCheckpoint r2Later = new RangeCheckpoint(DiffPass.BEFORE, 2, "c", "f", "e", 2_000, 900,
                tally("{\"n\":2}"), true);
        store.saveRange("run", r2Later);
        RangeCheckpoint verify = new RangeCheckpoint(DiffPass.VERIFY, 2, null, null, null, 0, 0, tally("{}"), false);
        store.saveRange("run", verify);
        RangeCheckpoint otherRun = new RangeCheckpoint(DiffPass.BEFORE, 0, null, null, "zzz", 1, 1, tally("{}"), true);
        store.saveRange("other", otherRun);

        assertRanges(store.ranges("run", DiffPass.BEFORE), r0, r1, r2Later, r10);
        assertRanges(store.ranges("run", DiffPass.VERIFY), verify);
        assertRanges(store.ranges("other", DiffPass.BEFORE), otherRun);
        assertThat(store.ranges("run", DiffPass.PLAN)).isEmpty();
        assertThat(store.ranges("unknown", DiffPass.BEFORE)).isEmpty();
    }

    @Test
    void keepsThePassesAndRunsApartAndReplacesByPassAndIndex() {
        List<RangeCheckpoint> saved = new ArrayList<>();
        for (DiffPass pass : DiffPass.values()) {
            RangeCheckpoint range = new RangeCheckpoint(pass, 0, null, null, "a-" + pass, pass.ordinal(), 0,
                    tally(pass.name()), false);
            store.saveRange("run", range);
            saved.add(range);
        }
        RangeCheckpoint before = saved.get(DiffPass.BEFORE.ordinal());
        store.saveRange("other", before);
        RangeCheckpoint again = new RangeCheckpoint(DiffPass.BEFORE, 0, "x", null, null, 0, 0, tally("{}"), true);
        store.saveRange("run", again);

        for (DiffPass pass : DiffPass.values()) {
            assertRanges(store.ranges("run", pass), pass == DiffPass.BEFORE ? again : saved.get(pass.ordinal()));
        }
        assertRanges(store.ranges("other", DiffPass.BEFORE), before);
        assertThat(store.ranges("other", DiffPass.VERIFY)).isEmpty();
    }

    @Test
    void keepsTalliesByteForByte() {
        byte[] everyByte = new byte[256];
        for (int i = 0; i < everyByte.length; i++) {
            everyByte[i] = (byte) i;
        }
        byte[] large = new byte[1 << 20];
        new Random(11).nextBytes(large);
        byte[] reused = tally("first");
        RangeCheckpoint r0 = new RangeCheckpoint(DiffPass.PLAN, 0, null, "m", null, 0, 0, everyByte, false);
        RangeCheckpoint r1 = new RangeCheckpoint(DiffPass.PLAN, 1, "m", null, null, 0, 0, large, false);
        RangeCheckpoint r2 = new RangeCheckpoint(DiffPass.PLAN, 2, "n", null, null, 0, 0, reused, false);
        store.saveRange("run", r0);
        store.saveRange("run", r1);
        store.saveRange("run", r2);
        // The caller reuses its array before the change is committed.
        Arrays.fill(reused, (byte) 0);

        List<RangeCheckpoint> read = store.ranges("run", DiffPass.PLAN);
        assertThat(read).hasSize(3);
        assertThat(read.get(0).tally()).containsExactly(everyByte);
        assertThat(Arrays.equals(read.get(1).tally(), large)).as("1 MiB tally back byte for byte").isTrue();
        assertThat(read.get(2).tally()).isEqualTo(tally("first"));

        store.close();
        store = openStore(workDirectory);
        assertRanges(store.ranges("run", DiffPass.PLAN), r0, r1,
                new RangeCheckpoint(DiffPass.PLAN, 2, "n", null, null, 0, 0, tally("first"), false));
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
    void savingATaskAgainReplacesItAndReadsInSequenceOrder() {
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
        assertThatThrownBy(() -> store.tasks("run", -1, -1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.tasks("run", -1, Integer.MIN_VALUE))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> store.tasks("unknown", -1, 0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void pagesStopAtTheLimitAndAtTheEnds() {
        for (long sequence : new long[] {0, 1, 2, Long.MAX_VALUE - 1, Long.MAX_VALUE}) {
            store.saveTask("run", task(sequence, TaskState.DONE));
        }

        // A limit larger than the tasks returns them all; fewer than the limit only on the last page.
        assertThat(store.tasks("run", -1, Integer.MAX_VALUE)).extracting(TaskRecord::sequence)
                .containsExactly(0L, 1L, 2L, Long.MAX_VALUE - 1, Long.MAX_VALUE);
        assertThat(store.tasks("run", Long.MIN_VALUE, 2)).extracting(TaskRecord::sequence).containsExactly(0L, 1L);
        assertThat(store.tasks("run", 1, 2)).extracting(TaskRecord::sequence).containsExactly(2L, Long.MAX_VALUE - 1);
        assertThat(store.tasks("run", Long.MAX_VALUE - 1, 2)).extracting(TaskRecord::sequence)
                .containsExactly(Long.MAX_VALUE);
        assertThat(store.tasks("run", Long.MAX_VALUE, 1)).isEmpty();
        assertThat(store.tasks("unknown", -1, 10)).isEmpty();
        // A page reads what was written before it, committed or not, and holds nothing open.
        store.saveTask("run", task(3, TaskState.FAILED));
        assertThat(store.tasks("run", 2, 1)).containsExactly(task(3, TaskState.FAILED));
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
    void shortPagesOfALongRunLeaveTheStoreUsable() {
        for (int i = 0; i < 3_000; i++) {
            store.saveTask("run", task(i, TaskState.DONE));
        }
        for (int i = 0; i < 20; i++) {
            assertThat(store.tasks("run", -1, 2)).containsExactly(task(0, TaskState.DONE), task(1, TaskState.DONE));
        }
        store.saveTask("run", task(0, TaskState.FAILED));
        assertThat(store.countTasks("run", TaskState.FAILED)).isEqualTo(1);
        assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(2_999);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void readsAHundredThousandTasksBackPageByPageInSequenceOrder() {
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

        // Checked task by task, one page of 1,000 at a time, never collected whole.
        long[] seen = {0};
        long after = -1;
        for (List<TaskRecord> page = store.tasks("volume", after, 1_000); !page.isEmpty();
                page = store.tasks("volume", after, 1_000)) {
            assertThat(page.size()).as("a page before the last").isEqualTo(1_000);
            for (TaskRecord task : page) {
                long i = seen[0]++;
                TaskRecord expected = task(i, i % 10 == 0 ? TaskState.DONE : TaskState.IN_PROGRESS);
                if (!task.equals(expected)) {
                    throw new AssertionError("task " + i + " is " + task + ", expected " + expected);
                }
            }
            after = page.get(page.size() - 1).sequence();
        }
        long read = System.nanoTime();

        assertThat(seen[0]).isEqualTo(count);
        assertThat(store.countTasks("volume", TaskState.DONE)).isEqualTo(count / 10);
        assertThat(store.countTasks("volume", TaskState.IN_PROGRESS)).isEqualTo(count - count / 10);
        System.out.printf(Locale.ROOT, "%s: saved %,d tasks in a scrambled order and %,d again in %,d ms"
                        + " (%,.0f saves/s), read them back by pages of 1,000 in %,d ms (%,.0f tasks/s)%n",
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
        return new RunRecord(runId, RunKind.RUN, "{\"run\":\"" + runId + "\"}", "hash-" + runId, MigrationState.LISTING,
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
        List<TaskRecord> tasks = new ArrayList<>();
        long after = -1;
        for (List<TaskRecord> page = store.tasks(runId, after, 1_000); !page.isEmpty();
                page = store.tasks(runId, after, 1_000)) {
            tasks.addAll(page);
            after = page.get(page.size() - 1).sequence();
            if (after == Long.MAX_VALUE) {
                break;
            }
        }
        return tasks;
    }

    /**
     * Returns the UTF-8 bytes of a text, as a tally or resume state in tests where their content
     * does not matter.
     *
     * @param text the text
     * @return its bytes
     */
    protected static byte[] tally(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Returns the bytes of a resume state that the test expects to be there.
     *
     * @param state what {@link CheckpointStore#resumeState} returned
     * @return its bytes
     * @throws AssertionError if it is empty
     */
    protected static byte[] bytes(Optional<byte[]> state) {
        assertThat(state).as("resume state").isPresent();
        return state.get();
    }

    /**
     * Asserts that range checkpoints are the expected ones in that order, comparing tallies by
     * their bytes (a record's equals compares arrays by identity).
     *
     * @param actual what the store returned
     * @param expected the checkpoints expected
     */
    protected static void assertRanges(List<RangeCheckpoint> actual, RangeCheckpoint... expected) {
        assertThat(actual.stream().map(CheckpointStoreContract::describe).collect(Collectors.toList()))
                .containsExactlyElementsOf(Arrays.stream(expected).map(CheckpointStoreContract::describe)
                        .collect(Collectors.toList()));
    }

    private static String describe(RangeCheckpoint r) {
        return "RangeCheckpoint[pass=" + r.pass() + ", index=" + r.index() + ", startAfter=" + quoted(r.startAfter())
                + ", endInclusive=" + quoted(r.endInclusive()) + ", lastKey=" + quoted(r.lastKey())
                + ", differencesBytes=" + r.differencesBytes() + ", planBytes=" + r.planBytes() + ", tally=0x"
                + HexFormat.of().formatHex(r.tally()) + " (" + r.tally().length + " bytes), done=" + r.done() + "]";
    }

    private static String quoted(String s) {
        return s == null ? "null" : "'" + s + "'";
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

    private static byte[] resumeState(String runId) {
        return ("{\"stage\":\"state of " + runId + "\"}").getBytes(StandardCharsets.UTF_8);
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
