package io.github.s3recon.inventory.jdbc;

import static io.github.s3recon.inventory.jdbc.JdbcColumns.instant;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.key;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.setInstant;
import static io.github.s3recon.inventory.jdbc.JdbcColumns.setNullableString;

import io.github.s3recon.inventory.jdbc.JdbcCheckpointBackend.Sql;
import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The multipart uploads that a {@link JdbcCheckpointStore} keeps for a run
 * ({@code checkpoint_uploads}) and their parts ({@code checkpoint_parts}). Thread-safe through its
 * {@link JdbcBatcher}; arguments are checked by the store.
 */
final class JdbcUploads {

    private static final String UPLOAD_COLUMNS = "u.upload_id, u.key, u.source_etag, u.part_size, u.started_seconds, "
            + "u.started_nanos, p.part_number, p.etag, p.stored_checksum, p.relayed_checksum";

    private final JdbcBatcher batcher;
    private final String saveUpload;
    private final String savePart;
    private final String deleteParts;
    private final String deleteUpload;
    private final String selectNewest;
    private final String selectAll;
    private final String[] clear;

    JdbcUploads(JdbcBatcher batcher) {
        this.batcher = batcher;
        JdbcCheckpointBackend backend = batcher.backend();
        String uploads = backend.table("checkpoint_uploads");
        String parts = backend.table("checkpoint_parts");
        String saved = backend.uploadSaveOrder();
        // Saving an upload again renews its order of saving: of the uploads of a key started at the same
        // instant, the one saved last is the newest. The engine relies on it: it saves an intent record,
        // then the upload created after it, often at the same instant, and the upload must win.
        saveUpload = backend.upsert(uploads, List.of("run_id", "upload_id", "key", "source_etag", "part_size",
                "started_seconds", "started_nanos"), 2, true);
        savePart = backend.upsert(parts, List.of("run_id", "upload_id", "part_number", "etag", "stored_checksum",
                "relayed_checksum"), 3, false);
        deleteParts = "DELETE FROM " + parts + " WHERE run_id = ? AND upload_id = ?";
        deleteUpload = "DELETE FROM " + uploads + " WHERE run_id = ? AND upload_id = ?";
        // One statement per read, so that uploads and parts come from one snapshot; a LEFT JOIN keeps
        // the uploads without parts.
        selectNewest = "SELECT " + UPLOAD_COLUMNS + " FROM (SELECT * FROM " + uploads + " WHERE run_id = ? AND key = ? "
                + "ORDER BY started_seconds DESC, started_nanos DESC, " + saved + " DESC LIMIT 1) u "
                + "LEFT JOIN " + parts + " p ON p.run_id = u.run_id AND p.upload_id = u.upload_id "
                + "ORDER BY p.part_number";
        selectAll = "SELECT " + UPLOAD_COLUMNS + " FROM " + uploads + " u LEFT JOIN " + parts
                + " p ON p.run_id = u.run_id AND p.upload_id = u.upload_id WHERE u.run_id = ? "
                + "ORDER BY u.started_seconds, u.started_nanos, u." + saved + ", p.part_number";
        clear = new String[] {
            "DELETE FROM " + parts + " WHERE run_id = ?",
            "DELETE FROM " + uploads + " WHERE run_id = ?"
        };
    }

    void save(String runId, UploadRecord upload) {
        byte[] key = JdbcColumns.utf8(upload.key());
        batcher.write(sql -> {
            sql.update(saveUpload, statement -> {
                statement.setString(1, runId);
                statement.setString(2, upload.uploadId());
                statement.setBytes(3, key);
                statement.setString(4, upload.sourceETag());
                statement.setLong(5, upload.partSize());
                setInstant(statement, 6, upload.startedAt());
            });
            deleteParts(sql, runId, upload.uploadId());
            for (PartRecord part : upload.parts()) {
                insertPart(sql, runId, upload.uploadId(), part);
            }
        });
    }

    void savePart(String runId, String uploadId, PartRecord part) {
        batcher.write(sql -> insertPart(sql, runId, uploadId, part));
    }

    Optional<UploadRecord> newest(String runId, String key) {
        byte[] keyBytes = JdbcColumns.utf8(key);
        return batcher.read("read the upload of '" + key + "' in run '" + runId + "'", sql -> {
            List<UploadRecord> uploads = sql.query(selectNewest, statement -> {
                statement.setString(1, runId);
                statement.setBytes(2, keyBytes);
            }, JdbcUploads::toUploads);
            return uploads.isEmpty() ? Optional.empty() : Optional.of(uploads.get(0));
        });
    }

    List<UploadRecord> all(String runId) {
        return batcher.read("read the uploads of run '" + runId + "'",
                sql -> sql.query(selectAll, statement -> statement.setString(1, runId), JdbcUploads::toUploads));
    }

    void delete(String runId, String uploadId) {
        batcher.write(sql -> {
            deleteParts(sql, runId, uploadId);
            sql.update(deleteUpload, statement -> {
                statement.setString(1, runId);
                statement.setString(2, uploadId);
            });
        });
    }

    /** Deletes every upload and part of the run, inside the caller's transaction. */
    void clear(Sql sql, String runId) throws SQLException {
        for (String delete : clear) {
            sql.updateNow(delete, statement -> statement.setString(1, runId));
        }
    }

    private void insertPart(Sql sql, String runId, String uploadId, PartRecord part) throws SQLException {
        sql.update(savePart, statement -> {
            statement.setString(1, runId);
            statement.setString(2, uploadId);
            statement.setInt(3, part.number());
            statement.setString(4, part.eTag());
            setNullableString(statement, 5, part.storedChecksum());
            setNullableString(statement, 6, part.relayedChecksum());
        });
    }

    private void deleteParts(Sql sql, String runId, String uploadId) throws SQLException {
        sql.update(deleteParts, statement -> {
            statement.setString(1, runId);
            statement.setString(2, uploadId);
        });
    }

    /** Groups the rows of an uploads-with-parts query, in their order. */
    private static List<UploadRecord> toUploads(ResultSet rows) throws SQLException {
        Map<String, UploadRecord> uploads = new LinkedHashMap<>();
        Map<String, List<PartRecord>> parts = new HashMap<>();
        while (rows.next()) {
            String uploadId = rows.getString(1);
            if (!uploads.containsKey(uploadId)) {
                uploads.put(uploadId, new UploadRecord(key(rows, 2), uploadId, rows.getString(3), rows.getLong(4),
                        instant(rows, 5), List.of()));
                parts.put(uploadId, new ArrayList<>());
            }
            int number = rows.getInt(7);
            if (!rows.wasNull()) {
                parts.get(uploadId).add(new PartRecord(number, rows.getString(8), rows.getString(9),
                        rows.getString(10)));
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
