package io.github.s3recon.inventory;

import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.InventoryStoreProvider;
import java.nio.file.Path;

/**
 * Registers {@link SqliteInventoryStore} as the default inventory store through
 * {@link java.util.ServiceLoader}. Stateless and thread-safe.
 */
public final class SqliteInventoryStoreProvider implements InventoryStoreProvider {

    /** Creates the provider; called by the ServiceLoader. */
    public SqliteInventoryStoreProvider() {
    }

    /**
     * Opens {@link SqliteInventoryStore} on {@code <workDirectory>/s3recon.db}, creating the
     * directory and the database when missing.
     *
     * @param workDirectory the work directory; not null
     * @return the store, owned by the caller
     */
    @Override
    public InventoryStore open(Path workDirectory) {
        return SqliteInventoryStore.open(workDirectory);
    }
}
