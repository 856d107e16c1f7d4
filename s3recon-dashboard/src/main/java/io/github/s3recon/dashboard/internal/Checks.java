package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.github.s3recon.Estimate;
import io.github.s3recon.Migration;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.TrialReport;
import io.github.s3recon.ValidationReport;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The checks a migration runs before it copies ({@code validate()}, {@code estimate()},
 * {@code trial(n)}) as background tasks: each takes from a second to minutes on a large or far
 * bucket, so a request only starts one (202 and the check's id) and {@code GET /api/checks/{id}}
 * tells how it ended. A migration runs one check or one action at a time. The last
 * {@value #KEPT} checks are kept. Thread-safe.
 */
public final class Checks implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(Checks.class);
    static final int KEPT = 500;

    /** What a check is. */
    public enum Kind {
        /** {@code Migration.validate()}. */
        VALIDATE,
        /** {@code Migration.estimate()} or {@code estimate(sample)}. */
        ESTIMATE,
        /** {@code Migration.trial(n)}. */
        TRIAL
    }

    /** One check; its outcome fields are set once, when it ends. */
    static final class Check {
        final String id;
        final String migration;
        final Kind kind;
        final Instant startedAt;
        private Instant endedAt;
        private ObjectNode result;
        private ApiException error;

        Check(String id, String migration, Kind kind, Instant startedAt) {
            this.id = id;
            this.migration = migration;
            this.kind = kind;
            this.startedAt = startedAt;
        }

        synchronized ObjectNode toJson() {
            ObjectNode n = Json.object();
            n.put("id", id).put("migration", migration).put("kind", kind.name())
                    .put("status", endedAt == null ? "RUNNING" : error == null ? "DONE" : "FAILED")
                    .put("startedAt", startedAt.toString())
                    .put("endedAt", endedAt == null ? null : endedAt.toString())
                    .put("millis", endedAt == null ? null : Duration.between(startedAt, endedAt).toMillis());
            n.set("result", result);
            if (error != null) {
                n.putObject("error").put("status", error.status()).put("code", error.code())
                        .put("field", error.field()).put("message", error.getMessage());
            }
            return n;
        }

        synchronized void end(Instant at, ObjectNode result, ApiException error) {
            this.endedAt = at;
            this.result = result;
            this.error = error;
        }
    }

    private final Jobs jobs;
    private final Clock clock;
    private final Map<String, Check> checks = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();
    private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "s3recon-dashboard-check");
        t.setDaemon(true);
        return t;
    });

    /**
     * @param jobs the migrations
     * @param clock the clock
     */
    public Checks(Jobs jobs, Clock clock) {
        this.jobs = jobs;
        this.clock = clock;
    }

    /**
     * Starts a check of a migration in the background. The migration is built here, so that what
     * is wrong with its settings (an endpoint missing since a restart...) is answered at once.
     *
     * @param job the migration
     * @param kind what to check
     * @param sample for an estimate, how many objects to sample (null for the full listing); for a
     *     trial, how many objects to copy
     * @return the check, running
     * @throws ApiException 409 if the migration runs something already, 4xx if it cannot be built
     */
    ObjectNode start(MigrationJob job, Kind kind, Long sample) {
        Migration m = jobs.build(job);
        Check check = new Check("c-" + HexFormat.of().formatHex(id()), job.id(), kind, clock.instant());
        if (!job.beginCheck(check.id)) {
            m.close();
            throw new ApiException(409, "BUSY", null, "migration " + job.id() + " is running something: wait for it"
                    + " or cancel it");
        }
        synchronized (this) {
            checks.put(check.id, check);
            for (Iterator<Check> it = checks.values().iterator(); checks.size() > KEPT && it.hasNext();) {
                it.next();
                it.remove();
            }
        }
        Function<Migration, ObjectNode> body = switch (kind) {
            case VALIDATE -> x -> validation(x.validate());
            case ESTIMATE -> x -> estimate(sample == null ? x.estimate() : x.estimate(sample));
            case TRIAL -> x -> trial(x.trial(sample == null ? 10 : sample.intValue()));
        };
        executor.execute(() -> run(job, check, m, body));
        return check.toJson();
    }

    private void run(MigrationJob job, Check check, Migration m, Function<Migration, ObjectNode> body) {
        ObjectNode result = null;
        ApiException error = null;
        try (m) {
            result = body.apply(m);
        } catch (ApiException e) {
            error = e;
        } catch (S3ReconException e) {
            error = ApiHandler.fromLibrary(e);
        } catch (RuntimeException e) {
            LOG.error("{} of migration {} failed unexpectedly", check.kind, job.id(), e);
            error = new ApiException(500, "INTERNAL", null, "unexpected " + e.getClass().getSimpleName()
                    + "; the server's log has the details");
        } finally {
            check.end(clock.instant(), result, error);
            job.endCheck(check.id);
        }
    }

    /**
     * @param id a check's id
     * @return the check as JSON
     * @throws ApiException 404 if there is none (or it is older than the last {@value #KEPT})
     */
    synchronized ObjectNode get(String id) {
        Check c = checks.get(id);
        if (c == null) {
            throw ApiException.notFound("there is no check \"" + id + "\" (the last " + KEPT + " are kept)");
        }
        return c.toJson();
    }

    private byte[] id() {
        byte[] b = new byte[6];
        random.nextBytes(b);
        return b;
    }

    /** A trial's report as JSON: counts, rate, failures (key and reason, no secret). */
    private static ObjectNode trial(TrialReport r) {
        ObjectNode n = Json.object();
        n.put("passed", r.passed()).put("source", r.source()).put("prefix", r.prefix()).put("objects", r.objects())
                .put("copied", r.copied()).put("verified", r.verified()).put("bytes", r.bytes())
                .put("elapsedMillis", r.elapsed().toMillis()).put("objectsPerSecond", r.objectsPerSecond())
                .put("bytesPerSecond", r.bytesPerSecond()).put("leftBehind", r.leftBehind());
        ArrayNode failures = n.putArray("failures");
        r.failures().forEach(f -> failures.add(Redact.text(f)));
        return n;
    }

    private static ObjectNode validation(ValidationReport r) {
        ObjectNode n = Json.object();
        n.put("passed", r.passed());
        n.put("source", r.source());
        n.put("destination", r.destination());
        ArrayNode checks = n.putArray("checks");
        for (ValidationReport.Check c : r.checks()) {
            checks.addObject().put("name", c.name()).put("status", c.status().name())
                    .put("detail", Redact.text(String.valueOf(c.detail())))
                    .put("hint", c.hint() == null ? null : Redact.text(c.hint()));
        }
        n.put("describe", Redact.text(r.describe()));
        return n;
    }

    private static ObjectNode estimate(Estimate e) {
        ObjectNode n = Json.object();
        n.put("source", e.source());
        n.put("objects", e.objects());
        n.put("bytes", e.bytes());
        n.put("exact", e.isExact());
        n.put("smallObjects", e.objects(Estimate.SMALL));
        n.put("largeObjects", e.objects(Estimate.LARGE));
        n.put("describe", e.describe());
        return n;
    }

    /** Stops waiting for checks; a check in progress ends with its migration's close. */
    @Override
    public void close() {
        executor.shutdownNow();
        try {
            executor.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
