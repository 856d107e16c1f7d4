package io.github.s3recon.inventory;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Consumer;

/**
 * Streams rows of an open query on a connection of its own, for {@link CheckpointBatcher#stream};
 * ends its query as soon as it is exhausted, so that the WAL can be checkpointed. Thread-safe.
 */
final class CheckpointCursor<T> extends Spliterators.AbstractSpliterator<T> {

    private final CheckpointBatcher batcher;
    private final String action;
    private final CheckpointBatcher.RowReader<T> reader;
    private Connection own;
    private PreparedStatement statement;
    private ResultSet rows;
    private boolean abandoned;

    CheckpointCursor(CheckpointBatcher batcher, String action, Connection own, PreparedStatement statement,
            ResultSet rows, CheckpointBatcher.RowReader<T> reader) {
        super(Long.MAX_VALUE, Spliterator.ORDERED | Spliterator.NONNULL);
        this.batcher = batcher;
        this.action = action;
        this.own = own;
        this.statement = statement;
        this.rows = rows;
        this.reader = reader;
    }

    @Override
    public boolean tryAdvance(Consumer<? super T> consumer) {
        T next = next();
        if (next == null) {
            return false;
        }
        // Outside the lock: the consumer is the caller's code.
        consumer.accept(next);
        return true;
    }

    private synchronized T next() {
        if (rows == null) {
            if (abandoned) {
                throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the checkpoint"
                        + " store on " + batcher.database() + " was closed while the stream was open. Close"
                        + " streams first.");
            }
            return null;
        }
        try {
            if (!rows.next()) {
                // Ends the read transaction now rather than when the caller closes the stream.
                end();
                return null;
            }
            return reader.read(rows);
        } catch (SQLException e) {
            end();
            throw batcher.failure(action, e);
        } catch (IllegalArgumentException e) {
            end();
            throw new S3ReconException(ErrorCode.STORE_FAILED, "Could not " + action + ": the database "
                    + batcher.database() + " holds a row that this version cannot read (" + e + "). Resume the"
                    + " run with the version that started it, or start a new run.", e);
        }
    }

    /** Called by the stream's close(), which may come more than once. */
    synchronized void close() {
        if (rows != null) {
            end();
        }
    }

    /** Ends the query because the store closes: the next read throws. */
    synchronized void abandon() {
        if (rows != null) {
            abandoned = true;
            end();
        }
    }

    private void end() {
        try {
            rows.close();
            statement.close();
        } catch (SQLException e) {
            // Closing the connection below frees them all the same.
        }
        CheckpointBatcher.closeQuietly(own);
        rows = null;
        statement = null;
        own = null;
        batcher.ended(this);
    }
}
