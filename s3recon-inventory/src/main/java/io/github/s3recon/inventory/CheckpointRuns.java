package io.github.s3recon.inventory;

import static io.github.s3recon.inventory.CheckpointColumns.instant;
import static io.github.s3recon.inventory.CheckpointColumns.setInstant;
import static io.github.s3recon.inventory.CheckpointColumns.setNullableString;

import io.github.s3recon.MigrationState;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The run history of {@link SqliteCheckpointStore}: the runs ({@code checkpoint_runs}) and their
 * logs ({@code checkpoint_log}), which {@code clearProgress} keeps. Thread-safe through its
 * {@link CheckpointBatcher}; arguments are checked by the store.
 */
final class CheckpointRuns {

    private static final String RUN_COLUMNS = "run_id, kind, configuration, configuration_hash, state, "
            + "started_seconds, started_nanos, updated_seconds, updated_nanos, ended_seconds, ended_nanos, "
            + "summary, error, attempts";

    // ON CONFLICT DO NOTHING rather than a lookup first: the transaction's first statement writes,
    // and the update count says whether the id was new.
    private static final String INSERT_RUN = "INSERT INTO checkpoint_runs (" + RUN_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING";

    private static final String UPDATE_RUN = "UPDATE checkpoint_runs SET run_id = ?, kind = ?, configuration = ?, "
            + "configuration_hash = ?, state = ?, started_seconds = ?, started_nanos = ?, updated_seconds = ?, "
            + "updated_nanos = ?, ended_seconds = ?, ended_nanos = ?, summary = ?, error = ?, attempts = ? "
            + "WHERE run_id = ?";

    private static final String SELECT_RUN = "SELECT " + RUN_COLUMNS + " FROM checkpoint_runs WHERE run_id = ?";

    private static final String SELECT_RUNS = "SELECT " + RUN_COLUMNS + " FROM checkpoint_runs "
            + "ORDER BY started_seconds, started_nanos, run_id";

    private static final String INSERT_LOG = "INSERT INTO checkpoint_log (run_id, at_seconds, at_nanos, level, "
            + "message) VALUES (?, ?, ?, ?, ?)";

    private static final String SELECT_LOG = "SELECT at_seconds, at_nanos, level, message FROM checkpoint_log "
            + "WHERE run_id = ? ORDER BY line";

    private final CheckpointBatcher batcher;

    CheckpointRuns(CheckpointBatcher batcher) {
        this.batcher = batcher;
    }

    /** Inserts a run with the pending changes; false if its id exists. */
    boolean create(RunRecord run) {
        return batcher.commit("create run '" + run.runId() + "'", () -> {
            PreparedStatement statement = batcher.statement(INSERT_RUN);
            bind(statement, run);
            return statement.executeUpdate() == 1;
        });
    }

    /** Replaces a run's record with the pending changes; false if there is no such run. */
    boolean update(RunRecord run) {
        return batcher.commit("update run '" + run.runId() + "'", () -> {
            PreparedStatement statement = batcher.statement(UPDATE_RUN);
            bind(statement, run);
            statement.setString(15, run.runId());
            return statement.executeUpdate() == 1;
        });
    }

    Optional<RunRecord> run(String runId) {
        return batcher.read("read run '" + runId + "'", () -> {
            PreparedStatement statement = batcher.statement(SELECT_RUN);
            statement.setString(1, runId);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next() ? Optional.of(toRun(rows)) : Optional.empty();
            }
        });
    }

    List<RunRecord> runs() {
        return batcher.read("read the runs", () -> {
            List<RunRecord> runs = new ArrayList<>();
            try (ResultSet rows = batcher.statement(SELECT_RUNS).executeQuery()) {
                while (rows.next()) {
                    runs.add(toRun(rows));
                }
            }
            return runs;
        });
    }

    void log(String runId, LogLine line) {
        batcher.write(() -> {
            PreparedStatement statement = batcher.statement(INSERT_LOG);
            statement.setString(1, runId);
            setInstant(statement, 2, line.at());
            statement.setString(4, line.level());
            statement.setString(5, line.message());
            statement.executeUpdate();
        });
    }

    Stream<LogLine> log(String runId) {
        return batcher.stream("read the log of run '" + runId + "'", SELECT_LOG, runId,
                rows -> new LogLine(instant(rows, 1), rows.getString(3), rows.getString(4)));
    }

    private static void bind(PreparedStatement statement, RunRecord run) throws SQLException {
        statement.setString(1, run.runId());
        statement.setString(2, run.kind().name());
        statement.setString(3, run.configuration());
        statement.setString(4, run.configurationHash());
        statement.setString(5, run.state().name());
        setInstant(statement, 6, run.startedAt());
        setInstant(statement, 8, run.updatedAt());
        setInstant(statement, 10, run.endedAt());
        setNullableString(statement, 12, run.summary());
        setNullableString(statement, 13, run.error());
        statement.setInt(14, run.attempts());
    }

    private static RunRecord toRun(ResultSet rows) throws SQLException {
        rows.getLong(10);
        Instant endedAt = rows.wasNull() ? null : instant(rows, 10);
        return new RunRecord(rows.getString(1), RunKind.valueOf(rows.getString(2)), rows.getString(3),
                rows.getString(4), MigrationState.valueOf(rows.getString(5)), instant(rows, 6), instant(rows, 8),
                endedAt, rows.getString(12), rows.getString(13), rows.getInt(14));
    }
}
