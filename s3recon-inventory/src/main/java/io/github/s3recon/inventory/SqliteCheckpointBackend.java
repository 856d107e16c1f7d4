package io.github.s3recon.inventory;

import io.github.s3recon.S3ReconException;
import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The SQLite side of {@link SqliteCheckpointStore}: one connection for writes and reads, used by
 * one caller at a time, with its statements prepared once and kept (SQLite prepares in the
 * client, so keeping them saves more than the statement's execution costs); each statement runs
 * when called (a local database gains nothing from JDBC batches). Transactions begin
 * {@code IMMEDIATE}, so that a writer waits for the database's write lock (busy timeout) rather
 * than fail later. Upserts are {@code INSERT OR REPLACE}, which gives a replaced row a new rowid:
 * the order of saving of uploads. Free texts are TEXT, as the layout of version 2 has them.
 *
 * <p>Thread-safe: the connection's lock serialises transactions and reads.
 */
final class SqliteCheckpointBackend extends JdbcCheckpointBackend {

    private final Path workDirectory;
    private final Path database;
    private final ReentrantLock lock = new ReentrantLock();
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final Sql sql = new CachedSql();

    SqliteCheckpointBackend(Path workDirectory, Path database, Connection connection) {
        this.workDirectory = workDirectory;
        this.database = database;
        this.connection = connection;
    }

    Path database() {
        return database;
    }

    @Override
    protected String table(String table) {
        return table;
    }

    @Override
    protected String upsert(String table, List<String> columns, int keyColumns, boolean renewOrder) {
        // REPLACE deletes the old row and inserts a new one: a new rowid, which renews the order.
        return "INSERT OR REPLACE" + insert(table, columns).substring("INSERT".length());
    }

    @Override
    protected String byteOrder(String column) {
        // TEXT compares with BINARY, memcmp of the UTF-8 bytes, unless a column says otherwise.
        return column;
    }

    @Override
    protected String uploadSaveOrder() {
        return "rowid";
    }

    @Override
    protected boolean textAsBytes() {
        return false;
    }

    @Override
    protected <T> T transaction(SqlWork<T> work) throws SQLException {
        lock.lock();
        try (Statement statement = connection.createStatement()) {
            statement.execute("BEGIN IMMEDIATE");
            try {
                T result = work.run(sql);
                statement.execute("COMMIT");
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                try {
                    statement.execute("ROLLBACK");
                } catch (SQLException rollback) {
                    // SQLite may have rolled back already (e.g. on a full disk); there is nothing more to do.
                }
                throw e;
            }
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected <T> T read(SqlWork<T> work) throws SQLException {
        lock.lock();
        try {
            return work.run(sql);
        } finally {
            lock.unlock();
        }
    }

    @Override
    protected S3ReconException failure(String action, SQLException e) {
        return SqliteFailures.failure(database, workDirectory, action, e);
    }

    @Override
    protected String describe() {
        return "checkpoint store on " + database;
    }

    @Override
    protected void close() {
        lock.lock();
        try {
            for (PreparedStatement statement : statements.values()) {
                try {
                    statement.close();
                } catch (SQLException e) {
                    // Closing the connection below frees it all the same.
                }
            }
            statements.clear();
            try {
                connection.close();
            } catch (SQLException e) {
                // Closing rolls back what was not committed; there is nothing more to save.
            }
        } finally {
            lock.unlock();
        }
    }

    /** The connection's statements, prepared once; used with the lock held. */
    private final class CachedSql implements Sql {

        @Override
        public void update(String text, Binder binder) throws SQLException {
            updateNow(text, binder);
        }

        @Override
        public int updateNow(String text, Binder binder) throws SQLException {
            PreparedStatement statement = statement(text);
            binder.bind(statement);
            return statement.executeUpdate();
        }

        @Override
        public <T> T query(String text, Binder binder, ResultReader<T> reader) throws SQLException {
            PreparedStatement statement = statement(text);
            binder.bind(statement);
            try (ResultSet rows = statement.executeQuery()) {
                return reader.read(rows);
            }
        }

        private PreparedStatement statement(String text) throws SQLException {
            PreparedStatement statement = statements.get(text);
            if (statement == null) {
                statement = connection.prepareStatement(text);
                statements.put(text, statement);
            }
            return statement;
        }
    }
}
