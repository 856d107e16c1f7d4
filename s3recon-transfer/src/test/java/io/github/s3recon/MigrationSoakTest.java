package io.github.s3recon;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.s3recon.testkit.EmbeddedS3;
import io.github.s3recon.testkit.FaultInjectingProxy;
import io.github.s3recon.testkit.FaultInjectingProxy.Fault;
import io.github.s3recon.testkit.FaultInjectingProxy.Operation;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * The soak test of issue 11: a migration of a couple of thousand objects (three of them multipart)
 * with deleteExtraneous on, every request of both sides, listings included, through a proxy that
 * answers about 10% of them with 503 SlowDown and resets 2% of the connections (1% before the
 * response, 1% in the middle of its body), run in a child JVM killed with SIGKILL at 5 to 8 random
 * moments (listing, copying, in multipart uploads, deleting) and resumed on the same work
 * directory until it completes. At the end the destination equals the source byte for byte, the
 * extraneous objects are gone, nothing else is, no multipart upload is left, and an independent
 * reconcile finds no difference.
 *
 * <p>Reproducible choices (data, kill moments, faults as far as the order of concurrent requests
 * allows) come from {@code -Dsoak.seed=N} (default 1). It prints one line
 * {@code SOAK seed=... trials=... kills=... faults(slowdown/reset-before/reset-mid)=... retries=...
 * objects-checked=... seconds=...}. It takes about a minute or two on two cores.
 */
@Tag("soak")
class MigrationSoakTest {

    private static final EmbeddedS3 S3 = EmbeddedS3.shared();
    private static final String PREFIX = "data/";
    private static final int SMALL = 2000;
    /** Indices of the small keys next to which the multipart-sized objects sort, to spread them over the run. */
    private static final int[] LARGE_AT = {300, 900, 1500};
    private static final int[] LARGE_SIZES = {11 << 20, (12 << 20) + 4321, (16 << 20) + 1};
    private static final int EQUAL = 250;
    private static final int DIFFERENT = 200;
    private static final int EXTRA = 300;
    private static final int KEEP = 20;
    /** A bound on the kill-and-resume loop, far above its usual time (on a loaded machine too), so that a hang fails. */
    private static final long BUDGET_SECONDS = 420;

    @TempDir
    Path work;

    private final List<FaultInjectingProxy> proxies = new ArrayList<>();

    private enum Moment { LISTING, COPYING, MULTIPART, DELETING }

    @AfterEach
    void stopProxies() {
        proxies.forEach(FaultInjectingProxy::close);
    }

    @Test
    void aFaultyMigrationKilledAtRandomMomentsEndsWithTheDestinationEqualToTheSource() throws Exception {
        long seed = Long.getLong("soak.seed", 1L);
        long started = System.nanoTime();
        // Scrambled: java.util.Random's first draws from neighbouring seeds (1, 2, 3...) are alike.
        Random random = new Random(new SplittableRandom(seed).nextLong());
        String source = MigrationRunTest.bucket(S3, "soak-src");
        String destination = MigrationRunTest.bucket(S3, "soak-dst");
        Map<String, String> sourceMd5 = new ConcurrentHashMap<>();
        Map<String, String> keptMd5 = new ConcurrentHashMap<>();
        Set<String> extraneous = ConcurrentHashMap.newKeySet();
        seed(seed, source, destination, sourceMd5, keptMd5, extraneous);
        double seedSeconds = (System.nanoTime() - started) / 1e9;

        FaultInjectingProxy sourceProxy = faulty(seed);
        FaultInjectingProxy destinationProxy = faulty(seed + 1);
        Path workDirectory = work.resolve("run");

        List<Moment> plan = killPlan(random);
        String what = "seed " + seed + " (rerun with -Dsoak.seed=" + seed + "), kill plan " + plan;
        long copied = 0;
        long deleted = 0;
        long retries = 0;
        long sdkRetries = 0;
        int trials = 0;
        int kills = 0;
        int failedRuns = 0;
        List<String> killedAt = new ArrayList<>();
        boolean completed = false;
        while (!completed) {
            assertThat(trials).as(what + ": trials so far, killed at " + killedAt).isLessThan(plan.size() + 6);
            assertThat(System.nanoTime() - started).as(what + ": nanoseconds spent, killed at " + killedAt)
                    .isLessThan(TimeUnit.SECONDS.toNanos(BUDGET_SECONDS));
            trials++;
            Child child = Child.start(sourceProxy, source, destinationProxy, destination, workDirectory, trials);
            boolean killed = false;
            if (kills < plan.size()) {
                Moment moment = plan.get(kills);
                long partsBefore = partsForwarded(destinationProxy, destination);
                // How far into its work this child goes before the kill, by the moment's measure.
                int into = switch (moment) {
                    case COPYING -> 20 + random.nextInt(250);
                    case DELETING -> 1 + random.nextInt(60);
                    default -> 0;
                };
                BooleanSupplier due = switch (moment) {
                    case LISTING -> () -> child.has("STATE LISTING") || child.has("STATE TRANSFERRING");
                    case COPYING -> () -> child.count("COPIED ") >= into;
                    // Where the work of this kind is all done already, the kill falls among copies.
                    case MULTIPART -> () -> partsForwarded(destinationProxy, destination) > partsBefore
                            || largeCompleted(destinationProxy, destination) && child.count("COPIED ") >= 10;
                    case DELETING -> () -> child.count("DELETED ") >= into || child.count("COPIED ") >= 100;
                };
                int pauseMillis = random.nextInt(moment == Moment.LISTING ? 400 : 150);
                if (child.await(due, 120)) {
                    Thread.sleep(pauseMillis);
                    killed = child.kill();
                }
                if (killed) {
                    kills++;
                    killedAt.add(moment + "@" + child.count("COPIED ") + "c/" + child.count("DELETED ") + "d");
                }
            }
            if (!killed) {
                assertThat(child.process.waitFor(120, TimeUnit.SECONDS)).as(what + ": run " + trials + " ended").isTrue();
                child.drained();
                completed = child.has("FINISHED COMPLETED") && child.process.exitValue() == 0;
                if (!completed) {
                    // A run may end FAILED when faults outlast its retries (a listing, say): it is resumed.
                    failedRuns++;
                    System.out.println("MigrationSoakTest " + what + ": run " + trials + " ended without completing: "
                            + child.tail() + "; standard error " + child.errorTail());
                }
            }
            System.out.printf("SOAK trial %d: %s after %.1f s, %d copied, %d deleted, %d+%d retries, states %s%n", trials,
                    killed ? "killed at " + killedAt.get(killedAt.size() - 1) : "ended", child.seconds(),
                    child.count("COPIED "), child.count("DELETED "), child.count("RETRY "), child.count("SDKRETRY"),
                    child.states);
            copied += child.count("COPIED ");
            deleted += child.count("DELETED ");
            retries += child.count("RETRY ");
            sdkRetries += child.count("SDKRETRY");
        }
        // A run can complete before the last planned kill (when earlier kills went far): 5 at least.
        assertThat(kills).as(what + ": kills made, at " + killedAt).isGreaterThanOrEqualTo(5);
        for (FaultInjectingProxy proxy : proxies) {
            proxy.clearFaults();
        }

        long checked = assertDestinationEqualsSource(source, destination, sourceMd5, keptMd5, extraneous, what);
        for (String key : sourceMd5.keySet()) {
            assertThat(destinationProxy.forwardedCount(Operation.DELETE_OBJECT, destination, key))
                    .as(what + ": single deletes of " + key + ", which the source has").isZero();
        }
        // A reset of a CreateMultipartUpload response leaves an upload the run never learns of; only a
        // sweep of the destination's uploads removes it.
        assertThat(S3.client().listMultipartUploads(b -> b.bucket(destination)).uploads())
                .as(what + ": multipart uploads left on the destination (" + creates(destinationProxy, destination)
                        + " CreateMultipartUpload forwarded), killed at " + killedAt).isEmpty();
        try (Migration check = Migration.builder().source(S3Location.of(S3.asyncClient(), source, PREFIX))
                .destination(S3Location.of(S3.asyncClient(), destination, PREFIX))
                .workDirectory(work.resolve("check")).build()) {
            MigrationResult r = check.reconcile();
            assertThat(r.report().counts().differences()).as(what + ": differences found by a fresh reconcile")
                    .isZero();
            assertThat(r.report().counts().matched()).isEqualTo(sourceMd5.size());
        }

        long slowDowns = count(Fault.Kind.SLOW_DOWN);
        long resetsBefore = count(Fault.Kind.RESET_BEFORE_RESPONSE);
        long resetsMid = count(Fault.Kind.RESET_MID_BODY);
        assertThat(slowDowns).as("503 SlowDown answers injected").isPositive();
        assertThat(resetsBefore + resetsMid).as("connection resets injected").isPositive();
        System.out.printf("SOAK seed=%d trials=%d kills=%d faults(slowdown/reset-before/reset-mid)=%d/%d/%d "
                        + "retries=%d objects-checked=%d seconds=%.1f%n", seed, trials, kills, slowDowns, resetsBefore,
                resetsMid, retries + sdkRetries, checked, (System.nanoTime() - started) / 1e9);
        System.out.printf("SOAK details: engine retries %d, SDK retries %d, runs that ended without completing %d, "
                        + "requests %d, CreateMultipartUpload forwarded %d, killed at %s, copied events %d, "
                        + "deleted events %d, seeding %.1f s%n", retries, sdkRetries, failedRuns,
                proxies.stream().mapToLong(FaultInjectingProxy::requestCount).sum(), creates(destinationProxy,
                        destination), killedAt, copied, deleted, seedSeconds);
    }

    /** 5 to 8 kills: one in listing, one in a multipart upload, one in deletions, the others while copying. */
    private static List<Moment> killPlan(Random random) {
        List<Moment> plan = new ArrayList<>(List.of(Moment.LISTING, Moment.MULTIPART, Moment.DELETING));
        int kills = 5 + random.nextInt(4);
        while (plan.size() < kills) {
            plan.add(Moment.COPYING);
        }
        java.util.Collections.shuffle(plan, random);
        // The first run lists both sides (a resumed one reads its plan): the listing kill goes first.
        plan.remove(Moment.LISTING);
        plan.add(0, Moment.LISTING);
        return plan;
    }

    private FaultInjectingProxy faulty(long seed) {
        FaultInjectingProxy proxy = FaultInjectingProxy.start(S3.endpoint()).seed(seed)
                .inject(Fault.slowDown(0.10))
                .inject(Fault.resetBeforeResponse(0.01))
                .inject(Fault.resetMidBody(0.01));
        proxies.add(proxy);
        return proxy;
    }

    private long count(Fault.Kind kind) {
        return proxies.stream().mapToLong(p -> p.injectedCount(kind)).sum();
    }

    private static long partsForwarded(FaultInjectingProxy proxy, String destination) {
        long parts = 0;
        for (int i = 0; i < LARGE_AT.length; i++) {
            parts += proxy.forwardedCount(Operation.UPLOAD_PART, destination, largeKey(i));
        }
        return parts;
    }

    private static long creates(FaultInjectingProxy proxy, String destination) {
        long creates = 0;
        for (int i = 0; i < LARGE_AT.length; i++) {
            creates += proxy.forwardedCount(Operation.CREATE_MULTIPART_UPLOAD, destination, largeKey(i));
        }
        return creates;
    }

    private static boolean largeCompleted(FaultInjectingProxy proxy, String destination) {
        Map<String, Long> writes = proxy.completedObjectWrites(destination);
        for (int i = 0; i < LARGE_AT.length; i++) {
            if (writes.getOrDefault(largeKey(i), 0L) == 0) {
                return false;
            }
        }
        return true;
    }

    private static String smallKey(int i) {
        // Spaces, '+' and non-ASCII letters in some keys: listings and requests must encode them right.
        return String.format(PREFIX + "small/%04d%s.bin", i, i % 7 == 0 ? "-é +x" : "");
    }

    private static String largeKey(int i) {
        return String.format(PREFIX + "small/%04d-large.bin", LARGE_AT[i]);
    }

    private static String extraKey(int i) {
        // Between the source's keys, so that deletions mix with copies throughout the run.
        return String.format(PREFIX + "small/%04d-extra.bin", i * SMALL / EXTRA);
    }

    /**
     * Fills the source with the small and large objects and the destination with some of them equal,
     * some different (same size and other bytes, or another size, one large one shorter), extraneous
     * ones under the prefix, and objects outside the prefix that the run must not touch.
     */
    private static void seed(long seed, String source, String destination, Map<String, String> sourceMd5,
            Map<String, String> keptMd5, Set<String> extraneous) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> puts = new ArrayList<>();
            for (int i = 0; i < SMALL; i++) {
                int n = i;
                puts.add(pool.submit(() -> {
                    Random r = new Random(seed * 1_000_003L + n);
                    byte[] content = new byte[n % 97 == 0 ? 0 : r.nextInt(64 * 1024 + 1)];
                    r.nextBytes(content);
                    put(source, smallKey(n), content, sourceMd5);
                    if (n < EQUAL) {
                        S3.put(destination, smallKey(n), content);
                    } else if (n < EQUAL + DIFFERENT) {
                        byte[] other = n % 2 == 0 && content.length > 0 ? content.clone()
                                : Arrays.copyOf(content, content.length + 1 + r.nextInt(100));
                        other[r.nextInt(other.length)] ^= 0x5a;
                        S3.put(destination, smallKey(n), other);
                    }
                }));
            }
            for (int i = 0; i < LARGE_AT.length; i++) {
                int n = i;
                puts.add(pool.submit(() -> {
                    Random r = new Random(seed * 7919L + n);
                    byte[] content = new byte[LARGE_SIZES[n]];
                    r.nextBytes(content);
                    put(source, largeKey(n), content, sourceMd5);
                    if (n == 0) {
                        S3.put(destination, largeKey(n), Arrays.copyOf(content, content.length - 1));
                    }
                }));
            }
            for (int i = 0; i < EXTRA; i++) {
                int n = i;
                puts.add(pool.submit(() -> {
                    S3.put(destination, extraKey(n), ("extraneous " + n).getBytes(StandardCharsets.UTF_8));
                    extraneous.add(extraKey(n));
                }));
            }
            for (int i = 0; i < KEEP; i++) {
                int n = i;
                puts.add(pool.submit(() -> put(destination, String.format("keep/%02d.bin", n),
                        ("outside the prefix " + n).getBytes(StandardCharsets.UTF_8), keptMd5)));
            }
            for (Future<?> put : puts) {
                put.get();
            }
        } finally {
            pool.shutdownNow();
        }
    }

    private static void put(String bucket, String key, byte[] content, Map<String, String> md5s) {
        S3.put(bucket, key, content);
        md5s.put(key, md5(content));
    }

    /**
     * Checks the destination's keys (exactly the source's under the prefix, and the untouched ones
     * outside it) and reads every object back to compare its MD5 with the source's.
     *
     * @return how many objects were read back and compared
     */
    private static long assertDestinationEqualsSource(String source, String destination, Map<String, String> sourceMd5,
            Map<String, String> keptMd5, Set<String> extraneous, String what) throws Exception {
        Set<String> keys = new TreeSet<>();
        for (S3Object o : S3.client().listObjectsV2Paginator(b -> b.bucket(destination)).contents()) {
            keys.add(o.key());
        }
        Set<String> missing = new TreeSet<>(sourceMd5.keySet());
        missing.removeAll(keys);
        assertThat(missing).as(what + ": source keys missing on the destination").isEmpty();
        Set<String> keptMissing = new TreeSet<>(keptMd5.keySet());
        keptMissing.removeAll(keys);
        assertThat(keptMissing).as(what + ": keys outside the prefix deleted").isEmpty();
        Set<String> left = new TreeSet<>(keys);
        left.removeAll(sourceMd5.keySet());
        left.removeAll(keptMd5.keySet());
        assertThat(left).as(what + ": keys on the destination the source does not have").isEmpty();
        assertThat(extraneous).hasSize(EXTRA).doesNotContainAnyElementsOf(keys);

        Map<String, String> expected = new TreeMap<>(sourceMd5);
        expected.putAll(keptMd5);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        Map<String, String> wrong = new ConcurrentHashMap<>();
        try {
            List<Future<?>> reads = new ArrayList<>();
            for (Map.Entry<String, String> e : expected.entrySet()) {
                reads.add(pool.submit(() -> {
                    byte[] read = S3.client().getObjectAsBytes(b -> b.bucket(destination).key(e.getKey()))
                            .asByteArray();
                    String md5 = md5(read);
                    if (!md5.equals(e.getValue())) {
                        wrong.put(e.getKey(), md5 + " instead of " + e.getValue() + " (" + read.length + " bytes)");
                    }
                }));
            }
            for (Future<?> read : reads) {
                read.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(wrong).as(what + ": objects whose bytes differ from the source's").isEmpty();
        return expected.size();
    }

    private static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A child JVM running {@link SoakRunChild}, its output collected line by line. */
    private static final class Child {
        final Process process;
        final List<String> lines = new CopyOnWriteArrayList<>();
        private final Thread reader;
        private final Map<String, Integer> counts = new ConcurrentHashMap<>();
        private final long started = System.nanoTime();
        /** The states with the seconds since the start at which they were printed. */
        final List<String> states = new CopyOnWriteArrayList<>();
        private Path errors;

        private Child(Process process) {
            this.process = process;
            this.reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(),
                        StandardCharsets.UTF_8))) {
                    for (String line = in.readLine(); line != null; line = in.readLine()) {
                        int space = line.indexOf(' ');
                        String kind = space < 0 ? line : line.substring(0, space + 1);
                        counts.merge(kind, 1, Integer::sum);
                        if (kind.equals("STATE ")) {
                            states.add(line.substring(6) + String.format("@%.1f", seconds()));
                        }
                        if (!kind.equals("SDKRETRY") && !kind.equals("RETRY ") && !kind.equals("COPIED ")
                                && !kind.equals("DELETED ")) {
                            lines.add(line);
                        }
                    }
                } catch (IOException e) {
                    // the process was killed
                }
            }, "soak-test-reader");
            reader.setDaemon(true);
            reader.start();
        }

        static Child start(FaultInjectingProxy sourceProxy, String source, FaultInjectingProxy destinationProxy,
                String destination, Path workDirectory, int trial) throws IOException {
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
            ProcessBuilder pb = new ProcessBuilder(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
                    "-Ds3recon.checkpoint.every=50", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp", classPath,
                    SoakRunChild.class.getName(), sourceProxy.endpoint().toString(), source,
                    destinationProxy.endpoint().toString(), destination, PREFIX, workDirectory.toString());
            Files.createDirectories(workDirectory.getParent());
            Path errors = workDirectory.resolveSibling("stderr-" + trial + ".txt");
            pb.redirectError(errors.toFile());
            Child child = new Child(pb.start());
            child.errors = errors;
            return child;
        }

        /** How many lines start with a kind: {@code "COPIED "}, {@code "DELETED "}, {@code "RETRY "}, {@code "SDKRETRY"}. */
        int count(String kind) {
            return counts.getOrDefault(kind, 0);
        }

        boolean has(String line) {
            return lines.contains(line);
        }

        /** Waits until a condition holds; false if the child ended or the time ran out first. */
        boolean await(BooleanSupplier condition, int seconds) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
            while (System.nanoTime() < deadline) {
                if (condition.getAsBoolean()) {
                    return true;
                }
                if (!process.isAlive() && !reader.isAlive()) {
                    return false;
                }
                Thread.sleep(2);
            }
            return false;
        }

        /** Kills the child with SIGKILL; true if it had not finished by then. */
        boolean kill() throws InterruptedException {
            boolean alive = process.isAlive();
            process.destroyForcibly(); // SIGKILL on Unix: no shutdown hook, no flush
            process.waitFor();
            reader.join(5000);
            return alive && lines.stream().noneMatch(l -> l.startsWith("FINISHED"));
        }

        void drained() throws InterruptedException {
            reader.join(5000);
        }

        double seconds() {
            return (System.nanoTime() - started) / 1e9;
        }

        String tail() {
            return lines.subList(Math.max(0, lines.size() - 10), lines.size()).toString();
        }

        String errorTail() {
            try {
                String text = Files.readString(errors);
                return text.length() > 3000 ? text.substring(text.length() - 3000) : text;
            } catch (IOException e) {
                return "(no standard error: " + e + ")";
            }
        }
    }
}
