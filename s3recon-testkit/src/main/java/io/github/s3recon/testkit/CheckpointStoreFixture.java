package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.MigrationState;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every part of the {@link CheckpointStoreContract} stands on: the store under test, opened
 * fresh in a fresh work directory before each test and closed after it, and the records and
 * assertions the parts build their tests from. Extend {@link CheckpointStoreContract}, not this.
 */
public abstract class CheckpointStoreFixture {

    /** An instant with nanoseconds, from which the tests' instants are counted. */
    protected static final Instant T0 = Instant.parse("2024-02-29T23:59:59.123456789Z");

    /** The test's work directory: fresh and empty, deleted after the test. */
    @TempDir
    protected Path workDirectory;

    /** The store under test, opened on {@link #workDirectory} before each test and closed after it. */
    protected CheckpointStore store;

    /** Creates the fixture; JUnit creates one instance per test. */
    protected CheckpointStoreFixture() {
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
        assertThat(actual.stream().map(CheckpointStoreFixture::describe).collect(Collectors.toList()))
                .containsExactlyElementsOf(Arrays.stream(expected).map(CheckpointStoreFixture::describe)
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

    static byte[] resumeState(String runId) {
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

    static List<String> numberedLines(int first, int end) {
        return numberedLines("line ", first, 2, end);
    }

    static List<String> numberedLines(String prefix, int first, int step, int end) {
        List<String> lines = new ArrayList<>();
        for (int i = first; i < end; i += step) {
            lines.add(prefix + i);
        }
        return lines;
    }

}
