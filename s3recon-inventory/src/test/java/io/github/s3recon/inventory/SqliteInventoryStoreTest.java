package io.github.s3recon.inventory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.InventoryStore;
import io.github.s3recon.spi.InventoryStoreProvider;
import io.github.s3recon.testkit.InventoryStoreContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

class SqliteInventoryStoreTest extends InventoryStoreContract {

    @Override
    protected InventoryStore openStore(Path workDirectory) {
        return SqliteInventoryStore.open(workDirectory);
    }

    @Test
    void serviceLoaderFindsTheProvider() {
        List<InventoryStoreProvider> providers = ServiceLoader.load(InventoryStoreProvider.class).stream()
                .map(ServiceLoader.Provider::get).collect(Collectors.toList());
        assertThat(providers).hasAtLeastOneElementOfType(SqliteInventoryStoreProvider.class);

        InventoryStoreProvider provider = providers.stream()
                .filter(SqliteInventoryStoreProvider.class::isInstance).findFirst().orElseThrow();
        try (InventoryStore opened = provider.open(workDirectory.resolve("through-provider"))) {
            assertThat(opened).isInstanceOf(SqliteInventoryStore.class);
            try (InventoryStore.Writer writer = opened.writer("inv")) {
                writer.add(ObjectEntry.of("a", 1, null));
            }
            assertThat(opened.count("inv")).isEqualTo(1);
        }
    }

    @Test
    void keepsTheDatabaseInTheWorkDirectoryInWalMode() throws SQLException {
        write("inv", List.of(ObjectEntry.of("a", 1, null)));
        Path database = workDirectory.resolve("s3recon.db");
        assertThat(((SqliteInventoryStore) store).databaseFile()).isEqualTo(database.toAbsolutePath());
        assertThat(database).isRegularFile();

        try (Connection connection = DriverManager.getConnection("jdbc:sqlite:" + database);
                Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("PRAGMA journal_mode")) {
            rows.next();
            assertThat(rows.getString(1)).isEqualToIgnoringCase("wal");
        }
    }

    @Test
    void sharesTheDatabaseWithOtherTables() throws Exception {
        // Another store of the work directory was there first.
        Path directory = Files.createDirectories(workDirectory.resolve("shared"));
        String url = "jdbc:sqlite:" + directory.resolve("s3recon.db");
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE checkpoints (range_id TEXT PRIMARY KEY, last_key BLOB)");
            statement.execute("INSERT INTO checkpoints VALUES ('r1', x'6b6579')");
        }

        try (SqliteInventoryStore shared = SqliteInventoryStore.open(directory)) {
            try (InventoryStore.Writer writer = shared.writer("inv")) {
                writer.add(ObjectEntry.of("a", 1, null));
            }
            shared.delete("inv");
        }

        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            try (ResultSet rows = statement.executeQuery("SELECT range_id, hex(last_key) FROM checkpoints")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString(1)).isEqualTo("r1");
                assertThat(rows.getString(2)).isEqualTo("6B6579");
            }
            List<String> tables = new ArrayList<>();
            try (ResultSet rows = statement.executeQuery(
                    "SELECT name FROM sqlite_master WHERE type = 'table' AND name <> 'checkpoints'")) {
                while (rows.next()) {
                    tables.add(rows.getString(1));
                }
            }
            assertThat(tables).isNotEmpty().allMatch(name -> name.startsWith("inventory_"));
        }
    }

    @Test
    void createsAMissingWorkDirectory() {
        Path nested = workDirectory.resolve("a").resolve("b");
        try (SqliteInventoryStore opened = SqliteInventoryStore.open(nested)) {
            assertThat(nested.resolve("s3recon.db")).isRegularFile();
            assertThat(opened.count("anything")).isZero();
        }
    }

    @Test
    void workDirectoryThatIsAFileIsUnusable() throws Exception {
        Path file = Files.writeString(workDirectory.resolve("not-a-directory"), "x");

        assertThatThrownBy(() -> SqliteInventoryStore.open(file))
                .isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.WORK_DIRECTORY_UNUSABLE);
                    assertThat(e.getMessage()).contains(file.toAbsolutePath().toString()).contains("not a directory");
                });
        assertThatThrownBy(() -> SqliteInventoryStore.open(file.resolve("below")))
                .isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.WORK_DIRECTORY_UNUSABLE);
                    assertThat(e.getMessage()).contains(file.resolve("below").toAbsolutePath().toString());
                });
    }

    @Test
    void databaseThatIsNotSqliteFailsNamingIt() throws Exception {
        Path directory = Files.createDirectories(workDirectory.resolve("garbage"));
        Path database = Files.writeString(directory.resolve("s3recon.db"), "this is not an SQLite database, "
                + "but a text file that is long enough to hold a header of a hundred bytes or so, and more".repeat(10));

        assertThatThrownBy(() -> SqliteInventoryStore.open(directory))
                .isInstanceOfSatisfying(S3ReconException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
                    assertThat(e.getMessage()).contains(database.toAbsolutePath().toString())
                            .contains("not an SQLite database");
                });
    }

    @Test
    void fullDiskSaysSoAndKeepsThePreviousContent() {
        store.close();
        Path directory = workDirectory.resolve("small-disk");
        // A database that may not grow past 16 pages of 4 KiB behaves as a full disk does.
        store = SqliteInventoryStore.open(directory, config -> config.setMaxPageCount(16));
        write("inv", List.of(ObjectEntry.of("before", 1, null)));

        InventoryStore.Writer writer = store.writer("inv");
        for (int i = 0; i < 5_000; i++) {
            writer.add(ObjectEntry.of(numberedKey(i), i, "0123456789abcdef0123456789abcdef"));
        }
        assertThatThrownBy(writer::close).isInstanceOfSatisfying(S3ReconException.class, e -> {
            assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED);
            assertThat(e.getMessage()).contains("disk is full")
                    .contains(directory.resolve("s3recon.db").toAbsolutePath().toString());
        });

        assertThat(read("inv")).containsExactly(ObjectEntry.of("before", 1, null));
        assertThat(store.count("inv")).isEqualTo(1);
    }

    @Test
    void openStreamKeepsItsSnapshotWhenTheInventoryIsReplaced() {
        write("inv", numbered(1_000));
        try (Stream<ObjectEntry> entries = store.readSorted("inv")) {
            Iterator<ObjectEntry> it = entries.iterator();
            assertThat(it.next().key()).isEqualTo(numberedKey(0));

            write("inv", List.of(ObjectEntry.of("replacement", 1, null)));
            store.delete("other");

            int seen = 1;
            while (it.hasNext()) {
                assertThat(it.next().key()).isEqualTo(numberedKey(seen++));
            }
            assertThat(seen).isEqualTo(1_000);
        }
        assertThat(read("inv")).containsExactly(ObjectEntry.of("replacement", 1, null));
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void waitsForAnotherConnectionThatHoldsTheWriteLock() throws Exception {
        write("inv", List.of(ObjectEntry.of("old", 1, null)));
        store.close();
        String url = "jdbc:sqlite:" + workDirectory.resolve("s3recon.db");
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Connection other = DriverManager.getConnection(url); Statement statement = other.createStatement()) {
            // Another store of the work directory in the middle of a write transaction.
            statement.execute("CREATE TABLE IF NOT EXISTS checkpoints (range_id TEXT PRIMARY KEY)");
            statement.execute("BEGIN IMMEDIATE");
            statement.execute("INSERT INTO checkpoints VALUES ('r1')");

            // Opening, reading and adding need no write lock.
            store = SqliteInventoryStore.open(workDirectory);
            assertThat(store.count("inv")).isEqualTo(1);
            assertThat(read("inv")).containsExactly(ObjectEntry.of("old", 1, null));
            InventoryStore.Writer writer = store.writer("inv");
            writer.add(ObjectEntry.of("new", 2, null));

            // Publishing waits for the lock instead of failing.
            Future<?> closing = executor.submit(() -> {
                writer.close();
                return null;
            });
            Thread.sleep(300);
            assertThat(closing).isNotDone();
            statement.execute("COMMIT");
            closing.get(30, TimeUnit.SECONDS);
        } finally {
            executor.shutdownNow();
        }
        assertThat(read("inv")).containsExactly(ObjectEntry.of("new", 2, null));
    }

    @Test
    void ofTwoWritersOfOneInventoryTheOneClosedLastWins() {
        InventoryStore.Writer first = store.writer("inv");
        InventoryStore.Writer second = store.writer("inv");
        first.add(ObjectEntry.of("first", 1, null));
        second.add(ObjectEntry.of("second", 2, null));
        second.close();
        assertThat(read("inv")).containsExactly(ObjectEntry.of("second", 2, null));
        first.close();
        assertThat(read("inv")).containsExactly(ObjectEntry.of("first", 1, null));
    }

    @Test
    void closingTheStoreAbandonsOpenWritersAndStreams() {
        write("inv", numbered(100));
        InventoryStore.Writer writer = store.writer("inv");
        writer.add(ObjectEntry.of("never-published", 1, null));
        Stream<ObjectEntry> entries = store.readSorted("inv");
        Iterator<ObjectEntry> it = entries.iterator();
        it.next();

        store.close();

        assertThatThrownBy(() -> writer.add(ObjectEntry.of("late", 1, null)))
                .isInstanceOfSatisfying(S3ReconException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.STORE_FAILED));
        assertThatThrownBy(writer::close).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.getMessage()).contains("was not replaced"));
        assertThatThrownBy(it::hasNext).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.getMessage()).contains("closed"));
        entries.close();
        assertThatThrownBy(() -> store.count("inv")).isInstanceOfSatisfying(S3ReconException.class,
                e -> assertThat(e.getMessage()).contains("closed"));

        store = SqliteInventoryStore.open(workDirectory);
        assertThat(store.count("inv")).isEqualTo(100);
    }

    @Test
    void refusesAKeyWithAnUnpairedSurrogate() {
        try (InventoryStore.Writer writer = store.writer("inv")) {
            assertThatThrownBy(() -> writer.add(ObjectEntry.of("bad\uD800key", 1, null)))
                    .isInstanceOfSatisfying(S3ReconException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION);
                        assertThat(e.getMessage()).contains("unpaired surrogate");
                    });
            assertThatThrownBy(() -> writer.add(ObjectEntry.of("\uDC00", 1, null)))
                    .isInstanceOf(S3ReconException.class);
            writer.add(ObjectEntry.of("good", 1, null));
        }
        assertThat(read("inv")).containsExactly(ObjectEntry.of("good", 1, null));
    }

    @Test
    void roundTripsTheExtremeInstants() {
        List<ObjectEntry> entries = List.of(
                new ObjectEntry("max", 1, null, Instant.MAX, null, null),
                new ObjectEntry("min", 2, null, Instant.MIN, null, null));
        write("inv", entries);
        assertThat(read("inv")).containsExactlyElementsOf(entries);
    }
}
