package io.github.s3recon.postgres;

import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import javax.sql.DataSource;

/**
 * The PostgreSQL side of {@link PostgresCheckpointStore}: tables in the store's schema, upserts
 * as {@code ON CONFLICT ... DO UPDATE}, ids ordered by {@code COLLATE "C"} (their UTF-8 bytes,
 * whatever the database's collation), free texts as {@code bytea} (PostgreSQL's text cannot hold
 * NUL), and uploads ordered by {@code saved}, a sequence renewed at each save. A transaction takes
 * a connection of the pool; consecutive updates of one statement go to the server as one JDBC
 * batch, so that a batch of 1,000 task saves is a few round trips, not 1,000. Reads take other
 * connections of the pool, in parallel.
 *
 * <p>Thread-safe: every call uses a connection of its own.
 */
final class PgBackend extends JdbcCheckpointBackend {

    private final DataSource pool;
    private final String schema;
    private final String where;
    private final Runnable release;

    /**
     * @param schema the quoted schema
     * @param where the server and schema, for messages (no password)
     * @param release closes the pool when the store owns it
     */
    PgBackend(DataSource pool, String schema, String where, Runnable release) {
        this.pool = pool;
        this.schema = schema;
        this.where = where;
        this.release = release;
    }

    @Override
    protected String table(String table) {
        return schema + "." + table;
    }

    @Override
    protected String upsert(String table, List<String> columns, int keyColumns, boolean renewOrder) {
        // EXCLUDED.saved is the proposed row's default: a new value of the sequence.
        return insertOnConflictUpdate(table, columns, keyColumns,
                renewOrder ? List.of("saved = EXCLUDED.saved") : List.of());
    }

    @Override
    protected String byteOrder(String column) {
        return column + " COLLATE \"C\"";
    }

    @Override
    protected String uploadSaveOrder() {
        return "saved";
    }

    @Override
    protected boolean textAsBytes() {
        return true;
    }

    @Override
    protected <T> T transaction(SqlWork<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            return inTransaction(connection, c -> {
                BatchingSql sql = new BatchingSql(c);
                try {
                    T result = work.run(sql);
                    sql.send();
                    return result;
                } finally {
                    sql.discard();
                }
            });
        }
    }

    @Override
    protected <T> T read(SqlWork<T> work) throws SQLException {
        try (Connection connection = pool.getConnection()) {
            BatchingSql sql = new BatchingSql(connection);
            try {
                return work.run(sql);
            } finally {
                sql.discard();
            }
        }
    }

    @Override
    protected S3ReconException failure(String action, SQLException e) {
        return PgFailures.failure(where, action, e);
    }

    @Override
    protected String describe() {
        return "PostgreSQL checkpoint store " + where;
    }

    @Override
    protected void close() {
        release.run();
    }

    /**
     * The statements of one connection: {@link #update} adds to the batch of its statement, sent
     * before a statement of other SQL, so that statements run in the order the changes made them.
     */
    private static final class BatchingSql implements Sql {
        private final Connection connection;
        private String batchedSql;
        private PreparedStatement batched;

        BatchingSql(Connection connection) {
            this.connection = connection;
        }

        @Override
        public void update(String sql, Binder binder) throws SQLException {
            if (!sql.equals(batchedSql)) {
                send();
                batched = connection.prepareStatement(sql);
                batchedSql = sql;
            }
            binder.bind(batched);
            batched.addBatch();
        }

        @Override
        public int updateNow(String sql, Binder binder) throws SQLException {
            send();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                binder.bind(statement);
                return statement.executeUpdate();
            }
        }

        @Override
        public <T> T query(String sql, Binder binder, ResultReader<T> reader) throws SQLException {
            send();
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                binder.bind(statement);
                try (ResultSet rows = statement.executeQuery()) {
                    return reader.read(rows);
                }
            }
        }

        /** Sends the batch in progress. */
        void send() throws SQLException {
            if (batched != null) {
                try {
                    batched.executeBatch();
                } finally {
                    discard();
                }
            }
        }

        /** Closes the statement of a batch not sent (the transaction is rolled back). */
        void discard() throws SQLException {
            if (batched != null) {
                PreparedStatement statement = batched;
                batched = null;
                batchedSql = null;
                statement.close();
            }
        }
    }
}
