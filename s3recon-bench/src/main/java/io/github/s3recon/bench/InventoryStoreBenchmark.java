package io.github.s3recon.bench;

import io.github.s3recon.ObjectEntry;
import io.github.s3recon.inventory.SqliteInventoryStore;
import io.github.s3recon.spi.InventoryStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Iterator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Entries per second into and out of {@link SqliteInventoryStore}, in a temporary work directory:
 * {@code write} adds {@value #N} entries in shuffled order to a writer and closes it (which sorts
 * them and publishes the inventory); {@code readSorted} streams back an inventory of {@value #N}
 * entries in key order. Each score is per entry.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
public class InventoryStoreBenchmark {

    /** Entries per inventory. */
    static final int N = 200_000;

    @Benchmark
    @OperationsPerInvocation(N)
    public void write(Store store, Written written) {
        store.write(Written.NAME);
    }

    @Benchmark
    @OperationsPerInvocation(N)
    public long readSorted(Store store, Readable readable, Blackhole blackhole) {
        long count = 0;
        try (Stream<ObjectEntry> entries = store.store.readSorted(Readable.NAME)) {
            Iterator<ObjectEntry> it = entries.iterator();
            while (it.hasNext()) {
                blackhole.consume(it.next());
                count++;
            }
        }
        if (count != N) {
            throw new IllegalStateException("read " + count + " entries, not " + N);
        }
        return count;
    }

    /** A store in a temporary work directory, and {@value #N} entries in shuffled order. */
    @State(Scope.Benchmark)
    public static class Store {
        private Path workDirectory;
        SqliteInventoryStore store;
        private ObjectEntry[] shuffled;

        @Setup(Level.Trial)
        public void open() throws IOException {
            workDirectory = Files.createTempDirectory("s3recon-bench-");
            store = SqliteInventoryStore.open(workDirectory);
            shuffled = new ObjectEntry[N];
            for (int i = 0; i < N; i++) {
                shuffled[i] = BenchEntries.entry(i, N);
            }
            SplittableRandom random = new SplittableRandom(42);
            for (int i = N - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                ObjectEntry t = shuffled[i];
                shuffled[i] = shuffled[j];
                shuffled[j] = t;
            }
        }

        void write(String name) {
            try (InventoryStore.Writer writer = store.writer(name)) {
                for (ObjectEntry entry : shuffled) {
                    writer.add(entry);
                }
            }
        }

        @TearDown(Level.Trial)
        public void close() throws IOException {
            store.close();
            try (Stream<Path> files = Files.walk(workDirectory)) {
                files.sorted(Comparator.reverseOrder()).forEach(file -> {
                    try {
                        Files.delete(file);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
    }

    /** The inventory that {@code write} writes, deleted after each write so that the next starts empty. */
    @State(Scope.Benchmark)
    public static class Written {
        static final String NAME = "written";

        /** Outside the measurement: otherwise each write would also delete the last one's rows. */
        @TearDown(Level.Invocation)
        public void delete(Store store) {
            store.store.delete(NAME);
        }
    }

    /** The inventory that {@code readSorted} reads, written once. */
    @State(Scope.Benchmark)
    public static class Readable {
        static final String NAME = "read";

        @Setup(Level.Trial)
        public void write(Store store) {
            store.write(NAME);
            if (store.store.count(NAME) != N) {
                throw new IllegalStateException("inventory '" + NAME + "' holds " + store.store.count(NAME)
                        + " entries, not " + N);
            }
        }
    }
}
