package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.sqlite.SQLiteErrorCode;
import org.sqlite.SQLiteException;

/**
 * What a failed SQLite call becomes: an exception naming the database, what was being done and what to
 * do (a full disk, a locked or damaged database, permissions), for both SQLite stores. Stateless.
 */
final class SqliteFailures {

    private SqliteFailures() {
    }

    private static final Pattern RESULT_CODE = Pattern.compile("\\[(SQLITE_[A-Z_]+)]");

    /**
     * Turns a failure of a work directory's database into an exception that names the database
     * and what to do; shared by the stores of that database.
     */
    static S3ReconException failure(Path database, Path workDirectory, String action, SQLException e) {
        SQLiteErrorCode code = resultCode(e);
        String prefix = "Could not " + action + ": ";
        if (code == null) {
            code = SQLiteErrorCode.UNKNOWN_ERROR;
        }
        switch (code) {
            case SQLITE_FULL:
                return new S3ReconException(ErrorCode.STORE_FAILED, prefix + "the disk is full (the database "
                        + database + ", or SQLite's temporary directory where it stages and sorts inventories:"
                        + " SQLITE_TMPDIR, else TMPDIR, else /var/tmp or /tmp). Free space on that disk, or move"
                        + " the work directory or set SQLITE_TMPDIR to a larger one, then run again.", e);
            case SQLITE_BUSY:
            case SQLITE_LOCKED:
                return new S3ReconException(ErrorCode.STORE_FAILED, prefix + "the database " + database
                        + " stayed locked for " + SqliteInventoryStore.BUSY_TIMEOUT_MILLIS / 1000 + " s. Another process may be"
                        + " using the work directory " + workDirectory + ": stop it, or give each run a work"
                        + " directory of its own.", e);
            case SQLITE_CORRUPT:
            case SQLITE_NOTADB:
                return new S3ReconException(ErrorCode.STORE_FAILED, prefix + "the file " + database
                        + " is damaged or is not an SQLite database (" + e.getMessage() + "). Move it away"
                        + " (this discards the inventories and checkpoints it holds) or use another work"
                        + " directory.", e);
            case SQLITE_CANTOPEN:
            case SQLITE_READONLY:
            case SQLITE_PERM:
            case SQLITE_AUTH:
                return new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, prefix + "the database " + database
                        + " cannot be opened for writing (" + e.getMessage() + "). Check that the work directory "
                        + workDirectory + " and the files in it are writable by this process and on a local"
                        + " disk (SQLite's WAL mode does not work on network file systems).", e);
            case SQLITE_IOERR:
                return new S3ReconException(ErrorCode.STORE_FAILED, prefix + "an I/O error on the database "
                        + database + " (" + e.getMessage() + "). Check the disk and that the work directory is"
                        + " on a local file system, then run again.", e);
            default:
                return new S3ReconException(ErrorCode.STORE_FAILED, prefix + "the database " + database
                        + " failed (" + e.getMessage() + "). Run again; if it fails the same way, move the"
                        + " database away (this discards the inventories and checkpoints it holds) or use"
                        + " another work directory.", e);
        }
    }

    /** Finds SQLite's result code, also in a batch failure that only quotes it in its message. */
    private static SQLiteErrorCode resultCode(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause() != null ? t.getCause()
                : t instanceof SQLException ? ((SQLException) t).getNextException() : null) {
            if (t instanceof SQLiteException) {
                return SQLiteErrorCode.getErrorCode(((SQLiteException) t).getResultCode().code & 0xFF);
            }
            Matcher matcher = RESULT_CODE.matcher(String.valueOf(t.getMessage()));
            if (matcher.find()) {
                try {
                    return SQLiteErrorCode.getErrorCode(SQLiteErrorCode.valueOf(matcher.group(1)).code & 0xFF);
                } catch (IllegalArgumentException unknown) {
                    // not a code this driver knows: keep looking
                }
            }
        }
        return null;
    }
}
