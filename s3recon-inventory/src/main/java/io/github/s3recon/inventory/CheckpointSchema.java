package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The layout of {@link SqliteCheckpointStore}'s tables, its version and the upgrade of a database
 * that an older version wrote.
 *
 * <p><b>Versions.</b> The layout's version is the database's {@code PRAGMA user_version}, which
 * only the checkpoint store sets ({@link SqliteInventoryStore} leaves it alone). Version 0 (no
 * version set) is the layout before typed records: a named value table ({@code checkpoint_values})
 * and text tallies. Version {@value #VERSION} is this one: run kinds and listing passes by enum
 * name, the resume state and the tallies as BLOBs kept byte for byte.
 *
 * <p><b>Upgrade from version 0</b>, in one transaction (a crash in the middle leaves the database
 * as the older version wrote it, and the next open upgrades it again): the runs, their logs and
 * their upload records and parts are kept; each run that had named values gets as its resume state
 * those values as a UTF-8 JSON object (name to value, by name), which the engine does not decode,
 * so that it refuses to resume the run and names {@code Migration.builder().newRun(true)}; the
 * range checkpoints and task states are dropped (their format is gone, and a new run starts them
 * over). A database of a newer version is refused, never changed.
 *
 * <p>Not thread-safe: used once, by the thread that opens the store, before the store exists.
 */
final class CheckpointSchema {

    /** The layout this version writes, in {@code PRAGMA user_version}. */
    static final int VERSION = 2;

    /** The layout of the version-2 tables; idempotent. */
    private static final String[] TABLES = {
        "CREATE TABLE IF NOT EXISTS checkpoint_runs ("
                + "run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, configuration TEXT NOT NULL, "
                + "configuration_hash TEXT NOT NULL, state TEXT NOT NULL, "
                + "started_seconds INTEGER NOT NULL, started_nanos INTEGER NOT NULL, "
                + "updated_seconds INTEGER NOT NULL, updated_nanos INTEGER NOT NULL, "
                + "ended_seconds INTEGER, ended_nanos INTEGER, summary TEXT, error TEXT, "
                + "attempts INTEGER NOT NULL) WITHOUT ROWID",
        // The rowid is the order of writing: log lines are never deleted one by one, so it only grows.
        "CREATE TABLE IF NOT EXISTS checkpoint_log ("
                + "line INTEGER PRIMARY KEY, run_id TEXT NOT NULL, at_seconds INTEGER NOT NULL, "
                + "at_nanos INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS checkpoint_log_by_run ON checkpoint_log (run_id, line)",
        "CREATE TABLE IF NOT EXISTS checkpoint_resume_state ("
                + "run_id TEXT PRIMARY KEY, state BLOB NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS checkpoint_ranges ("
                + "run_id TEXT NOT NULL, pass TEXT NOT NULL, range_index INTEGER NOT NULL, "
                + "start_after BLOB, end_inclusive BLOB, last_key BLOB, differences_bytes INTEGER NOT NULL, "
                + "plan_bytes INTEGER NOT NULL, tally BLOB NOT NULL, done INTEGER NOT NULL, "
                + "PRIMARY KEY (run_id, pass, range_index)) WITHOUT ROWID",
        // WITHOUT ROWID: the rows are the B-tree on (run_id, sequence), so a page is a sequential scan.
        "CREATE TABLE IF NOT EXISTS checkpoint_tasks ("
                + "run_id TEXT NOT NULL, sequence INTEGER NOT NULL, key BLOB NOT NULL, action TEXT NOT NULL, "
                + "state TEXT NOT NULL, attempts INTEGER NOT NULL, bytes INTEGER NOT NULL, "
                + "server_side INTEGER NOT NULL, last_error TEXT, "
                + "PRIMARY KEY (run_id, sequence)) WITHOUT ROWID",
        // So that countTasks() counts index entries instead of reading every task of the run.
        "CREATE INDEX IF NOT EXISTS checkpoint_tasks_by_state ON checkpoint_tasks (run_id, state)",
        // A rowid table: the rowid breaks ties between uploads of one key started at the same instant
        // (the one saved last is the newest).
        "CREATE TABLE IF NOT EXISTS checkpoint_uploads ("
                + "run_id TEXT NOT NULL, upload_id TEXT NOT NULL, key BLOB NOT NULL, source_etag TEXT NOT NULL, "
                + "part_size INTEGER NOT NULL, started_seconds INTEGER NOT NULL, started_nanos INTEGER NOT NULL, "
                + "PRIMARY KEY (run_id, upload_id))",
        "CREATE INDEX IF NOT EXISTS checkpoint_uploads_by_key ON checkpoint_uploads (run_id, key)",
        "CREATE TABLE IF NOT EXISTS checkpoint_parts ("
                + "run_id TEXT NOT NULL, upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, etag TEXT NOT NULL, "
                + "stored_checksum TEXT, relayed_checksum TEXT, "
                + "PRIMARY KEY (run_id, upload_id, part_number)) WITHOUT ROWID"
    };

    private CheckpointSchema() {
    }

    /**
     * Creates the tables in a database without them, upgrades a database of version 0 and refuses
     * one of a newer version.
     *
     * @param connection the store's connection, in auto-commit mode
     * @param database the database file, for messages
     * @param beforeCommit run inside the transaction just before it commits (a test fails it there)
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} for a database of a newer version or
     *     a run of an unknown kind
     * @throws SQLException when the database fails; the transaction is rolled back
     */
    static void prepare(Connection connection, Path database, Runnable beforeCommit) throws SQLException {
        // Checked before taking the write lock: a database of this version needs no write at all.
        int version = userVersion(connection);
        if (version == VERSION) {
            return;
        }
        refuseNewer(version, database);
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                // Again under the write lock: another process may have upgraded it meanwhile.
                version = userVersion(connection);
                refuseNewer(version, database);
                if (version < VERSION) {
                    if (version != 0) {
                        throw new S3ReconException(ErrorCode.STORE_FAILED, "The database " + database
                                + " has checkpoint layout version " + version + ", which no s3recon wrote: move it"
                                + " away (this discards the inventories and checkpoints it holds) or use another"
                                + " work directory.");
                    }
                    if (tableExists(connection, "checkpoint_runs")) {
                        upgradeFromUnversioned(connection, database);
                    }
                    for (String ddl : TABLES) {
                        statement.execute(ddl);
                    }
                    statement.execute("PRAGMA user_version = " + VERSION);
                }
                beforeCommit.run();
                statement.execute("COMMIT");
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    statement.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    e.addSuppressed(rollback);
                }
                throw e;
            }
        }
    }

    private static void refuseNewer(int version, Path database) {
        if (version > VERSION) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "The database " + database + " was written by a"
                    + " newer s3recon (checkpoint layout version " + version + "; this version knows up to "
                    + VERSION + "): use that newer version on this work directory, or use another work directory."
                    + " The database was not changed.");
        }
    }

    /** Version 0 to {@value #VERSION}, inside the caller's transaction. */
    private static void upgradeFromUnversioned(Connection connection, Path database) throws SQLException {
        try (Statement statement = connection.createStatement()) {
            mapRunKinds(connection, database);
            // The run tables and the log, uploads and parts keep their layout; the resume state is new.
            statement.execute("CREATE TABLE IF NOT EXISTS checkpoint_resume_state ("
                    + "run_id TEXT PRIMARY KEY, state BLOB NOT NULL) WITHOUT ROWID");
            if (tableExists(connection, "checkpoint_values")) {
                keepValuesAsResumeStates(connection);
                statement.execute("DROP TABLE checkpoint_values");
            }
            // Their format is gone (text tallies, phases by name): a new run starts them over.
            statement.execute("DROP TABLE IF EXISTS checkpoint_ranges");
            statement.execute("DROP TABLE IF EXISTS checkpoint_tasks");
        }
    }

    /** Version 0 stored the kinds as the enum's names already; anything else cannot be read back. */
    private static void mapRunKinds(Connection connection, Path database) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT DISTINCT kind FROM checkpoint_runs")) {
            while (rows.next()) {
                String kind = rows.getString(1);
                try {
                    RunKind.valueOf(kind);
                } catch (IllegalArgumentException | NullPointerException e) {
                    throw new S3ReconException(ErrorCode.STORE_FAILED, "The database " + database + " holds a run"
                            + " of kind '" + kind + "', which no s3recon wrote, so its checkpoints cannot be"
                            + " upgraded: move the database away (this discards the inventories and checkpoints"
                            + " it holds) or use another work directory. The database was not changed.", e);
                }
            }
        }
    }

    /** Each run's named values as a JSON object, the run's resume state: bytes the engine does not decode. */
    private static void keepValuesAsResumeStates(Connection connection) throws SQLException {
        Map<String, List<String[]>> values = new LinkedHashMap<>();
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery(
                        "SELECT run_id, name, value FROM checkpoint_values ORDER BY run_id, name")) {
            while (rows.next()) {
                values.computeIfAbsent(rows.getString(1), id -> new ArrayList<>())
                        .add(new String[] {rows.getString(2), rows.getString(3)});
            }
        }
        try (PreparedStatement insert = connection.prepareStatement(
                "INSERT OR REPLACE INTO checkpoint_resume_state (run_id, state) VALUES (?, ?)")) {
            for (Map.Entry<String, List<String[]>> run : values.entrySet()) {
                StringBuilder json = new StringBuilder("{");
                for (String[] value : run.getValue()) {
                    if (json.length() > 1) {
                        json.append(',');
                    }
                    appendJsonString(json, value[0]).append(':');
                    appendJsonString(json, value[1]);
                }
                insert.setString(1, run.getKey());
                insert.setBytes(2, json.append('}').toString().getBytes(StandardCharsets.UTF_8));
                insert.executeUpdate();
            }
        }
    }

    private static StringBuilder appendJsonString(StringBuilder json, String text) {
        json.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                json.append('\\').append(c);
            } else if (c < 0x20) {
                json.append(String.format("\\u%04x", (int) c));
            } else {
                json.append(c);
            }
        }
        return json.append('"');
    }

    private static int userVersion(Connection connection) throws SQLException {
        try (Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA user_version")) {
            rows.next();
            return rows.getInt(1);
        }
    }

    private static boolean tableExists(Connection connection, String name) throws SQLException {
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?")) {
            statement.setString(1, name);
            try (ResultSet rows = statement.executeQuery()) {
                return rows.next();
            }
        }
    }
}
