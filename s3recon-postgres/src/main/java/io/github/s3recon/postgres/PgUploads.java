package io.github.s3recon.postgres;

import static io.github.s3recon.postgres.PgColumns.instant;
import static io.github.s3recon.postgres.PgColumns.setInstant;
import static io.github.s3recon.postgres.PgColumns.setNullableString;
import static io.github.s3recon.postgres.PgColumns.string;

import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The multipart uploads that {@link PostgresCheckpointStore} keeps for a run and their parts.
 * Uploads are ordered by start, then by {@code saved}, a sequence renewed each time an upload is
 * saved, so that of uploads of a key started at the same instant the one saved last is the newest.
 * Uploads and parts are read in one statement, from one snapshot. Thread-safe through its
 * {@link PgBatcher}; arguments are checked by the store.
 */
final class PgUploads {

    private static final String UPLOAD_COLUMNS = "u.upload_id, u.key, u.source_etag, u.part_size, u.started_seconds, "
            + "u.started_nanos, p.part_number, p.etag, p.stored_checksum, p.relayed_checksum";

    private final PgBatcher batcher;
    private final String saveUpload;
    private final String savePart;
    private final String deleteParts;
    private final String deleteUpload;
    private final String selectNewest;
    private final String selectAll;
    private final String[] clear;

    PgUploads(PgBatcher batcher, String schema) {
        this.batcher = batcher;
        // EXCLUDED.saved is the proposed row's default: a new value of the sequence.
        saveUpload = "INSERT INTO " + schema + ".checkpoint_uploads (run_id, upload_id, key, source_etag, part_size, "
                + "started_seconds, started_nanos) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (run_id, upload_id) "
                + "DO UPDATE SET key = EXCLUDED.key, source_etag = EXCLUDED.source_etag, "
                + "part_size = EXCLUDED.part_size, started_seconds = EXCLUDED.started_seconds, "
                + "started_nanos = EXCLUDED.started_nanos, saved = EXCLUDED.saved";
        savePart = "INSERT INTO " + schema + ".checkpoint_parts (run_id, upload_id, part_number, etag, "
                + "stored_checksum, relayed_checksum) VALUES (?, ?, ?, ?, ?, ?) "
                + "ON CONFLICT (run_id, upload_id, part_number) DO UPDATE SET etag = EXCLUDED.etag, "
                + "stored_checksum = EXCLUDED.stored_checksum, relayed_checksum = EXCLUDED.relayed_checksum";
        deleteParts = "DELETE FROM " + schema + ".checkpoint_parts WHERE run_id = ? AND upload_id = ?";
        deleteUpload = "DELETE FROM " + schema + ".checkpoint_uploads WHERE run_id = ? AND upload_id = ?";
        selectNewest = "SELECT " + UPLOAD_COLUMNS + " FROM (SELECT * FROM " + schema + ".checkpoint_uploads "
                + "WHERE run_id = ? AND key = ? ORDER BY started_seconds DESC, started_nanos DESC, saved DESC LIMIT 1) u "
                + "LEFT JOIN " + schema + ".checkpoint_parts p ON p.run_id = u.run_id AND p.upload_id = u.upload_id "
                + "ORDER BY p.part_number";
        selectAll = "SELECT " + UPLOAD_COLUMNS + " FROM " + schema + ".checkpoint_uploads u LEFT JOIN " + schema
                + ".checkpoint_parts p ON p.run_id = u.run_id AND p.upload_id = u.upload_id WHERE u.run_id = ? "
                + "ORDER BY u.started_seconds, u.started_nanos, u.saved, p.part_number";
        clear = new String[] {
            "DELETE FROM " + schema + ".checkpoint_parts WHERE run_id = ?",
            "DELETE FROM " + schema + ".checkpoint_uploads WHERE run_id = ?"
        };
    }

    void save(String runId, UploadRecord upload) {
        byte[] key = PgColumns.utf8(upload.key());
        batcher.write(tx -> {
            PreparedStatement statement = tx.batched(saveUpload);
            statement.setString(1, runId);
            statement.setString(2, upload.uploadId());
            statement.setBytes(3, key);
            statement.setString(4, upload.sourceETag());
            statement.setLong(5, upload.partSize());
            setInstant(statement, 6, upload.startedAt());
            statement.addBatch();
            deleteParts(tx, runId, upload.uploadId());
            for (PartRecord part : upload.parts()) {
                insertPart(tx, runId, upload.uploadId(), part);
            }
        });
    }

    void savePart(String runId, String uploadId, PartRecord part) {
        batcher.write(tx -> insertPart(tx, runId, uploadId, part));
    }

    Optional<UploadRecord> newest(String runId, String key) {
        byte[] keyBytes = PgColumns.utf8(key);
        return batcher.read("read the upload of '" + key + "' in run '" + runId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectNewest)) {
                statement.setString(1, runId);
                statement.setBytes(2, keyBytes);
                List<UploadRecord> uploads = toUploads(statement);
                return uploads.isEmpty() ? Optional.empty() : Optional.of(uploads.get(0));
            }
        });
    }

    List<UploadRecord> all(String runId) {
        return batcher.read("read the uploads of run '" + runId + "'", connection -> {
            try (PreparedStatement statement = connection.prepareStatement(selectAll)) {
                statement.setString(1, runId);
                return toUploads(statement);
            }
        });
    }

    void delete(String runId, String uploadId) {
        batcher.write(tx -> {
            deleteParts(tx, runId, uploadId);
            PreparedStatement statement = tx.batched(deleteUpload);
            statement.setString(1, runId);
            statement.setString(2, uploadId);
            statement.addBatch();
        });
    }

    /** Deletes every upload and part of the run, inside the caller's transaction. */
    void clear(Connection connection, String runId) throws SQLException {
        for (String sql : clear) {
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setString(1, runId);
                statement.executeUpdate();
            }
        }
    }

    private void insertPart(PgBatcher.Tx tx, String runId, String uploadId, PartRecord part) throws SQLException {
        PreparedStatement statement = tx.batched(savePart);
        statement.setString(1, runId);
        statement.setString(2, uploadId);
        statement.setInt(3, part.number());
        statement.setString(4, part.eTag());
        setNullableString(statement, 5, part.storedChecksum());
        setNullableString(statement, 6, part.relayedChecksum());
        statement.addBatch();
    }

    private void deleteParts(PgBatcher.Tx tx, String runId, String uploadId) throws SQLException {
        PreparedStatement statement = tx.batched(deleteParts);
        statement.setString(1, runId);
        statement.setString(2, uploadId);
        statement.addBatch();
    }

    private static List<UploadRecord> toUploads(PreparedStatement statement) throws SQLException {
        Map<String, UploadRecord> uploads = new LinkedHashMap<>();
        Map<String, List<PartRecord>> parts = new HashMap<>();
        try (ResultSet rows = statement.executeQuery()) {
            while (rows.next()) {
                String uploadId = rows.getString(1);
                if (!uploads.containsKey(uploadId)) {
                    uploads.put(uploadId, new UploadRecord(string(rows, 2), uploadId, rows.getString(3),
                            rows.getLong(4), instant(rows, 5), List.of()));
                    parts.put(uploadId, new ArrayList<>());
                }
                int number = rows.getInt(7);
                if (!rows.wasNull()) {
                    parts.get(uploadId).add(new PartRecord(number, rows.getString(8), rows.getString(9),
                            rows.getString(10)));
                }
            }
        }
        List<UploadRecord> result = new ArrayList<>(uploads.size());
        for (UploadRecord upload : uploads.values()) {
            result.add(new UploadRecord(upload.key(), upload.uploadId(), upload.sourceETag(), upload.partSize(),
                    upload.startedAt(), parts.get(upload.uploadId())));
        }
        return result;
    }
}
