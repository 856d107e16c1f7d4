package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.FixPlan;
import io.github.s3recon.Migration;
import io.github.s3recon.MigrationState;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.dashboard.MigrationMetrics;
import io.github.s3recon.event.MigrationListener;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The migrations the dashboard manages, each in its own work directory under a root. A job's spec
 * is kept as {@code dashboard-migration.json} in its work directory (endpoint names, buckets and
 * options: no secret), so the jobs come back when the dashboard starts again. Actions run on a
 * thread of their own per job. Thread-safe.
 */
public final class Jobs implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Jobs.class);
    static final String SPEC_FILE = "dashboard-migration.json";

    private final Path root;
    private final EndpointRegistry endpoints;
    private final EventHub hub;
    private final MeterRegistry meters;
    private final Clock clock;
    private final Map<String, MigrationJob> jobs = new LinkedHashMap<>();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3recon-dashboard-migration");
        t.setDaemon(true);
        return t;
    });
    private final SecureRandom random = new SecureRandom();

    /**
     * @param root the directory that holds the jobs' work directories (created if needed)
     * @param endpoints the endpoints
     * @param hub where events go
     * @param meters where metrics go
     * @param clock the clock
     */
    public Jobs(Path root, EndpointRegistry endpoints, EventHub hub, MeterRegistry meters, Clock clock) {
        this.root = root;
        this.endpoints = endpoints;
        this.hub = hub;
        this.meters = meters;
        this.clock = clock;
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new S3ReconException(ErrorCode.WORK_DIRECTORY_UNUSABLE, "cannot create the dashboard's work root "
                    + root.toAbsolutePath() + ": " + e + " (choose another with Dashboard.builder().workRoot(...))", e);
        }
        reload();
    }

    /** Brings back the jobs of an earlier start from their spec files. */
    private void reload() {
        try (Stream<Path> dirs = Files.list(root)) {
            for (Path dir : dirs.sorted().toList()) {
                Path specFile = dir.resolve(SPEC_FILE);
                if (!Files.isRegularFile(specFile)) {
                    continue;
                }
                try {
                    ObjectNode body = (ObjectNode) Json.MAPPER.readTree(specFile.toFile());
                    MigrationSpec spec = MigrationSpec.parse(body, null);
                    String id = dir.getFileName().toString();
                    jobs.put(id, new MigrationJob(id, spec, dir, Files.getLastModifiedTime(specFile).toInstant(),
                            new MigrationMetrics(meters, id)));
                } catch (IOException | RuntimeException e) {
                    LOG.warn("skipping {}: its {} cannot be read ({})", dir, SPEC_FILE, Redact.text(e.toString()));
                }
            }
        } catch (IOException e) {
            LOG.warn("cannot list the dashboard's work root {}: {}", root, e.toString());
        }
    }

    /**
     * Creates a job and its work directory.
     *
     * @param spec what to migrate
     * @return the job
     */
    public MigrationJob create(MigrationSpec spec) {
        String id = "m-" + HexFormat.of().formatHex(bytes());
        Path dir = root.resolve(id);
        try {
            Files.createDirectories(dir);
            Json.MAPPER.writerWithDefaultPrettyPrinter().writeValue(dir.resolve(SPEC_FILE).toFile(), spec.toJson());
        } catch (IOException e) {
            throw new ApiException(500, "WORK_DIRECTORY_UNUSABLE", null, "cannot create the work directory " + dir
                    + ": " + e.getMessage());
        }
        MigrationJob job = new MigrationJob(id, spec, dir, clock.instant(), new MigrationMetrics(meters, id));
        synchronized (this) {
            jobs.put(id, job);
        }
        return job;
    }

    private byte[] bytes() {
        byte[] b = new byte[5];
        random.nextBytes(b);
        return b;
    }

    /** @param id a job id @return the job @throws ApiException 404 if there is none */
    public synchronized MigrationJob get(String id) {
        MigrationJob job = jobs.get(id);
        if (job == null) {
            throw ApiException.notFound("there is no migration \"" + id + "\"");
        }
        return job;
    }

    /** @return every job, oldest first */
    public synchronized List<MigrationJob> all() {
        return new ArrayList<>(jobs.values());
    }

    /** @return the root of the jobs' work directories */
    public Path root() {
        return root;
    }

    /**
     * The listeners of a job's migrations: its tracker, the event stream and its metrics.
     *
     * @param job the job
     * @return the listeners
     */
    List<MigrationListener> listeners(MigrationJob job) {
        return List.of(job.tracker(), hubListener(hub, job.id()), job.metrics());
    }

    /**
     * Builds a migration for a job, for an action done in the request's thread (validate, estimate).
     *
     * @param job the job
     * @return a migration; the caller closes it
     */
    public Migration build(MigrationJob job) {
        if (job.current() != null || job.checking()) {
            throw new ApiException(409, "BUSY", null, "migration " + job.id() + " is busy (a run or a check): wait for it or cancel it");
        }
        return job.spec().build(endpoints, job.workDirectory(), List.of(), false, null);
    }

    /**
     * Starts an action in the background.
     *
     * @param job the job
     * @param action what to do
     * @param newRun whether to abandon an unfinished run instead of resuming it
     * @throws ApiException 409 if the job is busy, 4xx if the migration cannot be built
     */
    public void start(MigrationJob job, MigrationJob.Action action, boolean newRun) {
        if (job.current() != null || job.checking()) {
            throw new ApiException(409, "BUSY", null, "migration " + job.id() + " is busy (a run or a check): wait for it or cancel it");
        }
        Migration m = job.spec().build(endpoints, job.workDirectory(), listeners(job), newRun, job.metrics());
        if (!job.begin(action, m, clock.instant())) {
            m.close();
            throw new ApiException(409, "BUSY", null, "migration " + job.id() + " is busy (a run or a check): wait for it or cancel it");
        }
        executor.execute(() -> execute(job, action, m));
    }

    private void execute(MigrationJob job, MigrationJob.Action action, Migration m) {
        MigrationState state = null;
        String code = null;
        String message = null;
        FixPlan plan = null;
        try (m) {
            switch (action) {
                case RUN -> state = m.run().state();
                case RECONCILE -> state = m.reconcile().state();
                case PLAN -> {
                    plan = m.plan();
                    state = MigrationState.COMPLETED;
                }
                default -> throw new IllegalStateException("unknown action " + action);
            }
        } catch (S3ReconException e) {
            code = e.code().name();
            message = Redact.text(e.getMessage());
            state = e.code() == ErrorCode.CANCELLED ? MigrationState.CANCELLED : MigrationState.FAILED;
        } catch (RuntimeException e) {
            LOG.error("migration {} failed unexpectedly", job.id(), e);
            code = "INTERNAL";
            message = "unexpected " + e.getClass().getSimpleName() + "; see the server's log";
            state = MigrationState.FAILED;
        } finally {
            job.end(state, code, message, plan);
        }
    }

    /**
     * Asks a job's running migration to stop; it stops gracefully and can be resumed.
     *
     * @param job the job
     * @throws ApiException 409 if it is not running
     */
    public void cancel(MigrationJob job) {
        Migration m = job.current();
        if (m == null) {
            throw new ApiException(409, "NOT_RUNNING", null, "migration " + job.id() + " is not running");
        }
        m.cancel();
    }

    /**
     * A listener that sends a migration's events to the event stream.
     *
     * @param hub the hub
     * @param migration the migration's id in the stream
     * @return the listener
     */
    public static MigrationListener hubListener(EventHub hub, String migration) {
        return new HubListener(hub, migration);
    }

    /** Waits for running actions to end, a few seconds at most (they are cancelled first). */
    @Override
    public void close() {
        for (MigrationJob job : all()) {
            Migration m = job.current();
            if (m != null) {
                m.cancel();
            }
        }
        executor.shutdown();
        try {
            executor.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
