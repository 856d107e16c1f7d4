package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The part of the {@link CheckpointStoreContract} on a run's progress: range checkpoints and tasks.
 */
public abstract class CheckpointStoreProgressContract extends CheckpointStoreRunsContract {

    /** Creates this part of the contract; JUnit creates one instance per test. */
    protected CheckpointStoreProgressContract() {
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

    /**
     * Maps 0..count-1 onto itself in a scrambled order, without a table: a multiplication by a
     * prime that does not divide count.
     */
    private static int permuted(int i, int count) {
        long prime = count % 7919 == 0 ? 7927 : 7919;
        return (int) ((i * prime + 13) % count);
    }
}
