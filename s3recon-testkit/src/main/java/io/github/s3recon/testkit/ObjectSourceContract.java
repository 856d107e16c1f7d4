package io.github.s3recon.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.s3recon.ErrorCode;
import io.github.s3recon.KeyRange;
import io.github.s3recon.ObjectEntry;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.spi.ObjectSource;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
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

/**
 * The tests that every {@link ObjectSource} must pass. Extend it in a test of your own and
 * implement {@link #createSource(Map)}:
 *
 * <pre>{@code
 * class MySourceTest extends ObjectSourceContract {
 *     @Override
 *     protected ObjectSource createSource(Map<String, byte[]> objects) {
 *         objects.forEach((key, bytes) -> server.serve(key, bytes));
 *         return MySource.of(server.manifest());
 *     }
 * }
 * }</pre>
 *
 * <p>Each test creates a source holding {@link #OBJECTS}: about 60 objects in several "folders",
 * one empty, one of 200,003 bytes, and keys with spaces, {@code +}, {@code %}, {@code ?}, {@code #},
 * {@code =}, {@code &}, accents (precomposed and combining, which must not be normalized), CJK and a
 * character outside the Basic Multilingual Plane. The tests check that:
 * <ul>
 *   <li>{@link ObjectSource#list(KeyRange) list(ALL)} yields every object exactly once with its
 *       size, in UTF-8 byte order when {@link ObjectSource#listsInKeyOrder()} says so, and that a
 *       listing closed early stops;
 *   <li>{@link ObjectSource#plan(int) plan(n)} partitions the key space (first range open at the
 *       start, each next range starting where the previous one ends, last open at the end), and
 *       listing its ranges yields every key exactly once, in order; {@code plan(0)} is refused;
 *   <li>{@code list(range)} yields exactly the keys in the range, for bounds that are keys, bounds
 *       that are not, open bounds and an empty range;
 *   <li>{@link ObjectSource#attributes(String)} of every key agrees with the listing (size, ETag
 *       where both have one, last modified within a second where both have one); of a missing key,
 *       of a "folder" and of a key in another case, it is empty;
 *   <li>{@link ObjectSource#open(String, long, long)} yields every object's exact bytes, whole and
 *       in ranges (first byte, last byte, to the end, past the end, length 0, offset past the end);
 *       a missing key fails with {@link S3ReconException}; a negative offset and a length below
 *       -1 fail with {@link ErrorCode#INVALID_CONFIGURATION}; null arguments with
 *       {@link NullPointerException};
 *   <li>{@link ObjectSource#describe()} is not blank and holds none of {@link #secrets()};
 *       {@link ObjectSource#location()} is not null;
 *   <li>two listings open at once and consumed in turns, and two listings on two threads, are
 *       each whole; eight threads read attributes and bodies at once.
 * </ul>
 *
 * <p>JUnit 5 runs each test method on its own instance; the fields are not shared.
 */
public abstract class ObjectSourceContract {

    /**
     * Compares keys as S3 lists them: by their UTF-8 bytes, unsigned (not {@link String#compareTo},
     * which is UTF-16 order). Defined here, not taken from the code under test.
     */
    protected static final Comparator<String> UTF8_ORDER =
            (a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));

    /** The key of the large object, whose ranges are read. */
    protected static final String LARGE_KEY = "data/large.bin";

    /** The key of the empty object. */
    protected static final String EMPTY_KEY = "data/empty";

    /** The keys with characters that need encoding in URLs and in S3 requests, or that must not be normalized. */
    protected static final List<String> ODD_KEYS = List.of(
            "odd/space in name.txt", "odd/plus+sign", "odd/percent%20stays", "odd/percent%", "odd/question?mark",
            "odd/hash#tag", "odd/equals=and&amp", "odd/caf\u00E9", "odd/cafe\u0301", "odd/\u65E5\u672C\u8A9E.txt",
            "odd/tilde~star*quote'paren()");

    /**
     * Keys whose UTF-8 and UTF-16 orders differ: {@code U+FFFD} and {@code U+E000} sort before a
     * character outside the Basic Multilingual Plane in UTF-8 (S3's order) and after it in UTF-16.
     */
    protected static final List<String> ORDER_KEYS = List.of("order/z\uE000", "order/z\uFFFD", "order/z\uD83D\uDE00",
            "order/z\uD83D\uDE00x", "order/za");

    /** Every object a source under test holds, in no particular order: key to bytes. */
    protected static final Map<String, byte[]> OBJECTS = Collections.unmodifiableMap(objects());

    /** The source under test, created before each test. */
    protected ObjectSource source;

    /** Creates the contract; JUnit creates one instance per test. */
    protected ObjectSourceContract() {
    }

    /**
     * Creates a source that holds exactly the given objects (and nothing else), with the given keys
     * relative to the source. Called once per test.
     *
     * @param objects key to bytes; not null, not to be modified
     * @return the source; {@link #release(ObjectSource)} releases it after the test
     */
    protected abstract ObjectSource createSource(Map<String, byte[]> objects);

    /**
     * Returns the secrets that the source knows and must never show, e.g. the secret key of its
     * client's credentials or a token in a manifest's URLs. The default is none.
     *
     * @return the secrets; not null
     */
    protected Collection<String> secrets() {
        return List.of();
    }

    /**
     * Whether the source lists keys outside the Basic Multilingual Plane in UTF-16 order although
     * {@link ObjectSource#listsInKeyOrder()} is true, as Java-based S3 servers (S3Mock, S3Proxy) do;
     * the engine notices such a listing and sorts it through its inventory store. When true, the
     * order checks accept either order; the default, false, asks for UTF-8 byte order.
     *
     * @return whether UTF-16 order is tolerated
     */
    protected boolean toleratesUtf16Order() {
        return false;
    }

    /**
     * Releases a source made by {@link #createSource(Map)}; the default closes it if it is
     * {@link AutoCloseable}.
     *
     * @param source the source; not null
     * @throws Exception if releasing fails
     */
    protected void release(ObjectSource source) throws Exception {
        if (source instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    private static Map<String, byte[]> objects() {
        Random random = new Random(12);
        Map<String, byte[]> objects = new LinkedHashMap<>();
        for (String folder : List.of("a", "b", "c", "d", "e")) {
            for (int i = 0; i < 8; i++) {
                objects.put(folder + "/k" + i, bytes(random, 1 + random.nextInt(300)));
            }
        }
        objects.put("top-level.txt", "hello\n".getBytes(StandardCharsets.UTF_8));
        objects.put(EMPTY_KEY, new byte[0]);
        objects.put(LARGE_KEY, bytes(random, 200_003));
        for (String key : ODD_KEYS) {
            objects.put(key, key.getBytes(StandardCharsets.UTF_8));
        }
        for (String key : ORDER_KEYS) {
            objects.put(key, bytes(random, 17));
        }
        return objects;
    }

    private static byte[] bytes(Random random, int size) {
        byte[] b = new byte[size];
        random.nextBytes(b);
        return b;
    }

    @BeforeEach
    void createTheSource() {
        source = createSource(OBJECTS);
        assertThat(source).as("createSource").isNotNull();
    }

    @AfterEach
    void releaseTheSource() throws Exception {
        if (source != null) {
            release(source);
        }
    }

    // ---- listing -------------------------------------------------------------------------------

    @Test
    void listsEveryObjectOnceWithItsSize() {
        List<ObjectEntry> entries = list(KeyRange.ALL);

        List<String> keys = keys(entries);
        assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(OBJECTS.keySet());
        for (ObjectEntry e : entries) {
            assertThat(e.size()).as("size of '%s'", e.key()).isEqualTo(OBJECTS.get(e.key()).length);
        }
        assertInOrderIfSorted(keys);
    }

    @Test
    void listsInUtf8ByteOrderWhenItSaysSo() {
        // The test means something only where the orders differ; it checks the fixture says so.
        assertThat(ORDER_KEYS.stream().sorted(UTF8_ORDER).collect(Collectors.toList()))
                .isNotEqualTo(ORDER_KEYS.stream().sorted().collect(Collectors.toList()));
        List<String> keys = keys(list(KeyRange.ALL));
        List<String> orderKeys = keys.stream().filter(ORDER_KEYS::contains).collect(Collectors.toList());
        assertThat(orderKeys).containsExactlyInAnyOrderElementsOf(ORDER_KEYS);
        if (source.listsInKeyOrder() && !toleratesUtf16Order()) {
            assertThat(keys).as("a source that listsInKeyOrder() lists in UTF-8 byte order")
                    .isSortedAccordingTo(UTF8_ORDER);
        }
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void aListingClosedEarlyStopsAndANewOneIsWhole() {
        try (Stream<ObjectEntry> entries = source.list(KeyRange.ALL)) {
            Iterator<ObjectEntry> it = entries.iterator();
            for (int i = 0; i < 3; i++) {
                assertThat(it.hasNext()).isTrue();
                it.next();
            }
        }
        assertThat(keys(list(KeyRange.ALL))).hasSize(OBJECTS.size());
    }

    @Test
    void planPartitionsTheKeySpaceAndItsRangesListEveryKeyOnce() {
        for (int n : new int[] {1, 2, 3, 4, 16}) {
            List<KeyRange> ranges = source.plan(n);
            assertThat(ranges).as("plan(%d)", n).isNotEmpty().doesNotContainNull();
            assertThat(ranges.get(0).startAfter()).as("plan(%d): the first range starts at the first key", n).isNull();
            assertThat(ranges.get(ranges.size() - 1).endInclusive()).as("plan(%d): the last range is open", n).isNull();
            for (int i = 1; i < ranges.size(); i++) {
                assertThat(ranges.get(i).startAfter()).as("plan(%d): range %d starts where range %d ends", n, i, i - 1)
                        .isNotNull().isEqualTo(ranges.get(i - 1).endInclusive());
            }
            List<String> keys = new ArrayList<>();
            for (KeyRange range : ranges) {
                List<String> inRange = keys(list(range));
                assertThat(inRange).as("plan(%d): keys listed for range %s", n, range)
                        .allMatch(k -> contains(range, k));
                keys.addAll(inRange);
            }
            assertThat(keys).as("plan(%d): the ranges' keys", n).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(OBJECTS.keySet());
            assertInOrderIfSorted(keys);
        }
    }

    @Test
    void refusesToPlanFewerThanOneRange() {
        assertThatThrownBy(() -> source.plan(0)).isInstanceOf(S3ReconException.class)
                .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                .hasMessageContaining("ranges").hasMessageContaining("0");
    }

    @Test
    void listsExactlyTheKeysOfARange() {
        List<KeyRange> ranges = List.of(
                new KeyRange("a/k2", "a/k6"), // bounds that are keys
                new KeyRange(null, "b/k3"),
                new KeyRange("d/k5", null),
                new KeyRange("a/", "c/"), // bounds that are not keys
                new KeyRange("b/k7", "c/k0"),
                new KeyRange("a/k3", "a/k3x"), // no key but its start
                new KeyRange("f", "g"), // no key at all
                new KeyRange("odd/", "odd/\uFFFF"));
        for (KeyRange range : ranges) {
            List<String> expected = OBJECTS.keySet().stream().filter(k -> contains(range, k)).sorted(UTF8_ORDER)
                    .collect(Collectors.toList());
            List<ObjectEntry> entries = list(range);
            List<String> keys = keys(entries);
            assertThat(keys).as("keys of %s", range).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(expected);
            for (ObjectEntry e : entries) {
                assertThat(e.size()).as("size of '%s'", e.key()).isEqualTo(OBJECTS.get(e.key()).length);
            }
            assertInOrderIfSorted(keys);
        }
        assertThatNullPointerException().isThrownBy(() -> source.list(null));
    }

    // ---- attributes ----------------------------------------------------------------------------

    @Test
    void attributesOfEveryKeyAgreeWithTheListing() {
        for (ObjectEntry listed : list(KeyRange.ALL)) {
            Optional<ObjectEntry> read = source.attributes(listed.key());
            assertThat(read).as("attributes('%s')", listed.key()).isPresent();
            ObjectEntry a = read.get();
            assertThat(a.key()).isEqualTo(listed.key());
            assertThat(a.size()).as("size of '%s'", a.key()).isEqualTo(OBJECTS.get(a.key()).length);
            if (a.eTag() != null && listed.eTag() != null) {
                assertThat(a.eTag()).as("ETag of '%s'", a.key()).isEqualTo(listed.eTag());
            }
            if (a.lastModified() != null && listed.lastModified() != null) {
                // A listing may give milliseconds where a HEAD's Last-Modified has seconds.
                assertThat(Duration.between(a.lastModified(), listed.lastModified()).abs())
                        .as("last modified of '%s'", a.key()).isLessThan(Duration.ofSeconds(1));
            }
            if (a.checksum() != null && listed.checksum() != null) {
                assertThat(a.checksum().algorithm()).as("checksum algorithm of '%s'", a.key())
                        .isEqualTo(listed.checksum().algorithm());
            }
        }
    }

    @Test
    void attributesOfAMissingKeyAreEmpty() {
        for (String missing : List.of("no/such/key", "a/", "a", "A/k1", "a/k1 ", "odd/cafe", "odd/plus sign",
                "odd/percent stays", LARGE_KEY + ".part")) {
            assertThat(source.attributes(missing)).as("attributes('%s')", missing).isEmpty();
        }
        assertThatNullPointerException().isThrownBy(() -> source.attributes(null));
    }

    @Test
    void keysWithCharactersThatNeedEncodingWork() {
        Map<String, Long> listed = list(KeyRange.ALL).stream()
                .collect(Collectors.toMap(ObjectEntry::key, ObjectEntry::size));
        for (String key : ODD_KEYS) {
            byte[] expected = OBJECTS.get(key);
            assertThat(listed).as("listed keys").containsEntry(key, (long) expected.length);
            assertThat(source.attributes(key)).as("attributes('%s')", key)
                    .hasValueSatisfying(e -> assertThat(e.size()).isEqualTo(expected.length));
            assertThat(read(key, 0, -1)).as("bytes of '%s'", key).isEqualTo(expected);
        }
        // Precomposed and combining accents are two keys, not one normalized key.
        assertThat(listed).containsKeys("odd/caf\u00E9", "odd/cafe\u0301");
    }

    // ---- reading -------------------------------------------------------------------------------

    @Test
    void opensEveryObjectWhole() {
        for (Map.Entry<String, byte[]> o : OBJECTS.entrySet()) {
            assertThat(read(o.getKey(), 0, -1)).as("bytes of '%s'", o.getKey()).isEqualTo(o.getValue());
        }
    }

    @Test
    void opensExactByteRanges() {
        byte[] large = OBJECTS.get(LARGE_KEY);
        int size = large.length;
        long[][] ranges = {
            {0, 1}, {0, 10}, {1, 1}, {7, 65_536}, {size - 1, 1}, {size - 1, -1}, {500, -1}, {0, size}, {0, size + 1L},
            {size - 10, 100}, {123_456, 70_000}, {3, Long.MAX_VALUE - 3}, {3, Long.MAX_VALUE}};
        for (long[] r : ranges) {
            int from = (int) r[0];
            int to = r[1] < 0 || r[0] + r[1] > size || r[0] + r[1] < 0 ? size : (int) (r[0] + r[1]);
            assertThat(read(LARGE_KEY, r[0], r[1])).as("open(%s, %d, %d)", LARGE_KEY, r[0], r[1])
                    .isEqualTo(Arrays.copyOfRange(large, from, to));
        }
    }

    @Test
    void opensNothingAtOrPastTheEnd() {
        int size = OBJECTS.get(LARGE_KEY).length;
        assertThat(read(LARGE_KEY, 0, 0)).as("length 0").isEmpty();
        assertThat(read(LARGE_KEY, 100, 0)).as("length 0 inside").isEmpty();
        assertThat(read(LARGE_KEY, size, -1)).as("offset at the end").isEmpty();
        assertThat(read(LARGE_KEY, size + 5L, 3)).as("offset past the end").isEmpty();
        assertThat(read(EMPTY_KEY, 0, -1)).as("empty object").isEmpty();
        assertThat(read(EMPTY_KEY, 0, 5)).as("empty object, a range").isEmpty();
    }

    @Test
    void openingAMissingKeyFails() {
        assertThatThrownBy(() -> source.open("no/such/key", 0, -1).close()).isInstanceOf(S3ReconException.class);
        assertThatThrownBy(() -> source.open("no/such/key", 5, 10).close()).isInstanceOf(S3ReconException.class);
    }

    @Test
    void refusesBadOffsetsAndLengths() {
        for (long[] bad : new long[][] {{-1, -1}, {-1, 10}, {Long.MIN_VALUE, 1}, {0, -2}, {5, Long.MIN_VALUE}}) {
            assertThatThrownBy(() -> source.open(LARGE_KEY, bad[0], bad[1]).close())
                    .as("open(key, %d, %d)", bad[0], bad[1]).isInstanceOf(S3ReconException.class)
                    .satisfies(e -> assertThat(((S3ReconException) e).code()).isEqualTo(ErrorCode.INVALID_CONFIGURATION))
                    .hasMessageContaining(bad[0] < 0 ? "offset" : "length")
                    .hasMessageContaining(Long.toString(bad[0] < 0 ? bad[0] : bad[1]));
        }
        assertThatNullPointerException().isThrownBy(() -> source.open(null, 0, -1));
    }

    // ---- identity ------------------------------------------------------------------------------

    @Test
    void describesItselfWithoutSecrets() {
        String description = source.describe();
        assertThat(description).isNotBlank();
        for (String secret : secrets()) {
            assertThat(description).doesNotContain(secret);
            assertThat(String.valueOf(source)).doesNotContain(secret);
        }
        assertThat(source.location()).isNotNull();
    }

    // ---- threads -------------------------------------------------------------------------------

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void twoListingsOpenAtOnceAreEachWhole() {
        // One consumer taking turns, entry by entry: both listings are open and moving at once.
        List<String> first = new ArrayList<>();
        List<String> second = new ArrayList<>();
        try (Stream<ObjectEntry> a = source.list(KeyRange.ALL); Stream<ObjectEntry> b = source.list(KeyRange.ALL)) {
            Iterator<ObjectEntry> x = a.iterator();
            Iterator<ObjectEntry> y = b.iterator();
            while (x.hasNext() || y.hasNext()) {
                if (x.hasNext()) {
                    first.add(x.next().key());
                }
                if (y.hasNext()) {
                    second.add(y.next().key());
                }
            }
        }
        for (List<String> keys : List.of(first, second)) {
            assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(OBJECTS.keySet());
            assertInOrderIfSorted(keys);
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void twoListingsOnTwoThreadsAreEachWhole() throws Exception {
        CyclicBarrier together = new CyclicBarrier(2);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<List<String>>> listings = new ArrayList<>();
            for (int t = 0; t < 2; t++) {
                listings.add(pool.submit(() -> {
                    together.await(30, TimeUnit.SECONDS);
                    try (Stream<ObjectEntry> entries = source.list(KeyRange.ALL)) {
                        return keys(entries.collect(Collectors.toList()));
                    }
                }));
            }
            for (Future<List<String>> listing : listings) {
                List<String> keys = listing.get(90, TimeUnit.SECONDS);
                assertThat(keys).doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(OBJECTS.keySet());
                assertInOrderIfSorted(keys);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void eightThreadsReadAtOnce() throws Exception {
        List<String> keys = new ArrayList<>(OBJECTS.keySet());
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Map<String, byte[]>>> readers = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int first = t;
                readers.add(pool.submit(() -> {
                    Map<String, byte[]> read = new HashMap<>();
                    for (int i = first; i < keys.size(); i += 3) {
                        String key = keys.get(i);
                        assertThat(source.attributes(key)).as("attributes('%s')", key).isPresent();
                        read.put(key, read(key, 0, -1));
                    }
                    return read;
                }));
            }
            for (Future<Map<String, byte[]>> reader : readers) {
                reader.get(90, TimeUnit.SECONDS).forEach((key, bytes) ->
                        assertThat(bytes).as("bytes of '%s'", key).isEqualTo(OBJECTS.get(key)));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- helpers -------------------------------------------------------------------------------

    /**
     * Lists a range of the source whole.
     *
     * @param range the range; not null
     * @return the entries in listing order
     */
    protected final List<ObjectEntry> list(KeyRange range) {
        try (Stream<ObjectEntry> entries = source.list(range)) {
            return entries.collect(Collectors.toList());
        }
    }

    /**
     * Reads a range of an object whole.
     *
     * @param key the key; not null
     * @param offset the first byte
     * @param length how many bytes, or -1 to the end
     * @return the bytes
     */
    protected final byte[] read(String key, long offset, long length) {
        try (InputStream in = source.open(key, offset, length)) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException("reading '" + key + "'", e);
        }
    }

    private static List<String> keys(List<ObjectEntry> entries) {
        return entries.stream().map(ObjectEntry::key).collect(Collectors.toList());
    }

    /** The range test, on the contract's own order. */
    private static boolean contains(KeyRange range, String key) {
        return (range.startAfter() == null || UTF8_ORDER.compare(range.startAfter(), key) < 0)
                && (range.endInclusive() == null || UTF8_ORDER.compare(key, range.endInclusive()) <= 0);
    }

    private void assertInOrderIfSorted(List<String> keys) {
        if (!source.listsInKeyOrder()) {
            return;
        }
        for (int i = 1; i < keys.size(); i++) {
            String previous = keys.get(i - 1);
            String key = keys.get(i);
            boolean after = UTF8_ORDER.compare(previous, key) < 0
                    || (toleratesUtf16Order() && previous.compareTo(key) < 0);
            assertThat(after).as("a source that listsInKeyOrder() lists '%s' after '%s'", key, previous).isTrue();
        }
    }
}
