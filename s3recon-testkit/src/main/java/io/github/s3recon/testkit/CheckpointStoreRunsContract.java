package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.MigrationState;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The part of the {@link CheckpointStoreContract} on runs: their records, logs and resume states.
 */
public abstract class CheckpointStoreRunsContract extends CheckpointStoreFixture {

    /** Creates this part of the contract; JUnit creates one instance per test. */
    protected CheckpointStoreRunsContract() {
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

}
