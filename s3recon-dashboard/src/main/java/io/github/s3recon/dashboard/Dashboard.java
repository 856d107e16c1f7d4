package io.github.s3recon.dashboard;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.s3recon.ErrorCode;
import io.github.s3recon.S3ReconException;
import io.github.s3recon.dashboard.internal.ApiHandler;
import io.github.s3recon.dashboard.internal.Checks;
import io.github.s3recon.dashboard.internal.EndpointRegistry;
import io.github.s3recon.dashboard.internal.EventHub;
import io.github.s3recon.dashboard.internal.Jobs;
import io.github.s3recon.dashboard.internal.RunIndex;
import io.github.s3recon.dashboard.internal.SseHandler;
import io.github.s3recon.dashboard.internal.StaticHandler;
import io.github.s3recon.event.MigrationListener;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import software.amazon.awssdk.services.s3.S3AsyncClient;

/**
 * A web dashboard and JSON API for migrations, embedded in any JVM: it serves on the JDK's own
 * {@code com.sun.net.httpserver.HttpServer}, so it brings no web framework that could clash with
 * the host's.
 *
 * <pre>{@code
 * try (Dashboard dashboard = Dashboard.builder()
 *         .port(8080)                                   // 127.0.0.1 only, unless bindAddress(...) says otherwise
 *         .token(System.getenv("S3RECON_DASHBOARD_TOKEN"))
 *         .workRoot(Path.of("/var/lib/s3recon/dashboard"))
 *         .endpoint("aws", myS3AsyncClient, "AWS eu-west-1")
 *         .start()) {
 *     System.out.println("dashboard at " + dashboard.uri());
 *     ...
 * }
 * }</pre>
 *
 * <p>It serves {@code /} (the page), {@code /api/...} (the JSON API; see the module's README),
 * {@code /api/events} (Server-Sent Events, the {@link EventJson} form of every event) and
 * {@code /metrics} (Prometheus). With a token, every path but the page needs it, as
 * {@code Authorization: Bearer <token>}, a {@code token} query parameter (for {@code EventSource},
 * which cannot send headers) or the {@code s3recon_token} cookie.
 *
 * <p>Thread-safe. {@link #close()} cancels the migrations it runs (their checkpoints are saved, so
 * they resume at the next start), ends the event streams and stops the server.
 */
public final class Dashboard implements AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final EventHub hub;
    private final Jobs jobs;
    private final Checks checks;
    private final EndpointRegistry endpoints;
    private final PrometheusMeterRegistry meters;
    private final boolean ownsMeters;
    // One per name: Micrometer shows the first gauge registered under a name and tags.
    private final Map<String, MigrationMetrics> hostMetrics = new java.util.concurrent.ConcurrentHashMap<>();

    private Dashboard(HttpServer server, ExecutorService executor, EventHub hub, Jobs jobs, Checks checks,
            EndpointRegistry endpoints, PrometheusMeterRegistry meters, boolean ownsMeters) {
        this.checks = checks;
        this.server = server;
        this.executor = executor;
        this.hub = hub;
        this.jobs = jobs;
        this.endpoints = endpoints;
        this.meters = meters;
        this.ownsMeters = ownsMeters;
    }

    /** @return a new builder with the defaults */
    public static Builder builder() {
        return new Builder();
    }

    /** @return the port the server listens on (the chosen one when {@code port(0)} was given) */
    public int port() {
        return server.getAddress().getPort();
    }

    /** @return the page's address, e.g. {@code http://127.0.0.1:8080/} */
    public URI uri() {
        InetAddress a = server.getAddress().getAddress();
        String host = a.isAnyLocalAddress() ? "127.0.0.1" : a.getHostAddress();
        if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return URI.create("http://" + host + ":" + port() + "/");
    }

    /** @return the registry the metrics go to (also scraped at {@code /metrics}) */
    public PrometheusMeterRegistry meterRegistry() {
        return meters;
    }

    /**
     * Returns a listener that shows a migration the host runs itself in the event stream and the
     * metrics, under a name of the host's choosing: {@code Migration.builder().listener(dashboard.listener("nightly"))}.
     * Such a migration's runs appear in the history when its work directory was given to
     * {@link Builder#workDirectory(Path)}.
     *
     * @param name the migration's name in the stream and the {@code migration} tag; not blank
     * @return a listener; thread-safe, never blocks the engine for long
     */
    public MigrationListener listener(String name) {
        if (name == null || name.isBlank()) {
            throw S3ReconException.invalidConfiguration("name", name, "must not be blank");
        }
        MigrationListener stream = Jobs.hubListener(hub, name);
        return new FanOut(List.of(stream, metrics(name)));
    }

    /**
     * Returns the metrics of a migration the host runs itself, the same instance for the same name
     * (the one {@link #listener(String)} feeds): wrap the host's transfer scheduler with
     * {@link MigrationMetrics#instrument} to see its bytes in flight,
     * {@code .transferScheduler(dashboard.metrics("nightly").instrument(scheduler))}.
     *
     * @param name the migration's name, as given to {@link #listener(String)}; not blank
     * @return its metrics; thread-safe
     */
    public MigrationMetrics metrics(String name) {
        if (name == null || name.isBlank()) {
            throw S3ReconException.invalidConfiguration("name", name, "must not be blank");
        }
        return hostMetrics.computeIfAbsent(name, n -> new MigrationMetrics(meters, n));
    }

    /** Cancels running migrations (resumable), ends the event streams, stops the server. Idempotent. */
    @Override
    public void close() {
        hub.close();
        checks.close();
        jobs.close();
        server.stop(0);
        executor.shutdownNow();
        endpoints.close();
        if (ownsMeters) {
            meters.close();
        }
    }

    /** Calls several listeners in order; each is isolated by the engine's own listener isolation per call. */
    private record FanOut(List<MigrationListener> listeners) implements MigrationListener {
        @Override
        public void onStateChanged(io.github.s3recon.event.StateChanged e) {
            listeners.forEach(l -> l.onStateChanged(e));
        }

        @Override
        public void onProgress(io.github.s3recon.event.ProgressSnapshot e) {
            listeners.forEach(l -> l.onProgress(e));
        }

        @Override
        public void onDifference(io.github.s3recon.event.DifferenceFound e) {
            listeners.forEach(l -> l.onDifference(e));
        }

        @Override
        public void onObjectCopied(io.github.s3recon.event.ObjectCopied e) {
            listeners.forEach(l -> l.onObjectCopied(e));
        }

        @Override
        public void onObjectDeleted(io.github.s3recon.event.ObjectDeleted e) {
            listeners.forEach(l -> l.onObjectDeleted(e));
        }

        @Override
        public void onObjectFailed(io.github.s3recon.event.ObjectFailed e) {
            listeners.forEach(l -> l.onObjectFailed(e));
        }

        @Override
        public void onRetry(io.github.s3recon.event.TransferRetried e) {
            listeners.forEach(l -> l.onRetry(e));
        }

        @Override
        public void onResumed(io.github.s3recon.event.RunResumed e) {
            listeners.forEach(l -> l.onResumed(e));
        }

        @Override
        public void onPhaseStarted(io.github.s3recon.event.PhaseStarted e) {
            listeners.forEach(l -> l.onPhaseStarted(e));
        }

        @Override
        public void onPhaseFinished(io.github.s3recon.event.PhaseFinished e) {
            listeners.forEach(l -> l.onPhaseFinished(e));
        }

        @Override
        public void onFinished(io.github.s3recon.event.RunFinished e) {
            listeners.forEach(l -> l.onFinished(e));
        }
    }

    /**
     * Configures a dashboard. Not thread-safe; each setter checks its argument at once and names
     * the setting in its error ({@link S3ReconException} with {@link ErrorCode#INVALID_CONFIGURATION}).
     */
    public static final class Builder {

        private String bindAddress = "127.0.0.1";
        private int port = 8080;
        private String token;
        private Path workRoot = Path.of(System.getProperty("user.home"), ".s3recon", "dashboard");
        private final List<Path> workDirectories = new ArrayList<>();
        private final Map<String, S3AsyncClient> clients = new LinkedHashMap<>();
        private final Map<String, String> descriptions = new LinkedHashMap<>();
        private PrometheusMeterRegistry meters;
        private int eventBuffer = 10_000;
        private Duration heartbeat = Duration.ofSeconds(15);
        private Clock clock = Clock.systemUTC();

        private Builder() {
        }

        /**
         * Sets the address to listen on; {@code 127.0.0.1} by default, so only this machine can
         * connect. Give {@code 0.0.0.0} only together with a {@link #token(String)} and a TLS proxy.
         *
         * @param address an IP address or host name; not blank
         * @return this builder
         */
        public Builder bindAddress(String address) {
            if (address == null || address.isBlank()) {
                throw S3ReconException.invalidConfiguration("bindAddress", address, "must be an IP address or host name");
            }
            this.bindAddress = address.strip();
            return this;
        }

        /**
         * Sets the port; 8080 by default; 0 picks a free one ({@link Dashboard#port()} tells which).
         *
         * @param port 0-65535
         * @return this builder
         */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw S3ReconException.invalidConfiguration("port", port, "must be between 0 and 65535");
            }
            this.port = port;
            return this;
        }

        /**
         * Requires a token on every request but the page's files; none by default (then anyone who
         * can reach the address can use the API: keep the default bind address).
         *
         * @param token at least 16 characters, or null for none
         * @return this builder
         */
        public Builder token(String token) {
            if (token != null && token.strip().length() < 16) {
                throw S3ReconException.invalidConfiguration("token", "(not shown)", "must be at least 16 characters");
            }
            this.token = token == null ? null : token.strip();
            return this;
        }

        /**
         * Sets the directory under which each migration created in the dashboard gets its work
         * directory; {@code ~/.s3recon/dashboard} by default. Migrations found there come back at the
         * next start.
         *
         * @param root the directory; not null; created if needed
         * @return this builder
         */
        public Builder workRoot(Path root) {
            this.workRoot = S3ReconException.requireSetting(root, "workRoot");
            return this;
        }

        /**
         * Adds a work directory whose runs the history shows (e.g. one the host's own migrations use).
         *
         * @param directory the work directory; not null
         * @return this builder
         */
        public Builder workDirectory(Path directory) {
            workDirectories.add(S3ReconException.requireSetting(directory, "workDirectory"));
            return this;
        }

        /**
         * Adds an endpoint whose client the host built; the dashboard never closes it.
         *
         * @param name its name in the API (letters, digits, '.', '_', '-')
         * @param client the client; not null
         * @param description what the page shows for it (e.g. its URL); no secret; not null
         * @return this builder
         */
        public Builder endpoint(String name, S3AsyncClient client, String description) {
            if (name == null || !name.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,62}")) {
                throw S3ReconException.invalidConfiguration("endpoint name", name,
                        "must be 1-63 letters, digits, '.', '_' or '-'");
            }
            clients.put(name, S3ReconException.requireSetting(client, "client"));
            descriptions.put(name, S3ReconException.requireSetting(description, "description"));
            return this;
        }

        /**
         * Sets the registry the metrics go to; a new one by default (closed with the dashboard).
         *
         * @param registry the registry; not null; not closed by the dashboard
         * @return this builder
         */
        public Builder meterRegistry(PrometheusMeterRegistry registry) {
            this.meters = S3ReconException.requireSetting(registry, "meterRegistry");
            return this;
        }

        /**
         * Sets how many events are kept for clients that reconnect; 10,000 by default.
         *
         * @param events 1-10,000,000
         * @return this builder
         */
        public Builder eventBuffer(int events) {
            if (events < 1 || events > 10_000_000) {
                throw S3ReconException.invalidConfiguration("eventBuffer", events, "must be between 1 and 10000000");
            }
            this.eventBuffer = events;
            return this;
        }

        /**
         * Sets the longest silence on an event stream before a heartbeat comment; 15 s by default.
         *
         * @param interval 100 ms to 5 minutes
         * @return this builder
         */
        public Builder heartbeat(Duration interval) {
            S3ReconException.requireSetting(interval, "heartbeat");
            if (interval.toMillis() < 100 || interval.compareTo(Duration.ofMinutes(5)) > 0) {
                throw S3ReconException.invalidConfiguration("heartbeat", interval, "must be between 100 ms and 5 min");
            }
            this.heartbeat = interval;
            return this;
        }

        /**
         * Sets the clock; the system's UTC clock by default.
         *
         * @param clock the clock; not null
         * @return this builder
         */
        public Builder clock(Clock clock) {
            this.clock = S3ReconException.requireSetting(clock, "clock");
            return this;
        }

        /**
         * Starts the server.
         *
         * @return the running dashboard; close it
         * @throws S3ReconException {@link ErrorCode#INVALID_CONFIGURATION} if the address cannot be
         *     bound (port in use, unknown host), {@link ErrorCode#WORK_DIRECTORY_UNUSABLE} if the work
         *     root cannot be created
         */
        public Dashboard start() {
            InetSocketAddress address;
            try {
                address = new InetSocketAddress(InetAddress.getByName(bindAddress), port);
            } catch (UnknownHostException e) {
                throw S3ReconException.invalidConfiguration("bindAddress", bindAddress, "is not a known address");
            }
            boolean ownsMeters = meters == null;
            PrometheusMeterRegistry registry = ownsMeters ? new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)
                    : meters;
            EventHub hub = new EventHub(eventBuffer);
            EndpointRegistry endpoints = new EndpointRegistry();
            clients.forEach((name, client) -> endpoints.add(name, client, descriptions.get(name)));
            Jobs jobs = new Jobs(workRoot, endpoints, hub, registry, clock);
            Checks checks = new Checks(jobs, clock);
            List<Path> extra = List.copyOf(workDirectories);
            RunIndex runs = new RunIndex(() -> {
                Map<Path, String> dirs = new LinkedHashMap<>();
                jobs.all().forEach(j -> dirs.put(j.workDirectory(), j.id()));
                extra.forEach(d -> dirs.putIfAbsent(d, null));
                return dirs;
            });
            HttpServer server;
            try {
                server = HttpServer.create(address, 64);
            } catch (IOException e) {
                checks.close();
                jobs.close();
                endpoints.close();
                throw new S3ReconException(ErrorCode.INVALID_CONFIGURATION, "cannot listen on " + bindAddress + ":"
                        + port + ": " + e.getMessage() + " (choose another port(...), or 0 for a free one)", e);
            }
            AtomicInteger threads = new AtomicInteger();
            // Unbounded because each event stream holds its thread; requests themselves are short.
            ExecutorService executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "s3recon-dashboard-http-" + threads.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            server.setExecutor(executor);
            Filter auth = new TokenFilter(token, address.getAddress().isLoopbackAddress());
            List<HttpContext> contexts = List.of(
                    server.createContext("/api/events", new SseHandler(hub, heartbeat)),
                    server.createContext("/api/", new ApiHandler(endpoints, jobs, runs, checks)),
                    server.createContext("/metrics", x -> {
                        byte[] body = registry.scrape().getBytes(StandardCharsets.UTF_8);
                        x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4; charset=utf-8");
                        x.sendResponseHeaders(200, body.length);
                        x.getResponseBody().write(body);
                        x.close();
                    }));
            contexts.forEach(c -> c.getFilters().add(auth));
            server.createContext("/", new StaticHandler());
            server.start();
            return new Dashboard(server, executor, hub, jobs, checks, endpoints, registry, ownsMeters);
        }
    }

    /**
     * Checks the token, in constant time, from a header, a query parameter or a cookie; and, on a
     * loopback address, that the request was made to a loopback name, so that a web page elsewhere
     * cannot reach the API by pointing a name of its own at 127.0.0.1 (DNS rebinding).
     */
    private static final class TokenFilter extends Filter {
        private final byte[] token;
        private final boolean loopback;

        TokenFilter(String token, boolean loopback) {
            this.token = token == null ? null : token.getBytes(StandardCharsets.UTF_8);
            this.loopback = loopback;
        }

        @Override
        public void doFilter(HttpExchange x, Chain chain) throws IOException {
            if (loopback && !loopbackHost(x.getRequestHeaders().getFirst("Host"))) {
                refuse(x, 403, "FORBIDDEN_HOST", "Host", "this dashboard listens on a loopback address: use "
                        + "http://127.0.0.1:<port>/ or http://localhost:<port>/");
                return;
            }
            if (token == null || matches(given(x))) {
                chain.doFilter(x);
                return;
            }
            refuse(x, 401, "UNAUTHORIZED", "token", "this dashboard needs its token: send "
                    + "Authorization: Bearer <token>, or open the page as /?token=<token>");
        }

        private static boolean loopbackHost(String host) {
            if (host == null) {
                return true; // HTTP/1.0 without Host: not a browser's request
            }
            String name = host.startsWith("[") ? host.substring(0, host.indexOf(']') + 1)
                    : host.contains(":") ? host.substring(0, host.indexOf(':')) : host;
            name = name.toLowerCase(java.util.Locale.ROOT);
            return name.equals("localhost") || name.equals("[::1]") || name.startsWith("127.");
        }

        private static void refuse(HttpExchange x, int status, String code, String field, String message)
                throws IOException {
            byte[] body = ("{\"error\":{\"status\":" + status + ",\"code\":\"" + code + "\",\"field\":\"" + field
                    + "\",\"message\":\"" + message + "\"}}").getBytes(StandardCharsets.UTF_8);
            x.getResponseHeaders().set("Content-Type", "application/json; charset=utf-8");
            x.sendResponseHeaders(status, body.length);
            x.getResponseBody().write(body);
            x.close();
        }

        private boolean matches(String given) {
            return given != null && MessageDigest.isEqual(token, given.getBytes(StandardCharsets.UTF_8));
        }

        private static String given(HttpExchange x) {
            String auth = x.getRequestHeaders().getFirst("Authorization");
            if (auth != null && auth.startsWith("Bearer ")) {
                return auth.substring(7).strip();
            }
            String query = x.getRequestURI().getRawQuery();
            if (query != null) {
                for (String pair : query.split("&")) {
                    if (pair.startsWith("token=")) {
                        return java.net.URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8);
                    }
                }
            }
            String cookies = x.getRequestHeaders().getFirst("Cookie");
            if (cookies != null) {
                for (String c : cookies.split(";")) {
                    String s = c.strip();
                    if (s.startsWith("s3recon_token=")) {
                        return s.substring("s3recon_token=".length());
                    }
                }
            }
            return null;
        }

        @Override
        public String description() {
            return "token check";
        }
    }
}
