package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.github.s3recon.internal.DifferencesJson;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Diffs two listings of over two million keys each, generated on the fly, in a heap far smaller than
 * the listings (this class runs in the surefire execution with {@code -Xmx64m}), writing every
 * difference to a report on disk.
 */
class MergeDiffMemoryTest {

    /** The keys are k/000000000 .. k/002020299; each side lacks about 1% of them, keeping over 2,000,000. */
    private static final int KEYS = 2_020_300;
    private static final int MISSING_EVERY = 100;  // not in the destination
    private static final int EXTRA_EVERY = 101;    // not in the source
    private static final int CONTENT_EVERY = 97;   // other plain MD5 ETag in the destination
    private static final int SIZE_EVERY = 89;      // one byte more in the destination (unless CONTENT_EVERY)

    private static final String ETAG = "0cc175b9c0f1b6a831c399e269772661";
    private static final String OTHER_ETAG = "92eb5ffee6ae2fec3ad71c777531578f";
    private static final Instant MODIFIED = Instant.parse("2024-01-01T00:00:00Z");

    @TempDir
    Path work;

    @TempDir
    Path reportDirectory;

    @Test
    void diffsOverTwoMillionKeysPerSideInASmallHeap() throws IOException {
        long maxHeap = Runtime.getRuntime().maxMemory();
        assertThat(maxHeap).as("this test must run with -Xmx64m (the memory-tests surefire execution)")
                .isLessThanOrEqualTo(80L * 1024 * 1024);

        List<MemoryPoolMXBean> heapPools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP).toList();
        System.gc();
        heapPools.forEach(MemoryPoolMXBean::resetPeakUsage);
        long startNanos = System.nanoTime();
        Instant startedAt = Instant.now();

        Listing source = new Listing(false);
        Listing destination = new Listing(true);
        Path differencesFile = work.resolve("differences.jsonl");
        Map<DifferenceType, Long> differences = new EnumMap<>(DifferenceType.class);
        long[] matched = new long[1];
        try (DifferencesJson.Writer writer = new DifferencesJson.Writer(differencesFile)) {
            MergeDiff.create().diff(source, destination, new MergeDiff.Sink() {
                @Override
                public void matched(ObjectEntry s, ObjectEntry d, MatchRule rule) {
                    matched[0]++;
                }

                @Override
                public void difference(Difference d) {
                    differences.merge(d.type(), 1L, Long::sum);
                    writer.write(d);
                }
            });
        }

        DifferenceCounts counts = new DifferenceCounts(matched[0],
                differences.getOrDefault(DifferenceType.MISSING_IN_DESTINATION, 0L),
                differences.getOrDefault(DifferenceType.EXTRA_IN_DESTINATION, 0L),
                differences.getOrDefault(DifferenceType.SIZE_MISMATCH, 0L),
                differences.getOrDefault(DifferenceType.CONTENT_MISMATCH, 0L),
                differences.getOrDefault(DifferenceType.STALE, 0L),
                differences.getOrDefault(DifferenceType.UNVERIFIED, 0L));
        ReconciliationReport report = new ReconciliationReport(MigrationState.COMPLETED_WITH_DIFFERENCES,
                new LocationSummary("source-bucket", "", source.objects, source.bytes),
                new LocationSummary("destination-bucket", "", destination.objects, destination.bytes),
                counts, Map.of(MatchRule.PLAIN_ETAG, matched[0]), startedAt, Instant.now(), differencesFile);
        report.writeJson(reportDirectory);

        long elapsedNanos = System.nanoTime() - startNanos;
        long peakHeap = heapPools.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
        long keys = source.objects + destination.objects;
        System.out.printf(Locale.ROOT,
                "MergeDiffMemoryTest: %,d + %,d keys, %,d differences in %.2f s (%,.0f keys/s), "
                        + "peak heap used %.1f MiB of max %.1f MiB%n",
                source.objects, destination.objects, counts.differences(), elapsedNanos / 1e9,
                keys / (elapsedNanos / 1e9), peakHeap / 1048576.0, maxHeap / 1048576.0);

        // Expected counts from the index arithmetic alone (the moduli are pairwise coprime).
        long missing = count(new int[] {MISSING_EVERY}, new int[] {EXTRA_EVERY});
        long extra = count(new int[] {EXTRA_EVERY}, new int[] {MISSING_EVERY});
        long onBoth = count(new int[] {}, new int[] {MISSING_EVERY, EXTRA_EVERY});
        long content = count(new int[] {CONTENT_EVERY}, new int[] {MISSING_EVERY, EXTRA_EVERY});
        long size = count(new int[] {SIZE_EVERY}, new int[] {MISSING_EVERY, EXTRA_EVERY, CONTENT_EVERY});
        long expectedMatched = onBoth - content - size;
        // 20,203 multiples of 100 in [0, 2,020,300), less the 201 that are multiples of 10,100 too.
        assertThat(missing).isEqualTo(20_002);
        assertThat(source.objects).isGreaterThanOrEqualTo(2_000_000);
        assertThat(destination.objects).isGreaterThanOrEqualTo(2_000_000);
        assertThat(source.objects).isEqualTo(KEYS - count(new int[] {EXTRA_EVERY}, new int[] {}));

        assertThat(counts).isEqualTo(new DifferenceCounts(expectedMatched, missing, extra, size, content, 0, 0));
        assertThat(source.objects).isEqualTo(onBoth + missing);
        assertThat(destination.objects).isEqualTo(onBoth + extra);
        assertThat(counts.differences()).isGreaterThan(50_000);

        long lines;
        try (Stream<String> s = Files.lines(differencesFile)) {
            lines = s.count();
        }
        assertThat(lines).isEqualTo(counts.differences());
        Path reportedDifferences = reportDirectory.resolve("differences.jsonl");
        assertThat(Files.size(reportedDifferences)).isEqualTo(Files.size(differencesFile));
        try (Stream<String> s = Files.lines(reportedDifferences)) {
            assertThat(s.count()).isEqualTo(counts.differences());
        }

        JsonNode summary = new ObjectMapper().readTree(reportDirectory.resolve("summary.json").toFile());
        JsonNode c = summary.get("counts");
        assertThat(c.get("matched").asLong()).isEqualTo(expectedMatched);
        assertThat(c.get("missingInDestination").asLong()).isEqualTo(missing);
        assertThat(c.get("extraInDestination").asLong()).isEqualTo(extra);
        assertThat(c.get("sizeMismatch").asLong()).isEqualTo(size);
        assertThat(c.get("contentMismatch").asLong()).isEqualTo(content);
        assertThat(summary.get("source").get("objects").asLong()).isEqualTo(source.objects);
        assertThat(summary.get("destination").get("bytes").asLong()).isEqualTo(destination.bytes);

        // Spot-check the report's first lines: the differences of the lowest keys, in key order.
        try (Stream<Difference> read = report.differences()) {
            assertThat(read.limit(4)).containsExactly(
                    new Difference.SizeMismatch(entry(89, false), entry(89, true)),
                    new Difference.ContentMismatch(entry(97, false), entry(97, true)),
                    new Difference.MissingInDestination(entry(100, false)),
                    new Difference.ExtraInDestination(entry(101, true)));
        }
    }

    /**
     * Counts the indexes in [0, KEYS) that are multiples of every modulus in {@code all} and of none
     * in {@code none}, by inclusion-exclusion over {@code none}; the moduli must be pairwise coprime.
     */
    private static long count(int[] all, int[] none) {
        long base = 1;
        for (int m : all) {
            base *= m;
        }
        long total = 0;
        for (int subset = 0; subset < 1 << none.length; subset++) {
            long product = base;
            for (int j = 0; j < none.length; j++) {
                if ((subset & 1 << j) != 0) {
                    product *= none[j];
                }
            }
            long multiples = (KEYS + product - 1) / product; // 0 is a multiple of everything
            total += Integer.bitCount(subset) % 2 == 0 ? multiples : -multiples;
        }
        return total;
    }

    private static boolean inSource(int i) {
        return i % EXTRA_EVERY != 0;
    }

    private static boolean inDestination(int i) {
        return i % MISSING_EVERY != 0;
    }

    private static ObjectEntry entry(int i, boolean destination) {
        long size = 1 + i % 4096;
        String eTag = ETAG;
        if (destination && i % CONTENT_EVERY == 0) {
            eTag = OTHER_ETAG;
        } else if (destination && i % SIZE_EVERY == 0) {
            size++;
        }
        return new ObjectEntry(key(i), size, eTag, MODIFIED, "STANDARD", null);
    }

    /** "k/" and the index in nine digits, without String.format (four million keys). */
    private static String key(int i) {
        char[] chars = {'k', '/', '0', '0', '0', '0', '0', '0', '0', '0', '0'};
        for (int p = chars.length - 1; i > 0; p--, i /= 10) {
            chars[p] = (char) ('0' + i % 10);
        }
        return new String(chars);
    }

    /** One side's listing, generated lazily in key order; counts what it produced. */
    private static final class Listing implements Iterator<ObjectEntry> {
        private final boolean destination;
        private int next;
        long objects;
        long bytes;

        Listing(boolean destination) {
            this.destination = destination;
            advance(0);
        }

        private void advance(int from) {
            int i = from;
            while (i < KEYS && !(destination ? inDestination(i) : inSource(i))) {
                i++;
            }
            next = i;
        }

        @Override
        public boolean hasNext() {
            return next < KEYS;
        }

        @Override
        public ObjectEntry next() {
            if (!hasNext()) {
                throw new NoSuchElementException();
            }
            ObjectEntry e = entry(next, destination);
            objects++;
            bytes += e.size();
            advance(next + 1);
            return e;
        }
    }
}
