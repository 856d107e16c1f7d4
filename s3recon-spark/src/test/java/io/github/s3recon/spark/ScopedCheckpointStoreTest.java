package io.github.s3recon.spark;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.MigrationState;
import io.github.s3recon.inventory.SqliteCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.testkit.CheckpointStoreContract;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * The scoping view passes the whole checkpoint store contract (over the SQLite store: the view does
 * not depend on the store under it), and two scopes on one store never see each other's runs.
 */
class ScopedCheckpointStoreTest extends CheckpointStoreContract {

    @Override
    protected CheckpointStore openStore(Path workDirectory) {
        return new ScopedCheckpointStore(SqliteCheckpointStore.open(workDirectory), "job/run/shard-3", true);
    }

    @Test
    void scopesOfOneStoreKeepTheirRunsApart() {
        try (SqliteCheckpointStore shared = SqliteCheckpointStore.open(workDirectory.resolve("shared"))) {
            CheckpointStore one = new ScopedCheckpointStore(shared, "job/run/shard-1");
            CheckpointStore two = new ScopedCheckpointStore(shared, "job/run/shard-2");
            Instant at = Instant.parse("2026-01-01T00:00:00Z");
            RunRecord run = new RunRecord("r", RunKind.RUN, "{}", "h", MigrationState.TRANSFERRING, at, at, null, null,
                    null, 1);
            one.createRun(run);
            two.createRun(run);
            one.saveResumeState("r", new byte[] {1});
            two.saveResumeState("r", new byte[] {2});

            assertThat(one.runs()).containsExactly(run);
            assertThat(two.runs()).containsExactly(run);
            assertThat(one.resumeState("r")).hasValueSatisfying(s -> assertThat(s).containsExactly(1));
            assertThat(two.resumeState("r")).hasValueSatisfying(s -> assertThat(s).containsExactly(2));
            assertThat(shared.runs()).extracting(RunRecord::runId)
                    .containsExactly("job/run/shard-1/r", "job/run/shard-2/r");
            one.close();
            // Closing a view that does not own the store leaves it open.
            assertThat(two.run("r")).isPresent();
        }
    }
}
