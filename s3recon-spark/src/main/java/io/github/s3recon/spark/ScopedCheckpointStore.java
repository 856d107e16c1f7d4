package io.github.s3recon.spark;

import io.github.s3recon.spi.CheckpointStore;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A view of a shared {@link CheckpointStore} in which one shard of one job sees only its own runs:
 * run ids are stored as {@code <scope>/<id>} and {@link #runs()} lists only those of the scope, so
 * that the engine's resume logic ("the unfinished run of this work directory") works per shard
 * although every shard of every job shares one PostgreSQL schema. Closing the view flushes the
 * shared store and leaves it open, unless the view was made to own it. Thread-safe as the store it
 * wraps.
 */
final class ScopedCheckpointStore implements CheckpointStore {

    private final CheckpointStore shared;
    private final String prefix;
    private final boolean owns;

    ScopedCheckpointStore(CheckpointStore shared, String scope) {
        this(shared, scope, false);
    }

    /** A view that closes the shared store when it is closed, if {@code owns}. */
    ScopedCheckpointStore(CheckpointStore shared, String scope, boolean owns) {
        this.shared = Objects.requireNonNull(shared, "shared");
        this.prefix = Objects.requireNonNull(scope, "scope") + "/";
        this.owns = owns;
    }

    private String id(String runId) {
        return prefix + Objects.requireNonNull(runId, "runId");
    }

    private RunRecord scoped(RunRecord run) {
        return new RunRecord(id(run.runId()), run.kind(), run.configuration(), run.configurationHash(), run.state(),
                run.startedAt(), run.updatedAt(), run.endedAt(), run.summary(), run.error(), run.attempts());
    }

    private RunRecord unscoped(RunRecord run) {
        return new RunRecord(run.runId().substring(prefix.length()), run.kind(), run.configuration(),
                run.configurationHash(), run.state(), run.startedAt(), run.updatedAt(), run.endedAt(), run.summary(),
                run.error(), run.attempts());
    }

    @Override
    public void createRun(RunRecord run) {
        shared.createRun(scoped(Objects.requireNonNull(run, "run")));
    }

    @Override
    public void updateRun(RunRecord run) {
        shared.updateRun(scoped(Objects.requireNonNull(run, "run")));
    }

    @Override
    public List<RunRecord> runs() {
        return shared.runs().stream().filter(r -> r.runId().startsWith(prefix)).map(this::unscoped)
                .collect(Collectors.toList());
    }

    @Override
    public Optional<RunRecord> run(String runId) {
        return shared.run(id(runId)).map(this::unscoped);
    }

    @Override
    public void log(String runId, LogLine line) {
        shared.log(id(runId), line);
    }

    @Override
    public Stream<LogLine> log(String runId) {
        return shared.log(id(runId));
    }

    @Override
    public void saveResumeState(String runId, byte[] state) {
        shared.saveResumeState(id(runId), state);
    }

    @Override
    public Optional<byte[]> resumeState(String runId) {
        return shared.resumeState(id(runId));
    }

    @Override
    public void saveRange(String runId, RangeCheckpoint checkpoint) {
        shared.saveRange(id(runId), checkpoint);
    }

    @Override
    public List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
        return shared.ranges(id(runId), pass);
    }

    @Override
    public void saveTask(String runId, TaskRecord task) {
        shared.saveTask(id(runId), task);
    }

    @Override
    public List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
        return shared.tasks(id(runId), afterSequence, limit);
    }

    @Override
    public long countTasks(String runId, TaskState state) {
        return shared.countTasks(id(runId), state);
    }

    @Override
    public void saveUpload(String runId, UploadRecord upload) {
        shared.saveUpload(id(runId), upload);
    }

    @Override
    public void savePart(String runId, String uploadId, PartRecord part) {
        shared.savePart(id(runId), uploadId, part);
    }

    @Override
    public List<UploadRecord> uploads(String runId) {
        return shared.uploads(id(runId));
    }

    @Override
    public Optional<UploadRecord> upload(String runId, String key) {
        return shared.upload(id(runId), key);
    }

    @Override
    public void deleteUpload(String runId, String uploadId) {
        shared.deleteUpload(id(runId), uploadId);
    }

    @Override
    public void clearProgress(String runId) {
        shared.clearProgress(id(runId));
    }

    @Override
    public void flush() {
        shared.flush();
    }

    @Override
    public void close() {
        if (owns) {
            shared.close();
        } else {
            shared.flush();
        }
    }
}
