package io.github.s3recon.inventory.jdbc;

import static io.github.s3recon.inventory.jdbc.JdbcColumns.bytes;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.key;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.setNullableBytes;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.utf8OrNull;

import io.github.s3recon.TransferAction;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend.Sql;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What a {@link JdbcCheckpointStore} keeps for resuming a run: its resume state
 * ({@code checkpoint_resume_state}), its range checkpoints ({@code checkpoint_ranges}) and its task
 * journal ({@code checkpoint_tasks}), each saved by an upsert on its key. The resume state and the
 * tallies are kept byte for byte; the caller's arrays are copied when a change is written, so that
 * a caller may reuse them. Thread-safe through its {@link JdbcBatcher}; arguments are checked by
 * the store.
 */
final class JdbcProgress {

    private final JdbcBatcher batcher;
    private final JdbcColumns columns;
    private final String saveResumeState;
    private final String selectResumeState;
    private final String saveRange;
    private final String selectRanges;
    private final String saveTask;
    private final String selectTasks;
    private final String countTasks;
    /** What {@link #clear} deletes; the uploads are {@link JdbcUploads}'. */
    private final String[] clear;

    JdbcProgress(JdbcBatcher batcher, JdbcColumns columns) {
        this.batcher = batcher;
        this.columns = columns;
        JdbcCheckpointBackend backend = batcher.backend();
        String resumeStates = backend.table("checkpoint_resume_state");
        String ranges = backend.table("checkpoint_ranges");
        String tasks = backend.table("checkpoint_tasks");
        saveResumeState = backend.upsert(resumeStates, List.of("run_id", "state"), 1, false);
        selectResumeState = "SELECT state FROM " + resumeStates + " WHERE run_id = ?";
        saveRange = backend.upsert(ranges, List.of("run_id", "pass", "range_index", "start_after", "end_inclusive",
                "last_key", "differences_bytes", "plan_bytes", "tally", "done"), 3, false);
        selectRanges = "SELECT range_index, start_after, end_inclusive, last_key, differences_bytes, plan_bytes, "
                + "tally, done FROM " + ranges + " WHERE run_id = ? AND pass = ? ORDER BY range_index";
        saveTask = backend.upsert(tasks, List.of("run_id", "sequence", "key", "action", "state", "attempts", "bytes",
                "server_side", "last_error"), 2, false);
        selectTasks = "SELECT sequence, key, action, state, attempts, bytes, server_side, last_error FROM " + tasks
                + " WHERE run_id = ? AND sequence > ? ORDER BY sequence LIMIT ?";
        countTasks = "SELECT count(*) FROM " + tasks + " WHERE run_id = ? AND state = ?";
        clear = new String[] {
            "DELETE FROM " + resumeStates + " WHERE run_id = ?",
            "DELETE FROM " + ranges + " WHERE run_id = ?",
            "DELETE FROM " + tasks + " WHERE run_id = ?"
        };
    }

    void saveResumeState(String runId, byte[] state) {
        byte[] copy = state.clone();
        batcher.write(sql -> sql.update(saveResumeState, statement -> {
            statement.setString(1, runId);
            statement.setBytes(2, copy);
        }));
    }

    Optional<byte[]> resumeState(String runId) {
        return batcher.read("read the resume state of run '" + runId + "'", sql -> sql.query(selectResumeState,
                statement -> statement.setString(1, runId),
                rows -> rows.next() ? Optional.of(bytes(rows, 1)) : Optional.empty()));
    }

    void saveRange(String runId, RangeCheckpoint checkpoint) {
        // Converted here, so that a key that cannot be stored is refused to its writer, not to a commit.
        byte[] startAfter = utf8OrNull(checkpoint.startAfter());
        byte[] endInclusive = utf8OrNull(checkpoint.endInclusive());
        byte[] lastKey = utf8OrNull(checkpoint.lastKey());
        byte[] tally = checkpoint.tally().clone();
        batcher.write(sql -> sql.update(saveRange, statement -> {
            statement.setString(1, runId);
            statement.setString(2, checkpoint.pass().name());
            statement.setInt(3, checkpoint.index());
            setNullableBytes(statement, 4, startAfter);
            setNullableBytes(statement, 5, endInclusive);
            setNullableBytes(statement, 6, lastKey);
            statement.setLong(7, checkpoint.differencesBytes());
            statement.setLong(8, checkpoint.planBytes());
            statement.setBytes(9, tally);
            statement.setBoolean(10, checkpoint.done());
        }));
    }

    List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
        return batcher.read("read the " + pass + " range checkpoints of run '" + runId + "'", sql -> sql.query(
                selectRanges, statement -> {
                    statement.setString(1, runId);
                    statement.setString(2, pass.name());
                }, rows -> {
                    List<RangeCheckpoint> ranges = new ArrayList<>();
                    while (rows.next()) {
                        ranges.add(new RangeCheckpoint(pass, rows.getInt(1), key(rows, 2), key(rows, 3), key(rows, 4),
                                rows.getLong(5), rows.getLong(6), bytes(rows, 7), rows.getBoolean(8)));
                    }
                    return ranges;
                }));
    }

    void saveTask(String runId, TaskRecord task) {
        byte[] key = JdbcColumns.utf8(task.key());
        Object lastError = columns.text(task.lastError());
        batcher.write(sql -> sql.update(saveTask, statement -> {
            statement.setString(1, runId);
            statement.setLong(2, task.sequence());
            statement.setBytes(3, key);
            statement.setString(4, task.action().name());
            statement.setString(5, task.state().name());
            statement.setInt(6, task.attempts());
            statement.setLong(7, task.bytes());
            statement.setBoolean(8, task.serverSide());
            columns.setText(statement, 9, lastError);
        }));
    }

    List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
        return batcher.read("read the tasks of run '" + runId + "' after " + afterSequence, sql -> sql.query(
                selectTasks, statement -> {
                    statement.setString(1, runId);
                    statement.setLong(2, afterSequence);
                    statement.setInt(3, limit);
                }, rows -> {
                    List<TaskRecord> page = new ArrayList<>(Math.min(limit, 1_024));
                    while (rows.next()) {
                        page.add(new TaskRecord(rows.getLong(1), key(rows, 2), TransferAction.valueOf(rows.getString(3)),
                                TaskState.valueOf(rows.getString(4)), rows.getInt(5), rows.getLong(6),
                                rows.getBoolean(7), columns.text(rows, 8)));
                    }
                    return page;
                }));
    }

    long countTasks(String runId, TaskState state) {
        return batcher.read("count the " + state + " tasks of run '" + runId + "'", sql -> sql.query(countTasks,
                statement -> {
                    statement.setString(1, runId);
                    statement.setString(2, state.name());
                }, rows -> {
                    rows.next();
                    return rows.getLong(1);
                }));
    }

    /** Deletes the run's resume state, ranges and tasks, inside the caller's transaction. */
    void clear(Sql sql, String runId) throws SQLException {
        for (String delete : clear) {
            sql.updateNow(delete, statement -> statement.setString(1, runId));
        }
    }
}
