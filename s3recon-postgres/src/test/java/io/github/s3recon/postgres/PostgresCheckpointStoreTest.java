package io.github.s3recon.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.testkit.CheckpointStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

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

    /** Beyond the contract: the store keeps its layout's version in its own schema, one row. */
    @Test
    void theStoreVersionsItsOwnSchema() throws Exception {
        try (CheckpointStore opened = openStore(Files.createTempDirectory("pg-version"));
                Connection c = TestDatabase.connect(settings);
                ResultSet r = c.createStatement().executeQuery("SELECT count(*) FROM \"" + settings.schema()
                        + "\".checkpoint_schema")) {
            assertThat(opened).isNotNull();
            assertThat(r.next()).isTrue();
            assertThat(r.getInt(1)).isEqualTo(1);
        }
    }
}
