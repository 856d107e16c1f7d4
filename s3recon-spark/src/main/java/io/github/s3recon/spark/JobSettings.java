package io.github.s3recon.spark;

import io.github.s3recon.OverwritePolicy;
import io.github.s3recon.Verification;
import io.github.s3recon.postgres.PostgresSettings;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;

/**
 * Everything a task needs to run its shard, and nothing secret: the locations, how each JVM builds
 * its clients, where the shared checkpoints are, and the migration's options. Built and checked by
 * {@link SparkMigration.Builder}; immutable and serializable.
 */
record JobSettings(String jobId, String sourceBucket, String sourcePrefix, S3ClientSettings sourceClient,
        String destinationBucket, String destinationPrefix, S3ClientSettings destinationClient,
        PostgresSettings checkpoints, String workDirectory, int shards, OverwritePolicy overwrite,
        boolean deleteExtraneous, long maxDeletes, int maxDeletePercent, boolean allowEmptySource,
        Verification verification, List<String> include, List<String> exclude) implements Serializable {

    private static final long serialVersionUID = 1L;

    JobSettings {
        include = List.copyOf(include);
        exclude = List.copyOf(exclude);
    }

    /**
     * A digest of what a job must keep when it is run again: its locations and the options that
     * decide what is copied and deleted (not the clients, the shard count or the guards).
     */
    String configurationHash() {
        String text = String.join("\n", sourceBucket, sourcePrefix, destinationBucket, destinationPrefix,
                overwrite.name(), String.valueOf(deleteExtraneous), verification.name(), String.join("\u0000", include),
                String.join("\u0000", exclude));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
