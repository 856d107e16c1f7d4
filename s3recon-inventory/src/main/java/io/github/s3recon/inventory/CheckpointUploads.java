package io.github.s3recon.inventory;

import static io.github.s3recon.inventory.CheckpointColumns.instant;
import static io.github.s3recon.inventory.CheckpointColumns.key;
import static io.github.s3recon.inventory.CheckpointColumns.setInstant;
import static io.github.s3recon.inventory.CheckpointColumns.setNullableString;

import io.github.s3recon.spi.CheckpointStore.PartRecord;
import io.github.s3recon.spi.CheckpointStore.UploadRecord;
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
 * The multipart uploads that {@link SqliteCheckpointStore} keeps for a run
 * ({@code checkpoint_uploads}) and their parts ({@code checkpoint_parts}). Thread-safe through its
 * {@link CheckpointBatcher}; arguments are checked by the store.
 */
final class CheckpointUploads {

    private static final String SAVE_UPLOAD = "INSERT OR REPLACE INTO checkpoint_uploads (run_id, upload_id, key, "
            + "source_etag, part_size, started_seconds, started_nanos) VALUES (?, ?, ?, ?, ?, ?, ?)";

    private static final String SAVE_PART = "INSERT OR REPLACE INTO checkpoint_parts (run_id, upload_id, part_number, "
            + "etag, stored_checksum, relayed_checksum) VALUES (?, ?, ?, ?, ?, ?)";

    private static final String DELETE_PARTS = "DELETE FROM checkpoint_parts WHERE run_id = ? AND upload_id = ?";

    private static final String DELETE_UPLOAD = "DELETE FROM checkpoint_uploads WHERE run_id = ? AND upload_id = ?";

    private static final String[] CLEAR = {
        "DELETE FROM checkpoint_parts WHERE run_id = ?",
        "DELETE FROM checkpoint_uploads WHERE run_id = ?"
    };

    // By start, then in the order saved (the rowid): of uploads of a key started at the same instant,
    // the one saved last is the newest. The engine relies on it: it saves an intent record, then the
    // upload created after it, often at the same instant, and the upload must win.
    // One statement per read of uploads, so that uploads and parts come from one snapshot; a LEFT
    // JOIN keeps the uploads without parts.
    private static final String UPLOAD_COLUMNS = "u.upload_id, u.key, u.source_etag, u.part_size, u.started_seconds, "
            + "u.started_nanos, p.part_number, p.etag, p.stored_checksum, p.relayed_checksum";

    private static final String SELECT_NEWEST_UPLOAD = "SELECT " + UPLOAD_COLUMNS + " FROM (SELECT * "
            + "FROM checkpoint_uploads WHERE run_id = ? AND key = ? "
            + "ORDER BY started_seconds DESC, started_nanos DESC, rowid DESC LIMIT 1) u "
            + "LEFT JOIN checkpoint_parts p ON p.run_id = u.run_id AND p.upload_id = u.upload_id "
            + "ORDER BY p.part_number";

    private static final String SELECT_UPLOADS = "SELECT " + UPLOAD_COLUMNS + " FROM checkpoint_uploads u "
            + "LEFT JOIN checkpoint_parts p ON p.run_id = u.run_id AND p.upload_id = u.upload_id "
            + "WHERE u.run_id = ? ORDER BY u.started_seconds, u.started_nanos, u.rowid, p.part_number";

    private final CheckpointBatcher batcher;

    CheckpointUploads(CheckpointBatcher batcher) {
        this.batcher = batcher;
    }

    void save(String runId, UploadRecord upload) {
        byte[] key = InventoryRows.utf8(upload.key());
        batcher.write(() -> {
            PreparedStatement statement = batcher.statement(SAVE_UPLOAD);
            statement.setString(1, runId);
            statement.setString(2, upload.uploadId());
            statement.setBytes(3, key);
            statement.setString(4, upload.sourceETag());
            statement.setLong(5, upload.partSize());
            setInstant(statement, 6, upload.startedAt());
            statement.executeUpdate();
            deleteParts(runId, upload.uploadId());
            for (PartRecord part : upload.parts()) {
                insertPart(runId, upload.uploadId(), part);
            }
        });
    }

    void savePart(String runId, String uploadId, PartRecord part) {
        batcher.write(() -> insertPart(runId, uploadId, part));
    }

    Optional<UploadRecord> newest(String runId, String key) {
        byte[] keyBytes = InventoryRows.utf8(key);
        return batcher.read("read the upload of '" + key + "' in run '" + runId + "'", () -> {
            PreparedStatement statement = batcher.statement(SELECT_NEWEST_UPLOAD);
            statement.setString(1, runId);
            statement.setBytes(2, keyBytes);
            List<UploadRecord> uploads = toUploads(statement);
            return uploads.isEmpty() ? Optional.empty() : Optional.of(uploads.get(0));
        });
    }

    List<UploadRecord> all(String runId) {
        return batcher.read("read the uploads of run '" + runId + "'", () -> {
            PreparedStatement statement = batcher.statement(SELECT_UPLOADS);
            statement.setString(1, runId);
            return toUploads(statement);
        });
    }

    void delete(String runId, String uploadId) {
        batcher.write(() -> {
            deleteParts(runId, uploadId);
            PreparedStatement statement = batcher.statement(DELETE_UPLOAD);
            statement.setString(1, runId);
            statement.setString(2, uploadId);
            statement.executeUpdate();
        });
    }

    /** Deletes every upload and part of the run; only inside a change or a commit. */
    void clear(String runId) throws SQLException {
        for (String sql : CLEAR) {
            PreparedStatement statement = batcher.statement(sql);
            statement.setString(1, runId);
            statement.executeUpdate();
        }
    }

    private void insertPart(String runId, String uploadId, PartRecord part) throws SQLException {
        PreparedStatement statement = batcher.statement(SAVE_PART);
        statement.setString(1, runId);
        statement.setString(2, uploadId);
        statement.setInt(3, part.number());
        statement.setString(4, part.eTag());
        setNullableString(statement, 5, part.storedChecksum());
        setNullableString(statement, 6, part.relayedChecksum());
        statement.executeUpdate();
    }

    private void deleteParts(String runId, String uploadId) throws SQLException {
        PreparedStatement statement = batcher.statement(DELETE_PARTS);
        statement.setString(1, runId);
        statement.setString(2, uploadId);
        statement.executeUpdate();
    }

    /** Groups the rows of an uploads-with-parts query, in their order. */
    private static List<UploadRecord> toUploads(PreparedStatement statement) throws SQLException {
        Map<String, UploadRecord> uploads = new LinkedHashMap<>();
        Map<String, List<PartRecord>> parts = new HashMap<>();
        try (ResultSet rows = statement.executeQuery()) {
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
        }
        List<UploadRecord> result = new ArrayList<>(uploads.size());
        for (UploadRecord upload : uploads.values()) {
            result.add(new UploadRecord(upload.key(), upload.uploadId(), upload.sourceETag(), upload.partSize(),
                    upload.startedAt(), parts.get(upload.uploadId())));
        }
        return result;
    }
}
