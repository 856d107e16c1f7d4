package io.github.s3recon.spark;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.postgres.PostgresSettings;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Optional;

/**
 * The state of a distributed run's shards, beside the checkpoint store's tables in its PostgreSQL
 * schema: per job, the configuration's digest and the shards' key ranges (planned once, so that a
 * job run again splits its keys the same way whatever the buckets hold by then), and per shard
 * whether it finished, with its outcome. A shard is marked finished by its task, once, after its
 * run completed; a finished shard is never run again.
 *
 * <p>Tables {@code spark_jobs} and {@code spark_shards}, created when missing under an advisory
 * lock. Each call uses a connection of its own ({@link PostgresSettings#connect()}); thread-safe.
 */
final class ShardLedger {

    private final PostgresSettings settings;
    private final String jobs;
    private final String shards;

    private ShardLedger(PostgresSettings settings) {
        this.settings = settings;
        this.jobs = '"' + settings.schema() + "\".spark_jobs";
        this.shards = '"' + settings.schema() + "\".spark_shards";
    }

    /** Opens the ledger, creating its tables (and the schema) when missing. */
    static ShardLedger open(PostgresSettings settings) {
        ShardLedger ledger = new ShardLedger(settings);
        ledger.work("create the tables of the Spark jobs", connection -> {
            connection.setAutoCommit(false);
            try (Statement statement = connection.createStatement()) {
                statement.execute("SELECT pg_advisory_xact_lock(hashtext('s3recon-spark:" + settings.schema() + "'))");
                statement.execute("CREATE SCHEMA IF NOT EXISTS \"" + settings.schema() + "\"");
                statement.execute("CREATE TABLE IF NOT EXISTS " + ledger.jobs + " (job_id text PRIMARY KEY, "
                        + "configuration_hash text NOT NULL, shards integer NOT NULL)");
                statement.execute("CREATE TABLE IF NOT EXISTS " + ledger.shards + " (job_id text NOT NULL, "
                        + "shard_index integer NOT NULL, start_after bytea, end_inclusive bytea, "
                        + "done boolean NOT NULL DEFAULT false, outcome bytea, PRIMARY KEY (job_id, shard_index))");
                connection.commit();
            }
            return null;
        });
        return ledger;
    }

    /**
     * The ranges a job planned when it first ran, or empty for a new job.
     *
     * @throws S3ReconException {@link ErrorCode#RESUME_CONFLICT} if the job ran with another configuration
     */
    Optional<List<KeyRange>> ranges(String jobId, String configurationHash) {
        return work("read job '" + jobId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT configuration_hash FROM " + jobs + " WHERE job_id = ?")) {
                statement.setString(1, jobId);
                try (ResultSet rows = statement.executeQuery()) {
                    if (!rows.next()) {
                        return Optional.empty();
                    }
                    if (!rows.getString(1).equals(configurationHash)) {
                        throw new S3ReconException(ErrorCode.RESUME_CONFLICT, "Spark job '" + jobId + "' ran before"
                                + " with another configuration (locations, overwrite, deletions, verification or"
                                + " filters) in " + settings.describe() + ": run it with that configuration, or give"
                                + " this one another jobId.");
                    }
                }
            }
            List<KeyRange> ranges = new ArrayList<>();
            try (PreparedStatement statement = connection.prepareStatement("SELECT start_after, end_inclusive FROM "
                    + shards + " WHERE job_id = ? ORDER BY shard_index")) {
                statement.setString(1, jobId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        ranges.add(new KeyRange(text(rows.getBytes(1)), text(rows.getBytes(2))));
                    }
                }
            }
            return Optional.of(ranges);
        });
    }

    /** Records a new job and its ranges in one transaction; false if another driver recorded it first. */
    boolean create(String jobId, String configurationHash, List<KeyRange> ranges) {
        return work("record job '" + jobId + "'", connection -> {
            connection.setAutoCommit(false);
            try (PreparedStatement job = connection.prepareStatement("INSERT INTO " + jobs
                    + " (job_id, configuration_hash, shards) VALUES (?, ?, ?) ON CONFLICT (job_id) DO NOTHING");
                    PreparedStatement shard = connection.prepareStatement("INSERT INTO " + shards
                            + " (job_id, shard_index, start_after, end_inclusive) VALUES (?, ?, ?, ?)")) {
                job.setString(1, jobId);
                job.setString(2, configurationHash);
                job.setInt(3, ranges.size());
                if (job.executeUpdate() == 0) {
                    connection.rollback();
                    return false;
                }
                for (int i = 0; i < ranges.size(); i++) {
                    shard.setString(1, jobId);
                    shard.setInt(2, i);
                    shard.setBytes(3, bytes(ranges.get(i).startAfter()));
                    shard.setBytes(4, bytes(ranges.get(i).endInclusive()));
                    shard.addBatch();
                }
                shard.executeBatch();
                connection.commit();
                return true;
            }
        });
    }

    /** The shards of a job that finished. */
    BitSet finished(String jobId) {
        return work("read the finished shards of job '" + jobId + "'", connection -> {
            BitSet done = new BitSet();
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT shard_index FROM " + shards + " WHERE job_id = ? AND done")) {
                statement.setString(1, jobId);
                try (ResultSet rows = statement.executeQuery()) {
                    while (rows.next()) {
                        done.set(rows.getInt(1));
                    }
                }
            }
            return done;
        });
    }

    /** The outcome of a finished shard, or empty. */
    Optional<ShardOutcome> outcome(String jobId, int index) {
        return work("read shard " + index + " of job '" + jobId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT outcome FROM " + shards + " WHERE job_id = ? AND shard_index = ? AND done")) {
                statement.setString(1, jobId);
                statement.setInt(2, index);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? Optional.of(ShardOutcome.fromBytes(rows.getBytes(1), settings.describe()))
                            : Optional.empty();
                }
            }
        });
    }

    /** Marks a shard finished with its outcome; durable when it returns. */
    void finish(String jobId, ShardOutcome outcome) {
        work("mark shard " + outcome.index + " of job '" + jobId + "' finished", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE " + shards + " SET done = true, outcome = ? WHERE job_id = ? AND shard_index = ?")) {
                statement.setBytes(1, outcome.toBytes());
                statement.setString(2, jobId);
                statement.setInt(3, outcome.index);
                if (statement.executeUpdate() != 1) {
                    throw new IllegalStateException("job '" + jobId + "' has no shard " + outcome.index);
                }
            }
            return null;
        });
    }

    private interface Work<T> {
        T run(Connection connection) throws SQLException;
    }

    private <T> T work(String action, Work<T> work) {
        try (Connection connection = settings.connect()) {
            return work.run(connection);
        } catch (SQLException e) {
            throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + " in PostgreSQL "
                    + settings.describe() + " (" + PostgresSettings.redact(e.getMessage()) + ", SQLSTATE "
                    + e.getSQLState() + "). Check that the server is reachable from every JVM of the job, then run"
                    + " the job again: finished shards are not run again.", e);
        }
    }

    private static byte[] bytes(String key) {
        return key == null ? null : key.getBytes(StandardCharsets.UTF_8);
    }

    private static String text(byte[] bytes) {
        return bytes == null ? null : new String(bytes, StandardCharsets.UTF_8);
    }
}
