package io.github.s3recon.dashboard.internal;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.github.s3recon.Redact;
import io.github.s3recon.S3ReconException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.services.s3.model.Bucket;

/**
 * The JSON API under {@code /api/}. Every failure is answered as JSON: 4xx naming the field at
 * fault, 404 for an unknown migration or run, 5xx with a message and never a stack trace (that goes
 * to the server's log). Request bodies are never logged: they may hold credentials. Thread-safe.
 */
public final class ApiHandler implements HttpHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
    private static final int MAX_BODY = 1 << 20;

    private final EndpointRegistry endpoints;
    private final Jobs jobs;
    private final RunIndex runs;
    private final Checks checks;

    /**
     * @param endpoints the endpoints
     * @param jobs the migrations
     * @param runs the runs of every known work directory
     * @param checks the checks (validate, estimate, trial) in the background
     */
    public ApiHandler(EndpointRegistry endpoints, Jobs jobs, RunIndex runs, Checks checks) {
        this.endpoints = endpoints;
        this.jobs = jobs;
        this.runs = runs;
        this.checks = checks;
    }

    @Override
    public void handle(HttpExchange x) throws IOException {
        try {
            route(x);
        } catch (ApiException e) {
            Exchanges.error(x, e);
        } catch (S3ReconException e) {
            Exchanges.error(x, fromLibrary(e));
        } catch (RuntimeException e) {
            LOG.error("{} {} failed", x.getRequestMethod(), x.getRequestURI().getPath(), e);
            Exchanges.error(x, new ApiException(500, "INTERNAL", null, "unexpected " + e.getClass().getSimpleName()
                    + "; the server's log has the details"));
        }
    }

    static ApiException fromLibrary(S3ReconException e) {
        int status = switch (e.code()) {
            case INVALID_CONFIGURATION, BUCKET_NOT_FOUND, INVALID_CREDENTIALS -> 400;
            case RESUME_CONFLICT, LOCATIONS_OVERLAP, WORK_DIRECTORY_UNUSABLE, TOO_MANY_DELETES, EMPTY_SOURCE -> 409;
            case ACCESS_DENIED -> 403;
            default -> 502;
        };
        return new ApiException(status, e.code().name(), null, Redact.text(e.getMessage()));
    }

    private void route(HttpExchange x) throws IOException {
        String method = x.getRequestMethod();
        if (method.equals("POST")) {
            // A page of another site can send a form or text/plain POST here without asking first; a JSON
            // content type needs a CORS preflight, which this server never grants. So: JSON only.
            String type = x.getRequestHeaders().getFirst("Content-Type");
            if (type == null || !type.toLowerCase(java.util.Locale.ROOT).startsWith("application/json")) {
                throw new ApiException(415, "UNSUPPORTED_MEDIA_TYPE", "Content-Type", "Content-Type must be "
                        + "application/json for every POST (send {} when there is nothing to say)");
            }
        }
        String[] p = x.getRequestURI().getRawPath().replaceAll("/+$", "").split("/");
        // p[0] is "", p[1] is "api"
        Map<String, String> q = Query.parse(x.getRequestURI().getRawQuery());
        if (p.length < 3) {
            throw ApiException.notFound("no such API path: see the module's README for the endpoints");
        }
        String segment = decode(p[2]);
        switch (segment) {
            case "health" -> Exchanges.json(x, 200, Json.object().put("status", "UP"));
            case "endpoints" -> endpoints(x, method, p);
            case "migrations" -> migrations(x, method, p);
            case "runs" -> runs(x, method, p, q);
            case "checks" -> {
                requireMethod(method, "GET");
                if (p.length != 4) {
                    throw ApiException.notFound("a check is GET /api/checks/{id}");
                }
                Exchanges.json(x, 200, checks.get(decode(p[3])));
            }
            case "stats" -> {
                requireMethod(method, "GET");
                Exchanges.json(x, 200, runs.stats());
            }
            default -> throw ApiException.notFound("no such API path /api/" + segment);
        }
    }

    private static String decode(String s) {
        return java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void requireMethod(String method, String expected) {
        if (!method.equals(expected)) {
            throw new ApiException(405, "METHOD_NOT_ALLOWED", null, "use " + expected + " here, not " + method);
        }
    }

    private static ObjectNode body(HttpExchange x) throws IOException {
        byte[] body = x.getRequestBody().readNBytes(MAX_BODY + 1);
        if (body.length > MAX_BODY) {
            throw new ApiException(413, "TOO_LARGE", null, "the request body is over 1 MiB");
        }
        return Json.body(body);
    }

    // ---- endpoints

    private void endpoints(HttpExchange x, String method, String[] p) throws IOException {
        if (p.length == 3) {
            if (method.equals("GET")) {
                ArrayNode a = Json.array();
                endpoints.all().forEach(e -> a.add(endpointJson(e)));
                Exchanges.json(x, 200, a);
                return;
            }
            requireMethod(method, "POST");
            ObjectNode b = body(x);
            String name = Json.text(b, "name", "name", true);
            for (MigrationJob j : jobs.all()) {
                // replacing an endpoint closes its client: never under a running migration
                if (j.current() != null && (name.equals(j.spec().source().endpoint())
                        || name.equals(j.spec().destination().endpoint()))) {
                    throw new ApiException(409, "BUSY", "name", "name: endpoint \"" + name + "\" is used by running "
                            + "migration " + j.id() + "; cancel it or wait before replacing the endpoint");
                }
            }
            String region = Json.text(b, "region", "region", false);
            EndpointRegistry.Endpoint e = endpoints.add(name, Json.text(b, "url", "url", false),
                    region == null ? "us-east-1" : region, Json.text(b, "accessKeyId", "accessKeyId", false),
                    Json.text(b, "secretAccessKey", "secretAccessKey", false));
            Exchanges.json(x, 201, endpointJson(e));
            return;
        }
        String name = decode(p[3]);
        if (!endpoints.has(name)) {
            throw ApiException.notFound("there is no endpoint \"" + name + "\"");
        }
        EndpointRegistry.Endpoint e = endpoints.get(name, "name");
        String action = p.length > 4 ? p[4] : "";
        switch (action) {
            case "" -> {
                requireMethod(method, "GET");
                Exchanges.json(x, 200, endpointJson(e));
            }
            case "buckets", "test" -> {
                if (action.equals("test")) {
                    requireMethod(method, "POST");
                } else {
                    requireMethod(method, "GET");
                }
                long started = System.nanoTime();
                List<Bucket> buckets = listBuckets(e);
                ObjectNode n = Json.object();
                n.put("endpoint", e.name());
                n.put("ok", true);
                n.put("millis", (System.nanoTime() - started) / 1_000_000);
                ArrayNode a = n.putArray("buckets");
                buckets.forEach(bk -> a.add(bk.name()));
                Exchanges.json(x, 200, n);
            }
            default -> throw ApiException.notFound("no such API path for an endpoint: " + action);
        }
    }

    private static List<Bucket> listBuckets(EndpointRegistry.Endpoint e) {
        try {
            return e.client().listBuckets().get(30, TimeUnit.SECONDS).buckets();
        } catch (ExecutionException ex) {
            Throwable c = ex.getCause() == null ? ex : ex.getCause();
            throw new ApiException(502, "ENDPOINT_FAILED", null, "endpoint " + e.name() + " did not list its buckets: "
                    + Redact.serverMessage(String.valueOf(c.getMessage())));
        } catch (TimeoutException ex) {
            throw new ApiException(504, "TIMED_OUT", null, "endpoint " + e.name() + " did not answer in 30 s");
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new ApiException(503, "INTERRUPTED", null, "interrupted");
        }
    }

    private static ObjectNode endpointJson(EndpointRegistry.Endpoint e) {
        // Deliberately no credential fields: only whether they were given.
        ObjectNode n = Json.object();
        n.put("name", e.name());
        n.put("url", e.url());
        n.put("region", e.region());
        n.put("credentials", e.credentials());
        return n;
    }

    // ---- migrations

    private void migrations(HttpExchange x, String method, String[] p) throws IOException {
        if (p.length == 3) {
            if (method.equals("GET")) {
                ArrayNode a = Json.array();
                jobs.all().forEach(j -> a.add(j.toJson(null)));
                Exchanges.json(x, 200, a);
                return;
            }
            requireMethod(method, "POST");
            MigrationSpec spec = MigrationSpec.parse(body(x), endpoints);
            MigrationJob job = jobs.create(spec);
            Exchanges.json(x, 201, job.toJson(null));
            return;
        }
        MigrationJob job = jobs.get(decode(p[3]));
        String action = p.length > 4 ? p[4] : "";
        if (action.isEmpty()) {
            requireMethod(method, "GET");
            Exchanges.json(x, 200, job.toJson(null));
            return;
        }
        requireMethod(method, "POST");
        ObjectNode b = body(x);
        switch (action) {
            // Each takes from a second to minutes on a large bucket: started here, polled at /api/checks/{id}.
            case "validate" -> check(x, job, Checks.Kind.VALIDATE, null);
            case "estimate" -> check(x, job, Checks.Kind.ESTIMATE, Json.integer(b, "sample", "sample", 1, Long.MAX_VALUE));
            case "trial" -> {
                // Migration.trial: n real objects under the trial prefix, verified and deleted; nothing else written.
                Long n = Json.integer(b, "n", "n", 1, 1000);
                check(x, job, Checks.Kind.TRIAL, n == null ? 10L : n);
            }
            case "plan" -> accepted(x, job, MigrationJob.Action.PLAN, false);
            case "reconcile" -> accepted(x, job, MigrationJob.Action.RECONCILE, false);
            case "start" -> accepted(x, job, MigrationJob.Action.RUN, Json.bool(b, "newRun", "newRun", false));
            case "resume" -> accepted(x, job, MigrationJob.Action.RUN, false);
            case "cancel" -> {
                jobs.cancel(job);
                Exchanges.json(x, 202, job.toJson(null));
            }
            default -> throw ApiException.notFound("no such action for a migration: " + action
                    + " (validate, estimate, trial, plan, reconcile, start, resume, cancel)");
        }
    }

    private void check(HttpExchange x, MigrationJob job, Checks.Kind kind, Long sample) throws IOException {
        ObjectNode c = checks.start(job, kind, sample);
        x.getResponseHeaders().set("Location", "/api/checks/" + c.path("id").asText());
        Exchanges.json(x, 202, c);
    }

    private void accepted(HttpExchange x, MigrationJob job, MigrationJob.Action action, boolean newRun)
            throws IOException {
        jobs.start(job, action, newRun);
        Exchanges.json(x, 202, job.toJson(null));
    }

    // ---- runs

    private void runs(HttpExchange x, String method, String[] p, Map<String, String> q) throws IOException {
        requireMethod(method, "GET");
        if (p.length == 3) {
            Exchanges.json(x, 200, runs.page(q));
            return;
        }
        RunIndex.Run run = runs.find(decode(p[3]));
        String what = p.length > 4 ? p[4] : "";
        switch (what) {
            case "" -> {
                ObjectNode n = RunIndex.row(run);
                n.set("summary", run.summary());
                n.set("configuration", Json.parse(run.record().configuration()));
                if (run.migration() != null) {
                    n.set("migrationSpec", jobs.get(run.migration()).spec().toJson());
                }
                Map<String, Long> tasks = new LinkedHashMap<>();
                try (var h = io.github.s3recon.MigrationHistory.open(run.workDirectory())) {
                    h.taskCounts(run.record().runId()).forEach((k, v) -> tasks.put(k.name(), v));
                }
                ObjectNode t = n.putObject("tasks");
                tasks.forEach(t::put);
                Exchanges.json(x, 200, n);
            }
            case "log" -> Exchanges.json(x, 200, RunFiles.log(run, q));
            case "log.txt" -> Exchanges.text(x, "text/plain; charset=utf-8", run.record().runId() + ".log",
                    RunFiles.logText(run, q));
            case "differences" -> Exchanges.json(x, 200, RunFiles.differences(run, q));
            case "fixplan.jsonl", "fixplan.sh" -> {
                String format = what.substring(what.indexOf('.') + 1);
                Path temp = Files.createTempFile("s3recon-fixplan", ".sh");
                try {
                    Path file = RunFiles.fixPlan(run, format, temp);
                    Exchanges.file(x, format.equals("sh") ? "text/x-shellscript; charset=utf-8"
                            : "application/x-ndjson; charset=utf-8", run.record().runId() + "-fix." + format, file);
                } finally {
                    Files.deleteIfExists(temp);
                }
            }
            default -> throw ApiException.notFound("no such API path for a run: " + what);
        }
    }
}
