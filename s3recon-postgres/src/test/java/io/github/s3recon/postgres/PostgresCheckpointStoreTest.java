package io.github.s3recon.postgres;

import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.CheckpointStoreContract;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;

/**
 * The checkpoint store contract against a real PostgreSQL server, each test in a schema of its
 * own (dropped after it); skipped, with the reason, where no server is reachable.
 */
class PostgresCheckpointStoreTest extends CheckpointStoreContract {

    private PostgresSettings settings;

    @Override
    protected CheckpointStore openStore(Path workDirectory) {
        // The contract opens the store again on the same directory: the same schema.
        if (settings == null) {
            settings = TestDatabase.settings().withSchema(TestDatabase.newSchema("contract"));
        }
        return PostgresCheckpointStore.open(settings);
    }

    @AfterEach
    void dropTheSchema() {
        if (settings != null) {
            // Runs before the contract's own @AfterEach: close first, so that nothing writes after the drop.
            if (store != null) {
                store.close();
            }
            TestDatabase.dropSchema(settings, settings.schema());
        }
    }
}
