package io.github.s3recon.inventory;

import static io.github.s3recon.inventory.CheckpointColumns.bytes;
import static io.github.s3recon.inventory.CheckpointColumns.key;
import static io.github.s3recon.inventory.CheckpointColumns.keyOrNull;
import static io.github.s3recon.inventory.CheckpointColumns.setNullableBytes;
import static io.github.s3recon.inventory.CheckpointColumns.setNullableString;
import static io.github.s3recon.inventory.CheckpointColumns.utf8OrNull;

import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link SqliteCheckpointStore} keeps for resuming a run: its resume state
 * ({@code checkpoint_resume_state}), its range checkpoints ({@code checkpoint_ranges}) and its
 * task states ({@code checkpoint_tasks}). The resume state and the tallies are BLOBs, kept byte for
 * byte; the caller's arrays are copied when a change is written, so that a caller may reuse them.
 * Thread-safe through its {@link CheckpointBatcher}; arguments are checked by the store.
 */
final class CheckpointProgress {

    private static final String SAVE_RESUME_STATE = "INSERT OR REPLACE INTO checkpoint_resume_state (run_id, state) "
            + "VALUES (?, ?)";

    private static final String SELECT_RESUME_STATE = "SELECT state FROM checkpoint_resume_state WHERE run_id = ?";

    private static final String SAVE_RANGE = "INSERT OR REPLACE INTO checkpoint_ranges (run_id, pass, range_index, "
            + "start_after, end_inclusive, last_key, differences_bytes, plan_bytes, tally, done) "
            + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String SELECT_RANGES = "SELECT range_index, start_after, end_inclusive, last_key, "
            + "differences_bytes, plan_bytes, tally, done FROM checkpoint_ranges "
            + "WHERE run_id = ? AND pass = ? ORDER BY range_index";

    private static final String SAVE_TASK = "INSERT OR REPLACE INTO checkpoint_tasks (run_id, sequence, key, action, "
            + "state, attempts, bytes, server_side, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    private static final String SELECT_TASKS = "SELECT sequence, key, action, state, attempts, bytes, server_side, "
            + "last_error FROM checkpoint_tasks WHERE run_id = ? AND sequence > ? ORDER BY sequence LIMIT ?";

    private static final String COUNT_TASKS = "SELECT count(*) FROM checkpoint_tasks WHERE run_id = ? AND state = ?";

    /** What {@link #clear} deletes; the uploads are {@link CheckpointUploads}'. */
    private static final String[] CLEAR = {
        "DELETE FROM checkpoint_resume_state WHERE run_id = ?",
        "DELETE FROM checkpoint_ranges WHERE run_id = ?",
        "DELETE FROM checkpoint_tasks WHERE run_id = ?"
    };

    private final CheckpointBatcher batcher;

    CheckpointProgress(CheckpointBatcher batcher) {
        this.batcher = batcher;
    }

    void saveResumeState(String runId, byte[] state) {
        byte[] copy = state.clone();
        batcher.write(() -> {
            PreparedStatement statement = batcher.statement(SAVE_RESUME_STATE);
            statement.setString(1, runId);
            statement.setBytes(2, copy);
            statement.executeUpdate();
        });
    }

    Optional<byte[]> resumeState(String runId) {
        return batcher.read("read the resume state of run '" + runId + "'", () -> {
            PreparedStatement statement = batcher.statement(SELECT_RESUME_STATE);
            statement.setString(1, runId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(bytes(rows, 1)) : Optional.empty();
            }
        });
    }

    void saveRange(String runId, RangeCheckpoint checkpoint) {
        // Converted here, so that a key that cannot be stored is refused to its writer, not to a commit.
        byte[] startAfter = utf8OrNull(checkpoint.startAfter());
        byte[] endInclusive = utf8OrNull(checkpoint.endInclusive());
        byte[] lastKey = utf8OrNull(checkpoint.lastKey());
        byte[] tally = checkpoint.tally().clone();
        batcher.write(() -> {
            PreparedStatement statement = batcher.statement(SAVE_RANGE);
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
            statement.executeUpdate();
        });
    }

    List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
        return batcher.read("read the " + pass + " range checkpoints of run '" + runId + "'", () -> {
            PreparedStatement statement = batcher.statement(SELECT_RANGES);
            statement.setString(1, runId);
            statement.setString(2, pass.name());
            List<RangeCheckpoint> ranges = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    ranges.add(new RangeCheckpoint(pass, rows.getInt(1), keyOrNull(rows, 2), keyOrNull(rows, 3),
                            keyOrNull(rows, 4), rows.getLong(5), rows.getLong(6), bytes(rows, 7),
                            rows.getBoolean(8)));
                }
            }
            return ranges;
        });
    }

    void saveTask(String runId, TaskRecord task) {
        byte[] key = InventoryRows.utf8(task.key());
        batcher.write(() -> {
            PreparedStatement statement = batcher.statement(SAVE_TASK);
            statement.setString(1, runId);
            statement.setLong(2, task.sequence());
            statement.setBytes(3, key);
            statement.setString(4, task.action().name());
            statement.setString(5, task.state().name());
            statement.setInt(6, task.attempts());
            statement.setLong(7, task.bytes());
            statement.setBoolean(8, task.serverSide());
            setNullableString(statement, 9, task.lastError());
            statement.executeUpdate();
        });
    }

    List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
        return batcher.read("read the tasks of run '" + runId + "' after " + afterSequence, () -> {
            PreparedStatement statement = batcher.statement(SELECT_TASKS);
            statement.setString(1, runId);
            statement.setLong(2, afterSequence);
            statement.setInt(3, limit);
            List<TaskRecord> page = new ArrayList<>(Math.min(limit, 1_024));
            try (ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    page.add(new TaskRecord(rows.getLong(1), key(rows, 2), TransferAction.valueOf(rows.getString(3)),
                            TaskState.valueOf(rows.getString(4)), rows.getInt(5), rows.getLong(6),
                            rows.getBoolean(7), rows.getString(8)));
                }
            }
            return page;
        });
    }

    long countTasks(String runId, TaskState state) {
        return batcher.read("count the " + state + " tasks of run '" + runId + "'", () -> {
            PreparedStatement statement = batcher.statement(COUNT_TASKS);
            statement.setString(1, runId);
            statement.setString(2, state.name());
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        });
    }

    /** Deletes the run's resume state, ranges and tasks; only inside a change or a commit. */
    void clear(String runId) throws SQLException {
        for (String sql : CLEAR) {
            PreparedStatement statement = batcher.statement(sql);
            statement.setString(1, runId);
            statement.executeUpdate();
        }
    }
}
