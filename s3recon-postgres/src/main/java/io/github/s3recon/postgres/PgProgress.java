package io.github.s3recon.postgres;

import static io.github.s3recon.postgres.PgColumns.bytes;
import static io.github.s3recon.postgres.PgColumns.setNullableBytes;
import static io.github.s3recon.postgres.PgColumns.string;
import static io.github.s3recon.postgres.PgColumns.utf8OrNull;

import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@link PostgresCheckpointStore} keeps for resuming a run: its resume state, its range
 * checkpoints and its task states, each saved by an upsert on its key. The caller's arrays are
 * copied when a change is written. Thread-safe through its {@link PgBatcher}; arguments are
 * checked by the store.
 */
final class PgProgress {

    private final PgBatcher batcher;
    private final String saveResumeState;
    private final String selectResumeState;
    private final String saveRange;
    private final String selectRanges;
    private final String saveTask;
    private final String selectTasks;
    private final String countTasks;
    private final String[] clear;

    PgProgress(PgBatcher batcher, String schema) {
        this.batcher = batcher;
        saveResumeState = "INSERT INTO " + schema + ".checkpoint_resume_state (run_id, state) VALUES (?, ?) "
                + "ON CONFLICT (run_id) DO UPDATE SET state = EXCLUDED.state";
        selectResumeState = "SELECT state FROM " + schema + ".checkpoint_resume_state WHERE run_id = ?";
        saveRange = "INSERT INTO " + schema + ".checkpoint_ranges (run_id, pass, range_index, start_after, "
                + "end_inclusive, last_key, differences_bytes, plan_bytes, tally, done) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, pass, range_index) DO UPDATE SET "
                + "start_after = EXCLUDED.start_after, end_inclusive = EXCLUDED.end_inclusive, "
                + "last_key = EXCLUDED.last_key, differences_bytes = EXCLUDED.differences_bytes, "
                + "plan_bytes = EXCLUDED.plan_bytes, tally = EXCLUDED.tally, done = EXCLUDED.done";
        selectRanges = "SELECT range_index, start_after, end_inclusive, last_key, differences_bytes, plan_bytes, "
                + "tally, done FROM " + schema + ".checkpoint_ranges WHERE run_id = ? AND pass = ? ORDER BY range_index";
        saveTask = "INSERT INTO " + schema + ".checkpoint_tasks (run_id, sequence, key, action, state, attempts, "
                + "bytes, server_side, last_error) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (run_id, sequence) DO UPDATE SET key = EXCLUDED.key, action = EXCLUDED.action, "
                + "state = EXCLUDED.state, attempts = EXCLUDED.attempts, bytes = EXCLUDED.bytes, "
                + "server_side = EXCLUDED.server_side, last_error = EXCLUDED.last_error";
        selectTasks = "SELECT sequence, key, action, state, attempts, bytes, server_side, last_error FROM " + schema
                + ".checkpoint_tasks WHERE run_id = ? AND sequence > ? ORDER BY sequence LIMIT ?";
        countTasks = "SELECT count(*) FROM " + schema + ".checkpoint_tasks WHERE run_id = ? AND state = ?";
        clear = new String[] {
            "DELETE FROM " + schema + ".checkpoint_resume_state WHERE run_id = ?",
            "DELETE FROM " + schema + ".checkpoint_ranges WHERE run_id = ?",
            "DELETE FROM " + schema + ".checkpoint_tasks WHERE run_id = ?"
        };
    }

    void saveResumeState(String runId, byte[] state) {
        byte[] copy = state.clone();
        batcher.write(tx -> {
            PreparedStatement statement = tx.batched(saveResumeState);
            statement.setString(1, runId);
            statement.setBytes(2, copy);
            statement.addBatch();
        });
    }

    Optional<byte[]> resumeState(String runId) {
        return batcher.read("read the resume state of run '" + runId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectResumeState)) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(bytes(rows, 1)) : Optional.empty();
                }
            }
        });
    }

    void saveRange(String runId, RangeCheckpoint checkpoint) {
        byte[] startAfter = utf8OrNull(checkpoint.startAfter());
        byte[] endInclusive = utf8OrNull(checkpoint.endInclusive());
        byte[] lastKey = utf8OrNull(checkpoint.lastKey());
        byte[] tally = checkpoint.tally().clone();
        batcher.write(tx -> {
            PreparedStatement statement = tx.batched(saveRange);
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
            statement.addBatch();
        });
    }

    List<RangeCheckpoint> ranges(String runId, DiffPass pass) {
        return batcher.read("read the " + pass + " range checkpoints of run '" + runId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectRanges)) {
                statement.setString(1, runId);
                statement.setString(2, pass.name());
                List<RangeCheckpoint> ranges = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ranges.add(new RangeCheckpoint(pass, rows.getInt(1), string(rows, 2), string(rows, 3),
                                string(rows, 4), rows.getLong(5), rows.getLong(6), bytes(rows, 7), rows.getBoolean(8)));
                    }
                }
                return ranges;
            }
        });
    }

    void saveTask(String runId, TaskRecord task) {
        byte[] key = PgColumns.utf8(task.key());
        byte[] lastError = PgColumns.text(task.lastError());
        batcher.write(tx -> {
            PreparedStatement statement = tx.batched(saveTask);
            statement.setString(1, runId);
            statement.setLong(2, task.sequence());
            statement.setBytes(3, key);
            statement.setString(4, task.action().name());
            statement.setString(5, task.state().name());
            statement.setInt(6, task.attempts());
            statement.setLong(7, task.bytes());
            statement.setBoolean(8, task.serverSide());
            setNullableBytes(statement, 9, lastError);
            statement.addBatch();
        });
    }

    List<TaskRecord> tasks(String runId, long afterSequence, int limit) {
        return batcher.read("read the tasks of run '" + runId + "' after " + afterSequence, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectTasks)) {
                statement.setString(1, runId);
                statement.setLong(2, afterSequence);
                statement.setInt(3, limit);
                List<TaskRecord> page = new ArrayList<>(Math.min(limit, 1_024));
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        page.add(new TaskRecord(rows.getLong(1), string(rows, 2),
                                TransferAction.valueOf(rows.getString(3)), TaskState.valueOf(rows.getString(4)),
                                rows.getInt(5), rows.getLong(6), rows.getBoolean(7), string(rows, 8)));
                    }
                }
                return page;
            }
        });
    }

    long countTasks(String runId, TaskState state) {
        return batcher.read("count the " + state + " tasks of run '" + runId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(countTasks)) {
                statement.setString(1, runId);
                statement.setString(2, state.name());
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
    }

    /** Deletes the run's resume state, ranges and tasks, inside the caller's transaction. */
    void clear(Connection connection, String runId) throws SQLException {
        for (String sql : clear) {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, runId);
                statement.executeUpdate();
            }
        }
    }
}
