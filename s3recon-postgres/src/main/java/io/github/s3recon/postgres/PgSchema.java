package io.github.s3recon.postgres;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The layout of {@link PostgresCheckpointStore}'s tables in their schema, its version and its
 * upgrades.
 *
 * <p><b>Versions.</b> The table {@code checkpoint_schema} holds one row: the layout's version.
 * {@link #MIGRATIONS} lists, for each version, the statements that bring the version before it to
 * it; opening a store runs those its schema lacks, in one transaction, under a transaction-level
 * advisory lock on the schema's name, so that several JVMs opening the store at once (a service's
 * replicas, a cluster's executors) upgrade it once and never see half a layout. A schema of a
 * newer version is refused and left as it is. Keys are {@code bytea} (their UTF-8 bytes: any
 * character, NUL included, ordered by code point); free texts that may quote a key (log messages,
 * errors) are {@code bytea} too, since PostgreSQL's text cannot hold NUL.
 *
 * <p>Stateless; called once per open, before the store exists.
 */
final class PgSchema {

    /** Each version's statements; {@code %s} is the quoted schema. Append, never change. */
    static final List<List<String>> MIGRATIONS = List.of(
            // Version 1.
            List.of(
                    "CREATE TABLE %s.checkpoint_runs (run_id text PRIMARY KEY, kind text NOT NULL, "
                            + "configuration text NOT NULL, configuration_hash text NOT NULL, state text NOT NULL, "
                            + "started_seconds bigint NOT NULL, started_nanos integer NOT NULL, "
                            + "updated_seconds bigint NOT NULL, updated_nanos integer NOT NULL, "
                            + "ended_seconds bigint, ended_nanos integer, summary text, error bytea, "
                            + "attempts integer NOT NULL)",
                    // The serial is the order of writing: log lines are never deleted one by one.
                    "CREATE TABLE %s.checkpoint_log (line bigserial PRIMARY KEY, run_id text NOT NULL, "
                            + "at_seconds bigint NOT NULL, at_nanos integer NOT NULL, level text NOT NULL, "
                            + "message bytea NOT NULL)",
                    "CREATE INDEX checkpoint_log_by_run ON %s.checkpoint_log (run_id, line)",
                    "CREATE TABLE %s.checkpoint_resume_state (run_id text PRIMARY KEY, state bytea NOT NULL)",
                    "CREATE TABLE %s.checkpoint_ranges (run_id text NOT NULL, pass text NOT NULL, "
                            + "range_index integer NOT NULL, start_after bytea, end_inclusive bytea, last_key bytea, "
                            + "differences_bytes bigint NOT NULL, plan_bytes bigint NOT NULL, tally bytea NOT NULL, "
                            + "done boolean NOT NULL, PRIMARY KEY (run_id, pass, range_index))",
                    "CREATE TABLE %s.checkpoint_tasks (run_id text NOT NULL, sequence bigint NOT NULL, "
                            + "key bytea NOT NULL, action text NOT NULL, state text NOT NULL, attempts integer NOT NULL, "
                            + "bytes bigint NOT NULL, server_side boolean NOT NULL, last_error bytea, "
                            + "PRIMARY KEY (run_id, sequence))",
                    // So that countTasks() reads only the tasks in that state.
                    "CREATE INDEX checkpoint_tasks_by_state ON %s.checkpoint_tasks (run_id, state)",
                    // `saved` is the order of saving, renewed when an upload is saved again: of the uploads of
                    // a key started at the same instant, the one saved last is the newest.
                    "CREATE TABLE %s.checkpoint_uploads (run_id text NOT NULL, upload_id text NOT NULL, "
                            + "key bytea NOT NULL, source_etag text NOT NULL, part_size bigint NOT NULL, "
                            + "started_seconds bigint NOT NULL, started_nanos integer NOT NULL, "
                            + "saved bigserial NOT NULL, PRIMARY KEY (run_id, upload_id))",
                    "CREATE INDEX checkpoint_uploads_by_key ON %s.checkpoint_uploads (run_id, key)",
                    "CREATE TABLE %s.checkpoint_parts (run_id text NOT NULL, upload_id text NOT NULL, "
                            + "part_number integer NOT NULL, etag text NOT NULL, stored_checksum text, "
                            + "relayed_checksum text, PRIMARY KEY (run_id, upload_id, part_number))"));

    /** The layout this version writes. */
    static final int VERSION = MIGRATIONS.size();

    private PgSchema() {
    }

    /**
     * Creates the schema and the tables when missing, upgrades an older layout and refuses a newer one.
     *
     * @param connection a connection in auto-commit mode
     * @param schema the schema's name, a checked identifier
     * @param where the store, for messages
     * @return the version the schema had before (0 for a new one)
     */
    static int prepare(Connection connection, String schema, String where) throws SQLException {
        String quoted = quote(schema);
        return JdbcCheckpointBackend.inTransaction(connection, c -> {
            try (Statement statement = c.createStatement()) {
                // Serialises the JVMs that open one schema at once; released by the commit or rollback.
                statement.execute("SELECT pg_advisory_xact_lock(hashtext('s3recon-checkpoints:' || "
                        + literal(schema) + "))");
                statement.execute("CREATE SCHEMA IF NOT EXISTS " + quoted);
                statement.execute("CREATE TABLE IF NOT EXISTS " + quoted + ".checkpoint_schema ("
                        + "one boolean PRIMARY KEY DEFAULT true CHECK (one), version integer NOT NULL)");
                int version = 0;
                try (ResultSet rows = statement.executeQuery("SELECT version FROM " + quoted + ".checkpoint_schema")) {
                    if (rows.next()) {
                        version = rows.getInt(1);
                    }
                }
                if (version > VERSION) {
                    throw new S3ReconException(ErrorCode.STORE_FAILED, "The PostgreSQL checkpoint store " + where
                            + " was written by a newer s3recon (layout version " + version + "; this version knows up"
                            + " to " + VERSION + "): use that newer version, or another schema. Nothing was changed.");
                }
                for (int next = version; next < VERSION; next++) {
                    for (String ddl : MIGRATIONS.get(next)) {
                        statement.execute(String.format(ddl, quoted));
                    }
                }
                if (version < VERSION) {
                    statement.execute("INSERT INTO " + quoted + ".checkpoint_schema (one, version) VALUES (true, "
                            + VERSION + ") ON CONFLICT (one) DO UPDATE SET version = EXCLUDED.version");
                }
                return version;
            }
        });
    }

    /** A checked identifier (see {@link PostgresSettings#schema()}) in double quotes. */
    static String quote(String identifier) {
        return '"' + identifier + '"';
    }

    private static String literal(String identifier) {
        // Identifiers are [a-z0-9_] only: nothing to escape.
        return "'" + identifier + "'";
    }
}
