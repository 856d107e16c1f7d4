package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore.DiffPass;
import io.github.s3recon.spi.CheckpointStore.LogLine;
import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.RangeCheckpoint;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
import io.github.s3recon.spi.InventoryStore;
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
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a database that an older s3recon wrote: the unversioned layout (user_version 0, named
 * values, text tallies) is upgraded in one transaction, keeping the history and the uploads; a
 * newer layout is refused. The old databases are built here with the old DDL, in plain SQL.
 */
class SqliteCheckpointStoreUpgradeTest {

    private static final Instant T0 = Instant.parse("2024-02-29T23:59:59.123456789Z");

    /** The checkpoint tables as the unversioned layout created them, word for word. */
    private static final String[] OLD_SCHEMA = {
        "CREATE TABLE IF NOT EXISTS checkpoint_runs ("
                + "run_id TEXT PRIMARY KEY, kind TEXT NOT NULL, configuration TEXT NOT NULL, "
                + "configuration_hash TEXT NOT NULL, state TEXT NOT NULL, "
                + "started_seconds INTEGER NOT NULL, started_nanos INTEGER NOT NULL, "
                + "updated_seconds INTEGER NOT NULL, updated_nanos INTEGER NOT NULL, "
                + "ended_seconds INTEGER, ended_nanos INTEGER, summary TEXT, error TEXT, "
                + "attempts INTEGER NOT NULL) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS checkpoint_log ("
                + "line INTEGER PRIMARY KEY, run_id TEXT NOT NULL, at_seconds INTEGER NOT NULL, "
                + "at_nanos INTEGER NOT NULL, level TEXT NOT NULL, message TEXT NOT NULL)",
        "CREATE INDEX IF NOT EXISTS checkpoint_log_by_run ON checkpoint_log (run_id, line)",
        "CREATE TABLE IF NOT EXISTS checkpoint_values ("
                + "run_id TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, "
                + "PRIMARY KEY (run_id, name)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS checkpoint_ranges ("
                + "run_id TEXT NOT NULL, phase TEXT NOT NULL, range_index INTEGER NOT NULL, "
                + "start_after BLOB, end_inclusive BLOB, last_key BLOB, differences_bytes INTEGER NOT NULL, "
                + "plan_bytes INTEGER NOT NULL, tally TEXT NOT NULL, done INTEGER NOT NULL, "
                + "PRIMARY KEY (run_id, phase, range_index)) WITHOUT ROWID",
        "CREATE TABLE IF NOT EXISTS checkpoint_tasks ("
                + "run_id TEXT NOT NULL, sequence INTEGER NOT NULL, key BLOB NOT NULL, action TEXT NOT NULL, "
                + "state TEXT NOT NULL, attempts INTEGER NOT NULL, bytes INTEGER NOT NULL, "
                + "server_side INTEGER NOT NULL, last_error TEXT, "
                + "PRIMARY KEY (run_id, sequence)) WITHOUT ROWID",
        "CREATE INDEX IF NOT EXISTS checkpoint_tasks_by_state ON checkpoint_tasks (run_id, state)",
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

    /** What the old engine left of an unfinished run: its stage and counters as named values. */
    private static final String[][] OLD_VALUES = {
        {"stage", "transfer"},
        {"submitted", "41"},
        {"outcome.before", "3,0,1,\"a\\b\"\n\u00E9\uD83D\uDE00"}
    };

    /** The resume state the upgrade keeps for the unfinished run: its values as JSON, by name. */
    private static final String EXPECTED_STATE = "{\"outcome.before\":\"3,0,1,\\\"a\\\\b\\\"\\u000a\u00E9\uD83D\uDE00\","
            + "\"stage\":\"transfer\",\"submitted\":\"41\"}";

    @TempDir
    Path workDirectory;

    @Test
    void upgradesAnOldDatabaseKeepingRunsLogsAndUploadsAndDroppingTheOldProgress() throws Exception {
        Path database = oldLayoutDatabase(workDirectory);

        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(workDirectory)) {
            assertUpgraded(store);

            // The upgraded database takes the new records.
            store.saveTask("old-run", new TaskRecord(0, "a", TransferAction.COPY, TaskState.DONE, 1, 3, false, null));
            RangeCheckpoint range = new RangeCheckpoint(DiffPass.BEFORE, 0, null, null, "a", 1, 2,
                    new byte[] {0, (byte) 0xFF}, true);
            store.saveRange("old-run", range);
            assertThat(store.ranges("old-run", DiffPass.BEFORE)).singleElement()
                    .satisfies(r -> assertThat(r.tally()).containsExactly(0, 0xFF));
            store.clearProgress("old-run");
            assertThat(store.resumeState("old-run")).isEmpty();
        }
        assertThat(userVersion(database)).isEqualTo(2);
        assertThat(tables(database)).contains("checkpoint_resume_state").doesNotContain("checkpoint_values");
        // The inventory store's tables, in the same database, were not touched.
        try (SqliteInventoryStore inventories = SqliteInventoryStore.open(workDirectory)) {
            assertThat(inventories.count("inv")).isEqualTo(3);
        }
    }

    @Test
    void theOldValuesAreJsonTextThatIsNotTheEnginesEncoding() throws Exception {
        oldLayoutDatabase(workDirectory);

        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(workDirectory)) {
            byte[] state = store.resumeState("old-run").orElseThrow();
            JsonNode json = new ObjectMapper().readTree(state);
            assertThat(json.size()).isEqualTo(OLD_VALUES.length);
            for (String[] value : OLD_VALUES) {
                assertThat(json.get(value[0]).asText()).isEqualTo(value[1]);
            }
        }
    }

    @Test
    void reopeningAnUpgradedDatabaseChangesNothing() throws Exception {
        oldLayoutDatabase(workDirectory);
        SqliteCheckpointStore.open(workDirectory).close();

        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(workDirectory)) {
            assertUpgraded(store);
        }
    }

    @Test
    void aFailedUpgradeLeavesTheOldDatabaseAsItWas() throws Exception {
        Path database = oldLayoutDatabase(workDirectory);
        List<String> before = dump(database);

        assertThatThrownBy(() -> SqliteCheckpointStore.open(workDirectory, config -> { }, 1_000,
                Duration.ofSeconds(1), () -> {
                    throw new IllegalStateException("crash just before the commit");
                })).hasMessageContaining("crash just before the commit");

        assertThat(userVersion(database)).isZero();
        assertThat(dump(database)).containsExactlyElementsOf(before);
        assertThat(tables(database)).contains("checkpoint_values").doesNotContain("checkpoint_resume_state");

        // The next open upgrades it.
        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(workDirectory)) {
            assertUpgraded(store);
        }
    }

    @Test
    void refusesADatabaseOfANewerVersionAndLeavesItAsItIs() throws Exception {
        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(workDirectory)) {
            store.createRun(new RunRecord("run", RunKind.RUN, "{}", "h", MigrationState.LISTING, T0, T0, null, null,
                    null, 1));
        }
        Path database = workDirectory.resolve("s3recon.db").toAbsolutePath();
        execute(database, "PRAGMA user_version = 3");
        List<String> before = dump(database);

        assertThatThrownBy(() -> SqliteCheckpointStore.open(workDirectory)).isInstanceOfSatisfying(
                S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getMessage()).contains("newer s3recon").contains(database.toString())
                            .contains("version 3");
                });

        assertThat(userVersion(database)).isEqualTo(3);
        assertThat(dump(database)).containsExactlyElementsOf(before);
    }

    @Test
    void refusesARunOfAKindNoVersionWroteAndLeavesTheDatabaseAsItIs() throws Exception {
        Path database = oldLayoutDatabase(workDirectory);
        execute(database, "UPDATE checkpoint_runs SET kind = 'MIGRATE' WHERE run_id = 'old-plan'");
        List<String> before = dump(database);

        assertThatThrownBy(() -> SqliteCheckpointStore.open(workDirectory)).isInstanceOfSatisfying(
                S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getMessage()).contains("'MIGRATE'").contains(database.toString());
                });
        assertThat(userVersion(database)).isZero();
        assertThat(dump(database)).containsExactlyElementsOf(before);
    }

    @Test
    void aDatabaseWithOnlyInventoriesGetsTheNewTables() throws Exception {
        try (SqliteInventoryStore inventories = SqliteInventoryStore.open(workDirectory)) {
            try (InventoryStore.Writer writer = inventories.writer("inv")) {
                writer.add(ObjectEntry.of("k", 1, null));
            }
        }
        Path database = workDirectory.resolve("s3recon.db").toAbsolutePath();
        assertThat(userVersion(database)).isZero();

        try (SqliteCheckpointStore store = SqliteCheckpointStore.open(workDirectory)) {
            assertThat(store.runs()).isEmpty();
            store.saveResumeState("run", new byte[] {1});
            assertThat(store.resumeState("run")).hasValueSatisfying(s -> assertThat(s).containsExactly(1));
        }
        assertThat(userVersion(database)).isEqualTo(2);
    }

    // ---- the old database and what is left of it ----------------------------------------------

    private static final RunRecord OLD_RUN = new RunRecord("old-run", RunKind.RUN, "{\"source\":\"s3://a\"}", "hash-1",
            MigrationState.TRANSFERRING, T0, T0.plusSeconds(5), null, null, null, 2);

    private static final RunRecord OLD_PLAN = new RunRecord("old-plan", RunKind.PLAN, "{}", "hash-2",
            MigrationState.COMPLETED, T0.minusSeconds(60), T0.minusSeconds(50), T0.minusSeconds(50), "{\"n\":1}",
            null, 1);

    private static final UploadRecord OLD_UPLOAD = new UploadRecord("big/\u00E9.bin", "upload-1", "\"src-etag\"",
            8L << 20, T0.plusSeconds(3), List.of(new PartRecord(1, "\"p1\"", "crc:A", "crc:A"),
                    new PartRecord(2, "\"p2\"", null, null)));

    private static void assertUpgraded(SqliteCheckpointStore store) {
        assertThat(store.runs()).containsExactly(OLD_PLAN, OLD_RUN);
        try (Stream<LogLine> lines = store.log("old-run")) {
            assertThat(lines).containsExactly(new LogLine(T0, "INFO", "started"),
                    new LogLine(T0.plusSeconds(1), "WARN", "slow\nsecond line"));
        }
        try (Stream<LogLine> lines = store.log("old-plan")) {
            assertThat(lines).containsExactly(new LogLine(T0.minusSeconds(60), "INFO", "planned"));
        }
        assertThat(store.uploads("old-run")).containsExactly(OLD_UPLOAD);
        assertThat(store.upload("old-run", "big/\u00E9.bin")).contains(OLD_UPLOAD);
        assertThat(store.resumeState("old-run")).hasValueSatisfying(
                state -> assertThat(new String(state, StandardCharsets.UTF_8)).isEqualTo(EXPECTED_STATE));
        assertThat(store.resumeState("old-plan")).isEmpty();
        for (DiffPass pass : DiffPass.values()) {
            assertThat(store.ranges("old-run", pass)).as(pass.name()).isEmpty();
        }
        assertThat(store.tasks("old-run", -1, 100)).isEmpty();
        for (TaskState state : TaskState.values()) {
            assertThat(store.countTasks("old-run", state)).isZero();
        }
    }

    /**
     * Builds a work directory as the unversioned layout left it: an inventory, a finished plan
     * and an unfinished run with values, range checkpoints, tasks and an upload with parts.
     */
    private static Path oldLayoutDatabase(Path workDirectory) throws Exception {
        try (SqliteInventoryStore inventories = SqliteInventoryStore.open(workDirectory)) {
            try (InventoryStore.Writer writer = inventories.writer("inv")) {
                for (int i = 0; i < 3; i++) {
                    writer.add(ObjectEntry.of("key-" + i, i, null));
                }
            }
        }
        Path database = workDirectory.resolve("s3recon.db").toAbsolutePath();
        List<String> sql = new ArrayList<>(List.of(OLD_SCHEMA));
        sql.add(insertRun(OLD_RUN));
        sql.add(insertRun(OLD_PLAN));
        sql.add(insertLog("old-plan", T0.minusSeconds(60), "INFO", "planned"));
        sql.add(insertLog("old-run", T0, "INFO", "started"));
        sql.add(insertLog("old-run", T0.plusSeconds(1), "WARN", "slow\nsecond line"));
        for (String[] value : OLD_VALUES) {
            sql.add("INSERT INTO checkpoint_values VALUES ('old-run', " + text(value[0]) + ", " + text(value[1]) + ")");
        }
        sql.add("INSERT INTO checkpoint_ranges VALUES ('old-run', 'before', 0, NULL, CAST('m' AS BLOB), "
                + "CAST('k' AS BLOB), 120, 40, '12,0,3,4,5,6,7,8,9,10,11,12,13,14,15', 1)");
        sql.add("INSERT INTO checkpoint_ranges VALUES ('old-run', 'before', 1, CAST('m' AS BLOB), NULL, NULL, 0, 0, "
                + "'0,0,0,0,0,0,0,0,0,0,0,0,0,0,0', 0)");
        sql.add("INSERT INTO checkpoint_ranges VALUES ('old-plan', 'plan', 0, NULL, NULL, NULL, 10, 10, '1', 1)");
        for (int i = 0; i < 3; i++) {
            sql.add("INSERT INTO checkpoint_tasks VALUES ('old-run', " + i + ", CAST('key-" + i + "' AS BLOB), "
                    + "'COPY', '" + (i == 2 ? "IN_PROGRESS" : "DONE") + "', 1, " + (i * 10) + ", 0, NULL)");
        }
        sql.add("INSERT INTO checkpoint_uploads VALUES ('old-run', 'upload-1', CAST(" + text(OLD_UPLOAD.key())
                + " AS BLOB), '\"src-etag\"', " + OLD_UPLOAD.partSize() + ", " + OLD_UPLOAD.startedAt().getEpochSecond()
                + ", " + OLD_UPLOAD.startedAt().getNano() + ")");
        sql.add("INSERT INTO checkpoint_parts VALUES ('old-run', 'upload-1', 2, '\"p2\"', NULL, NULL)");
        sql.add("INSERT INTO checkpoint_parts VALUES ('old-run', 'upload-1', 1, '\"p1\"', 'crc:A', 'crc:A')");
        execute(database, sql.toArray(String[]::new));
        assertThat(userVersion(database)).isZero();
        return database;
    }

    private static String insertRun(RunRecord run) {
        return "INSERT INTO checkpoint_runs VALUES (" + text(run.runId()) + ", " + text(run.kind().name()) + ", "
                + text(run.configuration()) + ", " + text(run.configurationHash()) + ", " + text(run.state().name())
                + ", " + run.startedAt().getEpochSecond() + ", " + run.startedAt().getNano() + ", "
                + run.updatedAt().getEpochSecond() + ", " + run.updatedAt().getNano() + ", "
                + (run.endedAt() == null ? "NULL, NULL" : run.endedAt().getEpochSecond() + ", " + run.endedAt().getNano())
                + ", " + (run.summary() == null ? "NULL" : text(run.summary())) + ", "
                + (run.error() == null ? "NULL" : text(run.error())) + ", " + run.attempts() + ")";
    }

    private static String insertLog(String runId, Instant at, String level, String message) {
        return "INSERT INTO checkpoint_log (run_id, at_seconds, at_nanos, level, message) VALUES (" + text(runId)
                + ", " + at.getEpochSecond() + ", " + at.getNano() + ", " + text(level) + ", " + text(message) + ")";
    }

    /** An SQL string literal. */
    private static String text(String value) {
        return "'" + value.replace("'", "''") + "'";
    }

    private static void execute(Path database, String... sql) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement()) {
            for (String s : sql) {
                statement.execute(s);
            }
        }
    }

    private static int userVersion(Path database) throws SQLException {
        return Integer.parseInt(pragma(database, "user_version"));
    }

    /** Reads a pragma's first value on a connection of its own. */
    static String pragma(Path database, String pragma) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA " + pragma)) {
            rows.next();
            return rows.getString(1);
        }
    }

    private static List<String> tables(Path database) throws SQLException {
        List<String> tables = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT name FROM sqlite_master WHERE type = 'table'")) {
            while (rows.next()) {
                tables.add(rows.getString(1));
            }
        }
        return tables;
    }

    /** Every checkpoint table's DDL and rows, as text, in a stable order. */
    private static List<String> dump(Path database) throws SQLException {
        assertThat(Files.exists(database)).isTrue();
        List<String> dump = new ArrayList<>();
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement()) {
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery("SELECT name, sql FROM sqlite_master "
                    + "WHERE name LIKE 'checkpoint%' ORDER BY name")) {
                while (rows.next()) {
                    dump.add(rows.getString(1) + ": " + rows.getString(2));
                    if (rows.getString(2) != null && rows.getString(2).startsWith("CREATE TABLE")) {
                        tables.add(rows.getString(1));
                    }
                }
            }
            for (String table : tables) {
                List<String> tableRows = new ArrayList<>();
                try (ResultSet rows = statement.executeQuery("SELECT * FROM " + table)) {
                    int columns = rows.getMetaData().getColumnCount();
                    while (rows.next()) {
                        List<String> row = new ArrayList<>();
                        for (int c = 1; c <= columns; c++) {
                            Object value = rows.getObject(c);
                            row.add(value instanceof byte[] ? "x'" + HexFormat.of().formatHex((byte[]) value)
                                    + "'" : String.valueOf(value));
                        }
                        tableRows.add(table + " " + row.stream().collect(Collectors.joining("|")));
                    }
                }
                Collections.sort(tableRows);
                dump.addAll(tableRows);
            }
        }
        return dump;
    }
}
