package io.github.s3recon.postgres;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.sql.SQLException;

/**
 * What a failed PostgreSQL call becomes: an {@link S3ReconException} naming the server (its URL
 * without a password), the schema, what was being done and what to do, chosen by the SQLSTATE's
 * class. Messages never carry a password: the settings hold none, and any {@code password=} in a
 * driver's message is replaced. Stateless.
 */
final class PgFailures {

    private PgFailures() {
    }

    static S3ReconException failure(String where, String action, Throwable e) {
        SQLException sql = sqlException(e);
        String state = sql == null || sql.getSQLState() == null ? "" : sql.getSQLState();
        String detail = PostgresSettings.redact(String.valueOf(e.getMessage()))
                + (state.isEmpty() ? "" : ", SQLSTATE " + state);
        String prefix = "Could not " + action + " in the PostgreSQL checkpoint store " + where + " (" + detail + "). ";
        String hint;
        if (state.startsWith("08") || (sql == null && !state.startsWith("28"))) {
            hint = "Check that the server is running and reachable at that URL (S3RECON_PG_URL), then run again;"
                    + " the run resumes from the last commit.";
        } else if (state.startsWith("28")) {
            hint = "The server refused the user: check the user (S3RECON_PG_USER) and the password in the"
                    + " environment variable named by passwordVariable, or the server's pg_hba.conf.";
        } else if (state.equals("3D000")) {
            hint = "The database does not exist: create it (CREATE DATABASE) or name another in the URL.";
        } else if (state.equals("42501")) {
            hint = "The user lacks a privilege: grant it CREATE on the database (for the schema) and USAGE and"
                    + " CREATE on the schema, or have an administrator create the schema for it.";
        } else if (state.startsWith("53")) {
            hint = "The server is out of resources (disk, memory or connections): free them, or lower the pool"
                    + " size (maximumPoolSize) of the stores that share the server, then run again.";
        } else if (state.startsWith("57") || state.startsWith("40")) {
            hint = "The server ended the transaction (shutdown, failover, deadlock or conflict): run again; the"
                    + " run resumes from the last commit.";
        } else {
            hint = "Run again; if it fails the same way, report it with this message.";
        }
        return new S3ReconException(ErrorCode.STORE_FAILED, prefix + hint, e);
    }

    private static SQLException sqlException(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException) {
                return (SQLException) t;
            }
        }
        return null;
    }
}
