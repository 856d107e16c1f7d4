package io.github.s3recon.inventory.jdbc;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * What one database needs of a {@link JdbcCheckpointStore}: its SQL dialect (table names, upserts,
 * byte order, the type of free texts) and its connections (how a transaction is made, where reads
 * run, what a failure becomes). An SPI for store implementers; see the package's javadoc.
 *
 * <p>The tables are those of the SQLite layout (version 2) with the same columns; a backend may
 * store free texts (log messages, errors) as UTF-8 bytes ({@link #textAsBytes()}) and must give
 * uploads an order of saving ({@link #uploadSaveOrder()}).
 *
 * <p><b>Threads.</b> {@link #transaction} is called by one thread at a time (the store serialises
 * its commits); {@link #read} by any number at once, also during a transaction: a backend with one
 * connection serialises them itself. Arguments are never null.
 */
public abstract class JdbcCheckpointBackend {

    /** Binds the parameters of a statement. */
    @FunctionalInterface
    public interface Binder {
        /**
         * Binds the statement's parameters.
         *
         * @param statement the statement; not to be closed or executed here
         * @throws SQLException when binding fails
         */
        void bind(PreparedStatement statement) throws SQLException;
    }

    /** Reads a query's result. */
    @FunctionalInterface
    public interface ResultReader<T> {
        /**
         * Reads the rows; the result set is closed by the caller.
         *
         * @param rows the rows, before the first
         * @return what was read
         * @throws SQLException when reading fails
         */
        T read(ResultSet rows) throws SQLException;
    }

    /**
     * The statements of a transaction or a read, prepared by the backend (and cached or closed by
     * it). Not thread-safe: used by the thread the backend hands it to, until the work returns.
     */
    public interface Sql {
        /**
         * Runs an update in the order called; a backend may batch consecutive updates of the same
         * SQL and send them before the next statement of other SQL, or at the end of the work.
         *
         * @param sql the statement
         * @param binder binds its parameters
         * @throws SQLException when it fails (possibly later, at a batch's sending)
         */
        void update(String sql, Binder binder) throws SQLException;

        /**
         * Runs an update now, after the updates before it, and returns its count.
         *
         * @param sql the statement
         * @param binder binds its parameters
         * @return the number of rows it changed
         * @throws SQLException when it fails
         */
        int updateNow(String sql, Binder binder) throws SQLException;

        /**
         * Runs a query now, after the updates before it.
         *
         * @param sql the query
         * @param binder binds its parameters
         * @param reader reads its rows
         * @return what the reader returned
         * @throws SQLException when it fails
         */
        <T> T query(String sql, Binder binder, ResultReader<T> reader) throws SQLException;
    }

    /** Work on a backend's statements. */
    @FunctionalInterface
    public interface SqlWork<T> {
        /**
         * Does the work.
         *
         * @param sql the statements
         * @return the work's result; may be null
         * @throws SQLException when a statement fails
         */
        T run(Sql sql) throws SQLException;
    }

    /** Work in a transaction of a plain connection (see {@link #inTransaction}). */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        /**
         * Does the work.
         *
         * @param connection the connection, not in auto-commit mode
         * @return the work's result; may be null
         * @throws SQLException when a statement fails
         */
        T run(Connection connection) throws SQLException;
    }

    /** For subclasses. */
    protected JdbcCheckpointBackend() {
    }

    // ---- dialect ------------------------------------------------------------------------------

    /**
     * Returns a table's name as statements name it (with its schema, quoted, where the backend
     * has one).
     *
     * @param table the table's unqualified name, e.g. {@code checkpoint_runs}
     * @return the name to use in SQL
     */
    protected abstract String table(String table);

    /**
     * Returns a statement that inserts a row, or replaces every column but the key of the row that
     * has its key.
     *
     * @param table the qualified table, from {@link #table}
     * @param columns the columns, in the order of the parameters
     * @param keyColumns the first columns that are the primary key
     * @param renewOrder true to renew the table's order of saving ({@link #uploadSaveOrder()})
     * @return the statement, with one parameter per column
     */
    protected abstract String upsert(String table, List<String> columns, int keyColumns, boolean renewOrder);

    /**
     * Returns an expression to order a text column by its UTF-8 bytes (SQLite's default, a
     * collation elsewhere).
     *
     * @param column the column
     * @return the expression for an ORDER BY
     */
    protected abstract String byteOrder(String column);

    /**
     * Returns the column of {@code checkpoint_uploads} that grows each time an upload is saved,
     * whose order breaks ties between uploads started at the same instant (the one saved last is
     * the newest).
     *
     * @return the column, e.g. SQLite's {@code rowid}
     */
    protected abstract String uploadSaveOrder();

    /**
     * Returns true when free texts (log messages, run and task errors) are stored as UTF-8 bytes
     * (a database whose text cannot hold every character, such as PostgreSQL's and NUL), false
     * when they are stored as text.
     *
     * @return how free texts are stored
     */
    protected abstract boolean textAsBytes();

    // ---- connections --------------------------------------------------------------------------

    /**
     * Runs work in one transaction and commits it; rolls it back when the work throws.
     *
     * @param work the work
     * @return its result
     * @throws SQLException when the work or the commit fails; the transaction is rolled back
     */
    protected abstract <T> T transaction(SqlWork<T> work) throws SQLException;

    /**
     * Runs a read outside the store's transactions; it sees what they committed.
     *
     * @param work the work, which only queries
     * @return its result
     * @throws SQLException when the read fails
     */
    protected abstract <T> T read(SqlWork<T> work) throws SQLException;

    /**
     * Returns what a failed call becomes: {@link ErrorCode#STORE_FAILED} naming the database
     * (never a password), the action and what to do.
     *
     * @param action what was being done, e.g. {@code "read the runs"}
     * @param e the failure
     * @return the exception to throw
     */
    protected abstract S3ReconException failure(String action, SQLException e);

    /**
     * Returns the store as messages name it, after "the", e.g.
     * {@code "checkpoint store on /work/s3recon.db"}; never with a password.
     *
     * @return the description
     */
    protected abstract String describe();

    /**
     * Releases the connections, once, after the last commit; transactions and reads are not
     * called after.
     */
    protected abstract void close();

    // ---- helpers for backends -----------------------------------------------------------------

    /**
     * Runs work on a connection in one transaction: turns auto-commit off, commits, rolls back when
     * the work throws and turns auto-commit back on.
     *
     * @param connection a connection in auto-commit mode
     * @param work the work
     * @return its result
     * @throws SQLException when the work or the commit fails; the rollback's failure is suppressed
     */
    public static <T> T inTransaction(Connection connection, ConnectionWork<T> work) throws SQLException {
        connection.setAutoCommit(false);
        try {
            T result = work.run(connection);
            connection.commit();
            return result;
        } catch (SQLException | RuntimeException | Error e) {
            try {
                connection.rollback();
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
            }
            throw e;
        } finally {
            connection.setAutoCommit(true);
        }
    }

    /**
     * The usual upsert: {@code INSERT ... ON CONFLICT (key) DO UPDATE SET c = EXCLUDED.c ...}, for
     * backends whose database has it (PostgreSQL; SQLite 3.24 and later).
     *
     * @param table the qualified table
     * @param columns the columns
     * @param keyColumns the first columns that are the key
     * @param alsoSet more assignments, e.g. {@code "saved = EXCLUDED.saved"}, or none
     * @return the statement
     */
    protected static String insertOnConflictUpdate(String table, List<String> columns, int keyColumns,
            List<String> alsoSet) {
        List<String> sets = new ArrayList<>();
        for (String column : columns.subList(keyColumns, columns.size())) {
            sets.add(column + " = EXCLUDED." + column);
        }
        sets.addAll(alsoSet);
        return insert(table, columns) + " ON CONFLICT (" + String.join(", ", columns.subList(0, keyColumns))
                + ") DO UPDATE SET " + String.join(", ", sets);
    }

    /**
     * A plain {@code INSERT INTO table (columns) VALUES (?, ...)}.
     *
     * @param table the qualified table
     * @param columns the columns
     * @return the statement
     */
    protected static String insert(String table, List<String> columns) {
        return "INSERT INTO " + table + " (" + String.join(", ", columns) + ") VALUES ("
                + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
    }
}
