package io.github.s3recon.inventory;

import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStoreProvider;
import java.nio.file.Path;

/**
 * Registers {@link SqliteCheckpointStore} as the default checkpoint store through
 * {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class SqliteCheckpointStoreProvider implements CheckpointStoreProvider {

    /** Creates the provider; called by the ServiceLoader. */
    public SqliteCheckpointStoreProvider() {
    }

    /**
     * Opens {@link SqliteCheckpointStore} on {@code <workDirectory>/s3recon.db}, creating the
     * directory, the database and its checkpoint tables when missing.
     *
     * @param workDirectory the work directory; not null
     * @return the store, owned by the caller
     */
    @Override
    public CheckpointStore open(Path workDirectory) {
        return SqliteCheckpointStore.open(workDirectory);
    }
}
