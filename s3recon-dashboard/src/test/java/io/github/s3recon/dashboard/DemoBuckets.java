package io.github.s3recon.dashboard;

import io.github.s3recon.testkit.EmbeddedS3;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Seeds a pair of demo buckets on an embedded S3 server: a source of {@code objects} objects (photos,
 * logs, a few larger videos) and a destination that already has most of them, with one of each kind
 * of difference planted, so that a migration has something to copy and the reconciliation view
 * something to show.
 */
final class DemoBuckets {

    private DemoBuckets() {
    }

    /**
     * @param s3 the server
     * @param source the source bucket (created)
     * @param destination the destination bucket (created)
     * @param objects how many source objects
     * @param size the size of a typical object in bytes
     * @throws Exception if seeding fails
     */
    static void seed(EmbeddedS3 s3, String source, String destination, int objects, int size) throws Exception {
        long started = System.nanoTime();
        s3.createBucket(source);
        s3.createBucket(destination);
        Random random = new Random(7);
        List<Runnable> puts = new ArrayList<>();
        for (int i = 0; i < objects; i++) {
            String key = (i % 3 == 0 ? "photos/2026/img-" : i % 3 == 1 ? "logs/app-" : "docs/report-")
                    + String.format("%05d", i) + (i % 3 == 0 ? ".jpg" : i % 3 == 1 ? ".log" : ".pdf");
            byte[] content = content(key, size / 2 + random.nextInt(size));
            puts.add(() -> s3.put(source, key, content));
            int kind = i % 10;
            if (kind < 4) {
                puts.add(() -> s3.put(destination, key, content)); // already migrated
            } else if (kind == 4 && i % 20 == 4) {
                byte[] changed = content.clone();
                changed[changed.length / 2] ^= 1;
                puts.add(() -> s3.put(destination, key, changed)); // content differs
            } else if (kind == 5 && i % 20 == 5) {
                puts.add(() -> s3.put(destination, key, content(key, content.length + 7))); // size differs
            }
        }
        for (int i = 0; i < 5; i++) {
            String key = "tmp/leftover-" + i + ".tmp";
            puts.add(() -> s3.put(destination, key, content(key, 100))); // extra in the destination
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> done = new ArrayList<>();
            puts.forEach(p -> done.add(pool.submit(p)));
            for (Future<?> f : done) {
                f.get();
            }
        } finally {
            pool.shutdown();
        }
        System.out.printf("seeded %s and %s: %d objects in %d ms%n", source, destination, puts.size(),
                (System.nanoTime() - started) / 1_000_000);
    }

    static byte[] content(String key, int size) {
        byte[] b = new byte[size];
        byte[] seed = key.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (seed[i % seed.length] + i * 31);
        }
        return b;
    }
}
