package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import io.github.s3recon.spi.CheckpointStoreProvider;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.testkit.CheckpointStoreContract;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SqliteCheckpointStoreTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore openStore(Path workDirectory) {
        return SqliteCheckpointStore.open(workDirectory);
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        List<CheckpointStoreProvider> providers = ServiceLoader.load(CheckpointStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).collect(Collectors.toList());
        assertThat(providers).hasAtLeastOneElementOfType(SqliteCheckpointStoreProvider.class);

        CheckpointStoreProvider provider = providers.stream()
                .filter(SqliteCheckpointStoreProvider.class::isInstance).findFirst().orElseThrow();
        try (CheckpointStore opened = provider.open(workDirectory.resolve("through-provider"))) {
            assertThat(opened).isInstanceOf(SqliteCheckpointStore.class);
            opened.saveResumeState("run", tally("value"));
            assertThat(bytes(opened.resumeState("run"))).isEqualTo(tally("value"));
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void sharesTheDatabaseWithTheInventoryStoreBothOpenAtOnce() throws Exception {
        Path database = workDirectory.resolve(SqliteInventoryStore.DATABASE_FILE_NAME).toAbsolutePath();
        assertThat(((SqliteCheckpointStore) store).databaseFile()).isEqualTo(database);
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (SqliteInventoryStore inventories = SqliteInventoryStore.open(workDirectory)) {
            assertThat(inventories.databaseFile()).isEqualTo(database);
            store.createRun(run("run", T0));
            // Inventories are published on another thread while checkpoints are committed on this one.
            Future<?> publishing = executor.submit(() -> {
                for (int round = 0; round < 5; round++) {
                    try (InventoryStore.Writer writer = inventories.writer("inv-" + round)) {
                        for (int i = 0; i < 5_000; i++) {
                            writer.add(ObjectEntry.of("key-" + i, i, null));
                        }
                    }
                }
                return null;
            });
            for (int i = 0; i < 20_000; i++) {
                store.saveTask("run", task(i, TaskState.DONE));
                if (i % 2_000 == 0) {
                    store.flush();
                }
            }
            publishing.get(100, TimeUnit.SECONDS);
            store.flush();

            assertThat(inventories.count("inv-4")).isEqualTo(5_000);
            assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(20_000);
        } finally {
            executor.shutdownNow();
        }

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
                rows.next();
                assertThat(rows.getString(1)).isEqualToIgnoringCase("wal");
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            assertThat(tables).contains("inventory_names", "inventory_entries", "checkpoint_runs", "checkpoint_log",
                    "checkpoint_resume_state", "checkpoint_ranges", "checkpoint_tasks", "checkpoint_uploads",
                    "checkpoint_parts");
            assertThat(tables).allMatch(name -> name.startsWith("inventory_") || name.startsWith("checkpoint_"));
            assertThat(tables).doesNotContain("checkpoint_values");
            try (ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
                rows.next();
                assertThat(rows.getInt(1)).isEqualTo(CheckpointSchema.VERSION).isEqualTo(2);
            }
        }
    }

    @Test
    void commitsABatchWhenItHoldsAThousandChanges() {
        store.close();
        // A flusher that never comes during the test: only the batch size commits.
        store = SqliteCheckpointStore.open(workDirectory, config -> { }, SqliteCheckpointStore.BATCH_CHANGES,
                Duration.ofHours(1));
        try (CheckpointStore other = SqliteCheckpointStore.open(workDirectory)) {
            for (int i = 0; i < SqliteCheckpointStore.BATCH_CHANGES - 1; i++) {
                store.saveTask("run", task(i, TaskState.DONE));
            }
            assertThat(other.countTasks("run", TaskState.DONE)).isZero();

            store.saveTask("run", task(SqliteCheckpointStore.BATCH_CHANGES - 1, TaskState.DONE));
            assertThat(other.countTasks("run", TaskState.DONE)).isEqualTo(SqliteCheckpointStore.BATCH_CHANGES);

            store.saveTask("run", task(SqliteCheckpointStore.BATCH_CHANGES, TaskState.DONE));
            assertThat(other.countTasks("run", TaskState.DONE)).isEqualTo(SqliteCheckpointStore.BATCH_CHANGES);
            // A read of the writing store commits what it wrote before.
            assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(SqliteCheckpointStore.BATCH_CHANGES + 1);
            assertThat(other.countTasks("run", TaskState.DONE)).isEqualTo(SqliteCheckpointStore.BATCH_CHANGES + 1);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void theFlusherCommitsWithinAboutASecond() throws InterruptedException {
        try (CheckpointStore other = SqliteCheckpointStore.open(workDirectory)) {
            store.saveResumeState("run", tally("1"));
            long start = System.nanoTime();
            while (other.resumeState("run").isEmpty()) {
                assertThat(System.nanoTime() - start).as("nanoseconds waited").isLessThan(10_000_000_000L);
                Thread.sleep(20);
            }
            long waited = (System.nanoTime() - start) / 1_000_000;
            // One flush interval, and the time for the commit on a busy machine.
            assertThat(waited).isLessThan(5_000);
        }
    }

    @Test
    void aFailedCommitFailsEveryLaterCallNamingTheDatabase() {
        store.close();
        Path directory = workDirectory.resolve("small-disk");
        // A database that may not grow past 40 pages of 4 KiB behaves as a full disk does.
        store = SqliteCheckpointStore.open(directory, config -> config.setMaxPageCount(40), 100, Duration.ofHours(1));
        Path database = directory.resolve("s3recon.db").toAbsolutePath();
        store.createRun(run("run", T0));

        String longError = "e".repeat(300);
        S3ReconException failure = null;
        int written = 0;
        for (; written < 100_000 && failure == null; written++) {
            try {
                store.saveTask("run", new TaskRecord(written, key(written), TransferAction.COPY,
                        TaskState.FAILED, 1, 0, false, longError));
            } catch (S3ReconException e) {
                failure = e;
            }
        }
        assertThat(failure).isNotNull();
        assertThat(failure.code()).isEqualTo(ErrorCode.STORE_FAILED);
        assertThat(failure.getMessage()).contains("disk is full").contains(database.toString());

        // Nothing is dropped silently: every later call says that changes were lost, and why.
        for (Runnable call : List.<Runnable>of(store::flush, () -> store.countTasks("run", TaskState.FAILED),
                () -> store.saveResumeState("run", tally("y")), () -> store.run("run"), store::close)) {
            assertThatThrownBy(call::run).isInstanceOfSatisfying(S3ReconException.class, e -> {
                assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                assertThat(e.getMessage()).contains(database.toString()).contains("lost")
                        .contains("disk is full");
            });
        }
        store.close();

        // The database keeps its last commit: whole batches of 100, in order.
        store = SqliteCheckpointStore.open(directory);
        long saved = store.countTasks("run", TaskState.FAILED);
        assertThat(saved).isPositive().isLessThan(written).matches(n -> n % 100 == 0, "a whole number of batches");
        Iterator<TaskRecord> it = tasks("run").iterator();
        for (long i = 0; i < saved; i++) {
            assertThat(it.next().sequence()).isEqualTo(i);
        }
        assertThat(it.hasNext()).isFalse();
        assertThat(store.run("run")).contains(run("run", T0));
    }

    @Test
    void closingTheStoreEndsOpenStreams() {
        for (int i = 0; i < 100; i++) {
            store.saveTask("run", task(i, TaskState.DONE));
            store.log("run", new LogLine(T0, "INFO", "line " + i));
        }
        Stream<LogLine> lines = store.log("run");
        Iterator<LogLine> it = lines.iterator();
        assertThat(it.next()).isEqualTo(new LogLine(T0, "INFO", "line 0"));

        store.close();

        assertThatThrownBy(it::hasNext).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.getMessage()).contains("closed"));
        lines.close();
        assertThatThrownBy(() -> store.saveTask("run", task(100, TaskState.DONE)))
                .isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getMessage()).contains("closed");
                });
        store = SqliteCheckpointStore.open(workDirectory);
        assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(100);
    }

    @Test
    void refusesAKeyWithAnUnpairedSurrogateAndStaysUsable() {
        assertThatThrownBy(() -> store.saveTask("run", new TaskRecord(0, "bad\uD800key",
                TransferAction.COPY, TaskState.DONE, 0, 0, false, null)))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
        store.saveTask("run", task(0, TaskState.DONE));
        assertThat(tasks("run")).containsExactly(task(0, TaskState.DONE));
    }

    @Test
    void workDirectoryThatIsAFileIsUnusable() throws IOException {
        Path file = Files.writeString(workDirectory.resolve("not-a-directory"), "x");

        assertThatThrownBy(() -> SqliteCheckpointStore.open(file)).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.WORK_DIRECTORY_UNUSABLE);
            assertThat(e.getMessage()).contains(file.toAbsolutePath().toString());
        });
    }

    @Test
    void roundTripsTheExtremeInstants() {
        RunRecord run = new RunRecord("run", RunKind.RUN, "{}", "h",
                MigrationState.COMPLETED, Instant.MIN, Instant.MAX, Instant.MAX, null, null, 1);
        store.createRun(run);
        assertThat(store.run("run")).contains(run);
    }

    // ---- crash --------------------------------------------------------------------------------

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void aKilledWriterLeavesEveryFlushedTaskAndAnIntactDatabase() throws Exception {
        store.close();
        store = null;
        long[] killDelayMillis = {0, 40, 170};
        for (int trial = 0; trial < 3; trial++) {
            Path directory = workDirectory.resolve("crash-" + trial);
            Path errors = workDirectory.resolve("crash-" + trial + ".err");
            // Killed after a different number of flushes in each trial, in the middle of writing.
            int flushesBeforeKill = 3 + 2 * trial;
            Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx64m", "-cp", System.getProperty("java.class.path"), CrashingWriter.class.getName(),
                    directory.toString())
                    .redirectError(errors.toFile())
                    .start();
            long lastFlushed = -1;
            try (BufferedReader out = new BufferedReader(
                    new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
                for (int flushes = 0; flushes < flushesBeforeKill; flushes++) {
                    String line = out.readLine();
                    if (line == null) {
                        child.waitFor(10, TimeUnit.SECONDS);
                        throw new AssertionError("the writer ended before it was killed: " + Files.readString(errors));
                    }
                    assertThat(line).startsWith("flushed ");
                    lastFlushed = Long.parseLong(line.substring("flushed ".length()));
                }
                // Then a little later, so that the kill may also land in a batch or in a commit.
                Thread.sleep(killDelayMillis[trial]);
                child.destroyForcibly();
                assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }

            // Every task up to the last one flushed is there, and the tasks form an unbroken prefix:
            // the kill left the database at a commit, never in the middle of one.
            long saved;
            try (SqliteCheckpointStore reopened = SqliteCheckpointStore.open(directory)) {
                assertThat(reopened.run(CrashingWriter.RUN_ID)).isPresent();
                saved = 0;
                for (List<TaskRecord> page = reopened.tasks(CrashingWriter.RUN_ID, -1, 1_000); !page.isEmpty();
                        page = reopened.tasks(CrashingWriter.RUN_ID, saved - 1, 1_000)) {
                    for (TaskRecord task : page) {
                        assertThat(task).isEqualTo(CrashingWriter.task(saved));
                        saved++;
                    }
                }
                assertThat(saved).as("tasks saved in trial %d", trial).isGreaterThan(lastFlushed);
                long flushedValue = Long.parseLong(new String(bytes(reopened.resumeState(CrashingWriter.RUN_ID)),
                        StandardCharsets.UTF_8));
                assertThat(flushedValue).isBetween(lastFlushed, saved - 1);
                reopened.saveTask(CrashingWriter.RUN_ID, CrashingWriter.task(saved));
            }
            assertThat(integrityCheck(directory.resolve("s3recon.db"))).isEqualTo("ok");
            System.out.printf("crash trial %d: killed %d ms after flush %d, last flushed task %d, %d tasks saved%n",
                    trial, killDelayMillis[trial], flushesBeforeKill, lastFlushed, saved);
        }
    }

    private static String integrityCheck(Path database) throws SQLException {
        return SqliteCheckpointStoreUpgradeTest.pragma(database, "integrity_check");
    }

    /**
     * The child process of the crash test: saves tasks in a loop, flushes every so often and prints
     * {@code flushed <sequence>} once the flush has returned, until it is killed.
     */
    static final class CrashingWriter {

        static final String RUN_ID = "crash";

        private CrashingWriter() {
        }

        static TaskRecord task(long sequence) {
            return CheckpointStoreContract.task(sequence, sequence % 3 == 0 ? TaskState.FAILED : TaskState.DONE);
        }

        public static void main(String[] args) {
            try (SqliteCheckpointStore store = SqliteCheckpointStore.open(Path.of(args[0]))) {
                store.createRun(run(RUN_ID, T0));
                for (long sequence = 0; ; sequence++) {
                    store.saveTask(RUN_ID, task(sequence));
                    if (sequence % 1_500 == 1_499) {
                        store.saveResumeState(RUN_ID, tally(Long.toString(sequence)));
                        store.flush();
                        System.out.println("flushed " + sequence);
                        System.out.flush();
                    }
                }
            }
        }
    }
}
