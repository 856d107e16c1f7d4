package io.github.s3recon.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.MigrationState;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TransferAction;
import io.github.s3recon.spi.CheckpointStore.RunKind;
import io.github.s3recon.spi.CheckpointStore.RunRecord;
import io.github.s3recon.spi.CheckpointStore.TaskRecord;
import io.github.s3recon.spi.CheckpointStore.TaskState;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** What the PostgreSQL store does when the server, the user or the schema is not what it expects. */
class PostgresCheckpointStoreFailuresTest {

    private final List<String> schemas = new ArrayList<>();

    @AfterEach
    void dropSchemas() {
        for (String schema : schemas) {
            TestDatabase.dropSchema(TestDatabase.settings(), schema);
        }
    }

    private PostgresSettings fresh(String purpose) {
        PostgresSettings settings = TestDatabase.settings().withSchema(TestDatabase.newSchema(purpose));
        schemas.add(settings.schema());
        return settings;
    }

    @Test
    void anUnreachableServerIsNamedWithoutThePassword() {
        // PATH stands for a password variable that is set: its value must appear nowhere.
        PostgresSettings settings = new PostgresSettings("jdbc:postgresql://127.0.0.1:1/test?connectTimeout=2",
                "postgres", "PATH", "s3recon", 1);
        assertThatThrownBy(() -> PostgresCheckpointStore.open(settings))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED))
                .hasMessageContaining("127.0.0.1:1").hasMessageContaining("reachable")
                .hasMessageNotContaining(System.getenv("PATH"));
    }

    @Test
    void anUnknownUserIsNamedWithTheFix() {
        PostgresSettings settings = TestDatabase.settings().withUser("no_such_user_s3recon");
        assertThatThrownBy(() -> PostgresCheckpointStore.open(settings))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED))
                .hasMessageContaining("no_such_user_s3recon").hasMessageContaining("S3RECON_PG_USER");
    }

    @Test
    void aSchemaWrittenByANewerVersionIsRefusedAndLeftAsItIs() throws Exception {
        PostgresSettings settings = fresh("newer");
        try (PostgresCheckpointStore store = PostgresCheckpointStore.open(settings)) {
            store.createRun(run("kept"));
        }
        try (Connection connection = TestDatabase.connect(settings); Statement statement = connection.createStatement()) {
            statement.execute("UPDATE " + settings.schema() + ".checkpoint_schema SET version = 99");
        }
        assertThatThrownBy(() -> PostgresCheckpointStore.open(settings))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED))
                .hasMessageContaining("newer s3recon").hasMessageContaining("version 99")
                .hasMessageContaining(settings.schema());
        try (Connection connection = TestDatabase.connect(settings); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT run_id FROM " + settings.schema()
                        + ".checkpoint_runs")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getString(1)).isEqualTo("kept");
        }
    }

    @Test
    void jvmsOpeningANewSchemaAtOnceCreateItOnce() throws Exception {
        PostgresSettings settings = fresh("race").withMaximumPoolSize(1);
        int opens = 6;
        CyclicBarrier start = new CyclicBarrier(opens);
        ExecutorService executor = Executors.newFixedThreadPool(opens);
        try {
            List<Future<PostgresCheckpointStore>> stores = new ArrayList<>();
            for (int i = 0; i < opens; i++) {
                stores.add(executor.submit(() -> {
                    start.await();
                    return PostgresCheckpointStore.open(settings);
                }));
            }
            for (int i = 0; i < opens; i++) {
                try (PostgresCheckpointStore store = stores.get(i).get()) {
                    store.saveTask("run", new TaskRecord(i, "k" + i, TransferAction.COPY, TaskState.DONE, 1, 1, false,
                            null));
                }
            }
        } finally {
            executor.shutdownNow();
        }
        try (PostgresCheckpointStore store = PostgresCheckpointStore.open(settings)) {
            assertThat(store.countTasks("run", TaskState.DONE)).isEqualTo(opens);
        }
        try (Connection connection = TestDatabase.connect(settings); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT count(*), max(version) FROM " + settings.schema()
                        + ".checkpoint_schema")) {
            rows.next();
            assertThat(rows.getInt(1)).isEqualTo(1);
            assertThat(rows.getInt(2)).isEqualTo(PgSchema.VERSION);
        }
    }

    @Test
    void aFailedCommitMakesTheStoreRefuseEverythingAndKeepsTheLastCommit() throws Exception {
        PostgresSettings settings = fresh("failed");
        PostgresCheckpointStore store = PostgresCheckpointStore.open(settings);
        store.createRun(run("run"));
        store.saveResumeState("run", new byte[] {1});
        store.flush();
        // Another client breaks the table under the store: the next commit fails.
        try (Connection connection = TestDatabase.connect(settings); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + settings.schema() + ".checkpoint_resume_state RENAME TO moved_away");
        }
        store.saveResumeState("run", new byte[] {2});
        assertThatThrownBy(store::flush).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED))
                .hasMessageContaining("commit checkpoint changes").hasMessageContaining(settings.schema());
        assertThatThrownBy(() -> store.saveResumeState("run", new byte[] {3}))
                .hasMessageContaining("refuses new ones");
        assertThatThrownBy(() -> store.run("run")).hasMessageContaining("refuses new ones");
        assertThatThrownBy(store::close).isInstanceOf(S3ReconException.class);
        try (Connection connection = TestDatabase.connect(settings); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE " + settings.schema() + ".moved_away RENAME TO checkpoint_resume_state");
        }
        try (PostgresCheckpointStore reopened = PostgresCheckpointStore.open(settings)) {
            assertThat(reopened.resumeState("run")).hasValueSatisfying(s -> assertThat(s).containsExactly(1));
            assertThat(reopened.run("run")).isPresent();
        }
    }

    @Test
    void aBadSchemaNameForADataSourceIsRefused() {
        assertThatThrownBy(() -> PostgresCheckpointStore.open(new org.postgresql.ds.PGSimpleDataSource(), "a b"))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("schema");
    }

    private static RunRecord run(String id) {
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        return new RunRecord(id, RunKind.RUN, "{}", "hash", MigrationState.TRANSFERRING, at, at, null, null, null, 1);
    }
}
