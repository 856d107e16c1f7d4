package io.github.s3recon;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.inventory.SqliteCheckpointStore;
import io.github.s3recon.spi.CheckpointStore;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.transfer.SizeTieredScheduler;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A work directory that an older s3recon left with an unfinished run (its checkpoints in the
 * unversioned layout: named values, text tallies) is not resumed on a guess: {@code run()} refuses
 * and names {@code newRun(true)}, which then starts over and copies everything.
 */
class OldCheckpointLayoutTest {

    private final EmbeddedS3 s3 = EmbeddedS3.shared();

    @TempDir
    Path work;

    private String src;
    private String dst;

    private Migration.Builder builder() {
        return Migration.builder().source(S3Location.of(s3.asyncClient(), src))
                .destination(S3Location.of(s3.asyncClient(), dst)).workDirectory(work)
                .transferScheduler(SizeTieredScheduler.builder().build());
    }

    @Test
    void anUnfinishedRunInTheOldLayoutIsRefusedNamingNewRunAndANewRunCopiesEverything() throws Exception {
        src = MigrationRunTest.bucket(s3, "old-layout-src");
        dst = MigrationRunTest.bucket(s3, "old-layout-dst");
        for (int i = 0; i < 30; i++) {
            s3.put(src, String.format("k/%03d", i), ("value " + i).getBytes(UTF_8));
        }
        String runId = unfinishedRun();
        toOldLayout(runId);
        Map<String, Long> before = listing(dst);

        // Refused when the migration is built (it checks the work directory then) or, at the latest, by run().
        assertThatThrownBy(() -> {
            try (Migration m = builder().build()) {
                m.run();
            }
        }).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.RESUME_CONFLICT);
            assertThat(e.getMessage()).contains(runId).contains("older version").contains("newRun(true)");
        });
        assertThat(listing(dst)).isEqualTo(before);

        try (Migration m = builder().newRun(true).build()) {
            assertThat(m.run().state()).isEqualTo(MigrationState.COMPLETED);
        }
        assertThat(listing(dst)).isEqualTo(listing(src));
        try (CheckpointStore store = SqliteCheckpointStore.open(work)) {
            // The old run stays in the history; the new one is another run.
            assertThat(store.run(runId)).isPresent();
            assertThat(store.runs()).filteredOn(r -> r.kind() == RunKind.RUN).hasSize(2);
        }
    }

    /** Runs until the transfer starts and cancels there: a RUN with progress, not finished. */
    private String unfinishedRun() {
        Migration[] self = new Migration[1];
        MigrationListener cancelAtTransfer = new MigrationListener() {
            @Override
            public void onStateChanged(StateChanged event) {
                if (event.to() == MigrationState.TRANSFERRING) {
                    self[0].cancel();
                }
            }
        };
        try (Migration m = builder().listener(cancelAtTransfer).build()) {
            self[0] = m;
            assertThatThrownBy(m::run).isInstanceOfSatisfying(S3ReconException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.CANCELLED));
        }
        try (CheckpointStore store = SqliteCheckpointStore.open(work)) {
            CheckpointStore.RunRecord run = store.runs().get(0);
            assertThat(store.resumeState(run.runId())).isPresent();
            return run.runId();
        }
    }

    /**
     * Turns the work directory's database back into the layout an older s3recon wrote: version 0,
     * the run's stage as named values, range checkpoints with text tallies and phases by name. Its
     * runs, log, task and upload tables had the same layout then.
     */
    private void toOldLayout(String runId) throws SQLException {
        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("s3recon.db"));
                Statement statement = connection.createStatement()) {
            statement.execute("DROP TABLE checkpoint_resume_state");
            statement.execute("DROP TABLE checkpoint_ranges");
            statement.execute("CREATE TABLE checkpoint_values (run_id TEXT NOT NULL, name TEXT NOT NULL, "
                    + "value TEXT NOT NULL, PRIMARY KEY (run_id, name)) WITHOUT ROWID");
            statement.execute("CREATE TABLE checkpoint_ranges (run_id TEXT NOT NULL, phase TEXT NOT NULL, "
                    + "range_index INTEGER NOT NULL, start_after BLOB, end_inclusive BLOB, last_key BLOB, "
                    + "differences_bytes INTEGER NOT NULL, plan_bytes INTEGER NOT NULL, tally TEXT NOT NULL, "
                    + "done INTEGER NOT NULL, PRIMARY KEY (run_id, phase, range_index)) WITHOUT ROWID");
            statement.execute("INSERT INTO checkpoint_values VALUES ('" + runId + "', 'stage', 'transfer'), ('"
                    + runId + "', 'submitted', '0')");
            statement.execute("INSERT INTO checkpoint_ranges VALUES ('" + runId + "', 'before', 0, NULL, NULL, "
                    + "CAST('k/029' AS BLOB), 100, 100, '30,0,0,30,0,0,0,0,0,0,0,0,0,0,0', 1)");
            statement.execute("PRAGMA user_version = 0");
        }
    }

    private Map<String, Long> listing(String bucket) {
        Map<String, Long> m = new TreeMap<>();
        for (S3Object o : s3.client().listObjectsV2Paginator(b -> b.bucket(bucket)).contents()) {
            m.put(o.key(), o.size());
        }
        return m;
    }
}
