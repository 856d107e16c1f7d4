package io.github.s3recon.spi;

import java.nio.file.Path;

/**
 * Opens the default {@link CheckpointStore} in a work directory when a migration is built without
 * one; registered in {@code META-INF/services/io.github.s3recon.spi.CheckpointStoreProvider}.
 */
public interface CheckpointStoreProvider {

    /**
     * Opens (creating if needed) the store in a work directory.
     *
     * @param workDirectory an existing, writable directory; not null
     * @return the store, owned by the caller
     */
    CheckpointStore open(Path workDirectory);
}
