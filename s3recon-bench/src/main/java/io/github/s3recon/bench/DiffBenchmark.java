package io.github.s3recon.bench;

import io.github.s3recon.Difference;
import io.github.s3recon.MatchRule;
import io.github.s3recon.MergeDiff;
import io.github.s3recon.ObjectEntry;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Keys per second through {@link MergeDiff} on one thread: two sorted listings of {@value #N}
 * entries each, pre-generated in arrays and walked with array iterators, into a sink that only
 * counts. The score counts the keys of both sides, so it reads as keys/s.
 *
 * <p>{@code differenceRate} is the fraction of source keys that differ, in four equal parts:
 * missing in the destination, extra in the destination (a key right after it), size changed and
 * content changed (same size, another plain MD5 ETag). Missing and extra keys are as many, so both
 * sides always hold {@value #N} keys.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(1)
@Fork(value = 2, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class DiffBenchmark {

    /** Keys on each side. */
    static final int N = 1_000_000;

    /** The fraction of source keys that differ: 0 or 1%. */
    @Param({"0", "0.01"})
    double differenceRate;

    private ObjectEntry[] source;
    private ObjectEntry[] destination;
    private long expectedDifferences;

    @Setup
    public void generate() {
        // Each difference kind on one index in every `period`; 4 kinds, so 4 / period of the keys.
        long period = differenceRate == 0 ? Long.MAX_VALUE : Math.round(4 / differenceRate);
        source = new ObjectEntry[N];
        List<ObjectEntry> dst = new ArrayList<>(N + 1);
        long differences = 0;
        for (int i = 0; i < N; i++) {
            ObjectEntry s = BenchEntries.entry(i, N);
            source[i] = s;
            long phase = i % period;
            if (phase == period / 8) {
                differences++;
                continue;  // missing in the destination
            }
            // Copies with strings of their own, copied a month later, as a second listing has them.
            String key = new String(s.key());
            long size = s.size();
            String eTag = new String(s.eTag());
            if (phase == period / 8 + period / 4) {
                size++;
                differences++;
            } else if (phase == period / 8 + period / 2) {
                eTag = BenchEntries.entry(key, i, 1).eTag();
                differences++;
            }
            dst.add(new ObjectEntry(key, size, eTag, s.lastModified().plusSeconds(30 * 86_400), s.storageClass(), null));
            if (phase == period / 8 + 3 * period / 4) {
                dst.add(BenchEntries.entry(key + BenchEntries.EXTRA_SUFFIX, i, 2));
                differences++;
            }
        }
        if (dst.size() != N) {
            throw new IllegalStateException("differenceRate " + differenceRate + " gives " + dst.size()
                    + " destination keys, not " + N + ": pick a rate for which " + N + " is a multiple of 4 / rate");
        }
        destination = dst.toArray(new ObjectEntry[0]);
        expectedDifferences = differences;
        // Checks the data once, outside the measurement: sorted, and the differences all found.
        CountingSink sink = run();
        if (sink.differences != expectedDifferences || sink.matched != N - (differences * 3 / 4)) {
            throw new IllegalStateException("expected " + expectedDifferences + " differences, got " + sink);
        }
    }

    @Benchmark
    @OperationsPerInvocation(2 * N)
    public CountingSink diff() {
        return run();
    }

    private CountingSink run() {
        CountingSink sink = new CountingSink();
        MergeDiff.create().diff(Arrays.asList(source).iterator(), Arrays.asList(destination).iterator(), sink);
        return sink;
    }

    /** Counts outcomes; returned from the benchmark so that nothing is optimised away. */
    public static final class CountingSink implements MergeDiff.Sink {
        long matched;
        long differences;

        @Override
        public void matched(ObjectEntry source, ObjectEntry destination, MatchRule rule) {
            matched++;
        }

        @Override
        public void difference(Difference difference) {
            differences++;
        }

        @Override
        public String toString() {
            return matched + " matched, " + differences + " differences";
        }
    }
}
