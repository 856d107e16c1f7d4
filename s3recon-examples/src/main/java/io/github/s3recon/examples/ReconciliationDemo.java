package io.github.s3recon.examples;

import static java.nio.charset.StandardCharsets.UTF_8;

import io.github.s3recon.Difference;
import io.github.s3recon.DifferenceCounts;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationResult;
import io.github.s3recon.S3Location;
import io.github.s3recon.TransferSummary;
import io.github.s3recon.event.MigrationListener;
import io.github.s3recon.event.ProgressSnapshot;
import io.github.s3recon.event.StateChanged;
import io.github.s3recon.DataSize;
import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.HeapPeak;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * The quickstart: starts an embedded S3 server, seeds a source bucket with a few thousand
 * objects of mixed sizes (a few of them multipart) and a destination with every kind of
 * difference, reconciles the two, prints a summary and writes the report.
 *
 * <p>Arguments (both optional): the work directory (default {@code target/s3recon-demo/work}) and
 * the report directory (default {@code target/s3recon-demo/report}).
 */
public final class ReconciliationDemo {

    private static final String SOURCE = "demo-source";
    private static final String DESTINATION = "demo-destination";

    private ReconciliationDemo() {
    }

    /**
     * Runs the demo.
     *
     * @param args optional work directory and report directory
     * @throws Exception if the demo fails
     */
    public static void main(String[] args) throws Exception {
        Path work = Path.of(args.length > 0 ? args[0] : "target/s3recon-demo/work");
        Path reportDir = Path.of(args.length > 1 ? args[1] : "target/s3recon-demo/report");
        System.out.println("s3recon demo: starting an embedded S3 server...");
        try (EmbeddedS3 s3 = EmbeddedS3.start()) {
            System.out.println("Embedded S3 at " + s3.endpoint());
            Seed seed = seed(s3);

            HeapPeak heapPeak = HeapPeak.start();
            long started = System.nanoTime();
            try (Migration migration = Migration.builder()
                    .source(S3Location.of(s3.asyncClient(), SOURCE))
                    .destination(S3Location.of(s3.asyncClient(), DESTINATION))
                    .workDirectory(work)
                    .listener(new ConsoleProgress())
                    .deleteExtraneous(true)
                    .build();
                    CancelOnInterrupt ctrlC = CancelOnInterrupt.install(migration)) {
                MigrationResult result = migration.reconcile();
                double seconds = (System.nanoTime() - started) / 1e9;
                long peakHeap = heapPeak.bytes();
                heapPeak.close();
                result.report().writeJson(reportDir);
                print(result, seed, seconds, peakHeap, reportDir);

                System.out.println();
                System.out.println("Repairing the destination with the report's fix plan (copy, re-copy, delete),"
                        + " then verifying...");
                long repairStarted = System.nanoTime();
                MigrationResult repaired = migration.repair(result.report());
                printRepair(repaired, (System.nanoTime() - repairStarted) / 1e9);
            }
        }
    }

    private static void printRepair(MigrationResult result, double seconds) {
        TransferSummary t = result.report().transfer();
        System.out.println();
        System.out.println("Repair: " + result.state());
        System.out.printf(Locale.ROOT, "  copied %,d objects (%s; %,d server-side, %,d relayed), deleted %,d, "
                + "failed %,d, retries %,d%n", t.objectsCopied(), DataSize.ofBytes(t.bytesCopied()).approximate(), t.objectsServerSide(),
                t.objectsRelayed(), t.objectsDeleted(), t.objectsFailed(), t.retries());
        System.out.printf(Locale.ROOT, "  verified %,d of %,d objects; differences left: %,d; took %.2f s%n",
                result.report().verified(), result.report().source().objects(),
                result.report().counts().differences(), seconds);
        System.out.println("  verified by rule: " + result.report().matchedByRule());
    }

    private static void print(MigrationResult result, Seed seed, double seconds, long peakHeap, Path reportDir) {
        DifferenceCounts c = result.report().counts();
        System.out.println();
        System.out.println("Reconciliation of s3://" + SOURCE + " with s3://" + DESTINATION + ": " + result.state());
        System.out.printf(Locale.ROOT, "  source       %,8d objects  %s%n", result.report().source().objects(),
                DataSize.ofBytes(result.report().source().bytes()).approximate());
        System.out.printf(Locale.ROOT, "  destination  %,8d objects  %s%n", result.report().destination().objects(),
                DataSize.ofBytes(result.report().destination().bytes()).approximate());
        System.out.printf(Locale.ROOT, "  %-24s %,8d%n", "matched", c.matched());
        row("missing in destination", c.missingInDestination(), seed.missing);
        row("extra in destination", c.extraInDestination(), seed.extra);
        row("size mismatch", c.sizeMismatch(), seed.sizeMismatch);
        row("content mismatch", c.contentMismatch(), seed.contentMismatch);
        row("stale", c.stale(), seed.stale);
        row("unverified", c.unverified(), seed.unverified);
        System.out.println("  matched by rule: " + result.report().matchedByRule());
        System.out.printf(Locale.ROOT, "  took %.2f s (%,.0f objects/s listed and compared), peak heap %s "
                + "(this JVM, the embedded S3 server included)%n", seconds,
                (result.report().source().objects() + result.report().destination().objects()) / seconds,
                DataSize.ofBytes(peakHeap).approximate());
        System.out.println("  first differences:");
        try (Stream<Difference> differences = result.report().differences()) {
            differences.limit(8).forEach(d -> System.out.println("    " + d.type() + "  " + d.key()));
        }
        System.out.println("Report: " + reportDir.toAbsolutePath().resolve("summary.json") + " and "
                + reportDir.toAbsolutePath().resolve("differences.jsonl"));
    }

    private static void row(String name, long found, int seeded) {
        System.out.printf(Locale.ROOT, "  %-24s %,8d   (seeded %d)%n", name, found, seeded);
    }

    /** What the demo planted, to print beside what the reconciliation found. */
    private static final class Seed {
        int missing;
        int extra;
        int sizeMismatch;
        int contentMismatch;
        int stale;
        int unverified;
    }

    private static Seed seed(EmbeddedS3 s3) throws Exception {
        s3.createBucket(SOURCE);
        s3.createBucket(DESTINATION);
        Random random = new Random(42);
        int objects = 2_000;
        Seed seed = new Seed();
        List<Runnable> stale = new ArrayList<>();
        List<Runnable> sources = new ArrayList<>();
        List<Runnable> puts = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            String key = key(i);
            int size = i % 97 == 0 ? 0 : 512 + random.nextInt(i % 10 == 0 ? 256 * 1024 : 16 * 1024);
            byte[] content = content(key, size);
            sources.add(() -> s3.put(SOURCE, key, content));
            int kind = i % 50;
            if (kind == 1) {
                seed.missing++;
            } else if (kind == 2 && size > 0) {
                seed.sizeMismatch++;
                puts.add(() -> s3.put(DESTINATION, key, content(key, size + 1)));
            } else if (kind == 3 && size > 0) {
                seed.contentMismatch++;
                byte[] other = content.clone();
                other[other.length / 2] ^= 1;
                puts.add(() -> s3.put(DESTINATION, key, other));
            } else if (kind == 4 && i % 200 == 4 && size > 0) {
                seed.stale++;
                stale.add(() -> s3.put(DESTINATION, key, content(key + "-old", size)));
            } else {
                puts.add(() -> s3.put(DESTINATION, key, content));
            }
        }
        for (int i = 0; i < 25; i++) {
            seed.extra++;
            String key = "trash/leftover-" + i + ".tmp";
            puts.add(() -> s3.put(DESTINATION, key, content(key, 100)));
        }
        System.out.printf(Locale.ROOT, "Seeding %,d source objects and their destination copies with planted "
                + "differences...%n", objects + 3);
        run(stale, "older destination objects");
        Thread.sleep(1100); // so that the stale destination objects are older than their sources
        run(sources, "source objects");
        run(puts, "destination objects"); // after the sources: changed copies are newer, not stale
        byte[] big = content("multipart", 2 * EmbeddedS3.MIN_PART_SIZE + 4321);
        for (int i = 0; i < 3; i++) {
            String key = "videos/clip-" + i + ".mp4";
            s3.putMultipart(SOURCE, key, big, EmbeddedS3.MIN_PART_SIZE, null);
            if (i == 0) {
                s3.putMultipart(DESTINATION, key, big, EmbeddedS3.MIN_PART_SIZE, null);
            } else {
                seed.unverified++; // copied as one part: same bytes, ETags that cannot be compared
                s3.put(DESTINATION, key, big);
            }
        }
        System.out.println();
        return seed;
    }

    private static void run(List<Runnable> tasks, String what) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        AtomicInteger done = new AtomicInteger();
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (Runnable task : tasks) {
                futures.add(pool.submit(() -> {
                    task.run();
                    int n = done.incrementAndGet();
                    if (n % 250 == 0 || n == tasks.size()) {
                        System.out.printf(Locale.ROOT, "\r  put %,d/%,d %s", n, tasks.size(), what);
                    }
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        System.out.println();
    }

    private static String key(int i) {
        String[] folders = {"photos/2024/", "photos/2025/", "docs/", "r\u00e9sum\u00e9s/", "\u65e5\u672c/", "emoji-\uD83D\uDCF7/"};
        return folders[i % folders.length] + String.format(Locale.ROOT, "item-%05d", i)
                + (i % 7 == 0 ? " (copy).jpg" : ".jpg");
    }

    private static byte[] content(String key, int size) {
        byte[] content = new byte[size];
        byte[] seed = key.getBytes(UTF_8);
        for (int i = 0; i < size; i++) {
            content[i] = (byte) (seed[i % seed.length] + i / seed.length);
        }
        return content;
    }

    /** Prints the run's phases and a progress line that rewrites itself. */
    private static final class ConsoleProgress implements MigrationListener {
        @Override
        public void onStateChanged(StateChanged event) {
            System.out.printf(Locale.ROOT, "%n[%s]", event.to());
        }

        @Override
        public void onProgress(ProgressSnapshot p) {
            System.out.print("\r" + p.describe());
        }
    }
}
