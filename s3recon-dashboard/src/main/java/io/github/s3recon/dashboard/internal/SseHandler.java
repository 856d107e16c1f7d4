package io.github.s3recon.dashboard.internal;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code GET /api/events}: Server-Sent Events of every event in the {@link EventHub}, each as
 * {@code id: N}, {@code event: <type>}, {@code data: <the EventJson form plus "migration">}. A client
 * that sends {@code Last-Event-ID} (browsers do when they reconnect) or {@code ?lastEventId=N} gets
 * what it missed that is still buffered; if some of it has left the buffer it first gets
 * {@code event: gap} with {@code {"missed": n}}. A client without either gets the events from now on;
 * {@code lastEventId=0} asks for everything buffered. A comment line goes out every heartbeat so that
 * proxies keep the connection and a dead client is noticed. Filters: {@code migration=<id>},
 * {@code types=progress,finished} (only those), {@code skip=difference,objectCopied} (all but those).
 * One thread per connected client. Thread-safe.
 */
public final class SseHandler implements HttpHandler {

    private final EventHub hub;
    private final Duration heartbeat;

    /**
     * @param hub the events
     * @param heartbeat the longest silence on a connection
     */
    public SseHandler(EventHub hub, Duration heartbeat) {
        this.hub = hub;
        this.heartbeat = heartbeat;
    }

    @Override
    public void handle(HttpExchange x) throws IOException {
        Map<String, String> q = Query.parse(x.getRequestURI().getRawQuery());
        long lastId;
        Set<String> types;
        Set<String> skip;
        try {
            if (!x.getRequestMethod().equals("GET")) {
                throw new ApiException(405, "METHOD_NOT_ALLOWED", null, "use GET for the event stream");
            }
            String header = x.getRequestHeaders().getFirst("Last-Event-ID");
            String given = header != null ? header : q.get("lastEventId");
            lastId = -1; // none given: from now on
            if (given != null && !given.isBlank()) {
                try {
                    lastId = Long.parseLong(given.strip());
                } catch (NumberFormatException e) {
                    throw ApiException.badRequest(header != null ? "Last-Event-ID" : "lastEventId",
                            "the last event id must be a whole number, was \"" + given + "\"");
                }
                if (lastId < 0) {
                    throw ApiException.badRequest("lastEventId", "the last event id must not be negative");
                }
            }
            types = set(q.get("types"));
            skip = set(q.get("skip"));
        } catch (ApiException e) {
            Exchanges.error(x, e);
            return;
        }
        if (lastId < 0) {
            lastId = hub.lastId(); // a new client: what happens from now (lastEventId=0 asks for all buffered)
        } else if (lastId > hub.lastId()) {
            lastId = 0; // an id from before this server started: everything buffered is new to the client
        }
        boolean replayAll = lastId == 0;
        String migration = q.get("migration");
        x.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
        x.getResponseHeaders().set("Cache-Control", "no-store");
        x.getResponseHeaders().set("X-Accel-Buffering", "no");
        x.sendResponseHeaders(200, 0);
        try (OutputStream out = x.getResponseBody()) {
            write(out, "retry: 2000\n: connected\n\n");
            while (!hub.isClosed()) {
                EventHub.Batch batch;
                try {
                    batch = hub.after(lastId, 500, heartbeat.toMillis());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                }
                if (batch.entries().isEmpty()) {
                    write(out, ": heartbeat\n\n");
                    continue;
                }
                StringBuilder b = new StringBuilder();
                if (batch.missed() > 0 && !replayAll) {
                    b.append("event: gap\ndata: {\"missed\":").append(batch.missed()).append("}\n\n");
                }
                replayAll = false;
                for (EventHub.Entry e : batch.entries()) {
                    lastId = e.id();
                    if ((migration != null && !migration.equals(e.migration()))
                            || (!types.isEmpty() && !types.contains(e.type())) || skip.contains(e.type())) {
                        continue;
                    }
                    b.append("id: ").append(e.id()).append("\nevent: ").append(e.type()).append("\ndata: ")
                            .append(e.json()).append("\n\n");
                }
                if (b.length() > 0) {
                    write(out, b.toString());
                }
            }
        } catch (IOException gone) {
            // the client went away: nothing to do, its thread is free again
        } finally {
            x.close();
        }
    }

    private static Set<String> set(String csv) {
        if (csv == null || csv.isBlank()) {
            return Set.of();
        }
        return Arrays.stream(csv.split(",")).map(String::strip).filter(s -> !s.isEmpty()).collect(Collectors.toSet());
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }
}
