package io.github.s3recon.postgres;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/**
 * A {@link CheckpointStore} on PostgreSQL: runs, logs, resume states, range checkpoints, task
 * states and multipart uploads in tables of one schema, so that several JVMs share one history
 * (the replicas of a service, the executors of a Spark job) where the SQLite store keeps it in one
 * machine's work directory. Pass it to the migration's builder:
 *
 * <pre>{@code
 * try (PostgresCheckpointStore checkpoints = PostgresCheckpointStore.open(PostgresSettings.fromEnvironment());
 *         Migration migration = Migration.builder().source(...).destination(...).workDirectory(dir)
 *                 .checkpointStore(checkpoints).build()) {
 *     migration.run();
 * }
 * }</pre>
 *
 * <p><b>Layout.</b> The store creates its schema and tables when missing and versions them itself
 * (table {@code checkpoint_schema}); JVMs opening one schema at once upgrade it once, under an
 * advisory lock. A schema written by a newer s3recon is refused and left as it is. Only the tables
 * whose names start with {@code checkpoint_} are touched.
 *
 * <p><b>Batching.</b> Changes are kept in memory and committed in one transaction every
 * {@value #BATCH_CHANGES} changes or every second, whichever comes first; consecutive changes of
 * one kind go to the server as one JDBC batch. {@link #flush()}, {@link #createRun},
 * {@link #updateRun} and {@link #clearProgress} commit everything pending before they return, and
 * so does every read. A process killed at any instant leaves the tables as they were at its last
 * commit. Another JVM sees a change once it is committed.
 *
 * <p><b>Failures.</b> When a commit of pending changes fails (the server went away, a full disk),
 * they are not retried: the store refuses every later call with {@link ErrorCode#STORE_FAILED},
 * naming the cause and the fix; the tables keep the last commit, from which a run resumes. A
 * failed {@link #createRun} or {@link #updateRun} with nothing pending throws and leaves the
 * store usable. Messages name the server by its URL, user and schema, never a password.
 *
 * <p><b>Values.</b> As the SPI says, exactly: instants as seconds and nanoseconds, keys and free
 * texts as UTF-8 {@code bytea} (any character, NUL included; a key with an unpaired surrogate is
 * refused with {@link ErrorCode#INVALID_CONFIGURATION}, a free text's becomes {@code ?}), opaque
 * bytes as given. Runs that started at the same instant are ordered by their ids' UTF-8 bytes.
 *
 * <p><b>Threads.</b> Thread-safe: any thread may write and read at once, and reads see every
 * change written before them by any thread of this JVM. Writes are committed one batch at a time;
 * reads use the pool's other connections in parallel. A {@link #log(String)} stream reads the log
 * as it was when the stream was made, page by page, holding no connection between pages; after the
 * store is closed its next element throws. Nothing accepts nulls where the SPI says not null.
 *
 * <p>The statements, row mapping, batching and transactions are those of
 * {@link JdbcCheckpointStore}, which the SQLite store shares; this class adds the pool, the
 * dialect ({@code PgBackend}) and the schema's versions and lock ({@code PgSchema}).
 */
public final class PostgresCheckpointStore extends JdbcCheckpointStore {

    /** Changes committed in one transaction, at most. */
    static final int BATCH_CHANGES = 1_000;

    /** How long a change waits, at most, before the flusher thread commits it. */
    static final Duration FLUSH_INTERVAL = Duration.ofSeconds(1);

    private static final Pattern SCHEMA = Pattern.compile("[a-z_][a-z0-9_]{0,62}");

    private final String schema;

    private PostgresCheckpointStore(PgBackend backend, String schema, int batchChanges, Duration flushInterval) {
        super(backend, batchChanges, flushInterval, "s3recon-pg-checkpoint-flusher");
        this.schema = schema;
    }

    /**
     * Opens the store with a connection pool of its own (HikariCP), which {@link #close()} closes:
     * connects, creates the schema and tables when missing and upgrades an older layout. The
     * password is read from the environment variable the settings name, now.
     *
     * @param settings where the store is; not null
     * @return the store, owned by the caller, who closes it
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code settings} is null;
     *     {@link ErrorCode#STORE_FAILED} when the server cannot be reached, refuses the user, or the
     *     schema cannot be created or was written by a newer s3recon, each naming the fix
     */
    public static PostgresCheckpointStore open(PostgresSettings settings) {
        S3ReconException.requireSetting(settings, "settings");
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(settings.url());
        config.setUsername(settings.user());
        config.setPassword(settings.password());
        config.setMaximumPoolSize(settings.maximumPoolSize());
        config.setMinimumIdle(1);
        config.setPoolName("s3recon-checkpoints-" + settings.schema());
        // Fail the open at once, with the driver's reason, rather than on the first write.
        config.setInitializationFailTimeout(1);
        config.setConnectionTimeout(10_000);
        HikariDataSource pool;
        try {
            pool = new HikariDataSource(config);
        } catch (RuntimeException e) {
            throw PgFailures.failure(settings.describe(), "connect", e.getCause() != null ? e.getCause() : e);
        }
        return open(pool, settings.schema(), settings.describe(), pool::close, BATCH_CHANGES, FLUSH_INTERVAL);
    }

    /**
     * Opens the store on a data source the caller owns and closes (an application's pool, a
     * container's), creating the schema and tables when missing.
     *
     * @param dataSource the data source; not null; its connections must start in auto-commit mode
     * @param schema the schema of the tables; a lower-case SQL identifier ({@code [a-z_][a-z0-9_]*})
     * @return the store, owned by the caller; closing it leaves the data source open
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} for a null data source or a
     *     bad schema name; {@link ErrorCode#STORE_FAILED} as {@link #open(PostgresSettings)}
     */
    public static PostgresCheckpointStore open(DataSource dataSource, String schema) {
        S3ReconException.requireSetting(dataSource, "dataSource");
        if (schema == null || !SCHEMA.matcher(schema).matches()) {
            throw S3ReconException.invalidConfiguration("schema", schema,
                    "must be a lower-case SQL identifier: a letter or _, then letters, digits or _, at most 63");
        }
        return open(dataSource, schema, "schema " + schema + " of " + dataSource.getClass().getSimpleName(),
                () -> { }, BATCH_CHANGES, FLUSH_INTERVAL);
    }

    /** Opens a store whose batching a test may change. */
    static PostgresCheckpointStore open(DataSource pool, String schema, String where, Runnable release,
            int batchChanges, Duration flushInterval) {
        try {
            checkBatching(batchChanges, flushInterval);
        } catch (RuntimeException e) {
            release.run();
            throw e;
        }
        try (Connection connection = pool.getConnection()) {
            PgSchema.prepare(connection, schema, where);
        } catch (SQLException e) {
            release.run();
            throw PgFailures.failure(where, "create or upgrade the checkpoint tables", e);
        } catch (RuntimeException | Error e) {
            release.run();
            throw e;
        }
        return new PostgresCheckpointStore(new PgBackend(pool, PgSchema.quote(schema), where, release), schema,
                batchChanges, flushInterval);
    }

    /**
     * Returns the schema of the store's tables.
     *
     * @return the schema's name
     */
    public String schema() {
        return schema;
    }

    @Override
    public String toString() {
        return "PostgresCheckpointStore[" + describe() + "]";
    }
}
