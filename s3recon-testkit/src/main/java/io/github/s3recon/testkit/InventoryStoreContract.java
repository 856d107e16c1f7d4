package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.Checksum;
import io.github.s3recon.ChecksumAlgorithm;
import io.github.s3recon.ChecksumType;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.InventoryStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tests that every {@link InventoryStore} must pass. Extend it in a test of your own and
 * implement {@link #openStore(Path)}:
 *
 * <pre>{@code
 * class MyInventoryStoreTest extends InventoryStoreContract {
 *     @Override
 *     protected InventoryStore openStore(Path workDirectory) {
 *         return MyInventoryStore.open(workDirectory);
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh, empty work directory and a store opened on it, which is closed after
 * the test. The tests check the order (the keys' UTF-8 bytes, which is S3's order, not
 * {@link String#compareTo}'s UTF-16 order), the exact round trip of every field, replacement,
 * visibility on close, deletion, durability across a reopen, concurrent use from several threads
 * and a volume of 200,000 entries read back as a stream. The volume test prints its timings.
 *
 * <p>JUnit 5 runs each test method on its own instance; the fields are not shared.
 */
public abstract class InventoryStoreContract {

    /**
     * Compares keys as S3 lists them: by their UTF-8 bytes, unsigned.
     */
    protected static final Comparator<String> UTF8_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** Compares entries by their keys in {@link #UTF8_ORDER}. */
    protected static final Comparator<ObjectEntry> BY_KEY = Comparator.comparing(ObjectEntry::key, UTF8_ORDER);

    /** The test's work directory: fresh and empty, deleted after the test. */
    @TempDir
    protected Path workDirectory;

    /** The store under test, opened on {@link #workDirectory} before each test and closed after it. */
    protected InventoryStore store;

    /** Creates the contract; JUnit creates one instance per test. */
    protected InventoryStoreContract() {
    }

    /**
     * Opens the store under test in a work directory; called once per test, and again to check
     * that data survives a close and a reopen.
     *
     * @param workDirectory an existing, writable directory; not null
     * @return the store; the contract closes it
     */
    protected abstract InventoryStore openStore(Path workDirectory);

    @BeforeEach
    void openTheStore() {
        store = openStore(workDirectory);
    }

    @AfterEach
    void closeTheStore() {
        if (store != null) {
            store.close();
        }
    }

    // ---- order -------------------------------------------------------------------------------

    @Test
    void readsKeysInUtf8ByteOrderNotUtf16Order() {
        List<String> keys = new ArrayList<>(List.of(
                "", "a", "b", "B", "a/", "a/b", "a-b", "a.b", "ab", "a b", "\u0000", "\u007F", "\u0080", "é", "e\u0301",
                "\u00FF", "\u0100", "\u07FF", "\u0800", "日本", "\uE000", "\uF8FF", "\uFFFD", "\uFF5E", "\uFFFF",
                "\uD800\uDC00", "\uD83D\uDE00", "\uD83D\uDE00x", "\uDBFF\uDFFF", "x\uD83D\uDE00", "x\uFFFD", "x\uE000"));
        List<String> expected = keys.stream().sorted(UTF8_ORDER).collect(Collectors.toList());
        // The test means something only where UTF-16 order disagrees: a supplementary character
        // (a surrogate pair, 0xD800..) sorts before U+E000..U+FFFF in UTF-16 and after them in UTF-8.
        assertThat(keys.stream().sorted().collect(Collectors.toList())).isNotEqualTo(expected);
        assertThat(UTF8_ORDER.compare("\uD83D\uDE00", "\uFFFD")).isPositive();
        assertThat("\uD83D\uDE00".compareTo("\uFFFD")).isNegative();

        Collections.shuffle(keys, new Random(42));
        write("order", keys.stream().map(key -> ObjectEntry.of(key, key.length(), null)).collect(Collectors.toList()));

        assertThat(read("order")).extracting(ObjectEntry::key).containsExactlyElementsOf(expected);
        assertThat(store.count("order")).isEqualTo(keys.size());
    }

    // ---- round trip --------------------------------------------------------------------------

    @Test
    void roundTripsEveryFieldExactly() {
        List<ObjectEntry> entries = new ArrayList<>();
        entries.add(new ObjectEntry("photos/2024/IMG_0001.jpg", 123_456_789_012L, "d41d8cd98f00b204e9800998ecf8427e",
                Instant.parse("2024-02-29T23:59:59.123456789Z"), "STANDARD_IA",
                Checksum.of(ChecksumAlgorithm.CRC64NVME, ChecksumType.FULL_OBJECT, "AAAAAAAAAAA=")));
        entries.add(new ObjectEntry("all-nulls", 0, null, null, null, null));
        // Empty is not null: both must come back as they went in.
        entries.add(new ObjectEntry("empty-strings", 1, "", Instant.EPOCH, "", null));
        entries.add(new ObjectEntry("checksum-without-value", 2, "0123456789abcdef0123456789abcdef-3",
                Instant.ofEpochSecond(1_700_000_000L, 1), "GLACIER_IR",
                new Checksum(ChecksumAlgorithm.SHA256, ChecksumType.COMPOSITE, null)));
        entries.add(new ObjectEntry("before-1970", Long.MAX_VALUE, "W/\"weak\"", Instant.ofEpochSecond(-1, 999_999_999),
                "storage class \u00E9\uD83D\uDE00", null));
        entries.add(new ObjectEntry("microseconds", 3, "e\u0301tag", Instant.parse("1999-12-31T23:59:59.000001Z"),
                "STANDARD", null));
        for (ChecksumAlgorithm algorithm : ChecksumAlgorithm.values()) {
            for (ChecksumType type : ChecksumType.values()) {
                entries.add(new ObjectEntry("checksum/" + algorithm + "/" + type, 4, null, null, null,
                        Checksum.of(algorithm, type, "value+/=" + algorithm + type)));
            }
        }
        for (String key : List.of("", "\u0000", "\u0000\u0000", "tab\tnew\nline\rreturn", "\u0001\u001F\u007F\u0080\u009F",
                " ", "  leading and trailing  ", "\uD83D\uDE00/\uD83D\uDE00", "\uD83D\uDE00", "e\u0301", "\u05D0\u05D1",
                "zero\u200Bwidth", "\uFEFFbom", "\uFFFF", "../../etc/passwd", "a%2Fb?x=1&y=#frag",
                "'; DROP TABLE inventory_entries; --", "back\\slash", "\"quoted\"", "k".repeat(1024),
                "\uD83D\uDE00".repeat(256))) {
            entries.add(new ObjectEntry(key, key.length(), "etag-of-" + key, Instant.ofEpochSecond(key.length(), 7),
                    "STANDARD", null));
        }
        Collections.shuffle(entries, new Random(7));
        write("fields", entries);

        List<ObjectEntry> expected = entries.stream().sorted(BY_KEY).collect(Collectors.toList());
        assertThat(read("fields")).containsExactlyElementsOf(expected);
        assertThat(store.count("fields")).isEqualTo(expected.size());
    }

    // ---- writing -----------------------------------------------------------------------------

    @Test
    void keepsTheEntryWrittenLastForADuplicateKey() {
        ObjectEntry full = new ObjectEntry("a", 1, "etag-1", Instant.parse("2024-01-01T00:00:00Z"), "STANDARD",
                Checksum.of(ChecksumAlgorithm.CRC32, ChecksumType.FULL_OBJECT, "AAAAAA=="));
        ObjectEntry withNulls = new ObjectEntry("a", 3, null, null, null, null);
        write("dups", List.of(full, ObjectEntry.of("b", 2, "etag-b"), ObjectEntry.of("a", 2, "etag-2"),
                ObjectEntry.of("c", 4, null), withNulls));

        // The last entry replaces the earlier ones whole, nulls included: nothing is merged.
        assertThat(read("dups")).containsExactly(withNulls, ObjectEntry.of("b", 2, "etag-b"), ObjectEntry.of("c", 4, null));
        assertThat(store.count("dups")).isEqualTo(3);
    }

    @Test
    void keepsTheEntryWrittenLastAcrossManyEntries() {
        // Far apart, so that the duplicates are not in the same batch of whatever the store buffers.
        int count = 25_000;
        try (InventoryStore.Writer writer = store.writer("far-dups")) {
            for (int i = 0; i < count; i++) {
                writer.add(ObjectEntry.of(numberedKey(i), i, null));
            }
            for (int i = 0; i < count; i += 250) {
                writer.add(ObjectEntry.of(numberedKey(i), i + 1_000_000, "rewritten"));
            }
        }
        assertThat(store.count("far-dups")).isEqualTo(count);
        try (Stream<ObjectEntry> entries = store.readSorted("far-dups")) {
            Iterator<ObjectEntry> it = entries.iterator();
            for (int i = 0; i < count; i++) {
                ObjectEntry entry = it.next();
                assertThat(entry.key()).isEqualTo(numberedKey(i));
                assertThat(entry.size()).isEqualTo(i % 250 == 0 ? i + 1_000_000 : i);
            }
            assertThat(it.hasNext()).isFalse();
        }
    }

    @Test
    void writerReplacesThePreviousContent() {
        write("inv", List.of(ObjectEntry.of("a", 1, null), ObjectEntry.of("b", 2, null), ObjectEntry.of("c", 3, null)));
        write("inv", List.of(ObjectEntry.of("b", 20, "new"), ObjectEntry.of("d", 40, null)));

        assertThat(read("inv")).containsExactly(ObjectEntry.of("b", 20, "new"), ObjectEntry.of("d", 40, null));
        assertThat(store.count("inv")).isEqualTo(2);
    }

    @Test
    void replacementBecomesVisibleWhenTheWriterIsClosed() {
        write("inv", List.of(ObjectEntry.of("old", 1, null)));
        InventoryStore.Writer writer = store.writer("inv");
        InventoryStore.Writer fresh = store.writer("fresh");
        try {
            for (int i = 0; i < 20_000; i++) {
                writer.add(ObjectEntry.of(numberedKey(i), i, null));
                fresh.add(ObjectEntry.of(numberedKey(i), i, null));
            }
            assertThat(read("inv")).containsExactly(ObjectEntry.of("old", 1, null));
            assertThat(store.count("inv")).isEqualTo(1);
            assertThat(read("fresh")).isEmpty();
            assertThat(store.count("fresh")).isZero();
        } finally {
            writer.close();
            fresh.close();
        }
        assertThat(store.count("inv")).isEqualTo(20_000);
        assertThat(store.count("fresh")).isEqualTo(20_000);
        assertThat(read("inv")).first().isEqualTo(ObjectEntry.of(numberedKey(0), 0, null));
    }

    @Test
    void emptyWriterLeavesAnEmptyInventory() {
        write("inv", List.of(ObjectEntry.of("a", 1, null)));
        write("inv", List.of());
        write("never-filled", List.of());

        assertThat(read("inv")).isEmpty();
        assertThat(store.count("inv")).isZero();
        assertThat(read("never-filled")).isEmpty();
        assertThat(store.count("never-filled")).isZero();
    }

    @Test
    void rejectsNullsAndEmptyNames() {
        assertThatNullPointerException().isThrownBy(() -> store.writer(null));
        assertThatNullPointerException().isThrownBy(() -> store.readSorted(null));
        assertThatNullPointerException().isThrownBy(() -> store.count(null));
        assertThatNullPointerException().isThrownBy(() -> store.delete(null));
        assertThatThrownBy(() -> store.writer(""))
                .isInstanceOfSatisfying(S3ReconException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION));
        try (InventoryStore.Writer writer = store.writer("inv")) {
            assertThatNullPointerException().isThrownBy(() -> writer.add(null));
            writer.add(ObjectEntry.of("still-usable", 1, null));
        }
        assertThat(read("inv")).containsExactly(ObjectEntry.of("still-usable", 1, null));
    }

    // ---- reading, deleting -------------------------------------------------------------------

    @Test
    void unknownInventoryReadsEmptyAndCountsZero() {
        write("known", List.of(ObjectEntry.of("a", 1, null)));

        assertThat(read("unknown")).isEmpty();
        assertThat(store.count("unknown")).isZero();
        store.delete("unknown");
        assertThat(read("known")).hasSize(1);
    }

    @Test
    void deleteRemovesOnlyThatInventory() {
        write("doomed", List.of(ObjectEntry.of("a", 1, null), ObjectEntry.of("b", 2, null)));
        write("kept", List.of(ObjectEntry.of("a", 10, null)));

        store.delete("doomed");

        assertThat(read("doomed")).isEmpty();
        assertThat(store.count("doomed")).isZero();
        assertThat(read("kept")).containsExactly(ObjectEntry.of("a", 10, null));
        store.delete("doomed");
        write("doomed", List.of(ObjectEntry.of("c", 3, null)));
        assertThat(read("doomed")).containsExactly(ObjectEntry.of("c", 3, null));
    }

    @Test
    void keepsInventoriesApart() {
        write("source", List.of(ObjectEntry.of("same", 1, "s"), ObjectEntry.of("only-source", 2, null)));
        write("destination", List.of(ObjectEntry.of("same", 100, "d"), ObjectEntry.of("only-destination", 3, null)));
        // Names that differ only in case or by a prefix are different inventories.
        write("Source", List.of(ObjectEntry.of("x", 4, null)));
        write("source/", List.of());

        assertThat(read("source")).containsExactly(ObjectEntry.of("only-source", 2, null), ObjectEntry.of("same", 1, "s"));
        assertThat(read("destination"))
                .containsExactly(ObjectEntry.of("only-destination", 3, null), ObjectEntry.of("same", 100, "d"));
        assertThat(read("Source")).containsExactly(ObjectEntry.of("x", 4, null));
        assertThat(store.count("source")).isEqualTo(2);
        assertThat(store.count("source/")).isZero();
    }

    @Test
    void keepsDataAcrossCloseAndReopen() {
        List<ObjectEntry> entries = List.of(
                new ObjectEntry("\uD83D\uDE00", 5, "etag", Instant.parse("2024-05-06T07:08:09.987654321Z"), "STANDARD",
                        Checksum.of(ChecksumAlgorithm.SHA1, ChecksumType.FULL_OBJECT, "2jmj7l5rSw0yVb/vlWAYkK/YBwk=")),
                ObjectEntry.of("a", 1, null));
        write("durable", entries);
        store.close();

        store = openStore(workDirectory);

        assertThat(read("durable")).containsExactlyElementsOf(entries.stream().sorted(BY_KEY).collect(Collectors.toList()));
        assertThat(store.count("durable")).isEqualTo(2);
        write("durable", List.of(ObjectEntry.of("b", 2, null)));
        assertThat(read("durable")).containsExactly(ObjectEntry.of("b", 2, null));
    }

    @Test
    void streamClosedEarlyLeavesTheInventoryUsable() {
        int count = 5_000;
        write("inv", numbered(count));
        for (int i = 0; i < 20; i++) {
            try (Stream<ObjectEntry> entries = store.readSorted("inv")) {
                assertThat(entries.limit(3)).extracting(ObjectEntry::key)
                        .containsExactly(numberedKey(0), numberedKey(1), numberedKey(2));
            }
        }
        store.delete("inv");
        write("inv", List.of(ObjectEntry.of("new", 1, null)));
        assertThat(read("inv")).containsExactly(ObjectEntry.of("new", 1, null));
    }

    // ---- threads -----------------------------------------------------------------------------

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void readsOneInventoryWhileAnotherIsWrittenOnAnotherThread() throws Exception {
        int count = 20_000;
        write("stable", numbered(count));
        ExecutorService executor = Executors.newSingleThreadExecutor();
        try (Stream<ObjectEntry> openedBefore = store.readSorted("stable")) {
            Iterator<ObjectEntry> early = openedBefore.iterator();
            assertThat(early.next().key()).isEqualTo(numberedKey(0));

            CountDownLatch halfWritten = new CountDownLatch(1);
            CountDownLatch readWhileOpen = new CountDownLatch(1);
            Future<?> writing = executor.submit(() -> {
                try (InventoryStore.Writer writer = store.writer("growing")) {
                    for (int i = count - 1; i >= 0; i--) {
                        writer.add(ObjectEntry.of(numberedKey(i), i, null));
                        if (i == count / 2) {
                            halfWritten.countDown();
                            await(readWhileOpen);
                        }
                    }
                }
                return null;
            });

            await(halfWritten);
            assertSortedAndComplete("stable", count);
            assertThat(store.count("stable")).isEqualTo(count);
            readWhileOpen.countDown();
            writing.get(60, TimeUnit.SECONDS);

            // The stream opened before the other inventory was published goes on where it was.
            for (int i = 1; i < count; i++) {
                assertThat(early.next().key()).isEqualTo(numberedKey(i));
            }
            assertThat(early.hasNext()).isFalse();
        } finally {
            executor.shutdownNow();
        }
        assertSortedAndComplete("growing", count);
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void writesAndReadsSeveralInventoriesInParallel() throws Exception {
        int threads = 4;
        int count = 20_000;
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                String name = "parallel-" + t;
                work.add(executor.submit(() -> {
                    start.await(30, TimeUnit.SECONDS);
                    try (InventoryStore.Writer writer = store.writer(name)) {
                        for (int i = 0; i < count; i++) {
                            int j = permuted(i, count);
                            writer.add(ObjectEntry.of(numberedKey(j), j, name));
                        }
                    }
                    assertSortedAndComplete(name, count);
                    return null;
                }));
            }
            for (Future<?> future : work) {
                future.get(100, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
        for (int t = 0; t < threads; t++) {
            assertThat(store.count("parallel-" + t)).isEqualTo(count);
            try (Stream<ObjectEntry> entries = store.readSorted("parallel-" + t)) {
                String name = "parallel-" + t;
                assertThat(entries.allMatch(entry -> name.equals(entry.eTag()))).isTrue();
            }
        }
    }

    // ---- volume ------------------------------------------------------------------------------

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void sortsALargeShuffledInventoryAndStreamsItBack() {
        int count = 200_000;
        String[] prefixes = {"a", "\u00E9", "\uFFFD", "\uD83D\uDE00", "\uE000", "Z", "\u65E5"};
        long writeStart = System.nanoTime();
        try (InventoryStore.Writer writer = store.writer("large")) {
            for (int i = 0; i < count; i++) {
                int j = permuted(i, count);
                writer.add(new ObjectEntry(prefixes[j % prefixes.length] + "/" + numberedKey(j), j,
                        Integer.toHexString(j), Instant.ofEpochSecond(1_700_000_000L + j, j), "STANDARD", null));
            }
        }
        long written = System.nanoTime();

        // Checked entry by entry as they stream, never collected: strictly ascending keys, each
        // entry the one written for its key, and every key once.
        long[] seen = {0, 0};
        byte[][] previous = {null};
        try (Stream<ObjectEntry> entries = store.readSorted("large")) {
            entries.forEach(entry -> {
                byte[] key = entry.key().getBytes(StandardCharsets.UTF_8);
                if (previous[0] != null && Arrays.compareUnsigned(previous[0], key) >= 0) {
                    throw new AssertionError("not ascending in UTF-8 byte order: '"
                            + new String(previous[0], StandardCharsets.UTF_8) + "' then '" + entry.key() + "'");
                }
                previous[0] = key;
                int j = Integer.parseInt(entry.key().substring(entry.key().lastIndexOf('-') + 1));
                if (j < 0 || j >= count || entry.size() != j || !entry.key().startsWith(prefixes[j % prefixes.length])
                        || !Integer.toHexString(j).equals(entry.eTag())
                        || !Instant.ofEpochSecond(1_700_000_000L + j, j).equals(entry.lastModified())) {
                    throw new AssertionError("entry does not match what was written for its key: " + entry);
                }
                seen[0]++;
                seen[1] += j;
            });
        }
        long read = System.nanoTime();

        assertThat(seen[0]).isEqualTo(count);
        assertThat(seen[1]).isEqualTo((long) count * (count - 1) / 2);
        assertThat(store.count("large")).isEqualTo(count);
        System.out.printf(Locale.ROOT, "%s: wrote %,d shuffled entries in %,d ms (%,.0f entries/s including the sort),"
                        + " read them back sorted in %,d ms (%,.0f entries/s)%n",
                store.getClass().getSimpleName(), count, (written - writeStart) / 1_000_000,
                count / ((written - writeStart) / 1e9), (read - written) / 1_000_000, count / ((read - written) / 1e9));
    }

    // ---- helpers -----------------------------------------------------------------------------

    /**
     * Writes an inventory through one writer, in the given order, and closes the writer.
     *
     * @param name the inventory's name
     * @param entries the entries, in the order to add them
     */
    protected final void write(String name, Collection<ObjectEntry> entries) {
        try (InventoryStore.Writer writer = store.writer(name)) {
            entries.forEach(writer::add);
        }
    }

    /**
     * Reads a whole inventory into a list; for small inventories.
     *
     * @param name the inventory's name
     * @return the entries in the order the store returned them
     */
    protected final List<ObjectEntry> read(String name) {
        try (Stream<ObjectEntry> entries = store.readSorted(name)) {
            return entries.collect(Collectors.toList());
        }
    }

    /**
     * Returns a key whose UTF-8 order is its number's order: {@code key-0000042}.
     *
     * @param i the number; 0 to 9,999,999
     * @return the key
     */
    protected static String numberedKey(int i) {
        String digits = Integer.toString(i);
        return "key-" + "0".repeat(Math.max(0, 7 - digits.length())) + digits;
    }

    /**
     * Returns entries {@code numberedKey(i)} of size {@code i}, for i from 0 to count - 1, in a
     * shuffled order.
     *
     * @param count the number of entries
     * @return a new list
     */
    protected static List<ObjectEntry> numbered(int count) {
        List<ObjectEntry> entries = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int j = permuted(i, count);
            entries.add(ObjectEntry.of(numberedKey(j), j, null));
        }
        return entries;
    }

    /**
     * Maps 0..count-1 onto itself in a scrambled order, without a table: a multiplication by a
     * prime that does not divide count.
     */
    private static int permuted(int i, int count) {
        long prime = count % 7919 == 0 ? 7927 : 7919;
        return (int) ((i * prime + 13) % count);
    }

    private void assertSortedAndComplete(String name, int count) {
        try (Stream<ObjectEntry> entries = store.readSorted(name)) {
            Iterator<ObjectEntry> it = entries.iterator();
            for (int i = 0; i < count; i++) {
                assertThat(it.hasNext()).as("entry %d of %s", i, name).isTrue();
                ObjectEntry entry = it.next();
                assertThat(entry.key()).isEqualTo(numberedKey(i));
                assertThat(entry.size()).isEqualTo(i);
            }
            assertThat(it.hasNext()).isFalse();
        }
    }

    private static void await(CountDownLatch latch) {
        try {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new AssertionError("timed out waiting for the other thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
