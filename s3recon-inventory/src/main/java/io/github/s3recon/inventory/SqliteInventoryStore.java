package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.InventoryStore;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Set;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.sqlite.SQLiteConfig;

/**
 * The default {@link InventoryStore}: inventories in the SQLite database {@code s3recon.db} of a
 * work directory, in WAL mode, sorted by SQLite itself (an external merge sort that spills to
 * disk), so that memory stays bounded whatever the number of entries.
 *
 * <p>The database is shared with the work directory's other stores: this class only creates and
 * touches the tables whose names start with {@code inventory_}. An inventory's entries are kept in
 * ascending order of the keys' UTF-8 bytes (keys are stored as BLOBs, which SQLite compares with
 * {@code memcmp}), so reading one back is a sequential scan.
 *
 * <p>A {@linkplain #writer(String) writer} appends the entries, in whatever order they come, to a
 * private temporary table (in SQLite's temporary directory, not in the database: adding entries
 * never locks the database). Closing the writer sorts them, keeps the last entry written for each
 * key, and replaces the inventory in one transaction: readers see the old content or the new one,
 * never a mix, and a process killed before that commit leaves the old content. That transaction
 * sorts, so it holds the database's write lock for a few seconds per million entries; other
 * writers of the database wait for it (for up to 5 minutes) rather than fail.
 *
 * <p>Disk space: the database needs about 100 bytes per entry (more with long keys), and room for
 * both the old and the new content while an inventory is replaced; a writer needs about twice that
 * again, until it is closed, in SQLite's temporary directory ({@code SQLITE_TMPDIR}, else
 * {@code TMPDIR}, else {@code /var/tmp}, {@code /usr/tmp} or {@code /tmp}), for its staging table
 * and the sort.
 *
 * <p>Thread-safe: any number of threads may write and read different inventories at once (each
 * writer and each stream has a connection of its own; SQLite's WAL mode lets readers go on while
 * another inventory is written). One writer and one stream are each used by one thread at a
 * time. A stream reads a consistent snapshot: replacing the inventory while it is open does not
 * change what it returns. Nothing here accepts nulls. The store is meant to be the only process
 * using its work directory.
 *
 * <p>Errors are {@link S3ReconException}s: {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} when the work
 * directory cannot be created or written, {@link ErrorCode#STORE_FAILED} otherwise, each naming the
 * database file and what to do.
 */
public final class SqliteInventoryStore implements InventoryStore {

    /** The database's file name in the work directory, shared with the work directory's other stores. */
    public static final String DATABASE_FILE_NAME = "s3recon.db";

    /** Entries sent to SQLite in one JDBC batch and one transaction of the staging table. */
    static final int BATCH_SIZE = 10_000;

    /** Long enough for another connection to publish an inventory of tens of millions of entries. */
    static final int BUSY_TIMEOUT_MILLIS = 300_000;

    /** Page cache per connection, also the sort's memory before it spills to disk: 16 MiB. */
    private static final int CACHE_SIZE_KIB = 16 * 1024;

    /** The size that the WAL file is cut back to after a checkpoint: 64 MiB. */
    private static final int WAL_SIZE_LIMIT_BYTES = 64 * 1024 * 1024;

    /** Connections kept open between operations, so that each call does not reopen the file. */
    private static final int MAX_IDLE_CONNECTIONS = 4;

    private static final String[] SCHEMA = {
        // An inventory's id stays the same when it is replaced; entry_count is kept at publication
        // so that count() does not scan.
        "CREATE TABLE IF NOT EXISTS inventory_names ("
                + "id INTEGER PRIMARY KEY, "
                + "name TEXT NOT NULL UNIQUE, "
                + "entry_count INTEGER NOT NULL DEFAULT 0)",
        // WITHOUT ROWID: the rows themselves are the B-tree on (inventory_id, key), so a sorted
        // read is a sequential scan and needs no second lookup per row.
        "CREATE TABLE IF NOT EXISTS inventory_entries ("
                + "inventory_id INTEGER NOT NULL, "
                + "key BLOB NOT NULL, "
                + "size INTEGER NOT NULL, "
                + "etag TEXT, "
                + "last_modified_seconds INTEGER, "
                + "last_modified_nanos INTEGER, "
                + "storage_class TEXT, "
                + "checksum_algorithm TEXT, "
                + "checksum_type TEXT, "
                + "checksum_value TEXT, "
                + "PRIMARY KEY (inventory_id, key)) WITHOUT ROWID"
    };

    private static final String ENTRY_COLUMNS = "key, size, etag, last_modified_seconds, last_modified_nanos, "
            + "storage_class, checksum_algorithm, checksum_type, checksum_value";

    // A temporary table lives in the connection's own temporary file: appending to it takes no
    // lock on the database and costs no WAL writes. Its rowid is the order in which entries came.
    private static final String CREATE_STAGING = "CREATE TEMP TABLE inventory_staging ("
            + "key BLOB NOT NULL, size INTEGER NOT NULL, etag TEXT, last_modified_seconds INTEGER, "
            + "last_modified_nanos INTEGER, storage_class TEXT, checksum_algorithm TEXT, checksum_type TEXT, "
            + "checksum_value TEXT)";

    private static final String INSERT_STAGING = "INSERT INTO temp.inventory_staging (" + ENTRY_COLUMNS
            + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";

    // GROUP BY sorts with SQLite's external sorter and hands the groups over in ascending key
    // order, so the entries table is filled by appending. With max(rowid), SQLite takes the other
    // (bare) columns from the row with the largest rowid: the entry written last wins.
    private static final String PUBLISH_STAGING = "INSERT INTO inventory_entries (inventory_id, " + ENTRY_COLUMNS
            + ") SELECT ?, " + ENTRY_COLUMNS + " FROM (SELECT max(rowid), " + ENTRY_COLUMNS
            + " FROM temp.inventory_staging GROUP BY key)";

    // One statement, so that the name is resolved in the same snapshot as the entries are read.
    private static final String SELECT_SORTED = "SELECT " + ENTRY_COLUMNS + " FROM inventory_entries "
            + "WHERE inventory_id = (SELECT id FROM inventory_names WHERE name = ?) ORDER BY key";


    private final Path workDirectory;
    private final Path database;
    private final String url;
    private final SQLiteConfig config;
    private final ConcurrentLinkedDeque<Connection> idle = new ConcurrentLinkedDeque<>();
    // Writers and streams not yet closed by their callers; close() ends them.
    private final Set<Resource> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    private SqliteInventoryStore(Path workDirectory, SQLiteConfig config) {
        this.workDirectory = workDirectory;
        this.database = workDirectory.resolve(DATABASE_FILE_NAME);
        this.url = "jdbc:sqlite:" + database;
        this.config = config;
    }

    /**
     * Opens (creating if needed) the store in a work directory: the directory, the database file
     * {@value #DATABASE_FILE_NAME} in it and the store's tables are created when missing.
     * Inventories written before, by this or an earlier process, are kept.
     *
     * @param workDirectory the work directory; not null; created with its parents when missing
     * @return the store, owned by the caller, who closes it
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if {@code workDirectory} is
     *     null, {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} when the directory cannot be created or
     *     written, {@link ErrorCode#STORE_FAILED} when the database cannot be opened
     */
    public static SqliteInventoryStore open(Path workDirectory) {
        return open(workDirectory, config -> { });
    }

    /** Opens a store whose connection settings a test may change (e.g. a maximum database size). */
    static SqliteInventoryStore open(Path workDirectory, Consumer<SQLiteConfig> tuning) {
        Path directory = usableWorkDirectory(workDirectory);
        SQLiteConfig config = connectionConfig();
        tuning.accept(config);
        SqliteInventoryStore store = new SqliteInventoryStore(directory, config);
        try {
            store.withConnection("create the inventory tables", connection -> {
                try (Statement statement = connection.createStatement()) {
                    for (String ddl : SCHEMA) {
                        statement.execute(ddl);
                    }
                }
                return null;
            });
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    /**
     * Creates a work directory when missing and checks that it is a writable directory; shared by
     * the stores of the work directory's database.
     */
    static Path usableWorkDirectory(Path workDirectory) {
        S3ReconException.requireSetting(workDirectory, "workDirectory");
        Path directory = workDirectory.toAbsolutePath().normalize();
        try {
            Files.createDirectories(directory);
        } catch (FileAlreadyExistsException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "The work directory " + directory
                    + " exists and is not a directory: pass the path of a directory (it is created if missing)"
                    + " or move the file away.", e);
        } catch (IOException | SecurityException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "Cannot create the work directory "
                    + directory + " (" + e + "): create it, or pass a directory that this process may write.", e);
        }
        if (!Files.isWritable(directory)) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "The work directory " + directory
                    + " is not writable: give this process write access to it, or pass another directory.");
        }
        return directory;
    }

    /** The connection settings of the work directory's database, shared by its stores. */
    static SQLiteConfig connectionConfig() {
        SQLiteConfig config = new SQLiteConfig();
        config.setJournalMode(SQLiteConfig.JournalMode.WAL);
        // In WAL mode, NORMAL loses no committed data on a process crash and only the last
        // transactions on a power loss, and it does not fsync each commit.
        config.setSynchronous(SQLiteConfig.SynchronousMode.NORMAL);
        config.setBusyTimeout(BUSY_TIMEOUT_MILLIS);
        config.setCacheSize(-CACHE_SIZE_KIB);
        // Publishing a large inventory grows the WAL file to about the inventory's size; once the
        // WAL is checkpointed, it is cut back to this rather than kept at its largest.
        config.setJournalSizeLimit(WAL_SIZE_LIMIT_BYTES);
        // Staging tables and sorts go to temporary files, never to memory: they are as large as
        // the inventories.
        config.setTempStore(SQLiteConfig.TempStore.FILE);
        return config;
    }

    /**
     * Returns the database file, {@code <work directory>/s3recon.db}.
     *
     * @return the absolute path of the database
     */
    public Path databaseFile() {
        return database;
    }

    /**
     * {@inheritDoc}
     *
     * <p>The writer has a database connection of its own until it is closed; entries added to it
     * go to a temporary table, and closing it sorts them and replaces the inventory in one
     * transaction. A writer that is not closed changes nothing. Two writers of the same name may
     * be open at once: the one closed last wins.
     *
     * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} for an empty name,
     *     {@link ErrorCode#STORE_FAILED} when the store is closed or the database fails
     */
    @Override
    public Writer writer(String name) {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "inventory name must not be empty");
        }
        ensureOpen();
        // A connection of its own, never pooled afterwards: see InventoryWriter.end().
        Connection connection = connect();
        try {
            try (Statement statement = connection.createStatement()) {
                statement.execute(CREATE_STAGING);
            }
            connection.setAutoCommit(false);
            InventoryWriter writer = new InventoryWriter(name, connection, connection.prepareStatement(INSERT_STAGING));
            register(writer);
            return writer;
        } catch (SQLException e) {
            discard(connection);
            throw failure("open a writer for inventory '" + name + "'", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The entries come lazily from the database, one row at a time, whatever the inventory's
     * size. The stream has a connection of its own, which it gives back when it is exhausted or
     * closed; it sees a snapshot of the inventory as it was when this method was called.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or the
     *     database fails, also from the stream's operations
     */
    @Override
    public Stream<ObjectEntry> readSorted(String name) {
        Objects.requireNonNull(name, "name");
        Connection connection = acquire();
        try {
            PreparedStatement statement = connection.prepareStatement(SELECT_SORTED);
            statement.setString(1, name);
            Cursor cursor = new Cursor(name, connection, statement, statement.executeQuery());
            register(cursor);
            return StreamSupport.stream(cursor, false).onClose(cursor::close);
        } catch (SQLException e) {
            discard(connection);
            throw failure("read inventory '" + name + "'", e);
        }
    }

    /**
     * {@inheritDoc}
     *
     * <p>The count is kept with the inventory when it is written: this does not scan it.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or the
     *     database fails
     */
    @Override
    public long count(String name) {
        Objects.requireNonNull(name, "name");
        return withConnection("count inventory '" + name + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT entry_count FROM inventory_names WHERE name = ?")) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    return rows.next() ? rows.getLong(1) : 0L;
                }
            }
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>Streams already open on the inventory go on reading their snapshot. The database file
     * does not shrink: SQLite reuses the freed pages.
     *
     * @throws S3ReconException {@link ErrorCode#STORE_FAILED} when the store is closed or the
     *     database fails
     */
    @Override
    public void delete(String name) {
        Objects.requireNonNull(name, "name");
        withConnection("delete inventory '" + name + "'", connection -> {
            connection.setAutoCommit(false);
            // The first statement writes, so that SQLite takes the write lock (waiting for it)
            // before it reads anything; a read first could not be upgraded while another
            // connection commits.
            try (PreparedStatement entries = connection.prepareStatement("DELETE FROM inventory_entries "
                    + "WHERE inventory_id = (SELECT id FROM inventory_names WHERE name = ?)");
                    PreparedStatement names = connection.prepareStatement(
                            "DELETE FROM inventory_names WHERE name = ?")) {
                entries.setString(1, name);
                entries.executeUpdate();
                names.setString(1, name);
                names.executeUpdate();
            }
            connection.commit();
            connection.setAutoCommit(true);
            return null;
        });
    }

    /**
     * Closes the store; the database stays in the work directory. Writers still open are
     * abandoned (their inventories keep what they held, and closing them then fails); streams still
     * open end with an exception. Does nothing when the store is already closed.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        for (Resource resource : open) {
            resource.abandon();
        }
        closeIdleConnections();
    }

    @Override
    public String toString() {
        return "SqliteInventoryStore[" + database + "]";
    }

    // ---- connections -------------------------------------------------------------------------

    @FunctionalInterface
    private interface SqlWork<T> {
        T run(Connection connection) throws SQLException;
    }

    /** Runs one short piece of work on a pooled connection, which is discarded if it fails. */
    private <T> T withConnection(String action, SqlWork<T> work) {
        Connection connection = acquire();
        T result;
        try {
            result = work.run(connection);
        } catch (SQLException e) {
            discard(connection);
            throw failure(action, e);
        } catch (RuntimeException | Error e) {
            discard(connection);
            throw e;
        }
        release(connection);
        return result;
    }

    private Connection acquire() {
        ensureOpen();
        Connection connection = idle.pollFirst();
        return connection != null ? connection : connect();
    }

    private Connection connect() {
        try {
            return config.createConnection(url);
        } catch (SQLException e) {
            throw failure("open the database", e);
        }
    }

    /** Gives back a connection that is in autocommit mode, with no open statement. */
    private void release(Connection connection) {
        if (closed || idle.size() >= MAX_IDLE_CONNECTIONS) {
            discard(connection);
            return;
        }
        idle.offerFirst(connection);
        if (closed) {
            // close() may have emptied the pool just before the offer.
            closeIdleConnections();
        }
    }

    private static void discard(Connection connection) {
        try {
            connection.close();
        } catch (SQLException | RuntimeException e) {
            // Closing rolls back what was not committed; there is nothing more to save.
        }
    }

    private void closeIdleConnections() {
        Connection connection;
        while ((connection = idle.pollFirst()) != null) {
            discard(connection);
        }
    }

    private void ensureOpen() {
        if (closed) {
            throw new S3ReconException(ErrorCode.STORE_FAILED,
                    "The inventory store on " + database + " is closed: open it again.");
        }
    }

    private void register(Resource resource) {
        open.add(resource);
        if (closed) {
            // close() may have run between ensureOpen() and add(): do not outlive the store.
            resource.abandon();
            ensureOpen();
        }
    }

    // ---- errors ------------------------------------------------------------------------------

    /** Turns a database failure into an exception that names the database and what to do. */
    S3ReconException failure(String action, SQLException e) {
        return SqliteFailures.failure(database, workDirectory, action, e);
    }

    // ---- writers and streams -----------------------------------------------------------------

    /** A writer or stream that holds a connection until its caller closes it. */
    private interface Resource {
        /** Ends it because the store is closing; safe to call from any thread. */
        void abandon();
    }

    /** Synchronized only so that the store's close() can abandon it from another thread. */
    private final class InventoryWriter implements Writer, Resource {

        private final String name;
        private Connection connection;
        private PreparedStatement insert;
        private int pending;
        private boolean abandoned;

        InventoryWriter(String name, Connection connection, PreparedStatement insert) {
            this.name = name;
            this.connection = connection;
            this.insert = insert;
        }

        @Override
        public synchronized void add(ObjectEntry entry) {
            Objects.requireNonNull(entry, "entry");
            // Checked before anything is batched, so that a refused entry leaves the writer usable.
            byte[] key = InventoryRows.utf8(entry.key());
            ensureUsable();
            try {
                InventoryRows.bind(insert, entry, key);
                insert.addBatch();
                if (++pending == BATCH_SIZE) {
                    flush();
                }
            } catch (SQLException e) {
                end();
                throw failure("write inventory '" + name + "'", e);
            }
        }

        @Override
        public synchronized void close() {
            if (connection == null) {
                if (abandoned) {
                    abandoned = false;  // report it once
                    throw new S3ReconException(ErrorCode.STORE_FAILED, "Inventory '" + name + "' was not replaced:"
                            + " its store on " + database + " was closed before its writer. Close writers first.");
                }
                return;
            }
            try {
                flush();
                publish();
            } catch (SQLException e) {
                throw failure("write inventory '" + name + "'", e);
            } finally {
                end();
            }
        }

        private void flush() throws SQLException {
            if (pending > 0) {
                insert.executeBatch();
                pending = 0;
            }
            // Commits only the temporary table, which bounds its rollback journal.
            connection.commit();
        }

        /** Replaces the inventory with the staged entries, in one transaction. */
        private void publish() throws SQLException {
            long id;
            // Writes first: see delete().
            try (PreparedStatement statement = connection.prepareStatement(
                    "INSERT OR IGNORE INTO inventory_names (name) VALUES (?)")) {
                statement.setString(1, name);
                statement.executeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT id FROM inventory_names WHERE name = ?")) {
                statement.setString(1, name);
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    id = rows.getLong(1);
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "DELETE FROM inventory_entries WHERE inventory_id = ?")) {
                statement.setLong(1, id);
                statement.executeUpdate();
            }
            long count;
            try (PreparedStatement statement = connection.prepareStatement(PUBLISH_STAGING)) {
                statement.setLong(1, id);
                count = statement.executeLargeUpdate();
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "UPDATE inventory_names SET entry_count = ? WHERE id = ?")) {
                statement.setLong(1, count);
                statement.setLong(2, id);
                statement.executeUpdate();
            }
            connection.commit();
        }

        private void ensureUsable() {
            if (connection == null) {
                throw new S3ReconException(ErrorCode.STORE_FAILED, abandoned
                        ? "The store on " + database + " was closed while inventory '" + name + "' was being written."
                        : "The writer of inventory '" + name + "' is closed: open another one.");
            }
        }

        /**
         * Closes the connection rather than pooling it: that rolls back what was not published and
         * deletes the staging table's temporary file, which would not shrink otherwise.
         */
        private void end() {
            Connection c = connection;
            connection = null;
            insert = null;
            open.remove(this);
            discard(c);
        }

        @Override
        public synchronized void abandon() {
            if (connection != null) {
                abandoned = true;
                end();
            }
        }
    }

    /** Streams rows from an open query; ends its query as soon as it is exhausted. */
    private final class Cursor extends Spliterators.AbstractSpliterator<ObjectEntry> implements Resource {

        private final String name;
        private Connection connection;
        private PreparedStatement statement;
        private ResultSet rows;
        private boolean abandoned;

        Cursor(String name, Connection connection, PreparedStatement statement, ResultSet rows) {
            super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT);
            this.name = name;
            this.connection = connection;
            this.statement = statement;
            this.rows = rows;
        }

        @Override
        public boolean tryAdvance(Consumer<? super ObjectEntry> action) {
            ObjectEntry entry = next();
            if (entry == null) {
                return false;
            }
            // Outside the lock: the action is the caller's code.
            action.accept(entry);
            return true;
        }

        private synchronized ObjectEntry next() {
            if (rows == null) {
                if (abandoned) {
                    throw new S3ReconException(ErrorCode.STORE_FAILED, "The store on " + database
                            + " was closed while inventory '" + name + "' was being read.");
                }
                return null;
            }
            try {
                if (!rows.next()) {
                    // Ends the read transaction now rather than when the caller closes the stream,
                    // so that the WAL can be checkpointed.
                    end(true);
                    return null;
                }
                return InventoryRows.toEntry(rows);
            } catch (SQLException e) {
                end(false);
                throw failure("read inventory '" + name + "'", e);
            } catch (IllegalArgumentException e) {
                end(false);
                throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not read inventory '" + name
                        + "': the database " + database + " holds an entry that this version cannot read (" + e
                        + "). Write the inventory again with this version.", e);
            }
        }

        /** Closes the query; called by the stream's close(), which may come more than once. */
        synchronized void close() {
            if (rows != null) {
                end(true);
            }
        }

        private void end(boolean clean) {
            Connection c = connection;
            try {
                rows.close();
                statement.close();
            } catch (SQLException e) {
                clean = false;
            }
            rows = null;
            statement = null;
            connection = null;
            open.remove(this);
            if (clean) {
                release(c);
            } else {
                discard(c);
            }
        }

        @Override
        public synchronized void abandon() {
            if (rows != null) {
                abandoned = true;
                end(false);
            }
        }
    }
}
