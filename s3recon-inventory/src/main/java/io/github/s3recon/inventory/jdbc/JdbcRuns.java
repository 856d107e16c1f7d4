package io.github.s3recon.inventory.jdbc;

import static io.github.s3recon.inventory.jdbc.JdbcColumns.instant;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.setInstant;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.setNullableString;

import io.github.s3recon.MigrationState;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * The run history of a {@link JdbcCheckpointStore}: the runs ({@code checkpoint_runs}) and their
 * logs ({@code checkpoint_log}), which {@code clearProgress} keeps. Thread-safe through its
 * {@link JdbcBatcher}; arguments are checked by the store.
 */
final class JdbcRuns {

    /** How many log lines one page of a log stream reads. */
    static final int PAGE = 1_000;

    private static final String RUN_COLUMNS = "run_id, kind, configuration, configuration_hash, state, "
            + "started_seconds, started_nanos, updated_seconds, updated_nanos, ended_seconds, ended_nanos, "
            + "summary, error, attempts";

    private final JdbcBatcher batcher;
    private final JdbcColumns columns;
    private final String insertRun;
    private final String updateRun;
    private final String selectRun;
    private final String selectRuns;
    private final String insertLog;
    private final String lastLine;
    private final String selectLog;

    JdbcRuns(JdbcBatcher batcher, JdbcColumns columns) {
        this.batcher = batcher;
        this.columns = columns;
        JdbcCheckpointBackend backend = batcher.backend();
        String runs = backend.table("checkpoint_runs");
        String log = backend.table("checkpoint_log");
        // ON CONFLICT DO NOTHING rather than a lookup first: the update count says whether the id was new.
        insertRun = "INSERT INTO " + runs + " (" + RUN_COLUMNS + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (run_id) DO NOTHING";
        updateRun = "UPDATE " + runs + " SET run_id = ?, kind = ?, configuration = ?, configuration_hash = ?, "
                + "state = ?, started_seconds = ?, started_nanos = ?, updated_seconds = ?, updated_nanos = ?, "
                + "ended_seconds = ?, ended_nanos = ?, summary = ?, error = ?, attempts = ? WHERE run_id = ?";
        selectRun = "SELECT " + RUN_COLUMNS + " FROM " + runs + " WHERE run_id = ?";
        selectRuns = "SELECT " + RUN_COLUMNS + " FROM " + runs + " ORDER BY started_seconds, started_nanos, "
                + backend.byteOrder("run_id");
        insertLog = "INSERT INTO " + log + " (run_id, at_seconds, at_nanos, level, message) VALUES (?, ?, ?, ?, ?)";
        lastLine = "SELECT coalesce(max(line), 0) FROM " + log + " WHERE run_id = ?";
        selectLog = "SELECT line, at_seconds, at_nanos, level, message FROM " + log
                + " WHERE run_id = ? AND line > ? AND line <= ? ORDER BY line LIMIT ?";
    }

    /** Inserts a run with the pending changes; false if its id exists. */
    boolean create(RunRecord run) {
        Object error = columns.text(run.error());
        return batcher.commit("create run '" + run.runId() + "'",
                sql -> sql.updateNow(insertRun, statement -> bind(statement, run, error)) == 1);
    }

    /** Replaces a run's record with the pending changes; false if there is no such run. */
    boolean update(RunRecord run) {
        Object error = columns.text(run.error());
        return batcher.commit("update run '" + run.runId() + "'", sql -> sql.updateNow(updateRun, statement -> {
            bind(statement, run, error);
            statement.setString(15, run.runId());
        }) == 1);
    }

    Optional<RunRecord> run(String runId) {
        return batcher.read("read run '" + runId + "'", sql -> sql.query(selectRun,
                statement -> statement.setString(1, runId),
                rows -> rows.next() ? Optional.of(toRun(rows)) : Optional.empty()));
    }

    List<RunRecord> runs() {
        return batcher.read("read the runs", sql -> sql.query(selectRuns, statement -> { }, rows -> {
            List<RunRecord> runs = new ArrayList<>();
            while (rows.next()) {
                runs.add(toRun(rows));
            }
            return runs;
        }));
    }

    void log(String runId, LogLine line) {
        Object message = columns.text(line.message());
        batcher.write(sql -> sql.update(insertLog, statement -> {
            statement.setString(1, runId);
            setInstant(statement, 2, line.at());
            statement.setString(4, line.level());
            columns.setText(statement, 5, message);
        }));
    }

    /**
     * The run's log as it was when called (lines are only ever appended, so the lines up to the
     * last one now are that snapshot), read page by page in the order written: the stream holds no
     * connection between pages, and throws once the store is closed.
     */
    Stream<LogLine> log(String runId) {
        String action = "read the log of run '" + runId + "'";
        long last = batcher.read(action, sql -> sql.query(lastLine, statement -> statement.setString(1, runId),
                rows -> {
                    rows.next();
                    return rows.getLong(1);
                }));
        Spliterator<LogLine> pages = new Spliterators.AbstractSpliterator<LogLine>(Long.MAX_VALUE,
                Spliterator.ORDERED | Spliterator.NONNULL) {
            private Iterator<LogLine> page = List.<LogLine>of().iterator();
            private long after;
            private boolean ended = last == 0;

            @Override
            public boolean tryAdvance(Consumer<? super LogLine> consumer) {
                batcher.ensureOpen(action);
                if (!page.hasNext()) {
                    if (ended) {
                        return false;
                    }
                    List<LogLine> lines = new ArrayList<>();
                    after = batcher.readCommitted(action, sql -> sql.query(selectLog, statement -> {
                        statement.setString(1, runId);
                        statement.setLong(2, after);
                        statement.setLong(3, last);
                        statement.setInt(4, PAGE);
                    }, rows -> readPage(rows, lines, after)));
                    ended = lines.size() < PAGE || after >= last;
                    if (lines.isEmpty()) {
                        return false;
                    }
                    page = lines.iterator();
                }
                consumer.accept(page.next());
                return true;
            }
        };
        return StreamSupport.stream(pages, false);
    }

    /** Adds a page's lines and returns the position of its last one. */
    private long readPage(ResultSet rows, List<LogLine> lines, long after) throws SQLException {
        long position = after;
        while (rows.next()) {
            position = rows.getLong(1);
            lines.add(new LogLine(instant(rows, 2), rows.getString(4), columns.text(rows, 5)));
        }
        return position;
    }

    private void bind(PreparedStatement statement, RunRecord run, Object error) throws SQLException {
        statement.setString(1, run.runId());
        statement.setString(2, run.kind().name());
        statement.setString(3, run.configuration());
        statement.setString(4, run.configurationHash());
        statement.setString(5, run.state().name());
        setInstant(statement, 6, run.startedAt());
        setInstant(statement, 8, run.updatedAt());
        setInstant(statement, 10, run.endedAt());
        setNullableString(statement, 12, run.summary());
        columns.setText(statement, 13, error);
        statement.setInt(14, run.attempts());
    }

    private RunRecord toRun(ResultSet rows) throws SQLException {
        rows.getLong(10);
        Instant endedAt = rows.wasNull() ? null : instant(rows, 10);
        return new RunRecord(rows.getString(1), RunKind.valueOf(rows.getString(2)), rows.getString(3),
                rows.getString(4), MigrationState.valueOf(rows.getString(5)), instant(rows, 6), instant(rows, 8),
                endedAt, rows.getString(12), columns.text(rows, 13), rows.getInt(14));
    }
}
