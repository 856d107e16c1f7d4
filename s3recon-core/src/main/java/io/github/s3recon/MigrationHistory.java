package io.github.s3recon;

import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStoreProvider;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The runs a work directory has seen: every run's configuration (without secrets), state, counts,
 * report summary and log, newest last. Read-only; open it while migrations run or after.
 *
 * <pre>{@code
 * try (MigrationHistory history = MigrationHistory.open(Path.of("/var/lib/s3recon/photos"))) {
 *     for (CheckpointStore.RunRecord run : history.runs()) {
 *         System.out.println(run.runId() + " " + run.state() + " " + run.startedAt());
 *     }
 * }
 * }</pre>
 *
 * <p>Thread-safe. Closing it closes the store it opened, never one passed to {@link #of}. A method
 * given a null {@code runId} throws {@link S3ReconException} with
 * {@link ErrorCode#INVALID_CONFIGURATION}; an unknown run id is not an error (empty answers).
 */
public final class MigrationHistory implements AutoCloseable {

    private final CheckpointStore store;
    private final boolean owned;
    private final Path workDirectory;

    private MigrationHistory(CheckpointStore store, boolean owned, Path workDirectory) {
        this.store = store;
        this.owned = owned;
        this.workDirectory = workDirectory;
    }

    /**
     * Opens the history of a work directory with the default store (found through
     * {@link CheckpointStoreProvider}, e.g. {@code s3recon-inventory}'s SQLite store).
     *
     * @param workDirectory the work directory of one or more migrations; not null; must exist
     * @return the history; close it
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code workDirectory} is
     *     null, {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} if the directory does not exist,
     *     {@link ErrorCode#MISSING_PROVIDER} if no store is on the class path
     */
    public static MigrationHistory open(Path workDirectory) {
        S3ReconException.requireSetting(workDirectory, "workDirectory");
        if (!Files.isDirectory(workDirectory)) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "there is no work directory at "
                    + workDirectory.toAbsolutePath() + ": pass the directory a migration was built with");
        }
        CheckpointStoreProvider provider = ProviderLookup.require(CheckpointStoreProvider.class,
                "use MigrationHistory.of(store)");
        return new MigrationHistory(provider.open(workDirectory), true, workDirectory);
    }

    /**
     * Reads the history in a store the caller owns.
     *
     * @param store the store; not null; stays open after {@link #close()}
     * @param workDirectory the work directory the runs' files are in; not null
     * @return the history
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code store} or
     *     {@code workDirectory} is null
     */
    public static MigrationHistory of(CheckpointStore store, Path workDirectory) {
        return new MigrationHistory(S3ReconException.requireSetting(store, "store"), false,
                S3ReconException.requireSetting(workDirectory, "workDirectory"));
    }

    /**
     * Returns every run, oldest first.
     *
     * @return the runs; empty for a new work directory
     */
    public List<CheckpointStore.RunRecord> runs() {
        return store.runs();
    }

    /**
     * Returns one run.
     *
     * @param runId the run's id; not null
     * @return the run, or empty
     */
    public Optional<CheckpointStore.RunRecord> run(String runId) {
        return store.run(S3ReconException.requireSetting(runId, "runId"));
    }

    /**
     * Returns the newest run.
     *
     * @return the run, or empty for a new work directory
     */
    public Optional<CheckpointStore.RunRecord> latest() {
        List<CheckpointStore.RunRecord> runs = store.runs();
        return runs.isEmpty() ? Optional.empty() : Optional.of(runs.get(runs.size() - 1));
    }

    /**
     * Returns a run's log: its state changes, resumes, warnings and failed objects.
     *
     * @param runId the run's id; not null
     * @return the lines in order; empty for an unknown run
     */
    public List<CheckpointStore.LogLine> log(String runId) {
        try (Stream<CheckpointStore.LogLine> lines = store.log(S3ReconException.requireSetting(runId, "runId"))) {
            return lines.toList();
        }
    }

    /**
     * Returns a run's report summary, the JSON that {@link ReconciliationReport#writeJson} writes as
     * {@code summary.json}.
     *
     * @param runId the run's id; not null
     * @return the summary, or empty if the run has not finished with a report (it failed, was
     *     cancelled, or is still running)
     */
    public Optional<String> report(String runId) {
        return run(runId).map(CheckpointStore.RunRecord::summary);
    }

    /**
     * Counts the objects of an unfinished run's fix plan by state, e.g. to see how far a cancelled
     * or killed run came: {@code DONE} and {@code FAILED} are final for that attempt,
     * {@code IN_PROGRESS} were submitted when it stopped; objects not counted are pending. A run
     * that finished has forgotten its task states (its counts are in {@link #report(String)}).
     *
     * @param runId the run's id; not null
     * @return the count per state, every state present
     */
    public Map<CheckpointStore.TaskState, Long> taskCounts(String runId) {
        S3ReconException.requireSetting(runId, "runId");
        Map<CheckpointStore.TaskState, Long> counts = new EnumMap<>(CheckpointStore.TaskState.class);
        for (CheckpointStore.TaskState state : CheckpointStore.TaskState.values()) {
            counts.put(state, store.countTasks(runId, state));
        }
        return counts;
    }

    /**
     * Returns the directory of a run's files: {@code differences.jsonl}, the fix plan
     * ({@code planned.jsonl}) and, when objects failed, {@code failures.jsonl}
     * (see {@link #failuresFile(String)}).
     *
     * @param runId the run's id; not null
     * @return the directory (it may not exist for a run that failed at once)
     */
    public Path runDirectory(String runId) {
        return workDirectory.resolve("runs").resolve(S3ReconException.requireSetting(runId, "runId"));
    }

    /**
     * Returns a run's {@code failures.jsonl}, one JSON line per object whose copy or deletion failed
     * for good, if there is one. The file is written only when an object fails, and an attempt that
     * resumes the run replaces it; so it is absent for a run (or its latest attempt) where nothing
     * failed, for one that has not reached its transfer, and for an unknown run.
     *
     * @param runId the run's id; not null
     * @return the file, present only when it exists
     */
    public Optional<Path> failuresFile(String runId) {
        Path file = runDirectory(runId).resolve("failures.jsonl");
        return Files.isRegularFile(file) ? Optional.of(file) : Optional.empty();
    }

    /** Closes the store if this history opened it. */
    @Override
    public void close() {
        if (owned) {
            store.close();
        }
    }
}
