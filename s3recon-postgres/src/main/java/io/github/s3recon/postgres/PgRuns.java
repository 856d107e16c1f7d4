package io.github.s3recon.postgres;

import static io.github.s3recon.postgres.PgColumns.instant;
import static io.github.s3recon.postgres.PgColumns.setInstant;
import static io.github.s3recon.postgres.PgColumns.setNullableBytes;
import static io.github.s3recon.postgres.PgColumns.setNullableString;

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
 * The run history of {@link PostgresCheckpointStore}: the runs and their logs, which
 * {@code clearProgress} keeps. Thread-safe through its {@link PgBatcher}; arguments are checked by
 * the store.
 */
final class PgRuns {

    private static final String RUN_COLUMNS = "run_id, kind, configuration, configuration_hash, state, "
            + "started_seconds, started_nanos, updated_seconds, updated_nanos, ended_seconds, ended_nanos, "
            + "summary, error, attempts";

    private final PgBatcher batcher;
    private final String insertRun;
    private final String updateRun;
    private final String selectRun;
    private final String selectRuns;
    private final String insertLog;
    private final String lastLine;
    private final String selectLog;

    PgRuns(PgBatcher batcher, String schema) {
        this.batcher = batcher;
        insertRun = "INSERT INTO " + schema + ".checkpoint_runs (" + RUN_COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id) DO NOTHING";
        updateRun = "UPDATE " + schema + ".checkpoint_runs SET run_id = ?, kind = ?, configuration = ?, "
                + "configuration_hash = ?, state = ?, started_seconds = ?, started_nanos = ?, updated_seconds = ?, "
                + "updated_nanos = ?, ended_seconds = ?, ended_nanos = ?, summary = ?, error = ?, attempts = ? "
                + "WHERE run_id = ?";
        selectRun = "SELECT " + RUN_COLUMNS + " FROM " + schema + ".checkpoint_runs WHERE run_id = ?";
        // COLLATE "C": ids in the order of their UTF-8 bytes, whatever the database's collation.
        selectRuns = "SELECT " + RUN_COLUMNS + " FROM " + schema + ".checkpoint_runs "
                + "ORDER BY started_seconds, started_nanos, run_id COLLATE \"C\"";
        insertLog = "INSERT INTO " + schema + ".checkpoint_log (run_id, at_seconds, at_nanos, level, message) "
                + "VALUES (?, ?, ?, ?, ?)";
        lastLine = "SELECT coalesce(max(line), 0) FROM " + schema + ".checkpoint_log WHERE run_id = ?";
        selectLog = "SELECT line, at_seconds, at_nanos, level, message FROM " + schema + ".checkpoint_log "
                + "WHERE run_id = ? AND line > ? AND line <= ? ORDER BY line LIMIT ?";
    }

    boolean create(RunRecord run) {
        return batcher.commit("create run '" + run.runId() + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(insertRun)) {
                bind(statement, run);
                return statement.executeUpdate() == 1;
            }
        });
    }

    boolean update(RunRecord run) {
        return batcher.commit("update run '" + run.runId() + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(updateRun)) {
                bind(statement, run);
                statement.setString(15, run.runId());
                return statement.executeUpdate() == 1;
            }
        });
    }

    Optional<RunRecord> run(String runId) {
        return batcher.read("read run '" + runId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectRun)) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(toRun(rows)) : Optional.empty();
                }
            }
        });
    }

    List<RunRecord> runs() {
        return batcher.read("read the runs", connection -> {
            List<RunRecord> runs = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement(selectRuns);
                    ResultSet rows = statement.executeQuery()) {
                while (rows.next()) {
                    runs.add(toRun(rows));
                }
            }
            return runs;
        });
    }

    void log(String runId, LogLine line) {
        byte[] message = PgColumns.text(line.message());
        batcher.write(tx -> {
            PreparedStatement statement = tx.batched(insertLog);
            statement.setString(1, runId);
            setInstant(statement, 2, line.at());
            statement.setString(4, line.level());
            statement.setBytes(5, message);
            statement.addBatch();
        });
    }

    /** The run's log as it was when called, read page by page: the stream holds no connection. */
    Stream<LogLine> log(String runId) {
        String action = "read the log of run '" + runId + "'";
        long last = batcher.read(action, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(lastLine)) {
                statement.setString(1, runId);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    return rows.getLong(1);
                }
            }
        });
        return PgPages.stream(batcher, action, (after, limit) -> batcher.readCommitted(action, connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectLog)) {
                statement.setString(1, runId);
                statement.setLong(2, after);
                statement.setLong(3, last);
                statement.setInt(4, limit);
                List<PgPages.Row<LogLine>> page = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        page.add(new PgPages.Row<>(rows.getLong(1), new LogLine(instant(rows, 2), rows.getString(4),
                                PgColumns.string(rows, 5))));
                    }
                }
                return page;
            }
        }));
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
        setNullableBytes(statement, 13, PgColumns.text(run.error()));
        statement.setInt(14, run.attempts());
    }

    private static RunRecord toRun(ResultSet rows) throws SQLException {
        rows.getLong(10);
        Instant endedAt = rows.wasNull() ? null : instant(rows, 10);
        return new RunRecord(rows.getString(1), RunKind.valueOf(rows.getString(2)), rows.getString(3),
                rows.getString(4), MigrationState.valueOf(rows.getString(5)), instant(rows, 6), instant(rows, 8),
                endedAt, rows.getString(12), PgColumns.string(rows, 13), rows.getInt(14));
    }
}
